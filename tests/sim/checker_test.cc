// Tests for sim/checker.h: hand-written legal and illegal histories for every violation kind and
// every excuse, then RapidCheck properties: histories generated from a sequential cache model are
// always accepted (soundness), and mutations that make them definitely illegal are flagged.
#include "sim/checker.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::sim {
namespace {

constexpr OpOutcome kOk = OpOutcome::kOk;
constexpr OpOutcome kFail = OpOutcome::kFail;
constexpr OpOutcome kUnknown = OpOutcome::kUnknown;
constexpr OpOutcome kPending = OpOutcome::kPending;

// Builds histories tersely; ids are handed out in call order.
class Builder {
 public:
  std::uint64_t Set(const std::string& key, const std::string& value, TimeMs invoke,
                    TimeMs complete, OpOutcome outcome = kOk, TimeMs ttl_ms = 0) {
    Operation op = Base(OpKind::kSet, key, invoke, complete, outcome);
    op.value = value;
    op.ttl_ms = ttl_ms;
    return Push(std::move(op));
  }
  std::uint64_t Del(const std::string& key, TimeMs invoke, TimeMs complete,
                    OpOutcome outcome = kOk) {
    return Push(Base(OpKind::kDel, key, invoke, complete, outcome));
  }
  // A GET that returned `value` (nullopt: a miss).
  std::uint64_t Get(const std::string& key, TimeMs invoke, TimeMs complete,
                    std::optional<std::string> value, OpOutcome outcome = kOk) {
    Operation op = Base(OpKind::kGet, key, invoke, complete, outcome);
    op.found = value.has_value();
    op.value = value.value_or("");
    return Push(std::move(op));
  }
  void Evict(const std::string& key, TimeMs at, std::uint32_t node = 0) {
    h.world.push_back({WorldEvent::Kind::kEvicted, at, node, key, ""});
  }
  void Lost(const std::string& key, const std::string& value, TimeMs at, std::uint32_t node = 0) {
    h.world.push_back({WorldEvent::Kind::kAllCopiesLost, at, node, key, value});
  }
  void Crash(TimeMs at, std::uint32_t node) {
    h.world.push_back({WorldEvent::Kind::kCrash, at, node, "", ""});
  }

  History h;

 private:
  Operation Base(OpKind kind, const std::string& key, TimeMs invoke, TimeMs complete,
                 OpOutcome outcome) {
    Operation op;
    op.id = next_id_++;
    op.client = static_cast<std::uint32_t>(op.id % 7);
    op.kind = kind;
    op.key = key;
    op.invoke_at = invoke;
    op.complete_at = outcome == kPending ? 0 : complete;
    op.outcome = outcome;
    return op;
  }
  std::uint64_t Push(Operation op) {
    h.ops.push_back(std::move(op));
    return h.ops.back().id;
  }
  std::uint64_t next_id_ = 1;
};

std::vector<ViolationKind> Kinds(const CheckResult& r) {
  std::vector<ViolationKind> kinds;
  for (const Violation& v : r.violations) kinds.push_back(v.kind);
  return kinds;
}

std::string Dump(const History& h, const CheckResult& r) {
  std::string out;
  for (const Violation& v : r.violations) out += FormatViolation(h, v) + "\n";
  return out;
}

// Expects exactly one violation of `kind` naming `op_id` first.
void ExpectOne(const History& h, ViolationKind kind, std::uint64_t op_id) {
  const CheckResult r = CheckHistory(h);
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.violations.size(), 1u) << Dump(h, r);
  EXPECT_EQ(r.violations[0].kind, kind) << Dump(h, r);
  ASSERT_FALSE(r.violations[0].op_ids.empty());
  EXPECT_EQ(r.violations[0].op_ids[0], op_id);
}

void ExpectLegal(const History& h) {
  const CheckResult r = CheckHistory(h);
  EXPECT_TRUE(r.ok) << Dump(h, r);
  EXPECT_TRUE(r.violations.empty());
}

// --- Plain register behaviour --------------------------------------------------------------

TEST(Checker, EmptyHistoryIsLegal) { ExpectLegal(History{}); }

TEST(Checker, SequentialReadsOfLatestWriteAreLegal) {
  Builder b;
  b.Get("k", 0, 5, std::nullopt);  // before any write
  b.Set("k", "a", 10, 20);
  b.Get("k", 30, 40, "a");
  b.Set("k", "b", 50, 60);
  b.Get("k", 70, 80, "b");
  b.Del("k", 90, 100);
  b.Get("k", 110, 120, std::nullopt);
  ExpectLegal(b.h);
}

TEST(Checker, StaleReadIsFlagged) {
  Builder b;
  b.Set("k", "a", 0, 10);
  const auto w = b.Set("k", "b", 20, 30);
  const auto g = b.Get("k", 40, 50, "a");
  ExpectOne(b.h, ViolationKind::kStaleRead, g);
  const CheckResult r = CheckHistory(b.h);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_NE(std::find(r.violations[0].op_ids.begin(), r.violations[0].op_ids.end(), w),
            r.violations[0].op_ids.end());
}

TEST(Checker, ReadOfConcurrentOlderWriteIsLegal) {
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Set("k", "b", 5, 30);  // overlaps a: may linearize before it
  b.Get("k", 40, 50, "a");
  ExpectLegal(b.h);
}

TEST(Checker, ReadOverlappingTheNewerWriteIsLegal) {
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Set("k", "b", 20, 30);
  b.Get("k", 25, 50, "a");  // b may take effect after this GET
  b.Get("k", 29, 31, "b");  // or before this one
  ExpectLegal(b.h);
}

