// Tests of the replicated mode (core/cluster/cluster_node.h and its parts) through real Nodes on
// the TestCluster driver: routing and the gate, the held-reply discipline of pipelined
// replication, recovery, incarnations, bounds, the planted bugs' observable effects, and a
// model-based property under message faults and single crashes.
#include "core/cluster/cluster_node.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster/key_versions.h"
#include "core/cluster/planted_bug.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"
#include "tests/core/cluster/test_cluster.h"

namespace shoal::cluster {
namespace {

using testing::Bulk;
using testing::Holds;
using testing::kLoading;
using testing::kNil;
using testing::kOk;
using testing::TestCluster;

TEST(PlantedBugTest, NamesRoundTripAndEveryBugIsListed) {
  EXPECT_EQ(AllPlantedBugs().size(), 7u);
  for (PlantedBug b : AllPlantedBugs()) {
    auto parsed = ParsePlantedBug(PlantedBugName(b));
    ASSERT_TRUE(parsed.has_value()) << PlantedBugName(b);
    EXPECT_EQ(*parsed, b);
    EXPECT_NE(b, PlantedBug::kNone);
  }
  EXPECT_EQ(PlantedBugName(PlantedBug::kAcceptOldIncarnation), "accept-old-incarnation");
  EXPECT_EQ(PlantedBugName(PlantedBug::kSendBeforePersist), "send-before-persist");
  EXPECT_FALSE(ParsePlantedBug("accept-old-epoch").has_value());
  EXPECT_FALSE(ParsePlantedBug("Stale-Read").has_value());
}

// --- Routing, the gate and start-up ------------------------------------------------------------

TEST(ClusterNodeTest, StartsLoadingThenServesOnceEveryPeerAnswered) {
  TestCluster c(3, 3);
  const std::string key = c.KeyWithPrimary(0);
  c.Connect(0, 1);
  c.Send(1, {"GET", key});
  EXPECT_EQ(c.TakeReply(1), kLoading);
  EXPECT_FALSE(c.cluster(0).serving());
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(1, {"GET", key}), kNil);
  for (NodeId n = 0; n < 3; ++n) EXPECT_EQ(c.cluster(n).counters().recoveries, 1u);
  // Commands without keys run as on a single node, even while others recover.
  EXPECT_EQ(c.Call(1, {"PING"}), "+PONG\r\n");
  c.CheckInvariants();
}

TEST(ClusterNodeTest, NonPrimaryAnswersMovedWithTheOwnersAddress) {
  TestCluster c(3, 2);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(2);
  const std::string moved = "-MOVED " + std::to_string(KeySlot(key)) + " n2\r\n";
  c.Connect(0, 1);
  for (const char* cmd : {"GET", "DEL", "INCR", "TTL", "EXISTS"}) {
    EXPECT_EQ(c.Call(1, {cmd, key}), moved) << cmd;
  }
  EXPECT_EQ(c.Call(1, {"SET", key, "v"}), moved);
  EXPECT_EQ(c.cluster(0).counters().moved, 6u);
}

TEST(ClusterNodeTest, KeysOfDifferentSlotsAreCrossSlotAndHashTagsShareOne) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const NodeId primary = c.placement().PrimaryOfKey("{t}a");
  c.Connect(primary, 1);
  const std::string crossslot = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";
  std::string other = "{u}";
  for (int i = 0; KeySlot(other) == KeySlot("{t}") || c.placement().PrimaryOfKey(other) != primary;
       ++i) {
    other = "{u" + std::to_string(i) + "}";
  }
  EXPECT_EQ(c.Call(1, {"MSET", "{t}a", "1", other, "2"}), crossslot);
  EXPECT_EQ(c.Call(1, {"DEL", "{t}a", other}), crossslot);
  EXPECT_EQ(c.Call(1, {"MGET", "{t}a", other}), crossslot);
  EXPECT_EQ(c.Call(1, {"EXISTS", other, "{t}a"}), crossslot);
  EXPECT_EQ(c.cluster(primary).counters().crossslot, 4u);
  EXPECT_EQ(c.Call(1, {"LCS", "{t}a", other}), crossslot);  // two keys by its key spec
  EXPECT_EQ(c.Call(1, {"LCS", "{t}a", "{t}b", "LEN"}), ":0\r\n");
  EXPECT_EQ(c.cluster(primary).counters().crossslot, 5u);
  EXPECT_EQ(c.Call(1, {"MSET", "{t}a", "1", "{t}b", "2"}), kOk);
  EXPECT_EQ(c.Call(1, {"MGET", "{t}a", "{t}b", "{t}c"}),
            "*3\r\n" + Bulk("1") + Bulk("2") + std::string(kNil));
  EXPECT_EQ(c.Call(1, {"DEL", "{t}a", "{t}b", "{t}c"}), ":2\r\n");
  c.CheckInvariants();
}

TEST(ClusterNodeTest, EveryWriteReplicatesItsEffectNotTheCommand) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(1);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  c.Connect(1, 1);
  EXPECT_EQ(c.Call(1, {"INCR", key}), ":1\r\n");
  EXPECT_EQ(c.Call(1, {"INCRBY", key, "41"}), ":42\r\n");
  EXPECT_EQ(c.Call(1, {"APPEND", key, "x"}), ":3\r\n");
  EXPECT_EQ(c.Call(1, {"SET", key, "new", "GET"}), Bulk("42x"));
  EXPECT_EQ(c.Call(1, {"EXPIRE", key, "100"}), ":1\r\n");
  EXPECT_EQ(c.Call(1, {"GETEX", key, "PERSIST"}), Bulk("new"));
  EXPECT_EQ(c.Call(1, {"PEXPIRE", key, "50000"}), ":1\r\n");
  ASSERT_TRUE(c.Settle());
  const auto primary_item = c.Item(replicas[0], key);
  ASSERT_TRUE(primary_item.has_value());
  for (NodeId n : replicas) {
    const auto item = c.Item(n, key);
    ASSERT_TRUE(item.has_value()) << n;
    EXPECT_EQ(item->value, "new");
    EXPECT_EQ(item->expire_at, primary_item->expire_at);  // the absolute expiry travelled
    EXPECT_EQ(item->version, primary_item->version);
  }
  EXPECT_EQ(c.Call(1, {"GETDEL", key}), Bulk("new"));
  ASSERT_TRUE(c.Settle());
  for (NodeId n : replicas) EXPECT_FALSE(c.Item(n, key).has_value()) << n;
  c.CheckInvariants();
}

