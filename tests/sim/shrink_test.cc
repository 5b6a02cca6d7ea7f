// The shrinker (sim/shrink.h): a failing planted-bug run shrinks to a run that still fails with
// the same violation kind, is no larger, and replays exactly from the printed command line.
#include "sim/shrink.h"

#include <optional>
#include <string>
#include <vector>

#include "core/cluster/planted_bug.h"
#include "gtest/gtest.h"
#include "sim/cli.h"
#include "sim/simulator.h"

namespace shoal::sim {
namespace {

// A small scenario (fast under ASan) with a planted bug that nearly every seed catches, under the
// crash mix so that there are faults to drop.
ScenarioOptions Failing(std::uint64_t seed) {
  ScenarioOptions o;
  o.seed = seed;
  o.bug = cluster::PlantedBug::kStaleRead;
  o.faults = "crash";
  o.ops = 300;
  o.duration_ms = 20'000;
  return o;
}

// Parses a printed replay command back into options, as a user pasting it would.
ScenarioOptions Parse(const std::string& command) {
  const CommandLine cl = ParseCommandLine(SplitCommand(command));
  EXPECT_TRUE(cl.ok) << cl.error << " in: " << command;
  EXPECT_EQ(cl.mode, CommandLine::Mode::kSeed);
  return cl.options;
}

TEST(ShrinkTest, ShrunkRunStillFailsIsSmallerAndReplays) {
  // The first seed of this scenario that fails (stale-read: nearly every seed).
  std::optional<ScenarioOptions> original;
  for (std::uint64_t seed = 1; seed <= 10 && !original; ++seed) {
    if (RunScenario(Failing(seed)).violation) original = Failing(seed);
  }
  ASSERT_TRUE(original.has_value()) << "no failing seed in 1..10";
  std::vector<std::string> progress;
  const ShrinkResult s =
      Shrink(*original, [&](std::string_view line) { progress.emplace_back(line); });
  ASSERT_TRUE(s.failed);
  ASSERT_FALSE(s.kind.empty());
  EXPECT_FALSE(progress.empty());
  EXPECT_LE(s.probes, kShrinkProbesMax);

  // Still fails, with the same kind as the original's first.
  EXPECT_TRUE(s.shrunk_result.violation);
  EXPECT_EQ(s.original_result.violation_kinds.front(), s.kind);
  bool kind_kept = false;
  for (const std::string& k : s.shrunk_result.violation_kinds) kind_kept |= k == s.kind;
  EXPECT_TRUE(kind_kept) << s.shrunk_result.report;

  // No larger, and actually smaller in something for this seed.
  EXPECT_LE(s.shrunk_faults, s.original_faults);
  EXPECT_LE(s.shrunk_ops, s.original_ops);
  EXPECT_LE(s.shrunk_clients, s.original_clients);
  EXPECT_LT(s.shrunk_faults + s.shrunk_ops + s.shrunk_clients,
            s.original_faults + s.original_ops + s.original_clients);
  EXPECT_EQ(s.original_faults, s.original_result.faults_planned);

  // The printed command replays the same run: same trace hash, same verdict and report.
  const std::string command = ReplayCommand(s.shrunk);
  const ScenarioOptions replay = Parse(command);
  EXPECT_EQ(ReplayCommand(replay), command);
  const ScenarioResult again = RunScenario(replay);
  EXPECT_EQ(again.trace, s.shrunk_result.trace) << command;
  EXPECT_TRUE(again.violation);
  EXPECT_EQ(again.report, s.shrunk_result.report);
  EXPECT_EQ(again.faults_planned, s.shrunk_faults);
}

TEST(ShrinkTest, PassingRunIsLeftAlone) {
  ScenarioOptions o = Failing(1);
  o.bug = cluster::PlantedBug::kNone;
  const ShrinkResult s = Shrink(o);
  EXPECT_FALSE(s.failed);
  EXPECT_EQ(s.probes, 0u);
  EXPECT_EQ(ReplayCommand(s.shrunk), ReplayCommand(o));
}

TEST(ShrinkTest, DroppingFaultsIsAFilterNotARedraw) {
  // Every fault left in the plan keeps its time and target; the dropped ones are not applied.
  ScenarioOptions all = Failing(4);
  all.bug = cluster::PlantedBug::kNone;
  const ScenarioResult full = RunScenario(all);
  ASSERT_GE(full.fault_schedule.size(), 2u);
  ScenarioOptions some = all;
  some.drop_faults = {0, static_cast<std::uint32_t>(full.fault_schedule.size() - 1), 999};
  const ScenarioResult fewer = RunScenario(some);
  ASSERT_EQ(fewer.fault_schedule.size(), full.fault_schedule.size());
  for (std::size_t i = 0; i < full.fault_schedule.size(); ++i) {
    EXPECT_EQ(fewer.fault_schedule[i].at, full.fault_schedule[i].at);
    EXPECT_EQ(fewer.fault_schedule[i].kind, full.fault_schedule[i].kind);
    EXPECT_EQ(fewer.fault_schedule[i].node, full.fault_schedule[i].node);
  }
  EXPECT_EQ(fewer.faults_planned, full.faults_planned - 2);
  EXPECT_LE(fewer.faults, full.faults);
  EXPECT_NE(fewer.trace, full.trace);
  EXPECT_EQ(RunScenario(some).trace, fewer.trace);
}

}  // namespace
}  // namespace shoal::sim