TEST(Checker, ValueFromTheFutureIsFlagged) {
  Builder b;
  const auto g = b.Get("k", 0, 10, "a");
  b.Set("k", "a", 11, 20);
  ExpectOne(b.h, ViolationKind::kValueFromFuture, g);

  Builder legal;  // the SET was invoked while the GET ran
  legal.Get("k", 0, 10, "a");
  legal.Set("k", "a", 10, 20);
  ExpectLegal(legal.h);
}

TEST(Checker, ValueFromNowhereIsFlagged) {
  Builder b;
  b.Set("k", "a", 0, 10);
  const auto g = b.Get("k", 20, 30, "zzz");
  ExpectOne(b.h, ViolationKind::kValueFromNowhere, g);
}

TEST(Checker, ValueFromOtherKeyIsFlagged) {
  Builder b;
  b.Set("j", "a", 0, 10);
  const auto g = b.Get("k", 20, 30, "a");
  ExpectOne(b.h, ViolationKind::kValueFromOtherKey, g);
}

TEST(Checker, ReadOfFailedWriteIsFlagged) {
  Builder b;
  b.Set("k", "a", 0, 10, kFail);
  const auto g = b.Get("k", 20, 30, "a");
  ExpectOne(b.h, ViolationKind::kReadOfFailedWrite, g);
}

// --- DEL -------------------------------------------------------------------------------------

TEST(Checker, ValueAfterCompletedDeleteIsResurrected) {
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Del("k", 20, 30);
  const auto g = b.Get("k", 40, 50, "a");
  ExpectOne(b.h, ViolationKind::kResurrectedAfterDelete, g);
}

TEST(Checker, ValueAfterConcurrentUnknownOrFailedDeleteIsLegal) {
  for (OpOutcome del_outcome : {kUnknown, kPending, kFail}) {
    Builder b;
    b.Set("k", "a", 0, 10);
    b.Del("k", 20, 30, del_outcome);
    b.Get("k", 40, 50, "a");
    ExpectLegal(b.h);
  }
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Del("k", 20, 45);  // still running when the GET began
  b.Get("k", 40, 50, "a");
  ExpectLegal(b.h);
}

// --- Unknown writes and monotonic reads -------------------------------------------------------

TEST(Checker, UnknownWriteMayOrMayNotHaveHappened) {
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Set("k", "b", 20, 30, kUnknown);
  b.Get("k", 40, 50, "a");  // b never happened (so far)
  b.Get("k", 60, 70, "b");  // b happened late
  b.Get("k", 80, 90, "b");
  b.Set("k", "c", 100, 110, kPending);
  b.Get("k", 120, 130, "c");  // a pending write may take effect
  ExpectLegal(b.h);
}

TEST(Checker, AReadPinsAnUnknownWriteInTime) {
  // Once a GET returned a, the unknown SET of a took effect before that GET completed (14), so
  // b, invoked at 20 and acknowledged at 30, surely overwrote it.
  Builder b;
  b.Set("k", "a", 0, 10, kUnknown);
  b.Get("k", 12, 14, "a");
  b.Set("k", "b", 20, 30);
  const auto g = b.Get("k", 40, 50, "a");
  ExpectOne(b.h, ViolationKind::kStaleRead, g);
}

TEST(Checker, ReadGoingBackwardsIsNonMonotonic) {
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Set("k", "b", 20, 30, kUnknown);
  b.Get("k", 35, 38, "b");
  const auto g = b.Get("k", 40, 50, "a");
  ExpectOne(b.h, ViolationKind::kNonMonotonicRead, g);
}

TEST(Checker, ReadGoingBackwardsAcrossSlowAckIsNonMonotonic) {
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Set("k", "b", 12, 100);  // acknowledged late, but seen at 50
  b.Get("k", 40, 50, "b");
  const auto g = b.Get("k", 60, 70, "a");
  ExpectOne(b.h, ViolationKind::kNonMonotonicRead, g);
}

TEST(Checker, ConcurrentWritesSeenInEitherOrderByOverlappingReadsAreLegal) {
  Builder b;
  b.Set("k", "a", 0, 45);  // a may take effect after the first GET
  b.Set("k", "b", 12, 100);
  b.Get("k", 40, 50, "b");
  b.Get("k", 60, 70, "a");
  ExpectLegal(b.h);
}

// --- TTL -------------------------------------------------------------------------------------

TEST(Checker, ExpiredValueIsFlaggedBeyondTheSkewBound) {
  for (TimeMs skew : {0, 5, 40}) {
    // Readable until complete + ttl + 2 * skew (+1 ms rounding slack).
    const TimeMs last_legal_invoke = 10 + 100 + 2 * skew + 1;
    Builder legal;
    legal.h.clock_skew_bound_ms = skew;
    legal.Set("k", "a", 0, 10, kOk, 100);
    legal.Get("k", last_legal_invoke, last_legal_invoke + 5, "a");
    ExpectLegal(legal.h);

    Builder b;
    b.h.clock_skew_bound_ms = skew;
    b.Set("k", "a", 0, 10, kOk, 100);
    const auto g = b.Get("k", last_legal_invoke + 1, last_legal_invoke + 5, "a");
    ExpectOne(b.h, ViolationKind::kExpiredValue, g);
  }
}

TEST(Checker, UnknownWriteWithTtlIsNotCheckedForExpiry) {
  Builder b;
  b.Set("k", "a", 0, 10, kUnknown, 100);  // may be applied much later (a delayed message)
  b.Get("k", 500, 510, "a");
  ExpectLegal(b.h);
}