TEST(ClusterNodeTest, RangeBitAndFloatWritesReplicateTheirEffect) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(1);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  c.Connect(1, 1);
  EXPECT_EQ(c.Call(1, {"SETRANGE", key, "2", "ab"}), ":4\r\n");
  EXPECT_EQ(c.Call(1, {"SETBIT", key, "7", "1"}), ":0\r\n");
  EXPECT_EQ(c.Call(1, {"SETBIT", key, "7", "1"}), ":1\r\n");  // unchanged: nothing to replicate
  EXPECT_EQ(c.Call(1, {"EXPIRE", key, "100"}), ":1\r\n");
  EXPECT_EQ(c.Call(1, {"GETSET", key, "10.50"}), Bulk(std::string("\x01\0ab", 4)));
  EXPECT_EQ(c.Call(1, {"PEXPIRE", key, "50000"}), ":1\r\n");
  EXPECT_EQ(c.Call(1, {"INCRBYFLOAT", key, "0.1"}), Bulk("10.6"));
  ASSERT_TRUE(c.Settle());
  const auto primary_item = c.Item(replicas[0], key);
  ASSERT_TRUE(primary_item.has_value());
  EXPECT_NE(primary_item->expire_at, kNoExpiry);  // INCRBYFLOAT kept the PEXPIRE
  for (NodeId n : replicas) {
    const auto item = c.Item(n, key);
    ASSERT_TRUE(item.has_value()) << n;
    EXPECT_EQ(item->value, "10.6");
    EXPECT_EQ(item->expire_at, primary_item->expire_at);
    EXPECT_EQ(item->version, primary_item->version);
  }
  c.CheckInvariants();
}

// BITOP writes its destination through the mutation path (with no TTL) and deletes it when the
// result is empty; its keys must share a slot.
TEST(ClusterNodeTest, BitOpReplicatesItsDestinationAndRefusesCrossSlotKeys) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string tag = c.KeyWithPrimary(2);
  const std::string a = "{" + tag + "}a", b = "{" + tag + "}b", dest = "{" + tag + "}d";
  const auto replicas = c.placement().Replicas(KeySlot(dest));
  c.Connect(replicas[0], 1);
  EXPECT_EQ(c.Call(1, {"MSET", a, "foobar", b, "abc"}), "+OK\r\n");
  EXPECT_EQ(c.Call(1, {"SET", dest, "old", "EX", "100"}), "+OK\r\n");
  EXPECT_EQ(c.Call(1, {"BITOP", "OR", dest, a, b}), ":6\r\n");
  ASSERT_TRUE(c.Settle());
  const auto primary_item = c.Item(replicas[0], dest);
  ASSERT_TRUE(primary_item.has_value());
  for (NodeId n : replicas) {
    const auto item = c.Item(n, dest);
    ASSERT_TRUE(item.has_value()) << n;
    EXPECT_EQ(item->value, "goobar");
    EXPECT_EQ(item->expire_at, kNoExpiry);  // BITOP's destination has no TTL
    EXPECT_EQ(item->version, primary_item->version);
  }
  EXPECT_EQ(c.Call(1, {"BITOP", "AND", dest, "{" + tag + "}none"}), ":0\r\n");
  ASSERT_TRUE(c.Settle());
  for (NodeId n : replicas) EXPECT_FALSE(c.Item(n, dest).has_value()) << n;
  EXPECT_EQ(c.Call(1, {"BITOP", "AND", dest, a, "elsewhere"}).rfind("-CROSSSLOT", 0), 0u);
  c.CheckInvariants();
}

// --- Pipelined replication -------------------------------------------------------------------

TEST(ClusterNodeTest, WriteIsAcknowledgedOnlyAfterEveryBackupAppliedAndReadsWaitForIt) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  c.Connect(0, 1);
  c.Connect(0, 2);
  c.Send(1, {"SET", key, "v1"});
  EXPECT_EQ(c.Reply(1), "");  // nothing acknowledged yet
  c.Send(2, {"GET", key});
  EXPECT_EQ(c.Reply(2), "");  // a read of an uncommitted value waits for the commit
  ASSERT_EQ(c.network().size(), 2u);
  auto deliver_for = [&](NodeId to) {
    for (std::size_t i = 0; i < c.network().size(); ++i) {
      if (c.network()[i].to == to) {
        std::swap(c.network()[i], c.network().front());
        return c.DeliverOne();
      }
    }
    return false;
  };
  ASSERT_TRUE(deliver_for(replicas[1]));
  ASSERT_TRUE(deliver_for(0));  // its ack
  EXPECT_EQ(c.Reply(1), "");
  EXPECT_EQ(c.Reply(2), "");
  EXPECT_EQ(c.Value(replicas[1], key), "v1");
  EXPECT_FALSE(c.Value(replicas[2], key).has_value());
  ASSERT_TRUE(deliver_for(replicas[2]));
  ASSERT_TRUE(deliver_for(0));
  EXPECT_EQ(c.TakeReply(1), kOk);
  EXPECT_EQ(c.TakeReply(2), Bulk("v1"));
  EXPECT_EQ(c.cluster(0).counters().writes_committed, 1u);
  c.CheckInvariants();
}

