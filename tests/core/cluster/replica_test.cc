#include "core/cluster/replica.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster/message.h"
#include "core/cluster/planted_bug.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"
#include "tests/core/cluster/test_cluster.h"

namespace shoal::cluster {
namespace {

using testing::Bulk;
using testing::kNil;
using testing::kOk;
using testing::TestCluster;

// --- Messages and bug names --------------------------------------------------------------------

TEST(MessageTest, HashCoversEveryFieldAndIsStable) {
  Message m;
  m.kind = MessageKind::kSyncReply;
  m.epoch = 7;
  m.request_id = 9;
  m.sequence = 2;
  m.flags = kFlagDone;
  m.cursor = SyncCursor{.set = true, .slot = 12, .key = "k"};
  m.entries.push_back(Entry{.key = "a", .value = "v", .version = 3, .expire_at = 5});
  const std::uint64_t h = HashMessage(m);
  EXPECT_EQ(h, HashMessage(Message(m)));
  // Golden value: the simulator's trace hashes must match across builds and machines.
  EXPECT_EQ(h, 0x7f25d9f738181410ULL) << std::hex << h;
  auto changed = [&](auto mutate) {
    Message c = m;
    mutate(c);
    return HashMessage(c) != h;
  };
  EXPECT_TRUE(changed([](Message& c) { c.kind = MessageKind::kSyncRequest; }));
  EXPECT_TRUE(changed([](Message& c) { c.epoch++; }));
  EXPECT_TRUE(changed([](Message& c) { c.request_id++; }));
  EXPECT_TRUE(changed([](Message& c) { c.sequence++; }));
  EXPECT_TRUE(changed([](Message& c) { c.flags = 0; }));
  EXPECT_TRUE(changed([](Message& c) { c.cursor.set = false; }));
  EXPECT_TRUE(changed([](Message& c) { c.cursor.slot++; }));
  EXPECT_TRUE(changed([](Message& c) { c.cursor.key = "l"; }));
  EXPECT_TRUE(changed([](Message& c) { c.entries[0].key = "b"; }));
  EXPECT_TRUE(changed([](Message& c) { c.entries[0].value = "w"; }));
  EXPECT_TRUE(changed([](Message& c) { c.entries[0].version++; }));
  EXPECT_TRUE(changed([](Message& c) { c.entries[0].expire_at++; }));
  EXPECT_TRUE(changed([](Message& c) { c.entries[0].deleted = true; }));
  EXPECT_TRUE(changed([](Message& c) { c.entries.push_back({}); }));
  // Field boundaries are unambiguous: moving a byte between key and value changes the hash.
  EXPECT_TRUE(changed([](Message& c) {
    c.entries[0].key = "av";
    c.entries[0].value = "";
  }));
}

TEST(PlantedBugTest, NamesRoundTrip) {
  for (PlantedBug b : {PlantedBug::kNone, PlantedBug::kStaleRead, PlantedBug::kAckBeforeReplicate,
                       PlantedBug::kIgnoreTtl, PlantedBug::kAcceptOldEpoch}) {
    auto parsed = ParsePlantedBug(PlantedBugName(b));
    ASSERT_TRUE(parsed.has_value()) << PlantedBugName(b);
    EXPECT_EQ(*parsed, b);
  }
  EXPECT_EQ(PlantedBugName(PlantedBug::kStaleRead), "stale-read");
  EXPECT_EQ(PlantedBugName(PlantedBug::kAckBeforeReplicate), "ack-before-replicate");
  EXPECT_EQ(PlantedBugName(PlantedBug::kIgnoreTtl), "ignore-ttl");
  EXPECT_EQ(PlantedBugName(PlantedBug::kAcceptOldEpoch), "accept-old-epoch");
  EXPECT_FALSE(ParsePlantedBug("Stale-Read").has_value());
  EXPECT_FALSE(ParsePlantedBug("").has_value());
}

// --- Routing and start-up ----------------------------------------------------------------------

TEST(ReplicaTest, StartsLoadingThenServesOnceEveryPeerAnswered) {
  TestCluster c(3, 3);
  const std::string key = c.KeyWithPrimary(0);
  c.Connect(0, 1);
  c.Send(1, {"GET", key});
  EXPECT_EQ(c.TakeReply(1), "-LOADING Shoal is recovering its data\r\n");
  EXPECT_FALSE(c.replica(0).serving());
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(1, {"GET", key}), kNil);
  for (NodeId n = 0; n < 3; ++n) EXPECT_EQ(c.replica(n).counters().recoveries, 1u);
  // Commands without keys run as on a single node, even while others recover.
  EXPECT_EQ(c.Call(1, {"PING"}), "+PONG\r\n");
  c.CheckInvariants();
}

TEST(ReplicaTest, NonPrimaryAnswersMovedWithTheOwnersAddress) {
  TestCluster c(3, 2);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(2);
  c.Connect(0, 1);
  for (const char* cmd : {"GET", "DEL"}) {
    EXPECT_EQ(c.Call(1, {cmd, key}), "-MOVED " + std::to_string(KeySlot(key)) + " n2\r\n");
  }
  EXPECT_EQ(c.Call(1, {"SET", key, "v"}), "-MOVED " + std::to_string(KeySlot(key)) + " n2\r\n");
  EXPECT_EQ(c.replica(0).counters().moved, 3u);
}

TEST(ReplicaTest, KeyedCommandsOutsideGetSetDelAreRefused) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  c.Connect(0, 1);
  EXPECT_EQ(c.Call(1, {"EXISTS", "a"}).rfind("-ERR 'exists' is not supported", 0), 0u);
  EXPECT_EQ(c.Call(1, {"FLUSHALL"}).rfind("-ERR 'flushall' is not supported", 0), 0u);
  EXPECT_EQ(c.Call(1, {"NOSUCHCOMMAND"}).rfind("-ERR unknown command", 0), 0u);
  EXPECT_EQ(c.Call(1, {"GET"}), "-ERR wrong number of arguments for 'get' command\r\n");
}