TEST(Checker, MissAfterTtlIsExcused) {
  Builder b;
  b.h.clock_skew_bound_ms = 5;
  b.Set("k", "a", 0, 10, kOk, 100);
  // Earliest expiry: invoke + ttl - 2 * skew - 1 = 89.
  b.Get("k", 85, 89, std::nullopt);
  b.Get("k", 200, 210, std::nullopt);
  ExpectLegal(b.h);

  Builder early;
  early.h.clock_skew_bound_ms = 5;
  early.Set("k", "a", 0, 10, kOk, 100);
  const auto g = early.Get("k", 20, 88, std::nullopt);
  ExpectOne(early.h, ViolationKind::kLostWrite, g);
}

TEST(Checker, ExpiryOfAnOverwrittenValueExcusesNothing) {
  Builder b;
  b.Set("k", "a", 0, 10, kOk, 50);
  b.Set("k", "b", 20, 30);  // no TTL, definitely after a
  const auto g = b.Get("k", 100, 110, std::nullopt);
  ExpectOne(b.h, ViolationKind::kLostWrite, g);
}

TEST(Checker, ExpiryOfAConcurrentOrUnknownWriteExcusesAMiss) {
  Builder b;
  b.Set("k", "a", 0, 25, kOk, 50);  // may take effect after b
  b.Set("k", "b", 20, 30);
  b.Get("k", 100, 110, std::nullopt);
  ExpectLegal(b.h);

  Builder u;
  u.Set("k", "a", 0, 10);
  u.Set("k", "b", 20, 30, kUnknown, 50);  // may take effect at any time after 20, then expire
  u.Get("k", 100, 110, std::nullopt);
  ExpectLegal(u.h);
}

// --- Lost writes and their excuses ----------------------------------------------------------

TEST(Checker, MissAfterAcknowledgedWriteIsLost) {
  Builder b;
  const auto w = b.Set("k", "a", 0, 10);
  const auto g = b.Get("k", 20, 30, std::nullopt);
  ExpectOne(b.h, ViolationKind::kLostWrite, g);
  const CheckResult r = CheckHistory(b.h);
  ASSERT_EQ(r.violations.size(), 1u);
  ASSERT_EQ(r.violations[0].op_ids.size(), 2u);
  EXPECT_EQ(r.violations[0].op_ids[1], w);

  CheckOptions async;
  async.check_lost_writes = false;
  EXPECT_TRUE(CheckHistory(b.h, async).ok);
}

TEST(Checker, MissWhileTheWriteRunsOrAfterUnknownWriteIsLegal) {
  Builder b;
  b.Set("k", "a", 0, 25);
  b.Get("k", 20, 30, std::nullopt);  // overlaps the SET
  b.Set("j", "x", 0, 10, kUnknown);
  b.Get("j", 20, 30, std::nullopt);
  b.Set("i", "y", 0, 10, kPending);
  b.Get("i", 20, 30, std::nullopt);
  ExpectLegal(b.h);
}

TEST(Checker, MissAfterDeleteIsLegalUnlessTheDeleteFailed) {
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Del("k", 12, 14, kUnknown);
  b.Get("k", 20, 30, std::nullopt);
  ExpectLegal(b.h);

  Builder f;
  f.Set("k", "a", 0, 10);
  f.Del("k", 12, 14, kFail);
  const auto g = f.Get("k", 20, 30, std::nullopt);
  ExpectOne(f.h, ViolationKind::kLostWrite, g);

  Builder old;  // a DEL before the SET explains nothing
  old.Del("k", 0, 5);
  old.Set("k", "a", 6, 10);
  const auto g2 = old.Get("k", 20, 30, std::nullopt);
  ExpectOne(old.h, ViolationKind::kLostWrite, g2);
}

TEST(Checker, EvictionExcusesMissesUntilTheNextAcknowledgedWrite) {
  for (TimeMs at : {5, 15, 25}) {  // during the SET, between, during the GET
    Builder b;
    b.Set("k", "a", 0, 10);
    b.Evict("k", at);
    b.Get("k", 20, 30, std::nullopt);
    ExpectLegal(b.h);
  }
  Builder keyless;  // the simulator may not know which key was evicted
  keyless.Set("k", "a", 0, 10);
  keyless.Evict("", 15);
  keyless.Get("k", 20, 30, std::nullopt);
  ExpectLegal(keyless.h);

  Builder before;  // an eviction before the write explains nothing
  before.Evict("k", -5);
  before.Set("k", "a", 0, 10);
  const auto g = before.Get("k", 20, 30, std::nullopt);
  ExpectOne(before.h, ViolationKind::kLostWrite, g);

  Builder other;  // nor does one of another key
  other.Set("k", "a", 0, 10);
  other.Evict("j", 15);
  const auto g2 = other.Get("k", 20, 30, std::nullopt);
  ExpectOne(other.h, ViolationKind::kLostWrite, g2);

  Builder rewritten;  // an acknowledged write after the eviction puts the key back
  rewritten.Set("k", "a", 0, 10);
  rewritten.Evict("k", 15);
  rewritten.Set("k", "b", 16, 18);
  const auto g3 = rewritten.Get("k", 20, 30, std::nullopt);
  ExpectOne(rewritten.h, ViolationKind::kLostWrite, g3);
}