TEST(ClusterNodeTest, PipelinedCommandsRunAtOnceAndReplyInOrder) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  c.Connect(0, 1);
  c.Send(1, {"SET", key, "a"});
  c.Send(1, {"GET", key});
  c.Send(1, {"PING"});
  c.Send(1, {"DEL", key});
  c.Send(1, {"GET", key});
  EXPECT_EQ(c.Reply(1), "");
  // Both writes are in flight at once: nothing waits for a round trip before executing.
  EXPECT_EQ(c.cluster(0).replication().writes_in_flight(), 2u);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.TakeReply(1),
            std::string(kOk) + Bulk("a") + "+PONG\r\n" + ":1\r\n" + std::string(kNil));
}

TEST(ClusterNodeTest, ManyWritesLeaveTogetherInFewMessages) {
  ReplicationKnobs knobs;
  knobs.stream_window = 1;
  TestCluster c(2, 2, PlantedBug::kNone, 1, knobs);
  ASSERT_TRUE(c.Settle());
  c.Connect(0, 1);
  const std::uint64_t before = c.cluster(0).counters().replicate_messages;
  for (int i = 0; i < 50; ++i) c.Send(1, {"SET", c.KeyWithPrimary(0, -1, i), "v"});
  EXPECT_EQ(c.cluster(0).replication().writes_in_flight(), 50u);
  ASSERT_TRUE(c.Settle());
  // The first write left at once; the other 49 queued behind it and left in one message.
  EXPECT_EQ(c.cluster(0).counters().replicate_messages - before, 2u);
  EXPECT_EQ(c.TakeReply(1).size(), 50 * kOk.size());
  EXPECT_EQ(c.cluster(0).counters().writes_committed, 50u);
}

TEST(ClusterNodeTest, WritesToOneKeyCommitInOrderAcrossClients) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  for (ClientId id = 1; id <= 4; ++id) c.Connect(0, id);
  for (ClientId id = 1; id <= 4; ++id) c.Send(id, {"SET", key, "v" + std::to_string(id)});
  EXPECT_EQ(c.cluster(0).replication().writes_in_flight(), 4u);
  c.CheckInvariants();
  ASSERT_TRUE(c.Settle());
  for (ClientId id = 1; id <= 4; ++id) EXPECT_EQ(c.TakeReply(id), kOk);
  EXPECT_EQ(c.Call(1, {"GET", key}), Bulk("v4"));  // the last one executed wins
  for (NodeId n : c.placement().Replicas(KeySlot(key))) EXPECT_EQ(c.Value(n, key), "v4");
}

TEST(ClusterNodeTest, SetOptionsNxXxAndTtl) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(1);
  c.Connect(1, 1);
  EXPECT_EQ(c.Call(1, {"SET", key, "a", "XX"}), kNil);
  EXPECT_EQ(c.Call(1, {"SET", key, "a", "NX"}), kOk);
  EXPECT_EQ(c.Call(1, {"SET", key, "b", "NX"}), kNil);
  EXPECT_EQ(c.Call(1, {"SET", key, "c", "XX", "PX", "1500"}), kOk);
  EXPECT_EQ(c.Call(1, {"GET", key}), Bulk("c"));
  EXPECT_EQ(c.Call(1, {"SET", key, "c", "PX", "0"}),
            "-ERR invalid expire time in 'set' command\r\n");
  EXPECT_EQ(c.Call(1, {"SET", key, "c", "BOGUS"}), "-ERR syntax error\r\n");
  ASSERT_TRUE(c.Settle());
  const auto replicas = c.placement().Replicas(KeySlot(key));
  const TimeMs expire_at = c.Item(replicas[2], key)->expire_at;
  EXPECT_GT(expire_at, c.wall());
  EXPECT_LE(expire_at, c.wall() + 1500);
  c.Advance(1600);
  EXPECT_EQ(c.Call(1, {"GET", key}), kNil);
  for (NodeId n : replicas) EXPECT_FALSE(c.Value(n, key).has_value());
}

TEST(ClusterNodeTest, NxAfterDelAndAfterExpiryWritesOnEveryCopy) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(2);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  c.Connect(2, 1);
  ASSERT_EQ(c.Call(1, {"SET", key, "a"}), kOk);
  ASSERT_EQ(c.Call(1, {"DEL", key}), ":1\r\n");
  EXPECT_EQ(c.Call(1, {"SET", key, "b", "NX"}), kOk);  // after DEL
  ASSERT_EQ(c.Call(1, {"SET", key, "c", "PX", "100000"}), kOk);
  ASSERT_TRUE(c.Settle());
  c.Advance(200'000);
  EXPECT_EQ(c.Call(1, {"SET", key, "d", "NX"}), kOk);  // after expiry (found lazily)
  EXPECT_EQ(c.Call(1, {"SET", key, "e", "NX"}), kNil);
  ASSERT_TRUE(c.Settle());
  for (NodeId n : replicas) {
    EXPECT_EQ(c.Value(n, key), std::optional<std::string>("d")) << "node " << n;
    EXPECT_EQ(c.Item(n, key)->expire_at, kNoExpiry);
  }
  c.CheckInvariants();
}

TEST(ClusterNodeTest, WritesSurviveLossDuplicationAndReordering) {
  TestCluster c(3, 3, PlantedBug::kNone, 42);
  ASSERT_TRUE(c.Settle());
  c.faults() = {.drop_percent = 20, .duplicate_percent = 20, .delay_percent = 20};
  c.Connect(0, 1);
  const std::string key = c.KeyWithPrimary(0);
  for (int i = 0; i < 20; ++i) {
    const std::string value = "v" + std::to_string(i);
    ASSERT_EQ(c.Call(1, {"SET", key, value}), kOk);
    ASSERT_EQ(c.Call(1, {"GET", key}), Bulk(value));
  }
  c.faults() = {};
  ASSERT_TRUE(c.Settle());
  for (NodeId n : c.placement().Replicas(KeySlot(key))) EXPECT_EQ(c.Value(n, key), "v19");
  EXPECT_GT(c.cluster(0).counters().resends, 0u);
  c.CheckInvariants();
}

