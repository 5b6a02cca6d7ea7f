// Tests of ConfigMember (core/cluster/config_member.h) through real Nodes on the TestCluster
// driver: the nodes elect a configuration leader, the leader marks a silent member down and a
// returning one up, every node applies the same epochs, and a restarted voter comes back with the
// term, vote and log its disk holds.
#include "core/cluster/config_member.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/cluster/cluster_node.h"
#include "gtest/gtest.h"
#include "tests/core/cluster/test_cluster.h"

namespace shoal::cluster {
namespace {

using testing::TestCluster;

// The node every started node follows, if there is one.
std::optional<NodeId> AgreedLeader(TestCluster& c, std::uint32_t nodes, NodeMask skip = 0) {
  std::optional<NodeId> leader;
  for (NodeId n = 0; n < nodes; ++n) {
    if ((skip & Bit(n)) != 0) continue;
    const ClusterNode& node = c.cluster(n);
    if (!node.started()) return std::nullopt;
    const std::optional<NodeId> l = node.config_member().log().leader();
    if (!l || (leader && *leader != *l)) return std::nullopt;
    leader = l;
  }
  return leader;
}

const Configuration& ConfigOf(TestCluster& c, NodeId n) {
  return c.cluster(n).config_member().configuration();
}

// Whether every node's configuration records the life every node runs, and lists every member
// in every in-sync set it can be in (the settled state after start-up or a recovery).
bool Settled(TestCluster& c, std::uint32_t nodes) {
  for (NodeId n = 0; n < nodes; ++n) {
    if (!c.cluster(n).started()) return false;
    for (NodeId m = 0; m < nodes; ++m) {
      const Configuration& config = ConfigOf(c, n);
      if (!config.up(m) || config.incarnation(m) != c.cluster(m).incarnation() ||
          config.MissingInSync(m) || config.epoch() != ConfigOf(c, 0).epoch()) {
        return false;
      }
    }
  }
  return true;
}

TEST(ConfigMemberTest, TheNodesElectALeaderAndMarkASilentMemberDownThenUp) {
  TestCluster c(3, 2);
  ASSERT_TRUE(c.RunUntil([&] { return AgreedLeader(c, 3).has_value() && Settled(c, 3); }));
  const NodeId leader = *AgreedLeader(c, 3);
  // Every member up and in sync since epoch 1; the leader recorded each one's first life.
  EXPECT_EQ(ConfigOf(c, leader).epoch(), 4u);
  for (NodeId m = 0; m < 3; ++m) {
    EXPECT_EQ(ConfigOf(c, leader).incarnation(m), c.cluster(m).incarnation());
  }
  const NodeId silent = (leader + 1) % 3;
  const TimeMs silent_since = c.now();
  c.SetDown(silent, true);
  ASSERT_TRUE(c.RunUntil([&] {
    for (NodeId n = 0; n < 3; ++n) {
      if (n != silent && ConfigOf(c, n).up(silent)) return false;
    }
    return true;
  }));
  const Epoch down_epoch = ConfigOf(c, leader).epoch();
  EXPECT_EQ(down_epoch, 5u);
  EXPECT_EQ(ConfigOf(c, leader), ConfigOf(c, (leader + 2) % 3));
  // It was silent for at least the detection time before the change, and the change committed
  // within a few heartbeats after that (simulated time).
  EXPECT_GE(c.now() - silent_since, limits::kMemberDownAfterMs);
  EXPECT_LE(c.now() - silent_since, limits::kMemberDownAfterMs + 4 * limits::kConfigHeartbeatMs);
  // No slot lists the silent member in its in-sync set any more.
  for (std::uint16_t slot = 0; slot < limits::kSlotCount; ++slot) {
    ASSERT_EQ(ConfigOf(c, leader).slot(slot).in_sync & Bit(silent), 0u) << slot;
  }
  c.SetDown(silent, false);
  // Marked up (the same life: it was cut off, not restarted), then, since it serves, back in
  // every in-sync set.
  ASSERT_TRUE(c.RunUntil([&] { return Settled(c, 3); }));
  EXPECT_EQ(ConfigOf(c, leader).epoch(), down_epoch + 2);
  EXPECT_EQ(ConfigOf(c, silent), ConfigOf(c, leader));
  c.CheckInvariants();
}

// A message of a member marked down that arrives late (it was delayed in the network, and its
// sender may be dead by now) does not mark it up: only an answer to a recent heartbeat does.
TEST(ConfigMemberTest, ALateMessageFromADownMemberDoesNotMarkItUp) {
  TestCluster c(3, 2);
  ASSERT_TRUE(c.RunUntil([&] { return AgreedLeader(c, 3).has_value() && Settled(c, 3); }));
  const NodeId leader = *AgreedLeader(c, 3);
  const NodeId silent = (leader + 1) % 3;
  const Incarnation life = c.cluster(silent).incarnation();
  c.SetDown(silent, true);
  ASSERT_TRUE(c.RunUntil([&] { return !ConfigOf(c, leader).up(silent); }));
  const Epoch down_epoch = ConfigOf(c, leader).epoch();
  const TimeMs until = c.now() + 4 * limits::kMemberUpHeardWithinMs;
  while (c.now() < until) {
    c.Inject(leader, Envelope{.from = silent,
                              .incarnation = life,
                              .config_epoch = down_epoch,
                              .body = MemberStatus{.first_life = false, .serving = true}});
    const TimeMs next = c.now() + limits::kConfigHeartbeatMs;
    ASSERT_TRUE(c.RunUntil([&] { return c.now() >= next; }));  // the others deliver and tick
  }
  EXPECT_FALSE(ConfigOf(c, leader).up(silent));
  EXPECT_EQ(ConfigOf(c, leader).epoch(), down_epoch);
  c.SetDown(silent, false);  // now it answers the heartbeats
  ASSERT_TRUE(c.RunUntil([&] { return Settled(c, 3); }));
  c.CheckInvariants();
}

// A member keeps telling the leader its life until the configuration records it, but at most once
// per heartbeat interval, however often it is ticked: here every MemberStatus is lost on the way,
// and the member is ticked three times per step.
TEST(ConfigMemberTest, AMemberRepeatsItsStatusAtMostOncePerHeartbeat) {
  TestCluster c(3, 2);
  ASSERT_TRUE(c.RunUntil([&] { return AgreedLeader(c, 3).has_value() && Settled(c, 3); }));
  const NodeId leader = *AgreedLeader(c, 3);
  const NodeId member = (leader + 1) % 3;
  const Incarnation old_life = c.cluster(member).incarnation();
  c.Crash(member);  // a new life, which only its MemberStatus can make the leader record
  std::vector<TimeMs> sent;
  const TimeMs start = c.now();
  const TimeMs until = start + 30 * limits::kConfigHeartbeatMs;
  ASSERT_TRUE(c.RunUntil([&] {
    for (int i = 0; i < 3; ++i) c.TickOne(member);
    auto& network = c.network();
    for (auto it = network.begin(); it != network.end();) {
      if (it->envelope.from == member && std::holds_alternative<MemberStatus>(it->envelope.body)) {
        sent.push_back(c.now());
        it = network.erase(it);
      } else {
        ++it;
      }
    }
    return c.now() >= until;
  }));
  EXPECT_EQ(ConfigOf(c, leader).incarnation(member), old_life);  // never heard
  // It kept reporting (from when it learned who leads), never twice within an interval.
  EXPECT_GE(sent.size(), 20u);
  for (std::size_t i = 1; i < sent.size(); ++i) {
    EXPECT_GE(sent[i] - sent[i - 1], limits::kConfigHeartbeatMs) << i;
  }
}

// A member that restarts faster than failure detection is never marked down, but it lost its
// memory: its MemberStatus names a new life, and the leader records it with a MarkUp that takes
// it out of every in-sync set (its primaries promoted) until it serves again.
TEST(ConfigMemberTest, AMemberRestartedUnnoticedLeavesItsInSyncSetsUntilItServesAgain) {
  TestCluster c(3, 2);
  ASSERT_TRUE(c.RunUntil([&] { return AgreedLeader(c, 3).has_value() && Settled(c, 3); }));
  const NodeId leader = *AgreedLeader(c, 3);
  const NodeId restarted = (leader + 1) % 3;
  const Incarnation old_life = c.cluster(restarted).incarnation();
  const Epoch before = ConfigOf(c, leader).epoch();
  c.Crash(restarted);
  c.TickAll();
  EXPECT_FALSE(c.cluster(restarted).config_member().first_life());  // its disk says otherwise
  ASSERT_NE(c.cluster(restarted).incarnation(), old_life);
  ASSERT_TRUE(c.RunUntil([&] {
    return ConfigOf(c, leader).incarnation(restarted) == c.cluster(restarted).incarnation();
  }));
  EXPECT_EQ(ConfigOf(c, leader).epoch(), before + 1);
  EXPECT_TRUE(ConfigOf(c, leader).up(restarted));  // never marked down
  for (std::uint16_t slot = 0; slot < limits::kSlotCount; ++slot) {
    const SlotConfig& sc = ConfigOf(c, leader).slot(slot);
    ASSERT_EQ(sc.in_sync & Bit(restarted), 0u) << slot;
    ASSERT_NE(sc.primary, restarted) << slot;
  }
  ASSERT_TRUE(c.RunUntil([&] { return Settled(c, 3); }));
  EXPECT_EQ(ConfigOf(c, leader).epoch(), before + 2);  // the MarkUp, then the GrowInSync
  EXPECT_EQ(c.cluster(leader).counters().probes[Probe::kRestartLeftInSync], 1u);
  EXPECT_EQ(c.cluster(leader).counters().probes[Probe::kInSyncGrown], 1u);
  c.CheckInvariants();
}

TEST(ConfigMemberTest, ARestartedVoterComesBackWithItsPersistedTermVoteAndLog) {
  TestCluster c(3, 2);
  ASSERT_TRUE(c.RunUntil([&] { return AgreedLeader(c, 3).has_value(); }));
  const NodeId follower = (*AgreedLeader(c, 3) + 1) % 3;
  const ConfigLog& before = c.cluster(follower).config_member().log();
  const Term term = before.term();
  const VoterState durable = before.DurableState();
  ASSERT_GE(term, 1u);
  ASSERT_FALSE(durable.entries.empty());  // at least the leader's no-op
  c.Crash(follower);
  c.TickAll();  // the new life starts on its first input
  const ConfigLog& after = c.cluster(follower).config_member().log();
  EXPECT_EQ(after.term(), term);
  EXPECT_EQ(after.DurableState().vote, durable.vote);
  EXPECT_EQ(after.last_index(), durable.snapshot.last_index + durable.entries.size());
  ASSERT_TRUE(c.RunUntil([&] { return AgreedLeader(c, 3).has_value(); }));
  c.CheckInvariants();
}

// A peer's bytes never crash a node: a snapshot that is not a configuration of this cluster, an
// entry that is not a change, and entries with impossible terms are refused and counted, the
// node keeps its configuration, says so in its log, and the cluster goes on.
TEST(ConfigMemberTest, MalformedSnapshotsAndEntriesFromAPeerAreRefusedNotFatal) {
  TestCluster c(3, 2);
  ASSERT_TRUE(c.RunUntil([&] { return AgreedLeader(c, 3).has_value(); }));
  const NodeId leader = *AgreedLeader(c, 3);
  const NodeId victim = (leader + 1) % 3;
  const ConfigLog& log = c.cluster(victim).config_member().log();
  const Configuration before = ConfigOf(c, victim);
  const Term term = c.cluster(leader).config_member().log().term();
  const Envelope from_leader{.from = leader,
                             .incarnation = c.cluster(leader).incarnation(),
                             .config_epoch = before.epoch()};
  const auto forge = [&](Body body) {
    Envelope e = from_leader;
    e.body = std::move(body);
    c.Inject(victim, e);
  };
  // A snapshot far ahead whose bytes are not a configuration...
  forge(InstallSnapshot{
      .term = term,
      .snapshot = {.last_index = 1000, .last_term = term, .data = "not a configuration"}});
  // ...one of another cluster's shape (a two-node cluster's configuration)...
  const auto other =
      std::make_shared<const Placement>(PlacementOptions{.node_count = 2, .replication_factor = 2});
  forge(InstallSnapshot{
      .term = term,
      .snapshot = {.last_index = 1000,
                   .last_term = term,
                   .data = Configuration(other, LostSlotPolicy::kBringBackEmpty).Encode()}});
  // ...a snapshot newer than the message's term, an entry that is not a change, and entries
  // whose terms decrease or are newer than the message's.
  forge(InstallSnapshot{
      .term = term,
      .snapshot = {.last_index = 1000, .last_term = term + 1, .data = before.Encode()}});
  const LogIndex last = log.last_index();
  const Term last_term =
      log.EntryAt(last) != nullptr ? log.EntryAt(last)->term : log.snapshot().last_term;
  forge(AppendEntries{.term = term,
                      .prev_index = last,
                      .prev_term = last_term,
                      .commit = last + 1,
                      .entries = {{.term = term, .data = "\xff garbage"}}});
  forge(AppendEntries{.term = term,
                      .prev_index = last,
                      .prev_term = last_term,
                      .commit = last,
                      .entries = {{.term = term + 1, .data = ""}}});
  forge(AppendEntries{.term = term,
                      .prev_index = last,
                      .prev_term = term,
                      .commit = last,
                      .entries = {{.term = term - 1, .data = ""}}});
  EXPECT_EQ(log.refused_messages(), 6u);
  EXPECT_EQ(log.last_index(), last);
  EXPECT_EQ(ConfigOf(c, victim), before);
  c.CheckInvariants();
  c.TickAll();
  // One line for the six (at most one per tick), and none at the next tick: nothing new.
  const auto refusal_lines = [&] {
    return std::count_if(c.logs().begin(), c.logs().end(), [](const std::string& line) {
      return line.find("malformed configuration message(s)") != std::string::npos;
    });
  };
  bool said = false;
  for (const std::string& line : c.logs()) {
    said = said || line.find("refused 6 malformed configuration message(s)") != std::string::npos;
  }
  EXPECT_TRUE(said);
  EXPECT_EQ(refusal_lines(), 1);
  c.TickAll();
  EXPECT_EQ(refusal_lines(), 1);
  // The cluster still changes its configuration: a member goes silent and is marked down.
  const NodeId silent = (leader + 2) % 3;
  c.SetDown(silent, true);
  ASSERT_TRUE(c.RunUntil([&] { return !ConfigOf(c, victim).up(silent); }));
  c.CheckInvariants();
}

TEST(ConfigMemberTest, OnlyConfigurationLogMessagesAreHandled) {
  EXPECT_TRUE(ConfigMember::Handles(Body{VoteRequest{}}));
  EXPECT_TRUE(ConfigMember::Handles(Body{AppendReply{}}));
  EXPECT_TRUE(ConfigMember::Handles(Body{InstallSnapshot{}}));
  EXPECT_FALSE(ConfigMember::Handles(Body{Replicate{}}));
  EXPECT_FALSE(ConfigMember::Handles(Body{SyncRequest{}}));
}

}  // namespace
}  // namespace shoal::cluster