TEST(Checker, EvictionOnAReplicaSurvivesReadsServedElsewhere) {
  // A backup evicts, the primary still serves a; then the backup takes over and misses.
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Evict("k", 15, 1);
  b.Get("k", 20, 30, "a");
  b.Get("k", 40, 50, std::nullopt);
  b.Get("k", 60, 70, "a");  // and a third replica may serve it again
  ExpectLegal(b.h);
}

TEST(Checker, LossOfEveryCopyExcusesAMiss) {
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Get("k", 12, 14, "a");
  b.Crash(15, 2);
  b.Lost("k", "a", 15, 2);
  b.Get("k", 20, 30, std::nullopt);
  ExpectLegal(b.h);

  Builder anon;  // value unknown: no live node holds the key at all
  anon.Set("k", "a", 0, 10);
  anon.Lost("k", "", 15);
  anon.Get("k", 20, 30, std::nullopt);
  ExpectLegal(anon.h);
}

TEST(Checker, LossOfAnOlderValueExcusesNothing) {
  Builder b;
  b.Set("k", "old", -20, -10);
  b.Set("k", "a", 0, 10);
  b.Lost("k", "old", 15);  // a stale copy vanished; a is still held
  const auto g = b.Get("k", 20, 30, std::nullopt);
  ExpectOne(b.h, ViolationKind::kLostWrite, g);
}

TEST(Checker, LossBeforeALaterReadOfAnotherValueExcusesNothing) {
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Lost("k", "", 15);
  b.Set("k", "b", 12, 40, kUnknown);
  b.Get("k", 20, 30, "b");  // b took effect after the loss
  const auto g = b.Get("k", 50, 60, std::nullopt);
  ExpectOne(b.h, ViolationKind::kLostWrite, g);
}

TEST(Checker, ReadOfAnUnknownWriteThenMissIsLost) {
  Builder b;
  b.Set("k", "a", 0, 10, kUnknown);
  b.Get("k", 12, 14, "a");
  const auto g = b.Get("k", 20, 30, std::nullopt);
  ExpectOne(b.h, ViolationKind::kLostWrite, g);
}

// --- Bookkeeping ------------------------------------------------------------------------------

TEST(Checker, DuplicateValuesAreMalformed) {
  Builder b;
  b.Set("k", "a", 0, 10);
  b.Set("j", "a", 0, 10);
  const CheckResult r = CheckHistory(b.h);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(Kinds(r), std::vector<ViolationKind>{ViolationKind::kMalformedHistory});
}

TEST(Checker, KeysAreCheckedIndependentlyAndReportedInKeyOrder) {
  Builder b;
  b.Set("z", "z1", 0, 10);
  b.Set("a", "a1", 0, 10);
  b.Set("z", "z2", 20, 30);
  b.Set("a", "a2", 20, 30);
  b.Get("z", 40, 50, "z1");
  b.Get("a", 40, 50, "a1");
  b.Get("m", 40, 50, std::nullopt);
  const CheckResult r = CheckHistory(b.h);
  ASSERT_EQ(r.violations.size(), 2u);
  EXPECT_EQ(r.violations[0].key, "a");
  EXPECT_EQ(r.violations[1].key, "z");
  EXPECT_EQ(r.stats.keys, 3u);
  EXPECT_EQ(r.stats.reads_found, 2u);
  EXPECT_EQ(r.stats.reads_missed, 1u);
}

TEST(Checker, ViolationsBeyondTheCapAreCounted) {
  Builder b;
  for (int i = 0; i < 10; ++i) b.Get("k", i * 10, i * 10 + 5, "nowhere" + std::to_string(i));
  CheckOptions options;
  options.violations_max = 3;
  const CheckResult r = CheckHistory(b.h, options);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.violations.size(), 3u);
  EXPECT_EQ(r.violations_dropped, 7u);
}

TEST(Checker, FormatsTheOperationsOfOneKeyInTimeOrder) {
  Builder b;
  b.Set("k", "a", 0, 10, kOk, 500);
  b.Set("j", "other", 1, 2);
  const auto g = b.Get("k", 40, 50, std::nullopt);
  b.Evict("k", 30, 3);
  b.Set("k", "b", 20, 30, kPending);
  const std::string text = FormatKeyOps(b.h, "k");
  const auto set_a = text.find("SET 'a' ttl=500 -> ok");
  const auto set_b = text.find("SET 'b' -> pending");
  const auto evict = text.find("node 3 evicted the key");
  const auto get = text.find("GET -> (nil)");
  ASSERT_NE(set_a, std::string::npos) << text;
  ASSERT_NE(set_b, std::string::npos) << text;
  ASSERT_NE(evict, std::string::npos) << text;
  ASSERT_NE(get, std::string::npos) << text;
  EXPECT_LT(set_a, set_b);
  EXPECT_LT(set_b, evict);
  EXPECT_LT(evict, get);
  EXPECT_EQ(text.find("other"), std::string::npos);

  Violation v{"k", ViolationKind::kLostWrite, {g}, "because"};
  const std::string report = FormatViolation(b.h, v, 5);
  EXPECT_NE(report.find("lost_write on key 'k': because"), std::string::npos) << report;
  EXPECT_NE(report.find("* ["), std::string::npos) << report;
  EXPECT_EQ(report.find("SET 'a'"), std::string::npos) << report;  // outside the window
}

// --- Conditional writes and absolute or inherited expiries -----------------------------------