TEST(ClusterNodeTest, DisconnectWhileReplicatingDropsTheReplyNotTheWrite) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  c.Connect(0, 1);
  c.Send(1, {"SET", key, "v"});
  c.Send(1, {"GET", key});
  c.Disconnect(1);
  ASSERT_TRUE(c.Settle());
  c.Connect(0, 2);
  EXPECT_EQ(c.Call(2, {"GET", key}), Bulk("v"));
  c.CheckInvariants();
}

TEST(ClusterNodeTest, TooManyWritesInFlightGetTryAgainBeforeExecuting) {
  ReplicationKnobs knobs;
  knobs.replication_writes_max = 8;
  knobs.slot_writes_max = 3;
  knobs.repairs_in_flight_max = 8;
  TestCluster c(2, 2, PlantedBug::kNone, 1, knobs);
  ASSERT_TRUE(c.Settle());
  c.SetDown(1, true);  // the backup is unreachable: nothing commits
  c.Connect(0, 1);
  const std::string tag = c.KeyWithPrimary(0, -1, 0, "{x}");
  for (int i = 0; i < 5; ++i) c.Send(1, {"SET", tag + std::to_string(i), "v"});  // one slot
  for (int i = 0; i < 8; ++i) c.Send(1, {"SET", c.KeyWithPrimary(0, -1, i), "v"});
  EXPECT_EQ(c.cluster(0).replication().client_writes(), 8u);
  EXPECT_EQ(c.cluster(0).counters().writes_rejected, 2u + 3u);
  EXPECT_FALSE(c.Value(0, tag + "4").has_value());  // refused before it executed
  c.CheckInvariants();
  c.SetDown(1, false);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.cluster(0).counters().writes_committed, 8u);
  const std::string replies = c.TakeReply(1);
  EXPECT_EQ(replies.find("-TRYAGAIN"), 15u);  // after three +OK, in command order
}

// WAIT is answered behind the client's held replies, so once it answers, the earlier write is on
// every copy: it reports the backups per slot (copies - 1), and never before the write committed.
TEST(ClusterNodeTest, WaitAnswersAfterTheClientsWritesCommittedWithTheBackupCount) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  const NodeId backup = c.placement().Replicas(KeySlot(key))[1];
  c.Connect(0, 1);
  c.SetDown(backup, true);  // nothing commits
  c.Send(1, {"SET", key, "v"});
  c.Send(1, {"WAIT", "2", "0"});
  for (int i = 0; i < 50; ++i) c.TickOne(0);
  EXPECT_EQ(c.Reply(1), "");  // neither the write's reply nor WAIT's left
  c.SetDown(backup, false);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.TakeReply(1), "+OK\r\n:2\r\n");
  for (NodeId n : c.placement().Replicas(KeySlot(key))) EXPECT_EQ(c.Value(n, key), "v") << n;
  EXPECT_EQ(c.Call(1, {"WAIT", "0", "-1"}), "-ERR timeout is negative\r\n");
  c.CheckInvariants();
}

TEST(ClusterNodeTest, QuitBehindHeldRepliesClosesAfterThem) {
  TestCluster c(2, 2);
  ASSERT_TRUE(c.Settle());
  c.Connect(0, 1);
  c.Send(1, {"SET", c.KeyWithPrimary(0), "v"});
  c.Send(1, {"QUIT"});
  EXPECT_EQ(c.Reply(1), "");
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.TakeReply(1), std::string(kOk) + std::string(kOk));
}

// --- DBSIZE and FLUSHALL act on the node's own slots --------------------------------------------

