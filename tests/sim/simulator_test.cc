#include "sim/simulator.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace shoal::sim {
namespace {

// Small scenarios keep this binary fast under ASan; the full default runs in `sim.seeds`.
ScenarioOptions Small(std::uint64_t seed) {
  ScenarioOptions o;
  o.seed = seed;
  o.ops = 300;
  o.duration_ms = 20'000;
  return o;
}

TEST(SimulatorTest, SameSeedSameTrace) {
  for (std::uint64_t seed : {1, 2, 3, 17}) {
    const ScenarioResult a = RunScenario(Small(seed));
    const ScenarioResult b = RunScenario(Small(seed));
    EXPECT_EQ(a.trace, b.trace) << "seed " << seed;
    EXPECT_EQ(a.ops, b.ops);
    EXPECT_EQ(a.messages, b.messages);
    EXPECT_EQ(a.violation, b.violation);
  }
}

TEST(SimulatorTest, DifferentSeedsDifferentTraces) {
  std::set<std::uint64_t> traces;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) traces.insert(RunScenario(Small(seed)).trace);
  EXPECT_EQ(traces.size(), 8u);
}

TEST(SimulatorTest, OverridingOpsKeepsTheFaultPlan) {
  ScenarioOptions a = Small(5);
  ScenarioOptions b = Small(5);
  b.ops = 200;
  const ScenarioResult ra = RunScenario(a);
  const ScenarioResult rb = RunScenario(b);
  ASSERT_EQ(ra.fault_schedule.size(), rb.fault_schedule.size());
  for (std::size_t i = 0; i < ra.fault_schedule.size(); ++i) {
    EXPECT_EQ(ra.fault_schedule[i].at, rb.fault_schedule[i].at);
    EXPECT_EQ(ra.fault_schedule[i].kind, rb.fault_schedule[i].kind);
  }
}

// Keys some SET or DEL of the history touched (what the final sweep reads).
std::size_t WrittenKeys(const History& h) {
  std::set<std::string> keys;
  for (const Operation& op : h.ops) {
    if (op.kind != OpKind::kGet) keys.insert(op.key);
  }
  return keys.size();
}

TEST(SimulatorTest, CalmRunHasNoFaultsAndEveryOpSucceeds) {
  ScenarioOptions o = Small(9);
  o.faults = "none";
  const ScenarioResult r = RunScenario(o);
  EXPECT_FALSE(r.violation) << r.report;
  EXPECT_EQ(r.faults, 0u);
  EXPECT_EQ(r.ops_fail + r.ops_unknown, 0u);
  EXPECT_EQ(r.ops_ok, r.ops);
  EXPECT_EQ(r.mutation_ops_answered, r.mutation_ops);
  // 300 budgeted ops (some on the clients' own keys) plus the final sweep of every written key.
  EXPECT_EQ(r.ops + r.mutation_ops, 300u + WrittenKeys(r.history));
}

TEST(SimulatorTest, HistoryKeepsItsInvariants) {
  const ScenarioResult r = RunScenario(Small(4));
  std::set<std::string> values;
  for (std::size_t i = 0; i < r.history.ops.size(); ++i) {
    const Operation& op = r.history.ops[i];
    EXPECT_EQ(op.id, i);
    if (op.kind == OpKind::kSet) {
      EXPECT_TRUE(values.insert(op.value).second) << op.value;
    }
    if (op.outcome != OpOutcome::kPending) {
      EXPECT_LE(op.invoke_at, op.complete_at);
    }
    if (i > 0) {
      EXPECT_LE(r.history.ops[i - 1].invoke_at, op.invoke_at);
    }
  }
  for (std::size_t i = 1; i < r.history.world.size(); ++i) {
    EXPECT_LE(r.history.world[i - 1].at, r.history.world[i].at);
  }
  EXPECT_GT(r.history.clock_skew_bound_ms, 0);
}

TEST(SimulatorTest, FaultySwarmBlockHasNoViolation) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const ScenarioResult r = RunScenario(Small(seed));
    EXPECT_FALSE(r.violation) << "seed " << seed << "\n" << r.report;
  }
}

TEST(SimulatorTest, CrashesRecordWorldEvents) {
  bool saw_crash = false;
  for (std::uint64_t seed = 1; seed <= 20 && !saw_crash; ++seed) {
    ScenarioOptions o = Small(seed);
    o.faults = "crash";
    const ScenarioResult r = RunScenario(o);
    for (const WorldEvent& w : r.history.world) saw_crash |= w.kind == WorldEvent::Kind::kCrash;
  }
  EXPECT_TRUE(saw_crash);
}

TEST(SimulatorTest, FewerOpsThanClientsRuns) {
  // Clients left without an operation finish at once (client 0 still sweeps every key).
  for (std::uint32_t ops : {0u, 1u, 3u}) {
    ScenarioOptions o = Small(3);
    o.clients = 5;
    o.ops = ops;
    const ScenarioResult r = RunScenario(o);
    EXPECT_FALSE(r.violation) << r.report;
    EXPECT_EQ(r.ops + r.mutation_ops, ops + WrittenKeys(r.history));
  }
}

TEST(SimulatorTest, ReplayCommandNamesEveryOverride) {
  ScenarioOptions o;
  o.seed = 77;
  EXPECT_EQ(ReplayCommand(o), "build/bin/shoal-sim --seed 77");
  o.bug = cluster::PlantedBug::kIgnoreTtl;
  o.ops = 100;
  o.faults = "brutal";
  EXPECT_EQ(ReplayCommand(o),
            "build/bin/shoal-sim --seed 77 --bug ignore-ttl --ops 100 --faults brutal");
}

TEST(SimulatorTest, TimelineStopsAtTheRequestedTime) {
  const std::string timeline = NodeTimelines(Small(3), 5'000);
  EXPECT_NE(timeline.find("node n0"), std::string::npos);
  EXPECT_NE(timeline.find("up to 5000ms"), std::string::npos);
}

}  // namespace
}  // namespace shoal::sim
