// Tests of the configuration summary (core/cluster/config_summary.h): the slot counts against the
// placement's own tables, as the configuration changes; the roles through real nodes; and the
// fields INFO and CLUSTER INFO print.
#include "core/cluster/config_summary.h"

#include <memory>
#include <optional>
#include <string>

#include "core/cluster/cluster_node.h"
#include "core/limits.h"
#include "gtest/gtest.h"
#include "tests/core/cluster/test_cluster.h"

namespace shoal::cluster {
namespace {

using testing::TestCluster;

std::shared_ptr<const Placement> MakePlacement(std::uint32_t nodes, std::uint32_t copies) {
  return std::make_shared<const Placement>(
      PlacementOptions{.node_count = nodes, .replication_factor = copies, .vnodes_per_node = 16});
}

// The summary's own invariants (config_summary.h).
void ExpectConsistent(const Configuration& c, NodeId self, const SlotSummary& s) {
  EXPECT_LE(s.slots_primary, s.slots_in_sync);
  EXPECT_EQ(s.slots_in_sync + s.slots_out_of_sync, c.placement().SlotsOf(self).size());
  EXPECT_LE(s.members_up, s.members);
  EXPECT_LE(s.slots_degraded + s.slots_unavailable, limits::kSlotCount);
}

TEST(ConfigSummaryTest, AtEpochOneEveryNodeIsInSyncForItsSlotsAndNothingIsDegraded) {
  const auto placement = MakePlacement(3, 2);
  const Configuration c(placement, LostSlotPolicy::kBringBackEmpty);
  for (NodeId n = 0; n < 3; ++n) {
    const SlotSummary s = SummarizeSlots(c, n);
    EXPECT_EQ(s.members, 3u);
    EXPECT_EQ(s.members_up, 3u);
    EXPECT_EQ(s.slots_primary, placement->PrimarySlotsOf(n).size());
    EXPECT_EQ(s.slots_in_sync, placement->SlotsOf(n).size());
    EXPECT_EQ(s.slots_out_of_sync, 0u);
    EXPECT_EQ(s.slots_degraded, 0u);
    EXPECT_EQ(s.slots_unavailable, 0u);
    ExpectConsistent(c, n, s);
  }
}

TEST(ConfigSummaryTest, AMemberMarkedDownDegradesItsSlotsAndItsPrimariesMove) {
  const auto placement = MakePlacement(3, 2);
  Configuration c(placement, LostSlotPolicy::kBringBackEmpty);
  ASSERT_TRUE(c.Apply(MarkDown{.node = 1}).has_value());
  const SlotSummary down = SummarizeSlots(c, 1);
  EXPECT_EQ(down.members_up, 2u);
  EXPECT_EQ(down.slots_primary, 0u);
  EXPECT_EQ(down.slots_in_sync, 0u);
  EXPECT_EQ(down.slots_out_of_sync, placement->SlotsOf(1).size());
  // Every slot with a copy on node 1 lacks it now; with 2 copies, each still has its other one.
  EXPECT_EQ(down.slots_degraded, placement->SlotsOf(1).size());
  EXPECT_EQ(down.slots_unavailable, 0u);
  // Node 1's primaries went to the other two.
  std::uint32_t primaries = 0;
  for (NodeId n : {0u, 2u}) {
    const SlotSummary s = SummarizeSlots(c, n);
    EXPECT_GE(s.slots_primary, placement->PrimarySlotsOf(n).size());
    primaries += s.slots_primary;
    ExpectConsistent(c, n, s);
  }
  EXPECT_EQ(primaries, limits::kSlotCount);
}

TEST(ConfigSummaryTest, SlotsLeftWithoutAnInSyncCopyAreUnavailableUnderKeepUnavailable) {
  const auto placement = MakePlacement(3, 1);
  Configuration c(placement, LostSlotPolicy::kKeepUnavailable);
  ASSERT_TRUE(c.Apply(MarkDown{.node = 2}).has_value());
  const SlotSummary s = SummarizeSlots(c, 0);
  EXPECT_EQ(s.slots_unavailable, placement->PrimarySlotsOf(2).size());
  EXPECT_EQ(s.slots_degraded, 0u);  // a slot without a primary counts as unavailable only
  ExpectConsistent(c, 0, s);
}

// Through real nodes: one leader, the other voters follow, a member beyond kConfigVotersMax is a
// learner; INFO's Cluster section and CLUSTER INFO carry the same fields.
TEST(ConfigSummaryTest, RolesAndTheFieldsInfoPrints) {
  const std::uint32_t nodes = limits::kConfigVotersMax + 1;
  TestCluster c(nodes, 2);
  ASSERT_TRUE(c.RunUntil([&] {
    for (NodeId n = 0; n < nodes; ++n) {
      if (!c.cluster(n).started() || !c.cluster(n).config_member().log().leader()) return false;
    }
    return true;
  }));
  int leaders = 0;
  for (NodeId n = 0; n < nodes; ++n) {
    const ConfigMember& m = c.cluster(n).config_member();
    const ConfigSummary s = Summarize(m.log(), m.configuration(), n);
    if (n >= limits::kConfigVotersMax) {
      EXPECT_EQ(s.role, "learner");
    } else if (s.role == "leader") {
      leaders++;
    } else {
      EXPECT_EQ(s.role, "follower") << n;
    }
    EXPECT_EQ(s.epoch, m.configuration().epoch());
    EXPECT_EQ(s.term, m.log().term());
  }
  EXPECT_EQ(leaders, 1);
  const NodeId leader = *c.cluster(0).config_member().log().leader();
  c.Connect(0, 7);
  const std::string info = c.Call(7, {"INFO", "cluster"});
  const std::string cluster_info = c.Call(7, {"CLUSTER", "INFO"});
  for (const std::string& text : {info, cluster_info}) {
    EXPECT_NE(text.find("shoal_config_leader:" + std::to_string(leader) + "\r\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("shoal_config_members_up:" + std::to_string(nodes) + "\r\n"),
              std::string::npos);
    EXPECT_NE(text.find("shoal_config_role:" + std::string(leader == 0 ? "leader" : "follower")),
              std::string::npos);
    EXPECT_NE(text.find("shoal_config_slots_unavailable:0\r\n"), std::string::npos);
  }
}

}  // namespace
}  // namespace shoal::cluster