TEST(Checker, ARefusedConditionalSetDidNotTakeEffect) {
  Builder b;
  b.Set("k", "a", 0, 10);
  const auto nx = b.Set("k", "b", 20, 30);
  b.h.ops.back().condition = SetCondition::kNx;
  b.h.ops.back().written = false;
  const auto g = b.Get("k", 40, 50, "b");
  const CheckResult r = CheckHistory(b.h);
  ASSERT_EQ(r.violations.size(), 1u) << Dump(b.h, r);
  EXPECT_EQ(r.violations[0].kind, ViolationKind::kReadOfFailedWrite);
  EXPECT_EQ(r.violations[0].op_ids, (std::vector<std::uint64_t>{g, nx}));
}

TEST(Checker, AnXxThatFoundNothingAfterAnAcknowledgedWriteIsALostWrite) {
  Builder b;
  b.Set("k", "a", 0, 10);
  const auto xx = b.Set("k", "b", 20, 30);
  b.h.ops.back().condition = SetCondition::kXx;
  b.h.ops.back().written = false;
  ExpectOne(b.h, ViolationKind::kLostWrite, xx);
  // The same after a DEL is legal, and so is an NX that finds the key absent after it.
  Builder legal;
  legal.Set("k", "a", 0, 10);
  legal.Del("k", 12, 15);
  legal.Set("k", "b", 20, 30);
  legal.h.ops.back().condition = SetCondition::kXx;
  legal.h.ops.back().written = false;
  legal.Set("k", "c", 40, 50);
  legal.h.ops.back().condition = SetCondition::kNx;
  legal.Get("k", 60, 70, "c");
  ExpectLegal(legal.h);
}

TEST(Checker, AnNxThatWroteWhileAValueWasInEffectIsALostWrite) {
  Builder b;
  b.Set("k", "a", 0, 10);
  const auto nx = b.Set("k", "b", 20, 30);
  b.h.ops.back().condition = SetCondition::kNx;
  ExpectOne(b.h, ViolationKind::kLostWrite, nx);
}

TEST(Checker, AnAbsoluteExpiryHoldsWhateverTheOutcome) {
  for (OpOutcome outcome : {kOk, kUnknown}) {
    Builder b;
    b.h.clock_skew_bound_ms = 5;
    const auto w = b.Set("k", "a", 0, 10, outcome);
    b.h.ops.back().expire_at = 100;
    b.Get("k", 111, 115, "a");  // 100 + 2 * 5 + 1: still legal
    const auto g = b.Get("k", 112, 115, "a");
    const CheckResult r = CheckHistory(b.h);
    ASSERT_EQ(r.violations.size(), 1u) << Dump(b.h, r);
    EXPECT_EQ(r.violations[0].kind, ViolationKind::kExpiredValue);
    EXPECT_EQ(r.violations[0].op_ids, (std::vector<std::uint64_t>{g, w}));
  }
  // ... and excuses a miss from its earliest moment on.
  Builder miss;
  miss.h.clock_skew_bound_ms = 5;
  miss.Set("k", "a", 0, 10);
  miss.h.ops.back().expire_at = 100;
  miss.Get("k", 89, 95, std::nullopt);
  ExpectLegal(miss.h);
  Builder early;
  early.h.clock_skew_bound_ms = 5;
  early.Set("k", "a", 0, 10);
  early.h.ops.back().expire_at = 100;
  const auto g = early.Get("k", 20, 88, std::nullopt);
  ExpectOne(early.h, ViolationKind::kLostWrite, g);
}

TEST(Checker, AKeepTtlValueMayVanishAnyTimeAndIsNeverExpiredForSure) {
  Builder b;
  b.Set("k", "a", 0, 10, kOk, 50);
  b.Set("k", "b", 20, 30);
  b.h.ops.back().keep_ttl = true;
  b.Get("k", 40, 45, std::nullopt);
  b.Get("k", 10000, 10005, std::nullopt);
  ExpectLegal(b.h);
  Builder read;
  read.Set("k", "b", 20, 30);
  read.h.ops.back().keep_ttl = true;
  read.Get("k", 100000, 100005, "b");
  ExpectLegal(read.h);
}

TEST(Checker, NotWrittenIsOnlyForConditionalSets) {
  Builder b;
  const auto w = b.Set("k", "a", 0, 10);
  b.h.ops.back().written = false;
  ExpectOne(b.h, ViolationKind::kMalformedHistory, w);
}

// --- Properties: a sequential cache model ---------------------------------------------------

// A generated history plus, for mutations, what the model knows.
struct Generated {
  History h;
};

// Generates a history by running a per-key register with TTL: each operation takes effect at a
// point inside its window (unknown and pending writes: anywhere after invocation, or never);
// the cache drops keys at random moments (recorded as world events): hard drops (eviction on the
// serving node or loss of every copy) clear the value, soft drops (eviction on some replica)
// let later reads miss until the next acknowledged write.
// Shapes of generated histories: the defaults mix everything; mutation properties ask for
// denser or simpler ones so that the mutation they need is usually available.
struct GenShape {
  TimeMs span_ms = 1000;  // invocations fall in [0, span_ms)
  int ops_max = 70;
  int del_per_20 = 3;  // of 20 ops, about this many are DELs (10 are GETs)
  int ttl_per_10 = 4;  // of 10 SETs, about this many carry a TTL
  int drops_max = 8;
  // RapidCheck scales ranges with its size (0 at first); mutation properties that need rich
  // histories draw at full size instead.
  bool full_size = false;
  // Also NX / XX conditions, absolute expiries (PXAT) and KEEPTTL.
  bool extended = true;
};