// --- Writes ------------------------------------------------------------------------------------

TEST(ReplicaTest, WriteIsAcknowledgedOnlyAfterEveryBackupApplied) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  c.Connect(0, 1);
  c.Connect(0, 2);
  c.Send(1, {"SET", key, "v1"});
  EXPECT_EQ(c.Reply(1), "");                    // nothing acknowledged yet
  EXPECT_EQ(c.Call(2, {"GET", key}, 0), kNil);  // not committed: not visible
  ASSERT_EQ(c.network().size(), 2u);

  // Deliver the Replicate to the first backup and its ack: still not enough.
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
  ASSERT_TRUE(deliver_for(0));  // the ack
  EXPECT_EQ(c.Reply(1), "");
  auto on_backup = c.replica(replicas[1]).Inspect(key, c.now());
  ASSERT_TRUE(on_backup.has_value());
  EXPECT_EQ(on_backup->value, "v1");
  EXPECT_FALSE(c.replica(replicas[2]).Inspect(key, c.now()).has_value());

  ASSERT_TRUE(deliver_for(replicas[2]));
  ASSERT_TRUE(deliver_for(0));
  EXPECT_EQ(c.TakeReply(1), kOk);
  EXPECT_EQ(c.Call(2, {"GET", key}), Bulk("v1"));
  for (NodeId n : replicas) {
    auto e = c.replica(n).Inspect(key, c.now());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->value, "v1");
    EXPECT_EQ(e->version, on_backup->version);
  }
  EXPECT_EQ(c.replica(0).counters().writes_committed, 1u);
  c.CheckInvariants();
}

TEST(ReplicaTest, PipelinedCommandsKeepTheirOrderBehindAWrite) {
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
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.TakeReply(1),
            std::string(kOk) + Bulk("a") + "+PONG\r\n" + ":1\r\n" + std::string(kNil));
}

TEST(ReplicaTest, WritesToOneKeyAreSerializedAcrossClients) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  for (ClientId id = 1; id <= 4; ++id) c.Connect(0, id);
  for (ClientId id = 1; id <= 4; ++id) c.Send(id, {"SET", key, "v" + std::to_string(id)});
  EXPECT_EQ(c.replica(0).writes_in_flight(), 1u);
  EXPECT_EQ(c.replica(0).writes_held(), 4u);
  c.CheckInvariants();
  ASSERT_TRUE(c.Settle());
  for (ClientId id = 1; id <= 4; ++id) EXPECT_EQ(c.TakeReply(id), kOk);
  EXPECT_EQ(c.Call(1, {"GET", key}), Bulk("v4"));  // the last one queued wins
  EXPECT_EQ(c.replica(0).writes_held(), 0u);
}

