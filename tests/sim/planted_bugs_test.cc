// Every planted bug the harness lists (shoal-sim --list-bugs) must be caught within a bounded
// block of seeds, and the same block without a bug must pass: the checker and the fault model
// are only as good as the bugs they are proven to find.
#include <algorithm>
#include <optional>
#include <string>

#include "core/cluster/planted_bug.h"
#include "gtest/gtest.h"
#include "sim/simulator.h"

namespace shoal::sim {
namespace {

// Seeds 1..K per bug, with the fault mix that exercises it (nullopt: the swarm default). The
// bounds hold a wide margin over the first catching seed (rates measured: stale-read and
// ignore-ttl are caught by nearly every seed; ack-before-replicate by ~30% of crash-mix seeds,
// accept-old-epoch by ~20%).
struct BugCase {
  cluster::PlantedBug bug;
  std::optional<std::string> faults;
  std::uint64_t seeds_max;
};
constexpr std::uint64_t kStaleReadSeedsMax = 10;
constexpr std::uint64_t kIgnoreTtlSeedsMax = 10;
constexpr std::uint64_t kAckBeforeReplicateSeedsMax = 30;
// accept-old-epoch needs a message of one life to reach the next: the crash mix's stale queues
// spanning two crashes of a node (a restarted primary then finishes recovery on sync replies meant
// for its previous life). Measured: 43/200 crash-mix seeds, first at seed 2, longest run of seeds
// without a catch 27.
constexpr std::uint64_t kAcceptOldEpochSeedsMax = 30;
// Seeds the bug-free block runs (each must pass).
constexpr std::uint64_t kCleanSeeds = 5;

std::optional<BugCase> CaseFor(cluster::PlantedBug bug) {
  switch (bug) {
    case cluster::PlantedBug::kStaleRead:
      return BugCase{bug, std::nullopt, kStaleReadSeedsMax};
    case cluster::PlantedBug::kIgnoreTtl:
      return BugCase{bug, std::nullopt, kIgnoreTtlSeedsMax};
    case cluster::PlantedBug::kAckBeforeReplicate:
      return BugCase{bug, "crash", kAckBeforeReplicateSeedsMax};
    case cluster::PlantedBug::kAcceptOldEpoch:
      return BugCase{bug, "crash", kAcceptOldEpochSeedsMax};
    default:
      return std::nullopt;
  }
}

TEST(PlantedBugsTest, EveryListedBugIsCaughtWithinItsBound) {
  const auto bugs = DetectableBugs();
  ASSERT_FALSE(bugs.empty());
  for (const cluster::PlantedBug bug : bugs) {
    const std::optional<BugCase> c = CaseFor(bug);
    ASSERT_TRUE(c.has_value()) << "no test case for listed bug " << cluster::PlantedBugName(bug);
    std::optional<std::uint64_t> caught;
    for (std::uint64_t seed = 1; seed <= c->seeds_max && !caught; ++seed) {
      ScenarioOptions o;
      o.seed = seed;
      o.bug = bug;
      o.faults = c->faults;
      const ScenarioResult r = RunScenario(o);
      if (r.violation) {
        caught = seed;
        // The printed replay command reproduces the same run: same trace, same verdict.
        const ScenarioResult again = RunScenario(o);
        EXPECT_EQ(again.trace, r.trace);
        EXPECT_TRUE(again.violation);
        EXPECT_EQ(again.report, r.report);
      }
    }
    EXPECT_TRUE(caught.has_value())
        << cluster::PlantedBugName(bug) << " not caught in seeds 1.." << c->seeds_max;
  }
}

TEST(PlantedBugsTest, EveryPlantedBugIsListed) {
  const auto bugs = DetectableBugs();
  for (const auto bug : {cluster::PlantedBug::kStaleRead, cluster::PlantedBug::kAckBeforeReplicate,
                         cluster::PlantedBug::kIgnoreTtl, cluster::PlantedBug::kAcceptOldEpoch}) {
    EXPECT_NE(std::find(bugs.begin(), bugs.end(), bug), bugs.end())
        << cluster::PlantedBugName(bug) << " is not listed";
  }
}

TEST(PlantedBugsTest, SameSeedsWithoutABugPass) {
  for (std::uint64_t seed = 1; seed <= kCleanSeeds; ++seed) {
    for (const char* faults : {"crash", "brutal"}) {
      ScenarioOptions o;
      o.seed = seed;
      o.faults = faults;
      const ScenarioResult r = RunScenario(o);
      EXPECT_FALSE(r.violation) << "seed " << seed << " " << faults << "\n" << r.report;
    }
  }
}

}  // namespace
}  // namespace shoal::sim