TEST(ClusterNodeTest, FlushAllAndDbSizeAreAboutTheNodesOwnSlots) {
  TestCluster c(3, 2);
  ASSERT_TRUE(c.Settle());
  for (NodeId n = 0; n < 3; ++n) c.Connect(n, 10 + n);
  for (NodeId n = 0; n < 3; ++n) {
    for (int i = 0; i < 5; ++i)
      ASSERT_EQ(c.Call(10 + n, {"SET", c.KeyWithPrimary(n, -1, i), "v"}), kOk);
  }
  for (NodeId n = 0; n < 3; ++n) EXPECT_EQ(c.Call(10 + n, {"DBSIZE"}), ":5\r\n");
  EXPECT_EQ(c.Call(10, {"FLUSHALL"}), kOk);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(10, {"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(c.Call(11, {"DBSIZE"}), ":5\r\n");
  for (int i = 0; i < 5; ++i) {
    const std::string key = c.KeyWithPrimary(0, -1, i);
    for (NodeId n : c.placement().Replicas(KeySlot(key))) EXPECT_FALSE(c.Value(n, key)) << n;
    EXPECT_TRUE(c.Value(1, c.KeyWithPrimary(1, -1, i)).has_value());
  }
  // A flush is a watermark: a late copy of a flushed key cannot come back.
  const std::string key = c.KeyWithPrimary(0);
  for (NodeId n : c.placement().Replicas(KeySlot(key))) {
    EXPECT_GT(c.cluster(n).HeldVersion(key), 0u);
  }
  c.CheckInvariants();
}

// KEYS, SCAN and RANDOMKEY answer with the node's own keys (its primary slots), never with the
// backup copies its store also holds.
TEST(ClusterNodeTest, KeysScanAndRandomKeySkipBackupCopies) {
  TestCluster c(3, 2);
  ASSERT_TRUE(c.Settle());
  const std::string own = c.KeyWithPrimary(1);
  const std::string backup_copy = c.KeyWithPrimary(0, /*backup=*/1);
  c.Connect(0, 10);
  c.Connect(1, 11);
  ASSERT_EQ(c.Call(10, {"SET", backup_copy, "v"}), kOk);
  ASSERT_EQ(c.Call(11, {"SET", own, "v"}), kOk);
  ASSERT_TRUE(c.Settle());
  ASSERT_TRUE(c.Value(1, backup_copy).has_value());  // node 1 holds it as a backup
  const std::string only_own = "*1\r\n" + Bulk(own);
  EXPECT_EQ(c.Call(11, {"KEYS", "*"}), only_own);
  EXPECT_EQ(c.Call(11, {"KEYS", "key*"}), only_own);
  EXPECT_EQ(c.Call(11, {"SCAN", "0", "COUNT", "1000"}), "*2\r\n" + Bulk("0") + only_own);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c.Call(11, {"RANDOMKEY"}), Bulk(own));
  EXPECT_EQ(c.Call(10, {"KEYS", "*"}), "*1\r\n" + Bulk(backup_copy));
  c.CheckInvariants();
}

TEST(ClusterNodeTest, RenameAndCopyReplicateTheirEffect) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string tag = "{" + c.KeyWithPrimary(1) + "}";
  const std::string from = tag + "from";
  const std::string to = tag + "to";
  const std::string copy = tag + "copy";
  const auto replicas = c.placement().Replicas(KeySlot(from));
  c.Connect(1, 1);
  ASSERT_EQ(c.Call(1, {"SET", from, "v"}), kOk);
  ASSERT_EQ(c.Call(1, {"PEXPIRE", from, "50000"}), ":1\r\n");
  ASSERT_EQ(c.Call(1, {"SET", to, "old"}), kOk);
  EXPECT_EQ(c.Call(1, {"RENAME", from, to}), kOk);
  EXPECT_EQ(c.Call(1, {"COPY", to, copy}), ":1\r\n");
  ASSERT_TRUE(c.Settle());
  const auto primary_item = c.Item(replicas[0], to);
  ASSERT_TRUE(primary_item.has_value());
  EXPECT_NE(primary_item->expire_at, kNoExpiry);  // the TTL moved with the value
  for (NodeId n : replicas) {
    EXPECT_FALSE(c.Item(n, from).has_value()) << n;
    for (const std::string& key : {to, copy}) {
      const auto item = c.Item(n, key);
      ASSERT_TRUE(item.has_value()) << n << " " << key;
      EXPECT_EQ(item->value, "v");
      EXPECT_EQ(item->expire_at, primary_item->expire_at);
    }
    EXPECT_EQ(c.Item(n, to)->version, primary_item->version);
  }
  EXPECT_EQ(c.Call(1, {"RENAMENX", to, from}), ":1\r\n");
  ASSERT_TRUE(c.Settle());
  for (NodeId n : replicas) {
    EXPECT_EQ(c.Value(n, from), "v") << n;
    EXPECT_FALSE(c.Item(n, to).has_value()) << n;
  }
  // Both keys are in the key spec, so keys of two slots are refused before anything runs.
  const std::string crossslot = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";
  std::string other = "{u}";
  for (int i = 0; KeySlot(other) == KeySlot(from) || c.placement().PrimaryOfKey(other) != 1; ++i) {
    other = "{u" + std::to_string(i) + "}";
  }
  EXPECT_EQ(c.Call(1, {"RENAME", from, other}), crossslot);
  EXPECT_EQ(c.Call(1, {"RENAMENX", from, other}), crossslot);
  EXPECT_EQ(c.Call(1, {"COPY", from, other}), crossslot);
  EXPECT_EQ(c.Call(1, {"COPY", from, copy, "DB", "1"}),
            "-ERR Copying to another database is not allowed in cluster mode\r\n");
  EXPECT_EQ(c.Call(1, {"COPY", from, copy, "DB", "16"}), "-ERR DB index is out of range\r\n");
  c.CheckInvariants();
}

// --- Recovery ----------------------------------------------------------------------------------

TEST(ClusterNodeTest, RestartedPrimaryRecoversAcknowledgedWritesFromBackups) {
  ReplicationKnobs knobs;
  knobs.sync_entries_per_reply_max = 16;  // many chunks
  TestCluster c(3, 3, PlantedBug::kNone, 1, knobs);
  ASSERT_TRUE(c.Settle());
  c.Connect(0, 1);
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) {
    keys.push_back(c.KeyWithPrimary(0, -1, i));
    ASSERT_EQ(c.Call(1, {"SET", keys.back(), "v" + std::to_string(i)}), kOk);
  }
  ASSERT_EQ(c.Call(1, {"DEL", keys[0]}), ":1\r\n");
  ASSERT_TRUE(c.Settle());
  c.Advance(5000);
  c.Crash(0);
  c.Connect(0, 2);
  EXPECT_EQ(c.Call(2, {"GET", keys[1]}, 0), kLoading);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(2, {"GET", keys[0]}), kNil);
  for (int i = 1; i < 300; ++i) {
    ASSERT_EQ(c.Call(2, {"GET", keys[i]}), Bulk("v" + std::to_string(i))) << i;
  }
  EXPECT_GE(c.cluster(0).counters().sync_entries_merged, 299u);
  EXPECT_GE(c.cluster(0).counters().repairs, 299u);  // pushed back to both backups' streams
  // New writes get versions above the recovered ones.
  const std::uint64_t before = c.Item(0, keys[1])->version;
  ASSERT_EQ(c.Call(2, {"SET", keys[1], "new"}), kOk);
  EXPECT_GT(c.Item(0, keys[1])->version, before);
  c.CheckInvariants();
}