TEST(ReplicaTest, SetOptionsNxXxAndTtl) {
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
  EXPECT_EQ(c.Call(1, {"SET", key, "c", "PX", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(c.Call(1, {"SET", key, "c", "BOGUS"}), "-ERR syntax error\r\n");
  const auto replicas = c.placement().Replicas(KeySlot(key));
  const TimeMs expire_at = c.replica(replicas[2]).Inspect(key, c.now())->expire_at;
  EXPECT_GT(expire_at, c.now());
  EXPECT_LE(expire_at, c.now() + 1500);
  c.Advance(1600);
  EXPECT_EQ(c.Call(1, {"GET", key}), kNil);
  // The sweep turns the expired entry into a tombstone everywhere, keeping its version.
  for (int i = 0; i < 3; ++i) c.TickAll();
  for (NodeId n : replicas) {
    auto e = c.replica(n).Inspect(key, c.now());
    ASSERT_TRUE(e.has_value());
    EXPECT_TRUE(e->deleted);
  }
}

TEST(ReplicaTest, WritesSurviveLossDuplicationAndReordering) {
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
  for (NodeId n : c.placement().Replicas(KeySlot(key))) {
    EXPECT_EQ(c.replica(n).Inspect(key, c.now())->value, "v19");
  }
  EXPECT_GT(c.replica(c.placement().Replicas(KeySlot(key))[1]).counters().replicates_ignored, 0u);
  c.CheckInvariants();
}

TEST(ReplicaTest, DisconnectWhileReplicatingDropsTheReplyNotTheWrite) {
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

TEST(ReplicaTest, TooManyWritesGetTryAgain) {
  TestCluster c(2, 2);
  ASSERT_TRUE(c.Settle());
  c.SetDown(1, true);  // backup unreachable: nothing commits
  std::size_t tryagain = 0;
  for (ClientId id = 1; id <= limits::kReplicationWritesMax + 3; ++id) {
    c.Connect(0, id);
    c.Send(id, {"SET", c.KeyWithPrimary(0, -1, static_cast<int>(id % 50)), "v"});
    if (c.Reply(id).rfind("-TRYAGAIN", 0) == 0) tryagain++;
  }
  EXPECT_EQ(tryagain, 3u);
  EXPECT_EQ(c.replica(0).writes_held(), limits::kReplicationWritesMax);
  c.CheckInvariants();
  c.SetDown(1, false);
  c.network().clear();
  ASSERT_TRUE(c.RunUntil([&] { return c.replica(0).writes_held() == 0; }, 1000000));
  EXPECT_EQ(c.replica(0).writes_held(), 0u);
  EXPECT_EQ(c.replica(0).counters().writes_committed, limits::kReplicationWritesMax);
}

// --- Crash recovery ----------------------------------------------------------------------------

TEST(ReplicaTest, RestartedPrimaryRecoversAcknowledgedWritesFromBackups) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  c.Connect(0, 1);
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) {  // more than one sync chunk
    keys.push_back(c.KeyWithPrimary(0, -1, i));
    ASSERT_EQ(c.Call(1, {"SET", keys.back(), "v" + std::to_string(i)}), kOk);
  }
  ASSERT_EQ(c.Call(1, {"DEL", keys[0]}), ":1\r\n");
  c.Advance(5000);
  c.Crash(0);
  c.Connect(0, 2);
  EXPECT_EQ(c.Call(2, {"GET", keys[1]}, 0), "-LOADING Shoal is recovering its data\r\n");
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(2, {"GET", keys[0]}), kNil);
  for (int i = 1; i < 300; ++i) {
    ASSERT_EQ(c.Call(2, {"GET", keys[i]}), Bulk("v" + std::to_string(i))) << i;
  }
  EXPECT_GT(c.replica(0).counters().sync_entries_merged, 299u);
  EXPECT_EQ(c.replica(0).counters().repairs, 0u);  // every backup held everything
  // New writes get versions above the recovered ones.
  const std::uint64_t before = c.replica(0).Inspect(keys[1], c.now())->version;
  ASSERT_EQ(c.Call(2, {"SET", keys[1], "new"}), kOk);
  EXPECT_GT(c.replica(0).Inspect(keys[1], c.now())->version, before);
  c.CheckInvariants();
}

TEST(ReplicaTest, RestartedBackupCatchesUpBeforeItCountsAgain) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  c.Connect(0, 1);
  ASSERT_EQ(c.Call(1, {"SET", key, "a"}), kOk);
  c.Advance(1000);
  c.Crash(replicas[1]);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.replica(replicas[1]).Inspect(key, c.now())->value, "a");
  // Then the other backup and the primary die: the restarted backup's copy is what remains.
  c.Advance(1000);
  c.Crash(replicas[2]);
  c.Crash(0);
  c.Connect(0, 2);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(2, {"GET", key}), Bulk("a"));
}

