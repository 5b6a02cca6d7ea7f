// shoal-sim's command line (sim/cli.h): every printed replay command parses back to the same
// options, and bad input is refused with a message rather than a crash.
#include "sim/cli.h"

#include <string>
#include <vector>

#include "core/cluster/planted_bug.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::sim {
namespace {

CommandLine Parse(const std::string& command) { return ParseCommandLine(SplitCommand(command)); }

TEST(CliTest, ParsesEveryOverride) {
  const CommandLine cl = Parse(
      "build/bin/shoal-sim --seed 7 --bug stale-read --nodes 3 --clients 2 --ops 50 --keys 4 "
      "--faults brutal --replication 2 --duration-ms 20000 --drop-faults 5,1,5 --think-ms 40");
  ASSERT_TRUE(cl.ok) << cl.error;
  EXPECT_EQ(cl.mode, CommandLine::Mode::kSeed);
  EXPECT_EQ(cl.options.seed, 7u);
  EXPECT_EQ(cl.options.bug, cluster::PlantedBug::kStaleRead);
  EXPECT_EQ(cl.options.nodes, 3u);
  EXPECT_EQ(cl.options.clients, 2u);
  EXPECT_EQ(cl.options.ops, 50u);
  EXPECT_EQ(cl.options.keys, 4u);
  EXPECT_EQ(cl.options.faults, "brutal");
  EXPECT_EQ(cl.options.replication_factor, 2u);
  EXPECT_EQ(cl.options.duration_ms, 20000);
  EXPECT_EQ(cl.options.drop_faults, (std::vector<std::uint32_t>{1, 5}));
  EXPECT_EQ(cl.options.think_ms, 40);
}

TEST(CliTest, RefusesBadInput) {
  for (const char* bad :
       {"", "--seed", "--seed x", "--seed 1 --seeds 1..2", "--seeds 3..1", "--seed 1 --nodes 0",
        "--seed 1 --clients 99", "--seed 1 --faults nope", "--seed 1 --bug nope",
        "--seed 1 --drop-faults", "--seed 1 --drop-faults 1,,2", "--seed 1 --drop-faults 1,",
        "--seed 1 --drop-faults a", "--seed 1 --think-ms 0", "--seeds 1..5 --shrink",
        "--seed 1 --frobnicate"}) {
    const CommandLine cl = Parse(bad);
    EXPECT_FALSE(cl.ok) << "accepted: '" << bad << "'";
    EXPECT_FALSE(cl.error.empty());
  }
}

TEST(CliTest, SeedsCoverTheWhole64BitRange) {
  const CommandLine max = Parse("--seed 18446744073709551615");
  ASSERT_TRUE(max.ok) << max.error;
  EXPECT_EQ(max.options.seed, UINT64_MAX);
  EXPECT_FALSE(Parse("--seed 18446744073709551616").ok);
  EXPECT_FALSE(Parse("--seed 99999999999999999999").ok);
}

TEST(CliTest, ModesWithoutASeed) {
  EXPECT_EQ(Parse("--list-bugs").mode, CommandLine::Mode::kListBugs);
  EXPECT_EQ(Parse("--list-faults").mode, CommandLine::Mode::kListFaults);
  EXPECT_EQ(Parse("--help").mode, CommandLine::Mode::kHelp);
  const CommandLine range = Parse("--seeds 1..500 --check-determinism");
  ASSERT_TRUE(range.ok);
  EXPECT_EQ(range.mode, CommandLine::Mode::kSeeds);
  EXPECT_EQ(range.seeds_from, 1u);
  EXPECT_EQ(range.seeds_to, 500u);
  EXPECT_TRUE(range.check_determinism);
  EXPECT_FALSE(range.probes);
  EXPECT_TRUE(Parse("--seeds 1..5 --probes").probes);
}

// ReplayCommand and ParseCommandLine are inverses over the options a replay can carry.
RC_GTEST_PROP(CliTest, ReplayCommandRoundTrips, ()) {
  ScenarioOptions o;
  o.seed = *rc::gen::arbitrary<std::uint64_t>();
  if (*rc::gen::arbitrary<bool>()) o.nodes = *rc::gen::inRange<std::uint32_t>(1, kNodesMax + 1);
  if (*rc::gen::arbitrary<bool>()) {
    o.clients = *rc::gen::inRange<std::uint32_t>(1, kClientsMax + 1);
  }
  if (*rc::gen::arbitrary<bool>()) o.ops = *rc::gen::inRange<std::uint32_t>(0, 100000);
  if (*rc::gen::arbitrary<bool>()) o.keys = *rc::gen::inRange<std::uint32_t>(1, 100001);
  if (*rc::gen::arbitrary<bool>()) {
    o.faults = *rc::gen::element<std::string>("none", "calm", "network", "crash", "brutal");
  }
  o.bug =
      *rc::gen::element(cluster::PlantedBug::kNone, cluster::PlantedBug::kStaleRead,
                        cluster::PlantedBug::kAckBeforeReplicate, cluster::PlantedBug::kIgnoreTtl,
                        cluster::PlantedBug::kAcceptOldIncarnation);
  o.replication_factor = *rc::gen::inRange<std::uint32_t>(1, kNodesMax + 1);
  o.duration_ms = *rc::gen::inRange<TimeMs>(4 * kLivenessBoundMs / 3, 3'600'001);
  if (*rc::gen::arbitrary<bool>()) o.think_ms = *rc::gen::inRange<TimeMs>(1, 600'001);
  o.drop_faults = *rc::gen::container<std::vector<std::uint32_t>>(rc::gen::inRange(0u, 64u));
  const std::string command = ReplayCommand(o);
  const CommandLine cl = Parse(command);
  RC_ASSERT(cl.ok);
  RC_ASSERT(ReplayCommand(cl.options) == command);
  RC_ASSERT(cl.options.seed == o.seed);
  RC_ASSERT(cl.options.ops == o.ops);
  RC_ASSERT(cl.options.faults == o.faults);
}

}  // namespace
}  // namespace shoal::sim
