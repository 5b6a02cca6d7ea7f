// The opt-in retry rules of client::Operation that the client library uses (RetryPolicy::
// retry_after_timeout, learn_addresses; OnNotSent, OnConnectionLost; Action::asking;
// OpResult::end), and proof that the defaults the simulator relies on are unchanged.
#include <string>
#include <vector>

#include "client/state/operation.h"
#include "core/slot.h"
#include "gtest/gtest.h"
#include "tests/client/replies.h"

namespace shoal::client {
namespace {

using Kind = Operation::Action::Kind;
using testing::ErrorReply;
using testing::IntegerReply;
using testing::OkReply;

RetryPolicy LibraryPolicy() {
  RetryPolicy policy;
  policy.retry_after_timeout = true;
  policy.learn_addresses = true;
  return policy;
}

OpSpec Get(std::string key) { return OpSpec{.type = OpType::kGet, .key = std::move(key)}; }

OpSpec RepeatableSet(std::string key) {
  OpSpec spec{.type = OpType::kSet, .key = std::move(key), .value = "v"};
  spec.repeatable = true;
  return spec;
}

OpSpec Incr(std::string key) {
  return OpSpec{.type = OpType::kCommand, .key = key, .argv = {"INCR", key}};
}

TEST(OperationRetryTest, DefaultsStillEndEveryTimedOutOrLostAttemptAsUnknown) {
  SlotRouter router({"n0:1"});
  for (bool lost : {false, true}) {
    for (OpSpec spec : {Get("k"), RepeatableSet("k"), Incr("k")}) {
      Operation op;  // the simulator's default policy
      op.Start(0, spec, router);
      const auto a = lost ? op.OnConnectionLost(5) : op.OnTimeout(1000);
      EXPECT_EQ(a.kind, Kind::kDone);
      EXPECT_EQ(op.result().outcome, OpOutcome::kUnknown);
      EXPECT_EQ(op.result().end, lost ? OpEnd::kConnectionLost : OpEnd::kTimeout);
    }
  }
}

TEST(OperationRetryTest, ReadsAndRepeatableWritesRetryAfterATimeout) {
  SlotRouter router({"n0:1"});
  for (OpSpec spec : {Get("k"), RepeatableSet("k")}) {
    Operation op(LibraryPolicy());
    op.Start(0, spec, router);
    auto a = op.OnTimeout(1000);
    ASSERT_EQ(a.kind, Kind::kSleep);
    EXPECT_EQ(a.at, 1000 + RetryPolicy{}.backoff_initial_ms);
    a = op.OnWake(a.at, router);
    ASSERT_EQ(a.kind, Kind::kSend);
    a = op.OnConnectionLost(1100);
    ASSERT_EQ(a.kind, Kind::kSleep);
    a = op.OnWake(a.at, router);
    a = op.OnReply(1200, spec.type == OpType::kGet ? Reply{} : OkReply(), router);
    EXPECT_EQ(a.kind, Kind::kDone);
    EXPECT_EQ(op.result().outcome, OpOutcome::kOk);
    EXPECT_EQ(op.result().attempts, 3u);
    EXPECT_EQ(op.result().end, OpEnd::kReply);
  }
}

TEST(OperationRetryTest, NonRepeatableWritesAreNeverRetriedAfterALostAttempt) {
  SlotRouter router({"n0:1"});
  for (bool lost : {false, true}) {
    Operation op(LibraryPolicy());
    op.Start(0, Incr("k"), router);
    const auto a = lost ? op.OnConnectionLost(3) : op.OnTimeout(1000);
    EXPECT_EQ(a.kind, Kind::kDone);
    EXPECT_EQ(op.result().outcome, OpOutcome::kUnknown);
    EXPECT_EQ(op.result().attempts, 1u);
  }
}

TEST(OperationRetryTest, NonRepeatableWritesRetryAfterProvenRefusals) {
  SlotRouter router({"n0:1"});
  Operation op(LibraryPolicy());
  op.Start(0, Incr("k"), router);
  auto a = op.OnNotSent(1);  // the connection could not be opened
  ASSERT_EQ(a.kind, Kind::kSleep);
  a = op.OnWake(a.at, router);
  a = op.OnReply(20, ErrorReply("LOADING loading"), router);
  ASSERT_EQ(a.kind, Kind::kSleep);
  a = op.OnWake(a.at, router);
  a = op.OnReply(50, IntegerReply(7), router);
  EXPECT_EQ(op.result().outcome, OpOutcome::kOk);
  EXPECT_EQ(op.result().reply.integer, 7);
  EXPECT_EQ(op.result().attempts, 3u);
}

TEST(OperationRetryTest, OutOfTimeAfterALostWriteIsUnknownButAReadFails) {
  SlotRouter router({"n0:1"});
  RetryPolicy policy = LibraryPolicy();
  policy.op_deadline_ms = 1500;
  Operation set(policy);
  set.Start(0, RepeatableSet("k"), router);
  auto a = set.OnTimeout(1000);
  a = set.OnWake(a.at, router);
  a = set.OnTimeout(1490);  // the next wake-up would pass the deadline
  EXPECT_EQ(a.kind, Kind::kDone);
  EXPECT_EQ(set.result().outcome, OpOutcome::kUnknown);  // the first attempt may have applied
  EXPECT_EQ(set.result().end, OpEnd::kTimeout);
  Operation get(policy);
  get.Start(0, Get("k"), router);
  a = get.OnTimeout(1000);
  a = get.OnWake(a.at, router);
  a = get.OnTimeout(1490);
  EXPECT_EQ(a.kind, Kind::kDone);
  EXPECT_EQ(get.result().outcome, OpOutcome::kFail);
  EXPECT_EQ(get.result().end, OpEnd::kTimeout);
}

TEST(OperationRetryTest, NotSentUntilTheDeadlineFailsCleanly) {
  SlotRouter router({"n0:1"});
  RetryPolicy policy = LibraryPolicy();
  policy.op_deadline_ms = 100;
  Operation op(policy);
  auto a = op.Start(0, Incr("k"), router);
  TimeMs now = 0;
  while (a.kind != Kind::kDone) {
    a = a.kind == Kind::kSend ? op.OnNotSent(now) : op.OnWake(now = a.at, router);
  }
  EXPECT_EQ(op.result().outcome, OpOutcome::kFail);
  EXPECT_EQ(op.result().end, OpEnd::kRefused);
}

TEST(OperationRetryTest, LearnsUnknownAddressesFromMovedOnlyWhenAsked) {
  const std::uint16_t slot = KeySlot("k");
  const std::string moved = "MOVED " + std::to_string(slot) + " 10.0.0.9:7000";
  {
    SlotRouter router({"n0:1"});
    Operation op;  // default: a redirect to an unknown node cannot be followed
    op.Start(0, Get("k"), router);
    EXPECT_EQ(op.OnReply(1, ErrorReply(moved), router).kind, Kind::kDone);
    EXPECT_EQ(op.result().outcome, OpOutcome::kFail);
    EXPECT_EQ(op.result().end, OpEnd::kRedirectFailed);
    EXPECT_EQ(router.node_count(), 1u);
  }
  SlotRouter router({"n0:1"});
  Operation op(LibraryPolicy());
  op.Start(0, Get("k"), router);
  const auto a = op.OnReply(1, ErrorReply(moved), router);
  ASSERT_EQ(a.kind, Kind::kSend);
  EXPECT_EQ(a.node, 1u);
  EXPECT_FALSE(a.asking);
  EXPECT_EQ(router.address(1), "10.0.0.9:7000");
  EXPECT_EQ(router.Owner(slot), 1u);
  EXPECT_EQ(op.result().moved, 1u);
}

TEST(OperationRetryTest, AskSendsOnceWithAskingAndKeepsTheMap) {
  const std::uint16_t slot = KeySlot("k");
  SlotRouter router({"n0:1", "n1:1"});
  router.SetOwner(slot, 0);
  Operation op(LibraryPolicy());
  op.Start(0, Get("k"), router);
  const auto a = op.OnReply(1, ErrorReply("ASK " + std::to_string(slot) + " n1:1"), router);
  ASSERT_EQ(a.kind, Kind::kSend);
  EXPECT_EQ(a.node, 1u);
  EXPECT_TRUE(a.asking);
  EXPECT_EQ(router.Owner(slot), 0u);  // ASK is one-off: the map stays
  EXPECT_EQ(op.result().redirects, 1u);
  EXPECT_EQ(op.result().moved, 0u);
}

TEST(OperationRetryTest, EndNamesTheCause) {
  SlotRouter router({"n0:1"});
  Operation err(LibraryPolicy());
  err.Start(0, Incr("k"), router);
  err.OnReply(1, ErrorReply("ERR value is not an integer or out of range"), router);
  EXPECT_EQ(err.result().end, OpEnd::kErrorReply);
  RetryPolicy one = LibraryPolicy();
  one.attempts_max = 1;
  Operation down(one);
  down.Start(0, Get("k"), router);
  down.OnReply(1, ErrorReply("CLUSTERDOWN The cluster is down"), router);
  EXPECT_EQ(down.result().outcome, OpOutcome::kFail);
  EXPECT_EQ(down.result().end, OpEnd::kRefused);
}

TEST(RouterTest, AddNodeAppendsNewAddressesAndIsBounded) {
  SlotRouter router({"a:1"});
  EXPECT_EQ(router.AddNode("a:1"), 0u);
  EXPECT_EQ(router.AddNode("b:2"), 1u);
  EXPECT_EQ(router.node_count(), 2u);
  EXPECT_FALSE(router.AddNode("").has_value());
  for (std::uint32_t i = router.node_count(); i < kRouterNodesMax; ++i) {
    ASSERT_TRUE(router.AddNode("n" + std::to_string(i) + ":1").has_value());
  }
  EXPECT_FALSE(router.AddNode("one-too-many:1").has_value());
  EXPECT_EQ(router.node_count(), kRouterNodesMax);
}

}  // namespace
}  // namespace shoal::client