TEST(ReplicaTest, RecoveredValuesArePushedToBackupsThatLackThem) {
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
  // Deliver only the Replicate to replicas[1].
  for (std::size_t i = 0; i < c.network().size(); ++i) {
    if (c.network()[i].to == replicas[1]) std::swap(c.network()[i], c.network().front());
  }
  ASSERT_TRUE(c.DeliverOne());
  c.network().clear();
  c.Advance(1000);
  c.Crash(0);
  c.Connect(0, 2);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(2, {"GET", key}), Bulk("new"));
  EXPECT_EQ(c.replica(0).counters().repairs, 1u);
  EXPECT_EQ(c.replica(replicas[2]).Inspect(key, c.now())->value, "new");
  c.Crash(replicas[1]);
  c.Advance(1000);
  c.Crash(0);
  c.Connect(0, 3);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(3, {"GET", key}), Bulk("new"));
}

TEST(ReplicaTest, TombstonesPreventResurrection) {
  TestCluster c(3, 3);
  ASSERT_TRUE(c.Settle());
  const std::string key = c.KeyWithPrimary(0);
  const auto replicas = c.placement().Replicas(KeySlot(key));
  c.Connect(0, 1);
  c.Send(1, {"SET", key, "ghost"});
  // Keep a copy of the Replicate of the SET: a late duplicate the network will deliver later.
  ASSERT_FALSE(c.network().empty());
  testing::Envelope late = c.network().front();
  ASSERT_EQ(late.message.kind, MessageKind::kReplicate);
  ASSERT_TRUE(c.Settle());
  ASSERT_EQ(c.TakeReply(1), kOk);
  ASSERT_EQ(c.Call(1, {"DEL", key}), ":1\r\n");

  // A backup restarts; the old Replicate reaches it while it recovers, before any sync reply.
  c.Advance(1000);
  c.Crash(late.to);
  late.message.epoch = c.replica(0).incarnation();
  c.network().push_front(late);
  ASSERT_TRUE(c.DeliverOne());
  EXPECT_EQ(c.replica(late.to).Inspect(key, c.now())->value, "ghost");  // no tombstone yet
  ASSERT_TRUE(c.Settle());
  auto e = c.replica(late.to).Inspect(key, c.now());
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->deleted);  // the primary's tombstone won the merge

  // Everyone else restarts: only what the restarted backup holds remains, and it is a tombstone.
  c.Advance(1000);
  for (NodeId n : replicas) {
    if (n != late.to) c.Crash(n);
  }
  c.Connect(0, 2);
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.Call(2, {"GET", key}), kNil);

  // A duplicate arriving at a live backup after the DEL is ignored by version.
  late.message.epoch = c.replica(0).incarnation();
  const std::uint64_t ignored = c.replica(late.to).counters().replicates_ignored;
  c.network().push_front(late);
  ASSERT_TRUE(c.DeliverOne());
  EXPECT_EQ(c.replica(late.to).counters().replicates_ignored, ignored + 1);
  EXPECT_TRUE(c.replica(late.to).Inspect(key, c.now())->deleted);
}

