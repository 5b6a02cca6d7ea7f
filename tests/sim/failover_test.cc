// Failover windows (sim/failover.h): measured from a history as documented, on hand-made
// histories; and in simulated runs of the `single` mix, where the bound check fails a run whose
// windows exceed it.
#include "sim/failover.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/simulator.h"

namespace shoal::sim {
namespace {

Operation Op(OpKind kind, const std::string& key, TimeMs invoke, TimeMs complete, OpOutcome outcome,
             bool written = true) {
  Operation op;
  op.kind = kind;
  op.key = key;
  op.invoke_at = invoke;
  op.complete_at = complete;
  op.outcome = outcome;
  op.written = written;
  return op;
}

TEST(FailoverTest, AWindowEndsAtTheLaterOfTheFirstAcknowledgedWriteAndRead) {
  History h;
  h.ops = {
      Op(OpKind::kSet, "a", 900, 1100, OpOutcome::kOk),          // invoked before the failure
      Op(OpKind::kGet, "a", 1200, 1400, OpOutcome::kUnknown),    // timed out
      Op(OpKind::kSet, "a", 1250, 1300, OpOutcome::kOk, false),  // NX refused: wrote nothing
      Op(OpKind::kSet, "a", 1500, 2600, OpOutcome::kOk),         // the first write after it
      Op(OpKind::kGet, "a", 1600, 2000, OpOutcome::kOk),         // the first read after it
      Op(OpKind::kDel, "a", 1700, 2500, OpOutcome::kOk),         // completes first: it counts
      Op(OpKind::kGet, "b", 3000, 3010, OpOutcome::kOk),         // b is never written again
      Op(OpKind::kSet, "c", 1000, 1200, OpOutcome::kFail),
  };
  const std::vector<FailoverStart> starts = {
      {.at = 1000, .node = 2, .fault = 4, .keys = {"a", "b"}},
      {.at = 5000, .node = 1, .keys = {"c"}}};
  const std::vector<FailoverWindow> w = MeasureFailover(starts, h, 10'000);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].key, "a");
  EXPECT_EQ(w[0].fault, 4u);
  EXPECT_EQ(w[0].write_ok_at, 2500);
  EXPECT_EQ(w[0].read_ok_at, 2000);
  EXPECT_EQ(w[0].window_ms, 1500);
  EXPECT_FALSE(w[0].open);
  EXPECT_EQ(w[1].key, "b");
  EXPECT_TRUE(w[1].open);
  EXPECT_EQ(w[1].read_ok_at, 3010);
  EXPECT_EQ(w[1].window_ms, 9000) << "open windows run to the end of the run";
  EXPECT_TRUE(w[2].open);
  EXPECT_EQ(w[2].window_ms, 5000);
}

TEST(FailoverTest, QuantilesAreNearestRank) {
  EXPECT_EQ(WindowQuantile({}, 0.5), 0);
  EXPECT_EQ(WindowQuantile({40, 10, 30, 20}, 0.5), 20);
  EXPECT_EQ(WindowQuantile({40, 10, 30, 20}, 0.99), 40);
  EXPECT_EQ(WindowQuantile({40, 10, 30, 20}, 1.0), 40);
  EXPECT_EQ(WindowQuantile({7}, 0.01), 7);
}

// A run of the `single` mix measures a window for each key whose primary a fault took down, and
// the bound fails it when a window is longer: a protocol that keeps a key unavailable cannot
// pass with a bound it does not meet.
TEST(FailoverTest, TheSingleMixMeasuresWindowsAndTheBoundJudgesThem) {
  ScenarioOptions o;
  o.seed = 1;
  o.faults = "single";
  const ScenarioResult measured = RunScenario(o);
  ASSERT_FALSE(measured.violation) << measured.report;
  ASSERT_FALSE(measured.failover_windows.empty());
  TimeMs longest = 0;
  for (const FailoverWindow& w : measured.failover_windows) {
    EXPECT_FALSE(w.open) << w.key;
    EXPECT_GT(w.window_ms, 0);
    longest = std::max(longest, w.window_ms);
  }
  o.failover_bound_ms = longest;
  EXPECT_FALSE(RunScenario(o).violation) << "a bound every window meets";
  o.failover_bound_ms = longest - 1;
  const ScenarioResult judged = RunScenario(o);
  EXPECT_TRUE(judged.violation);
  EXPECT_NE(std::find(judged.violation_kinds.begin(), judged.violation_kinds.end(),
                      std::string(kViolationFailoverWindow)),
            judged.violation_kinds.end());
  EXPECT_EQ(judged.trace, measured.trace) << "the bound judges the run; it does not change it";
}

}  // namespace
}  // namespace shoal::sim