TEST(ClusterNodeTest, RestartedBackupCatchesUpBeforeItCountsAgain) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  c.Connect(0, 1);
  ASSERT_EQ(c.Call(1, {"SET", key, "a"}), kOk);
  c.Advance(1000);
  c.Crash(replicas[1]);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Value(replicas[1], key), "a");
  // Then the other backup and the primary die: the restarted backup's copy is what remains.
  c.Advance(1000);
  c.Crash(replicas[2]);
  c.Crash(0);
  c.Connect(0, 2);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(2, {"GET", key}), Bulk("a"));
}

TEST(ClusterNodeTest, RecoveredValuesArePushedToBackupsThatLackThem) {
  // A write reaches one backup, then the primary dies: the restarted primary finds it on that
  // backup and must copy it to the other before serving it (else a later loss of the first
  // backup would make reads go back in time).
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  c.Connect(0, 1);
  ASSERT_EQ(c.Call(1, {"SET", key, "old"}), kOk);
  c.Send(1, {"SET", key, "new"});
  for (std::size_t i = 0; i < c.network().size(); ++i) {
    if (c.network()[i].to == replicas[1]) std::swap(c.network()[i], c.network().front());
  }
  ASSERT_TRUE(c.DeliverOne());  // only the Replicate to replicas[1]
  c.network().clear();
  c.Advance(1000);
  c.Crash(0);
  c.Connect(0, 2);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(2, {"GET", key}), Bulk("new"));
  EXPECT_EQ(c.Value(replicas[2], key), "new");
  c.Crash(replicas[1]);
  c.Advance(1000);
  c.Crash(0);
  c.Connect(0, 3);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(3, {"GET", key}), Bulk("new"));
}

TEST(ClusterNodeTest, AStaleSyncCopyCannotUndoADeleteSeenWhileRecovering) {
  // A recovering backup receives the DEL on its stream, then a sync reply that a slower peer
  // built before the DEL: the tombstone it keeps while recovering makes the stale copy lose.
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  const NodeId recovering = replicas[1];
  const NodeId slow = replicas[2];
  c.Connect(0, 1);
  ASSERT_EQ(c.Call(1, {"SET", key, "ghost"}), kOk);
  c.Advance(1000);
  c.Crash(recovering);
  // Let the restarted node ask; capture the slow peer's reply (it still holds "ghost").
  std::optional<testing::InFlightMessage> stale;
  ASSERT_TRUE(c.RunUntil([&] {
    for (std::size_t i = 0; i < c.network().size(); ++i) {
      const auto& m = c.network()[i];
      if (m.to == recovering && m.envelope.from == slow && Holds<SyncReply>(m)) {
        stale = m;
        c.network().erase(c.network().begin() + static_cast<std::ptrdiff_t>(i));
        return true;
      }
    }
    return false;
  }));
  ASSERT_FALSE(std::get<SyncReply>(stale->envelope.body).entries.empty());
  c.SetDown(slow, true);  // its fresh answers are delayed; the stale one arrives later
  c.Send(1, {"DEL", key});
  ASSERT_TRUE(c.RunUntil([&] {
    return !c.Item(recovering, key).has_value() && c.cluster(recovering).HeldVersion(key) != 0;
  }));
  c.network().push_front(*stale);
  ASSERT_TRUE(c.DeliverOne());
  EXPECT_FALSE(c.Value(recovering, key).has_value());
  c.SetDown(slow, false);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.TakeReply(1), ":1\r\n");
  for (NodeId n : replicas) EXPECT_FALSE(c.Value(n, key).has_value()) << n;
  c.CheckInvariants();
}

TEST(ClusterNodeTest, TooManyTombstonesWhileRecoveringStartTheRecoveryOver) {
  ReplicationKnobs knobs;
  knobs.tombstones_max = 4;
  TestCluster c(3, 3, PlantedBug::kNone, 1, knobs);
  ASSERT_TRUE(c.Settle());
  c.Connect(0, 1);
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i) {
    keys.push_back(c.KeyWithPrimary(0, -1, i));
    ASSERT_EQ(c.Call(1, {"SET", keys.back(), "v"}), kOk);
  }
  const NodeId backup = c.placement().Replicas(KeySlot(keys[0]))[1];
  c.Advance(1000);
  c.Crash(backup);
  // The restarted backup is kept from finishing while ten deletes reach it on its stream.
  c.SetDown(backup == 1 ? 2 : 1, true);
  c.TickAll();
  for (const std::string& key : keys) c.Send(1, {"DEL", key});
  for (int i = 0; i < 200 && c.cluster(backup).counters().recovery_restarts == 0; ++i) {
    if (!c.DeliverOne()) c.TickAll();
    c.CheckInvariants();
  }
  EXPECT_GT(c.cluster(backup).counters().recovery_restarts, 0u);
  c.SetDown(backup == 1 ? 2 : 1, false);
  ASSERT_TRUE(c.Settle());
  EXPECT_TRUE(c.cluster(backup).serving());
  EXPECT_EQ(c.cluster(backup).tombstones(), 0u);
  for (const std::string& key : keys) EXPECT_FALSE(c.Value(backup, key).has_value());
  c.CheckInvariants();
}

TEST(ClusterNodeTest, BackupRestartDuringAWriteIsReplicatedAgain) {
  // The backup acks, then restarts before the write commits (another backup is slow): its ack
  // died with it, so the primary must send again to the new incarnation before acknowledging.
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  c.Connect(0, 1);
  c.SetDown(replicas[2], true);
  c.Send(1, {"SET", key, "v"});
  for (int i = 0; i < 4; ++i) c.DeliverOne();  // replicas[1] applies and acks
  c.Advance(1000);
  c.Crash(replicas[1]);
  c.SetDown(replicas[2], false);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.TakeReply(1), kOk);
  for (NodeId n : replicas) EXPECT_EQ(c.Value(n, key), "v") << n;
}

