#include "client/state/operation.h"

#include <string>
#include <vector>

#include "core/slot.h"
#include "gtest/gtest.h"

namespace shoal::client {
namespace {

std::vector<std::string> Addresses() { return {"n0:1", "n1:1", "n2:1"}; }

Reply Error(std::string text) {
  Reply r;
  r.type = Reply::Type::kError;
  r.text = std::move(text);
  return r;
}
Reply Simple(std::string text) {
  Reply r;
  r.type = Reply::Type::kSimple;
  r.text = std::move(text);
  return r;
}
Reply Bulk(std::string text) {
  Reply r;
  r.type = Reply::Type::kBulk;
  r.text = std::move(text);
  return r;
}

OpSpec Set(std::string key, std::string value, TimeMs ttl = 0) {
  return OpSpec{
      .type = OpType::kSet, .key = std::move(key), .value = std::move(value), .ttl_ms = ttl};
}

using Kind = Operation::Action::Kind;

TEST(OperationTest, RoutesToTheOwnerAndBuildsTheCommand) {
  SlotRouter router(Addresses());
  router.SetOwner(KeySlot("k"), 2);
  Operation op;
  const auto a = op.Start(0, Set("k", "v1", 500), router);
  EXPECT_EQ(a.kind, Kind::kSend);
  EXPECT_EQ(a.node, 2u);
  EXPECT_EQ(op.argv(), (std::vector<std::string>{"SET", "k", "v1", "PX", "500"}));
  const auto done = op.OnReply(3, Simple("OK"), router);
  EXPECT_EQ(done.kind, Kind::kDone);
  EXPECT_EQ(op.result().outcome, OpOutcome::kOk);
}

TEST(OperationTest, FollowsMovedAndLearnsTheOwner) {
  SlotRouter router(Addresses());
  const std::uint16_t slot = KeySlot("k");
  router.SetOwner(slot, 0);
  Operation op;
  op.Start(0, OpSpec{.type = OpType::kGet, .key = "k"}, router);
  const auto a = op.OnReply(1, Error("MOVED " + std::to_string(slot) + " n1:1"), router);
  EXPECT_EQ(a.kind, Kind::kSend);
  EXPECT_EQ(a.node, 1u);
  EXPECT_EQ(router.Owner(slot), 1u);
  op.OnReply(2, Bulk("v"), router);
  EXPECT_EQ(op.result().outcome, OpOutcome::kOk);
  EXPECT_TRUE(op.result().found);
  EXPECT_EQ(op.result().value, "v");
  EXPECT_EQ(op.result().redirects, 1u);
}

TEST(OperationTest, RetriesLoadingWithBackoffThenFailsCleanly) {
  SlotRouter router(Addresses());
  RetryPolicy policy;
  policy.attempts_max = 3;
  Operation op(policy);
  op.Start(0, Set("k", "v"), router);
  auto a = op.OnReply(1, Error("LOADING still loading"), router);
  ASSERT_EQ(a.kind, Kind::kSleep);
  EXPECT_EQ(a.at, 1 + policy.backoff_initial_ms);
  a = op.OnWake(a.at, router);
  ASSERT_EQ(a.kind, Kind::kSend);
  a = op.OnReply(20, Error("TRYAGAIN busy"), router);
  ASSERT_EQ(a.kind, Kind::kSleep);
  EXPECT_EQ(a.at, 20 + 2 * policy.backoff_initial_ms);  // doubled
  a = op.OnWake(a.at, router);
  a = op.OnReply(50, Error("LOADING"), router);
  EXPECT_EQ(a.kind, Kind::kDone);
  EXPECT_EQ(op.result().outcome, OpOutcome::kFail);  // no attempt took effect
  EXPECT_EQ(op.result().attempts, 3u);
}

TEST(OperationTest, TimeoutMakesTheWholeOperationUnknown) {
  SlotRouter router(Addresses());
  Operation op;
  op.Start(0, Set("k", "v"), router);
  op.OnReply(1, Error("LOADING"), router);  // first attempt clean
  auto a = op.OnWake(100, router);
  ASSERT_EQ(a.kind, Kind::kSend);
  EXPECT_EQ(op.attempt_deadline(), 100 + RetryPolicy{}.attempt_timeout_ms);
  a = op.OnTimeout(op.attempt_deadline());
  EXPECT_EQ(a.kind, Kind::kDone);
  EXPECT_EQ(op.result().outcome, OpOutcome::kUnknown);
}

TEST(OperationTest, UnknownErrorsFailReadsButLeaveWritesUnknown) {
  SlotRouter router(Addresses());
  Operation get;
  get.Start(0, OpSpec{.type = OpType::kGet, .key = "k"}, router);
  get.OnReply(1, Error("ERR boom"), router);
  EXPECT_EQ(get.result().outcome, OpOutcome::kFail);
  Operation set;
  set.Start(0, Set("k", "v"), router);
  set.OnReply(1, Error("OOM command not allowed"), router);
  EXPECT_EQ(set.result().outcome, OpOutcome::kUnknown);
}

TEST(OperationTest, GivesUpOnRedirectLoopsWithinTheAttemptBound) {
  SlotRouter router(Addresses());
  const std::uint16_t slot = KeySlot("k");
  RetryPolicy policy;
  policy.attempts_max = 4;
  Operation op(policy);
  auto a = op.Start(0, Set("k", "v"), router);
  int sends = 1;
  while (a.kind == Kind::kSend) {
    const std::string to = a.node == 0 ? "n1:1" : "n0:1";
    a = op.OnReply(sends, Error("MOVED " + std::to_string(slot) + " " + to), router);
    if (a.kind == Kind::kSend) sends++;
    ASSERT_LE(sends, 10);
  }
  EXPECT_EQ(op.result().outcome, OpOutcome::kFail);
  EXPECT_EQ(op.result().attempts, 4u);
}

TEST(OperationTest, BuildsConditionalAndExpiringSets) {
  SlotRouter router(Addresses());
  const auto argv_of = [&](OpSpec spec) {
    Operation op;
    op.Start(0, std::move(spec), router);
    std::string joined;
    for (const std::string& a : op.argv()) joined += a + " ";
    return joined;
  };
  EXPECT_EQ(argv_of({.type = OpType::kSet,
                     .key = "k",
                     .value = "v",
                     .ttl_ms = 2500,
                     .condition = SetCondition::kNx,
                     .expiry = SetExpiry::kEx}),
            "SET k v NX EX 2 ");
  EXPECT_EQ(argv_of({.type = OpType::kSet,
                     .key = "k",
                     .value = "v",
                     .condition = SetCondition::kXx,
                     .expiry = SetExpiry::kExAt,
                     .expire_at_ms = 1'700'000'123'456}),
            "SET k v XX EXAT 1700000123 ");
  EXPECT_EQ(argv_of({.type = OpType::kSet,
                     .key = "k",
                     .value = "v",
                     .expiry = SetExpiry::kPxAt,
                     .expire_at_ms = 1'700'000'123'456}),
            "SET k v PXAT 1700000123456 ");
  EXPECT_EQ(
      argv_of({.type = OpType::kSet, .key = "k", .value = "v", .expiry = SetExpiry::kKeepTtl}),
      "SET k v KEEPTTL ");
  EXPECT_EQ(argv_of({.type = OpType::kCommand, .key = "k", .argv = {"INCR", "k"}}), "INCR k ");
}

TEST(OperationTest, RefusedConditionalSetIsOkButNotWritten) {
  SlotRouter router(Addresses());
  Operation op;
  OpSpec spec = Set("k", "v");
  spec.condition = SetCondition::kNx;
  op.Start(0, spec, router);
  Reply nil;
  nil.type = Reply::Type::kNil;
  ASSERT_EQ(op.OnReply(1, nil, router).kind, Kind::kDone);
  EXPECT_EQ(op.result().outcome, OpOutcome::kOk);
  EXPECT_FALSE(op.result().written);
  // A nil reply to an unconditional SET is not something the server sends: unknown.
  Operation plain;
  plain.Start(0, Set("k", "v"), router);
  plain.OnReply(1, nil, router);
  EXPECT_EQ(plain.result().outcome, OpOutcome::kUnknown);
  Operation ok;
  ok.Start(0, spec, router);
  Reply plus;
  plus.type = Reply::Type::kSimple;
  plus.text = "OK";
  ok.OnReply(1, plus, router);
  EXPECT_TRUE(ok.result().written);
}

TEST(OperationTest, CommandsKeepTheirReplyAndErrorsFollowTheWriteFlag) {
  SlotRouter router(Addresses());
  Operation incr;
  incr.Start(0, OpSpec{.type = OpType::kCommand, .key = "k", .argv = {"INCR", "k"}}, router);
  Reply one;
  one.type = Reply::Type::kInteger;
  one.integer = 1;
  incr.OnReply(1, one, router);
  EXPECT_EQ(incr.result().outcome, OpOutcome::kOk);
  EXPECT_EQ(incr.result().reply.integer, 1);
  Operation write;
  write.Start(0, OpSpec{.type = OpType::kCommand, .key = "k", .argv = {"APPEND", "k", "x"}},
              router);
  write.OnReply(1, Error("ERR something"), router);
  EXPECT_EQ(write.result().outcome, OpOutcome::kUnknown);
  Operation read;
  read.Start(0,
             OpSpec{.type = OpType::kCommand, .key = "k", .argv = {"STRLEN", "k"}, .write = false},
             router);
  read.OnReply(1, Error("ERR something"), router);
  EXPECT_EQ(read.result().outcome, OpOutcome::kFail);
}

TEST(RouterTest, ParsesRedirects) {
  Redirect r;
  EXPECT_TRUE(ParseRedirect("MOVED 3999 127.0.0.1:6381", r));
  EXPECT_EQ(r.slot, 3999);
  EXPECT_EQ(r.address, "127.0.0.1:6381");
  EXPECT_TRUE(ParseRedirect("ASK 1 h:1", r));
  EXPECT_FALSE(ParseRedirect("MOVED 16384 h:1", r));
  EXPECT_FALSE(ParseRedirect("MOVED x h:1", r));
  EXPECT_FALSE(ParseRedirect("MOVED 1", r));
  EXPECT_FALSE(ParseRedirect("ERR 1 h:1", r));
  SlotRouter router(Addresses());
  EXPECT_EQ(router.NodeForAddress("n2:1"), 2u);
  EXPECT_FALSE(router.NodeForAddress("n9:1").has_value());
  EXPECT_EQ(router.Route(5, 0), 5u % 3);  // unknown owner: rotation
  EXPECT_EQ(router.Route(5, 1), 6u % 3);
}

TEST(RouterTest, SetOwnersReplacesTheWholeTable) {
  SlotRouter router(Addresses());
  std::vector<NodeIndex> owners(limits::kSlotCount, kNoNode);
  owners[0] = 2;
  owners[limits::kSlotCount - 1] = 1;
  router.SetOwner(7, 1);
  router.SetOwners(owners);
  EXPECT_EQ(router.Owner(0), 2u);
  EXPECT_EQ(router.Owner(limits::kSlotCount - 1), 1u);
  EXPECT_EQ(router.Owner(7), kNoNode);  // the earlier SetOwner is replaced too
  EXPECT_EQ(router.Route(7, 1), 8u % 3);
}

}  // namespace
}  // namespace shoal::client