// Regression (issue 16): the sweep that turns expired entries into tombstones held a btree
// iterator across QueueTombstone, which forgets (erases) the oldest rows once more than
// tombstones_max are queued, so with a small bound it stepped an invalidated iterator (absl's
// generation check aborts in the sanitizer build). The default bound (64 Ki) hid it.
TEST(ReplicaTest, SweepForgetsTombstonesUnderASmallBound) {
  ReplicationKnobs knobs;
  knobs.tombstones_max = 2;
  TestCluster c(3, 3, PlantedBug::kNone, 1, knobs);
  ASSERT_TRUE(c.Settle());
  c.Connect(0, 1);
  std::vector<std::string> keys;
  for (int i = 0; i < 12; ++i) {
    keys.push_back(c.KeyWithPrimary(0, -1, i));
    ASSERT_EQ(c.Call(1, {"SET", keys.back(), "v" + std::to_string(i), "PX", "200"}), kOk);
  }
  c.Advance(1000);
  for (int tick = 0; tick < 40; ++tick) {
    c.TickAll();
    c.CheckInvariants();
  }
  for (NodeId n = 0; n < 3; ++n) {
    EXPECT_EQ(c.replica(n).tombstones(), 2u);
    EXPECT_EQ(c.replica(n).counters().tombstones_forgotten, 10u);
    std::size_t kept = 0;
    for (const std::string& key : keys) {
      if (auto e = c.replica(n).Inspect(key, c.now())) {
        EXPECT_TRUE(e->deleted);
        kept++;
      }
    }
    EXPECT_EQ(kept, 2u);
  }
  EXPECT_EQ(c.Call(1, {"GET", keys.back()}), kNil);
}

// Regression (issue 16): the tombstone queue can hold the same (key, version) twice: a backup
// whose copy was lost (here: refused by a full store) keeps the version as a tombstone, a
// duplicate Replicate of that version revives it, and the sweep queues it again. Forgetting the
// older queue entry used to delete the tombstone just created; only the newest entry may.
TEST(ReplicaTest, ForgettingAnOlderQueueEntryKeepsTheNewestTombstone) {
  ReplicationKnobs knobs;
  knobs.tombstones_max = 3;
  StoreOptions store;
  store.maxmemory_bytes = 256;  // no 1000-byte value fits anywhere
  store.eviction = EvictionKind::kNoEviction;
  TestCluster c(3, 3, PlantedBug::kNone, 1, knobs, store);
  ASSERT_TRUE(c.Settle());
  c.Connect(0, 1);
  const std::string key = c.KeyWithPrimary(0);
  const NodeId backup = c.placement().Replicas(KeySlot(key))[1];
  c.Send(1, {"SET", key, std::string(1000, 'x')});
  std::optional<testing::Envelope> duplicate;
  for (const testing::Envelope& e : c.network()) {
    if (e.to == backup && e.message.kind == MessageKind::kReplicate) duplicate = e;
  }
  ASSERT_TRUE(duplicate.has_value());
  ASSERT_TRUE(c.Settle());
  EXPECT_EQ(c.TakeReply(1).substr(0, 4), "-OOM");  // committed on the backups, unknown outcome
  auto sweep = [&] {
    for (int tick = 0; tick < 8; ++tick) c.TickAll();
  };
  sweep();  // the version without a value becomes a tombstone on every replica
  ASSERT_TRUE(c.replica(backup).Inspect(key, c.now())->deleted);
  ASSERT_EQ(c.replica(backup).tombstones(), 1u);

  const std::uint64_t applied = c.replica(backup).counters().replicates_applied;
  c.network().push_front(*duplicate);
  ASSERT_TRUE(c.DeliverOne());
  EXPECT_EQ(c.replica(backup).counters().replicates_applied, applied + 1);  // revived
  sweep();  // ... and swept again: (key, version) is queued twice
  ASSERT_EQ(c.replica(backup).tombstones(), 2u);

  // Two more tombstones push the older queue entry of `key` out.
  ASSERT_EQ(c.Call(1, {"DEL", c.KeyWithPrimary(0, -1, 1)}), ":0\r\n");
  ASSERT_EQ(c.Call(1, {"DEL", c.KeyWithPrimary(0, -1, 2)}), ":0\r\n");
  ASSERT_TRUE(c.Settle());
  c.CheckInvariants();
  EXPECT_EQ(c.replica(backup).tombstones(), 3u);
  EXPECT_EQ(c.replica(backup).counters().tombstones_forgotten, 0u);
  const auto e = c.replica(backup).Inspect(key, c.now());
  ASSERT_TRUE(e.has_value());  // used to be forgotten along with the older queue entry
  EXPECT_TRUE(e->deleted);
}