TEST(ClusterNodeTest, AClockThatWentBackAcrossARestartTakesALargerIncarnation) {
  TestCluster c(2, 2);
  ASSERT_TRUE(c.Settle());
  const Incarnation first = c.cluster(0).incarnation();
  c.Crash(0);
  c.Advance(-500);  // the restarted node's clock reads earlier than its previous life's
  c.Connect(0, 1);
  ASSERT_TRUE(c.Settle());
  EXPECT_GT(c.cluster(0).incarnation(), first);
  EXPECT_GE(c.cluster(0).counters().recovery_restarts, 1u);
  EXPECT_EQ(c.Call(1, {"SET", c.KeyWithPrimary(0), "v"}), kOk);
}

// Model-based: one client runs random GET/SET/DEL/INCR on a few keys while messages are lost,
// duplicated and reordered and one node at a time crashes and recovers. With R = 3 of 4 nodes, a
// single crash never loses an acknowledged write, so every reply must equal the model's.
RC_GTEST_PROP(ClusterNodeProperty, MatchesASequentialModelUnderFaultsAndSingleCrashes, ()) {
  const auto seed = *rc::gen::inRange<std::uint64_t>(1, 1u << 30);
  TestCluster c(4, 3, PlantedBug::kNone, seed);
  RC_ASSERT(c.Settle());
  c.faults() = {.drop_percent = *rc::gen::inRange(0, 25),
                .duplicate_percent = *rc::gen::inRange(0, 25),
                .delay_percent = *rc::gen::inRange(0, 25)};
  const std::vector<std::string> keys = {"a", "b", "c", "d", "{a}x"};
  std::map<std::string, std::string> model;
  ClientId next_client = 1;
  std::map<NodeId, ClientId> client_of;
  auto client_for = [&](NodeId n) {
    if (!client_of.contains(n)) {
      client_of[n] = next_client;
      c.Connect(n, next_client++);
    }
    return client_of[n];
  };
  const int ops = *rc::gen::inRange(20, 60);
  for (int i = 0; i < ops; ++i) {
    const std::string& key = *rc::gen::elementOf(keys);
    const NodeId primary = c.placement().PrimaryOfKey(key);
    const int what = *rc::gen::inRange(0, 12);
    if (what == 0) {
      // One failure at a time: the previous victim has fully recovered first.
      RC_ASSERT(c.Settle());
      const auto victim = *rc::gen::inRange<NodeId>(0, 4);
      c.Advance(1000);
      c.Crash(victim);
      client_of.erase(victim);
      continue;
    }
    const ClientId client = client_for(primary);
    std::vector<std::string> argv;
    std::string expect;
    if (what <= 4) {
      argv = {"GET", key};
      expect = model.contains(key) ? Bulk(model[key]) : std::string(kNil);
    } else if (what <= 8) {
      const std::string value = std::to_string(i);
      argv = {"SET", key, value};
      expect = std::string(kOk);
      model[key] = value;
    } else if (what <= 10) {
      argv = {"INCR", key};
      const long next = (model.contains(key) ? std::stol(model[key]) : 0) + 1;
      model[key] = std::to_string(next);
      expect = ":" + std::to_string(next) + "\r\n";
    } else {
      argv = {"DEL", key};
      expect = model.contains(key) ? ":1\r\n" : ":0\r\n";
      model.erase(key);
    }
    // Wait while the primary recovers (it would answer LOADING, a clean failure).
    RC_ASSERT(c.RunUntil([&] { return c.cluster(primary).serving(); }));
    RC_ASSERT(c.Call(client, argv) == expect);
    c.CheckInvariants();
  }
  c.faults() = {};
  RC_ASSERT(c.Settle());
  // Every replica of every key holds the model's state.
  for (const std::string& key : keys) {
    for (NodeId n : c.placement().Replicas(KeySlot(key))) {
      const std::optional<std::string> value = c.Value(n, key);
      if (model.contains(key)) {
        RC_ASSERT(value.has_value());
        RC_ASSERT(*value == model[key]);
      } else {
        RC_ASSERT(!value.has_value());
      }
    }
  }
}

// --- Planted bugs: each changes what a client can observe --------------------------------------

TEST(PlantedBugScenario, StaleReadServesThePreviousValueUntilTheNextTick) {
  for (PlantedBug bug : {PlantedBug::kNone, PlantedBug::kStaleRead}) {
    TestCluster c(3, 3, bug);
    ASSERT_TRUE(c.Settle());
    const std::string key = c.KeyWithPrimary(0);
    c.Connect(0, 1);
    c.Connect(0, 2);
    ASSERT_EQ(c.Call(1, {"SET", key, "v1"}), kOk);
    c.TickAll();
    // Deliver without ticking so the read lands between the ack and the next Tick.
    c.Send(1, {"SET", key, "v2"});
    while (c.Reply(1).empty() && c.DeliverOne()) {
    }
    ASSERT_EQ(c.TakeReply(1), kOk);
    c.Send(2, {"GET", key});
    EXPECT_EQ(c.TakeReply(2), bug == PlantedBug::kStaleRead ? Bulk("v1") : Bulk("v2"))
        << PlantedBugName(bug);
  }
}

TEST(PlantedBugScenario, AckBeforeReplicateLosesAnAcknowledgedWriteOnCrash) {
  for (PlantedBug bug : {PlantedBug::kNone, PlantedBug::kAckBeforeReplicate}) {
    TestCluster c(3, 3, bug);
    ASSERT_TRUE(c.Settle());
    const std::string key = c.KeyWithPrimary(0);
    c.Connect(0, 1);
    ASSERT_EQ(c.Call(1, {"SET", key, "v1"}), kOk);
    ASSERT_TRUE(c.Settle());
    c.Send(1, {"SET", key, "v2"});
    const bool acked_early = c.Reply(1) == kOk;
    EXPECT_EQ(acked_early, bug == PlantedBug::kAckBeforeReplicate) << PlantedBugName(bug);
    // The primary dies before any backup heard of v2.
    c.network().clear();
    c.Advance(1000);
    c.Crash(0);
    c.Connect(0, 2);
    ASSERT_TRUE(c.Settle());
    // With the bug an acknowledged write is gone (reads go back to v1); without it v2 was never
    // acknowledged, so v1 is a legal answer.
    EXPECT_EQ(c.Call(2, {"GET", key}), Bulk("v1"));
  }
}