Generated GenerateHistory(const GenShape& shape = {}) {
  const auto in_range = [&shape](int lo, int hi) {
    const auto gen = rc::gen::inRange(lo, hi);
    return shape.full_size ? *rc::gen::resize(100, gen) : *gen;
  };
  const auto time_in = [&shape](TimeMs lo, TimeMs hi) {
    const auto gen = rc::gen::inRange(lo, hi);
    return shape.full_size ? *rc::gen::resize(100, gen) : *gen;
  };
  const int keys = in_range(1, 4);
  const int op_count = in_range(1, shape.ops_max);
  const int drop_count = in_range(0, shape.drops_max);
  const TimeMs skew = *rc::gen::element<TimeMs>(0, 3, 20);
  Generated out;
  out.h.clock_skew_bound_ms = skew;

  // Everything that happens at a point, sorted by (time, creation order).
  struct Step {
    TimeMs at;
    int order;
    int op;    // index into h.ops, or -1 for a drop
    int drop;  // 0 hard evict, 1 keyless hard evict, 2 copies lost, 3 soft evict
    int key;
  };
  std::vector<Step> steps;
  std::vector<TimeMs> expiry_offset;  // per op: node clock error applied to its TTL
  int order = 0;
  for (int i = 0; i < op_count; ++i) {
    Operation op;
    op.id = static_cast<std::uint64_t>(i + 1);
    op.client = static_cast<std::uint32_t>(i % 5);
    const int kind = in_range(0, 20);
    op.kind = kind < 10 ? OpKind::kGet : kind < 20 - shape.del_per_20 ? OpKind::kSet : OpKind::kDel;
    const int key = in_range(0, keys);
    op.key = "k" + std::to_string(key);
    op.invoke_at = time_in(0, shape.span_ms);
    const TimeMs duration = time_in(0, 60);
    const int outcome = in_range(0, 20);
    op.outcome = outcome < 15   ? OpOutcome::kOk
                 : outcome < 17 ? OpOutcome::kUnknown
                 : outcome < 19 ? OpOutcome::kPending
                                : OpOutcome::kFail;
    op.complete_at = op.outcome == OpOutcome::kPending ? 0 : op.invoke_at + duration;
    if (op.kind == OpKind::kSet) {
      op.value = "v" + std::to_string(i + 1);
      const int expiry = in_range(0, 10);
      if (expiry < shape.ttl_per_10) {
        op.ttl_ms = time_in(1, 200);
      } else if (shape.extended && expiry == shape.ttl_per_10) {
        op.expire_at = std::max<TimeMs>(1, op.invoke_at + time_in(-50, 300));
      } else if (shape.extended && expiry == shape.ttl_per_10 + 1) {
        op.keep_ttl = true;
      }
      if (shape.extended) {
        const int condition = in_range(0, 12);
        op.condition = condition == 0   ? SetCondition::kNx
                       : condition == 1 ? SetCondition::kXx
                                        : SetCondition::kNone;
      }
    }
    expiry_offset.push_back(time_in(-2 * skew, 2 * skew + 1));
    bool happens = true;
    TimeMs point = 0;
    if (op.outcome == OpOutcome::kOk) {
      point = time_in(op.invoke_at, op.complete_at + 1);
    } else if (op.outcome == OpOutcome::kFail) {
      happens = false;
    } else {
      happens = op.kind != OpKind::kGet && *rc::gen::arbitrary<bool>();
      point = op.invoke_at + time_in(0, 300);
    }
    out.h.ops.push_back(std::move(op));
    if (happens) steps.push_back({point, order++, i, -1, key});
  }
  for (int i = 0; i < drop_count; ++i) {
    steps.push_back(
        {time_in(0, shape.span_ms + 100), order++, -1, in_range(0, 4), in_range(0, keys)});
  }
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) {
    return a.at != b.at ? a.at < b.at : a.order < b.order;
  });

  struct KeyState {
    std::optional<std::string> value;
    // True time at which the value expires; nullopt: never. (Not a kNoExpiry sentinel: with a
    // negative clock error, step.at + ttl + offset can be exactly 0, which the sentinel would turn
    // into "never expires" and the model would then generate an illegal read; see
    // ModelExpiryComputedAsZeroIsStillAnExpiry below.)
    std::optional<TimeMs> expire_at;
    bool soft_evicted = false;
  };
  std::vector<KeyState> state(static_cast<std::size_t>(keys));
  for (const Step& step : steps) {
    KeyState& s = state[static_cast<std::size_t>(step.key)];
    if (s.value && s.expire_at && step.at >= *s.expire_at) s.value.reset();
    const std::string key = "k" + std::to_string(step.key);
    if (step.op < 0) {
      const std::uint32_t node = static_cast<std::uint32_t>(step.order % 3);
      switch (step.drop) {
        case 0:
          out.h.world.push_back({WorldEvent::Kind::kEvicted, step.at, node, key, ""});
          s.value.reset();
          break;
        case 1:
          out.h.world.push_back({WorldEvent::Kind::kEvicted, step.at, node, "", ""});
          s.value.reset();
          break;
        case 2:
          out.h.world.push_back(
              {WorldEvent::Kind::kAllCopiesLost, step.at, node, key, s.value.value_or("")});
          s.value.reset();
          break;
        default:
          out.h.world.push_back({WorldEvent::Kind::kEvicted, step.at, node, key, ""});
          s.soft_evicted = true;
          break;
      }
      continue;
    }
    Operation& op = out.h.ops[static_cast<std::size_t>(step.op)];
    // What a read at this point would observe (a soft drop makes some reads miss).
    const bool present = s.value.has_value() && !(s.soft_evicted && step.order % 2 == 0);
    switch (op.kind) {
      case OpKind::kSet: {
        const bool applies = op.condition == SetCondition::kNone ||
                             (op.condition == SetCondition::kNx ? !present : present);
        if (!applies) {
          if (op.outcome == OpOutcome::kOk) op.written = false;
          break;
        }
        const std::optional<TimeMs> previous_expiry = s.value ? s.expire_at : std::nullopt;
        s.value = op.value;
        s.expire_at.reset();
        const TimeMs offset = expiry_offset[static_cast<std::size_t>(step.op)];
        if (op.ttl_ms > 0) {
          s.expire_at = step.at + op.ttl_ms + offset;
        } else if (op.expire_at > 0) {
          s.expire_at = op.expire_at + offset;
        } else if (op.keep_ttl) {
          s.expire_at = previous_expiry;
        }
        if (s.expire_at && step.at >= *s.expire_at) s.value.reset();
        if (op.outcome == OpOutcome::kOk) s.soft_evicted = false;
        break;
      }
      case OpKind::kDel:
        s.value.reset();
        if (op.outcome == OpOutcome::kOk) s.soft_evicted = false;
        break;
      case OpKind::kGet:
        op.found = present;
        op.value = present ? *s.value : "";
        break;
    }
  }
  std::stable_sort(out.h.world.begin(), out.h.world.end(),
                   [](const WorldEvent& a, const WorldEvent& b) { return a.at < b.at; });
  return out;
}