TEST(ReplicaTest, BackupRestartDuringAWriteIsReplicatedAgain) {
  // The backup acks, then restarts before the write commits (another backup is slow): its ack
  // died with it, so the primary must re-send to the new incarnation before acknowledging.
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
  for (NodeId n : replicas) EXPECT_EQ(c.replica(n).Inspect(key, c.now())->value, "v") << n;
}

// Model-based: one client runs random GET/SET/DEL on a few keys while messages are lost,
// duplicated and reordered and one node at a time crashes and recovers. With R = 3 of 4 nodes,
// a single crash never loses an acknowledged write, so every GET must equal the model.
RC_GTEST_PROP(ReplicaProperty, MatchesASequentialModelUnderFaultsAndSingleCrashes, ()) {
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
    const int what = *rc::gen::inRange(0, 10);
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
    std::optional<std::string> expect;
    if (what <= 4) {
      argv = {"GET", key};
      expect = model.contains(key) ? Bulk(model[key]) : std::string(kNil);
    } else if (what <= 8) {
      const std::string value = "v" + std::to_string(i);
      argv = {"SET", key, value};
      expect = std::string(kOk);
      model[key] = value;
    } else {
      argv = {"DEL", key};
      expect = model.contains(key) ? ":1\r\n" : ":0\r\n";
      model.erase(key);
    }
    // Wait while the primary recovers (it would answer LOADING, a clean failure).
    RC_ASSERT(c.RunUntil([&] { return c.replica(primary).serving(); }));
    const std::string reply = c.Call(client, argv);
    RC_ASSERT(reply == *expect);
    c.CheckInvariants();
  }
  c.faults() = {};
  RC_ASSERT(c.Settle());
  // Every replica of every key holds the model's state.
  for (const std::string& key : keys) {
    for (NodeId n : c.placement().Replicas(KeySlot(key))) {
      auto e = c.replica(n).Inspect(key, c.now());
      if (model.contains(key)) {
        RC_ASSERT(e.has_value());
        RC_ASSERT(!e->deleted);
        RC_ASSERT(e->value == model[key]);
      } else {
        RC_ASSERT(!e.has_value() || e->deleted);
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
    c.Connect(0, 1);
    ASSERT_EQ(c.Call(1, {"SET", key, "v", "PX", "500"}), kOk);
    c.Advance(1000);
    EXPECT_EQ(c.Call(1, {"GET", key}),
              bug == PlantedBug::kIgnoreTtl ? Bulk("v") : std::string(kNil))
        << PlantedBugName(bug);
  }
}

TEST(PlantedBugScenario, AcceptOldEpochRecoversFromAStaleSnapshot) {
  for (PlantedBug bug : {PlantedBug::kNone, PlantedBug::kAcceptOldEpoch}) {
    TestCluster c(2, 2, bug);
    ASSERT_TRUE(c.Settle());
    const std::string key = c.KeyWithPrimary(0);
    // The primary restarts; the backup's (empty) sync reply is duplicated and delayed.
    c.Advance(1000);
    c.Crash(0);
    c.Connect(0, 1);
    std::optional<testing::Envelope> stale;
    ASSERT_TRUE(c.RunUntil([&] {
      for (const auto& e : c.network()) {
        if (e.message.kind == MessageKind::kSyncReply && e.to == 0 && !stale) stale = e;
      }
      return c.replica(0).serving() && c.network().empty();
    }));
    ASSERT_TRUE(stale.has_value());
    ASSERT_EQ(c.Call(1, {"SET", key, "acked"}), kOk);
    // Restart again; the stale reply arrives before the fresh one.
    c.Advance(1000);
    c.Crash(0);
    c.Connect(0, 2);
    c.TickAll();  // the new incarnation asks
    c.network().push_front(*stale);
    ASSERT_TRUE(c.Settle());
    EXPECT_EQ(c.Call(2, {"GET", key}),
              bug == PlantedBug::kAcceptOldEpoch ? std::string(kNil) : Bulk("acked"))
        << PlantedBugName(bug);
  }
}

}  // namespace
}  // namespace shoal::cluster