TEST(PlantedBugScenario, IgnoreTtlReturnsExpiredValues) {
  for (PlantedBug bug : {PlantedBug::kNone, PlantedBug::kIgnoreTtl}) {
    TestCluster c(3, 3, bug);
    ASSERT_TRUE(c.Settle());
    const std::string key = c.KeyWithPrimary(0);
    const NodeId backup = c.placement().Replicas(KeySlot(key))[1];
    c.Connect(0, 1);
    ASSERT_EQ(c.Call(1, {"SET", key, "v", "PX", "500"}), kOk);
    ASSERT_TRUE(c.Settle());
    c.Advance(1000);
    // The backup applied the effect without its expiry; the primary executed it with one.
    EXPECT_EQ(c.Value(backup, key).has_value(), bug == PlantedBug::kIgnoreTtl)
        << PlantedBugName(bug);
    // After the primary restarts it recovers the backup's copy and serves it.
    c.Crash(0);
    c.Connect(0, 2);
    ASSERT_TRUE(c.Settle());
    EXPECT_EQ(c.Call(2, {"GET", key}),
              bug == PlantedBug::kIgnoreTtl ? Bulk("v") : std::string(kNil))
        << PlantedBugName(bug);
  }
}

TEST(PlantedBugScenario, AcceptOldIncarnationRecoversFromAStaleSnapshot) {
  for (PlantedBug bug : {PlantedBug::kNone, PlantedBug::kAcceptOldIncarnation}) {
    TestCluster c(2, 2, bug);
    ASSERT_TRUE(c.Settle());
    const std::string key = c.KeyWithPrimary(0);
    // The primary restarts; the backup's (empty) sync reply is kept back.
    c.Advance(1000);
    c.Crash(0);
    c.Connect(0, 1);
    std::optional<testing::InFlightMessage> stale;
    ASSERT_TRUE(c.RunUntil([&] {
      for (const auto& m : c.network()) {
        if (Holds<SyncReply>(m) && m.to == 0 && std::get<SyncReply>(m.envelope.body).done &&
            !stale) {
          stale = m;
        }
      }
      return c.cluster(0).serving() && c.network().empty();
    }));
    ASSERT_TRUE(stale.has_value());
    ASSERT_EQ(c.Call(1, {"SET", key, "acked"}), kOk);
    ASSERT_TRUE(c.Settle());
    // Restart again; the stale reply arrives before the fresh one.
    c.Advance(1000);
    c.Crash(0);
    c.Connect(0, 2);
    c.TickAll();  // the new incarnation asks
    c.network().push_front(*stale);
    ASSERT_TRUE(c.Settle());
    EXPECT_EQ(c.Call(2, {"GET", key}),
              bug == PlantedBug::kAcceptOldIncarnation ? std::string(kNil) : Bulk("acked"))
        << PlantedBugName(bug);
  }
}

TEST(ClusterNodeTest, APrimaryReplicatesTheDeletionOfAnExpiredKey) {
  // Brutal seed 1271: a backup that restarted merged an older version from the other backup; the
  // primary's newer version then expired and vanished, and the old value outlived it. Now the
  // primary's expiry is a replicated deletion, so no copy keeps what the expired write replaced.
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  const NodeId backup = c.placement().Replicas(KeySlot(key))[1];
  c.Connect(0, 1);
  ASSERT_EQ(c.Call(1, {"SET", key, "v", "PX", "100000"}), kOk);
  ASSERT_TRUE(c.Settle());
  ASSERT_TRUE(c.Item(backup, key).has_value());
  const std::uint64_t applied = c.cluster(backup).counters().mutations_applied;
  c.Advance(200'000);
  // A read on the primary expires the key lazily; only messages move after it (no backup ticks,
  // so the backup's own expiry never runs).
  EXPECT_EQ(c.Call(1, {"GET", key}), "$-1\r\n");
  while (c.DeliverOne()) {
  }
  c.FlushAll();
  while (c.DeliverOne()) {
  }
  EXPECT_GT(c.cluster(backup).counters().mutations_applied, applied);
  EXPECT_FALSE(c.Item(backup, key).has_value());
  c.CheckInvariants();
}

TEST(ClusterNodeTest, AnEvictionWhileRecoveringIsNotSentToPeersAsADelete) {
  // Crash seed 1616: a recovering node recorded an eviction as a tombstone and served it in a
  // sync reply; the peer took it for a delete at that version and refused the live value.
  Store store(StoreOptions{.count_slots = true});
  ReplicationKnobs knobs;
  KeyVersions versions(store, knobs, /*drop_ttl=*/false);
  versions.Track(true);
  versions.RecordVanished(KeySlot("evicted"), "evicted", 7, /*deleted=*/false);
  versions.RecordVanished(KeySlot("deleted"), "deleted", 9, /*deleted=*/true);
  EXPECT_EQ(versions.Held(KeySlot("evicted"), "evicted"), 7u);  // still refuses older copies here
  KeyVersions::TombstoneView t;
  ASSERT_TRUE(versions.NextTombstone(0, t));
  EXPECT_EQ(t.key, "deleted");
  EXPECT_EQ(t.version, 9u);
  EXPECT_FALSE(versions.NextTombstone(t.seq + 1, t));
}

}  // namespace
}  // namespace shoal::cluster