// Whether `r` flags the operation `op_id` (with `kind`, if given).
bool Flags(const CheckResult& r, std::uint64_t op_id,
           std::optional<ViolationKind> kind = std::nullopt) {
  for (const Violation& v : r.violations) {
    if (!v.op_ids.empty() && v.op_ids[0] == op_id && (!kind || v.kind == *kind)) return true;
  }
  return false;
}

const Operation* FindSet(const History& h, const std::string& value) {
  for (const Operation& op : h.ops) {
    if (op.kind == OpKind::kSet && op.value == value) return &op;
  }
  return nullptr;
}

RC_GTEST_PROP(CheckerProperty, AcceptsEveryHistoryOfTheCacheModel, ()) {
  const Generated g = GenerateHistory();
  const CheckResult r = CheckHistory(g.h);
  RC_ASSERT(r.ok);
  // The output does not depend on the order ops and world events were recorded in.
  History shuffled = g.h;
  std::reverse(shuffled.ops.begin(), shuffled.ops.end());
  std::reverse(shuffled.world.begin(), shuffled.world.end());
  RC_ASSERT(CheckHistory(shuffled).ok);
}

// Regression (issue 16): at RC_PARAMS="seed=12800593880140042127" the property above failed
// after 61 tests. The checker was right: the model computed SET v13's expiry (true time 13, ttl 15,
// clock error -28) as 0 == kNoExpiry and so kept the value forever, generating an illegal read 58
// ms after its TTL had run out even with the 2 x 20 ms skew allowance. The model now keeps expiry
// as an optional. This is the shrunk case; ctest also reruns the property at that seed
// (checker_property_seed_12800593880140042127 in tests/CMakeLists.txt).
TEST(Checker, ModelExpiryComputedAsZeroIsStillAnExpiry) {
  Builder b;
  b.h.clock_skew_bound_ms = 20;
  b.Get("k0", 0, 0, std::nullopt);
  b.Set("k0", "v8", 0, 0, kOk, 1);
  b.Get("k0", 0, 0, std::nullopt);
  const auto set = b.Set("k0", "v13", 13, 13, kOk, 15);
  const auto get = b.Get("k0", 86, 86, "v13");
  const CheckResult r = CheckHistory(b.h);
  ASSERT_EQ(r.violations.size(), 1u) << Dump(b.h, r);
  EXPECT_EQ(r.violations[0].kind, ViolationKind::kExpiredValue);
  EXPECT_EQ(r.violations[0].op_ids, (std::vector<std::uint64_t>{get, set}));
  // One millisecond inside the allowance (13 + 15 + 2 * 20 + 1 = 69) the same read is legal.
  Builder legal;
  legal.h.clock_skew_bound_ms = 20;
  legal.Set("k0", "v13", 13, 13, kOk, 15);
  legal.Get("k0", 69, 69, "v13");
  ExpectLegal(legal.h);
}

// The same at full size on a crowded timeline: many overlapping windows, unknown writes read
// late, drops between them.
RC_GTEST_PROP(CheckerProperty, AcceptsCrowdedHistoriesOfTheCacheModel, ()) {
  const Generated g = GenerateHistory({.span_ms = 300, .ops_max = 90, .full_size = true});
  const CheckResult r = CheckHistory(g.h);
  RC_ASSERT(r.ok);
}

// Replace a GET's value with that of an older write on the same key which a definitely later
// acknowledged write (or DEL) separates from the GET: stale whatever the cache did.
RC_GTEST_PROP(CheckerProperty, FlagsAReadOfAnOverwrittenValue, ()) {
  Generated g = GenerateHistory({.span_ms = 400, .ops_max = 80, .full_size = true});
  History& h = g.h;
  // (GET, value of an acknowledged SET u on its key such that some acknowledged write x != u
  // began after u completed and completed before the GET began).
  std::vector<std::pair<std::size_t, std::string>> candidates;
  for (std::size_t i = 0; i < h.ops.size(); ++i) {
    const Operation& get = h.ops[i];
    if (get.kind != OpKind::kGet || get.outcome != OpOutcome::kOk) continue;
    for (const Operation& u : h.ops) {
      if (u.kind != OpKind::kSet || u.outcome != OpOutcome::kOk || !u.written || u.key != get.key) {
        continue;
      }
      for (const Operation& x : h.ops) {
        if (x.kind != OpKind::kGet && x.outcome == OpOutcome::kOk && x.written &&
            x.key == get.key && x.invoke_at > u.complete_at && x.complete_at < get.invoke_at) {
          candidates.emplace_back(i, u.value);
          break;
        }
      }
    }
  }
  RC_PRE(!candidates.empty());
  const auto& [index, value] = *rc::gen::elementOf(candidates);
  Operation& get = h.ops[index];
  get.found = true;
  get.value = value;
  RC_ASSERT(Flags(CheckHistory(h), get.id));
}

// A GET returning a value never written, or written to another key, or surely expired.
RC_GTEST_PROP(CheckerProperty, FlagsImpossibleSources, ()) {
  Generated g = GenerateHistory();
  History& h = g.h;
  std::vector<std::size_t> gets;
  for (std::size_t i = 0; i < h.ops.size(); ++i) {
    if (h.ops[i].kind == OpKind::kGet && h.ops[i].outcome == OpOutcome::kOk) gets.push_back(i);
  }
  RC_PRE(!gets.empty());
  Operation& get = h.ops[*rc::gen::elementOf(gets)];
  std::vector<std::string> other_key;
  std::vector<std::string> expired;
  for (const Operation& u : h.ops) {
    if (u.kind != OpKind::kSet) continue;
    if (u.key != get.key) other_key.push_back(u.value);
    if (u.key == get.key && u.outcome == OpOutcome::kOk && u.written && u.ttl_ms > 0 &&
        get.invoke_at > u.complete_at + u.ttl_ms + 2 * h.clock_skew_bound_ms + 1) {
      expired.push_back(u.value);
    }
  }
  const int choice = *rc::gen::inRange(0, 3);
  get.found = true;
  ViolationKind kind = ViolationKind::kValueFromNowhere;
  if (choice == 0) {
    get.value = "never-written";
  } else if (choice == 1) {
    RC_PRE(!other_key.empty());
    get.value = *rc::gen::elementOf(other_key);
    kind = ViolationKind::kValueFromOtherKey;
  } else {
    RC_PRE(!expired.empty());
    get.value = *rc::gen::elementOf(expired);
    kind = ViolationKind::kExpiredValue;
  }
  RC_ASSERT(Flags(CheckHistory(h), get.id, kind));
}

// Remove every world event (the excuses) and find a miss that is then definitely a lost write:
// an acknowledged SET w without TTL completed before the GET began, and no other write that
// could come after w (invoked by the GET's end, not definitely before w) deletes or expires.
RC_GTEST_PROP(CheckerProperty, FlagsAMissOnceItsExcuseIsGone, ()) {
  Generated g = GenerateHistory(
      {.span_ms = 400, .ops_max = 60, .del_per_20 = 1, .ttl_per_10 = 1, .full_size = true});
  History& h = g.h;
  h.world.clear();
  std::vector<std::uint64_t> lost;
  for (const Operation& get : h.ops) {
    if (get.kind != OpKind::kGet || get.outcome != OpOutcome::kOk || get.found) continue;
    for (const Operation& w : h.ops) {
      if (w.kind != OpKind::kSet || w.outcome != OpOutcome::kOk || !w.written || w.key != get.key ||
          w.ttl_ms != 0 || w.expire_at != 0 || w.keep_ttl || w.complete_at >= get.invoke_at) {
        continue;
      }
      bool excusable = false;
      for (const Operation& x : h.ops) {
        if (&x == &w || x.kind == OpKind::kGet || x.key != get.key ||
            x.outcome == OpOutcome::kFail || x.invoke_at > get.complete_at) {
          continue;
        }
        const bool surely_before_w = x.outcome == OpOutcome::kOk && x.complete_at < w.invoke_at;
        if (surely_before_w) continue;
        if (x.kind == OpKind::kDel || x.ttl_ms > 0 || x.expire_at > 0 || x.keep_ttl) {
          excusable = true;
        }
      }
      if (!excusable) {
        lost.push_back(get.id);
        break;
      }
    }
  }
  RC_PRE(!lost.empty());
  const CheckResult r = CheckHistory(h);
  for (std::uint64_t id : lost) RC_ASSERT(Flags(r, id, ViolationKind::kLostWrite));
}

// The checker is near-linear: a long history of many clients on a few keys stays fast. (No
// timing assertion; this guards against accidental quadratic blow-ups under the sanitizers.)
TEST(Checker, LongHistoryIsAccepted) {
  History h;
  std::uint64_t id = 1;
  for (int i = 0; i < 20000; ++i) {
    const std::string key = "k" + std::to_string(i % 5);
    const TimeMs t = i * 10;
    Operation set;
    set.id = id++;
    set.kind = OpKind::kSet;
    set.key = key;
    set.value = "v" + std::to_string(i);
    set.invoke_at = t;
    set.complete_at = t + 3;
    set.outcome = OpOutcome::kOk;
    h.ops.push_back(set);
    Operation get = set;
    get.id = id++;
    get.kind = OpKind::kGet;
    get.found = true;
    get.invoke_at = t + 5;
    get.complete_at = t + 8;
    h.ops.push_back(get);
  }
  const CheckResult r = CheckHistory(h);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.stats.reads_found, 20000u);
  (void)FindSet;
}

}  // namespace
}  // namespace shoal::sim
