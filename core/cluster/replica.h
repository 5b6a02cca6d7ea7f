// Replica: the replicated mode of a Node (config.cluster.node_count > 1). It owns the protocol
// state (per-key versions, tombstones, writes in flight, recovery) and uses the Node's Store for
// values, so everything that inspects the store (INFO, DBSIZE, the simulator's copy tracking)
// sees the real data. Node forwards client commands, disconnects, peer messages and Ticks here.
//
// Protocol (static membership, fixed primary per slot, no failover; docs/parts/replication.md):
//   Placement   key -> KeySlot -> preference list of R nodes (core/cluster/placement.h); the first
//               is the primary. Other nodes answer -MOVED <slot> <address>.
//   Writes      SET key value [EX|PX|EXAT|PXAT t] [NX|XX] [KEEPTTL] and DEL key, at the primary
//               only. Writes to one key are serialized: at most one in flight per key, later
//               ones wait in that key's queue. A write gets a fresh version (above every version
//               this node has seen, and above incarnation << kVersionSeqBits, so a restarted
//               primary never reuses one), is sent as Replicate to every backup, and COMMITS when
//               every backup acknowledged it: only then is it applied to the primary's store and
//               the client answered. Unacknowledged Replicates are re-sent every
//               limits::kReplicationRetryMs. Backups apply a Replicate only if its version is
//               newer than theirs (so duplicates and reordering are harmless) and always ack.
//   Reads       GET at the primary, from its store: exactly the committed writes.
//   Clients     A client with a write in flight is blocked: its next commands wait, unexecuted,
//               and run in order when the write finishes (Redis per-connection ordering; this is
//               how Node invariant 1 holds with deferred replies).
//   Recovery    Every start is a recovery (a restarted node cannot know it lost its memory). The
//               node picks incarnation = its clock (bumped if a peer saw a larger one), answers
//               -LOADING to data commands, and pulls, in chunks, every peer's entries of their
//               shared slots (SyncRequest/SyncReply, re-sent on Tick), merging by version
//               (tombstones included). Every node answers a SyncRequest with what it holds, even
//               while recovering itself, so no two recovering nodes wait for each other. Then,
//               for the slots it is primary of, it pushes every merged entry to the backups that
//               did not report holding that version (repair) and waits for their acks, so that
//               any value it serves is on every replica. Then it serves.
//   Incarnations  Messages carry the sender's incarnation; messages from an older incarnation of
//               the sender are ignored; a SyncReply is used only by the incarnation that asked;
//               when a peer's incarnation grows, its acks on writes in flight are forgotten (it
//               lost them) and the writes are re-sent to it.
//
// Thread safety: none; owned by one Node.
// Invariants (CheckInvariants verifies them):
//   1. At most one write per key is in flight; a key has a waiting queue only while one is.
//   2. Each write in flight has acked ⊆ needed, needed ⊆ its slot's backups, and acked != needed.
//   3. writes_held() == client writes in flight + writes waiting behind a key <=
//      limits::kReplicationWritesMax; repairs in flight <= limits::kRepairsInFlightMax.
//   4. Every tombstone queued refers to a metadata entry or to one already forgotten; a deleted
//      row's tombstone_seq names its newest queue entry; tombstones queued <= knobs.tombstones_max.
//   5. A client is blocked only while one of its writes is waiting or in flight.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "core/cluster/message.h"
#include "core/cluster/placement.h"
#include "core/node.h"

namespace shoal::cluster {

// Low bits of a version are a per-incarnation sequence; the high bits start at the incarnation.
inline constexpr int kVersionSeqBits = 20;

struct ReplicaCounters {
  std::uint64_t writes_committed = 0;    // client writes acknowledged by every backup
  std::uint64_t writes_rejected = 0;     // -TRYAGAIN: too many writes held
  std::uint64_t replicates_sent = 0;     // including re-sends
  std::uint64_t replicates_applied = 0;  // as a backup (newer version)
  std::uint64_t replicates_ignored = 0;  // as a backup (not newer: duplicate or reordered)
  std::uint64_t stale_messages = 0;      // from an older incarnation of the sender
  std::uint64_t sync_requests_served = 0;
  std::uint64_t sync_entries_merged = 0;  // entries that won a merge during recovery
  std::uint64_t repairs = 0;              // entries pushed to backups at the end of a recovery
  std::uint64_t recoveries = 0;           // completed recoveries (1 after a normal start)
  std::uint64_t moved = 0;                // -MOVED replies
  std::uint64_t loading = 0;              // -LOADING replies
  std::uint64_t tombstones_forgotten = 0;
};

// Implementation types of Replica (namespace-level so that they are complete where used).
namespace replica_internal {

struct MetaKey {
  std::uint16_t slot = 0;
  std::string key;
};
struct MetaKeyView {
  std::uint16_t slot = 0;
  std::string_view key;
};
struct MetaLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    if (a.slot != b.slot) return a.slot < b.slot;
    return std::string_view(a.key) < std::string_view(b.key);
  }
};
struct KeyMeta {
  std::uint64_t version = 0;
  TimeMs expire_at = kNoExpiry;
  bool deleted = false;
  std::uint64_t holders = 0;        // recovery of a primary slot: backups that reported `version`
  std::uint64_t tombstone_seq = 0;  // while deleted: the sequence number of its queue entry
};
using MetaMap = absl::btree_map<MetaKey, KeyMeta, MetaLess>;

enum class WriteKind : std::uint8_t { kSet, kDel };
enum class Condition : std::uint8_t { kNone, kNx, kXx };
// A client write accepted by the primary, before or while it replicates.
struct Write {
  WriteKind kind = WriteKind::kSet;
  Condition condition = Condition::kNone;
  bool keep_ttl = false;
  std::uint16_t slot = 0;
  std::string key;
  std::string value;
  TimeMs expire_at = kNoExpiry;  // absolute, computed from the primary's clock on arrival
  ClientId client = 0;
  std::uint64_t ticket = 0;  // matches the client's ClientState while it waits for us
  bool reply_wanted = true;  // false once answered (kAckBeforeReplicate)
};
struct InFlight {
  Write write;               // for a repair: key and slot only
  Entry entry;               // what is replicated (version inside)
  std::uint64_t needed = 0;  // backups that must ack
  std::uint64_t acked = 0;
  TimeMs sent_at = 0;
  std::uint32_t resends = 0;  // since the last progress; the retry interval doubles with each
  bool repair = false;
};
// One queued tombstone: the row it was queued for, and that queuing's sequence number.
struct Tombstone {
  MetaKey key;
  std::uint64_t version = 0;
  std::uint64_t seq = 0;
};
struct KeyQueue {
  std::uint64_t version = 0;  // the write in flight
  std::deque<Write> waiting;
};
struct ClientState {
  std::uint64_t ticket = 0;                      // nonzero while blocked on a write
  std::deque<std::vector<std::string>> blocked;  // commands received while blocked
};
struct PeerSync {
  bool wanted = false;  // shares a slot with us
  bool done = false;
  std::uint64_t chunk = 0;
  SyncCursor cursor;
  TimeMs sent_at = 0;
};

}  // namespace replica_internal

class Replica {
 public:
  enum class Phase : std::uint8_t {
    kStarting,   // constructed; no input yet (the incarnation comes from the first `now`)
    kSyncing,    // pulling peers' entries
    kRepairing,  // pushing merged entries to backups that lack them
    kServing,
  };

  // REQUIRES: config.cluster.node_count > 1, node_id < node_count, R <= node_count. `store`,
  // `counters` and `sessions` belong to the Node and outlive the Replica.
  Replica(const NodeConfig& config, Store& store, NodeCounters& counters,
          absl::flat_hash_map<ClientId, Session>& sessions);
  ~Replica();
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // A command from a connected, non-closing client. Replies now or in a later Step.
  void OnCommand(TimeMs now, Session& session, std::span<const std::string_view> argv,
                 Effects& effects);
  // Forget the client's blocked commands; its writes already started still complete.
  void OnDisconnected(ClientId client);
  void OnPeerMessage(TimeMs now, NodeId from, const Message& message, Effects& effects);
  void Tick(TimeMs now, Effects& effects);

  Phase phase() const { return phase_; }
  bool serving() const { return phase_ == Phase::kServing; }
  std::uint64_t incarnation() const { return incarnation_; }
  const Placement& placement() const { return *placement_; }
  const ReplicaCounters& counters() const { return counters_; }
  std::size_t writes_held() const { return writes_held_; }
  std::size_t writes_in_flight() const { return in_flight_.size(); }
  std::size_t tombstones() const { return tombstones_.size(); }

  // What this node holds for `key` (tests, tools): version, expiry, tombstone flag and value.
  // nullopt if it has no metadata for the key.
  std::optional<Entry> Inspect(std::string_view key, TimeMs now);

  // Aborts if an invariant above does not hold. O(writes in flight + tombstones): tests only.
  void CheckInvariants() const;

 private:
  using MetaKey = replica_internal::MetaKey;
  using MetaKeyView = replica_internal::MetaKeyView;
  using MetaLess = replica_internal::MetaLess;
  using KeyMeta = replica_internal::KeyMeta;
  using MetaMap = replica_internal::MetaMap;
  using WriteKind = replica_internal::WriteKind;
  using Condition = replica_internal::Condition;
  using Write = replica_internal::Write;
  using InFlight = replica_internal::InFlight;
  using KeyQueue = replica_internal::KeyQueue;
  using ClientState = replica_internal::ClientState;
  using PeerSync = replica_internal::PeerSync;
  using Tombstone = replica_internal::Tombstone;

  void EnsureStarted(TimeMs now, Effects& effects);
  void StartSyncRound(TimeMs now, Effects& effects);
  void SendSyncRequest(TimeMs now, NodeId peer, Effects& effects);
  void FinishSync(TimeMs now, Effects& effects);
  void ContinueRepair(TimeMs now, Effects& effects);

  void Execute(TimeMs now, Session& session, std::span<const std::string_view> argv,
               Effects& effects);
  void ExecutePassthrough(TimeMs now, Session& session, std::span<const std::string_view> argv,
                          Effects& effects);
  void ExecuteGet(TimeMs now, Session& session, std::string_view key, Effects& effects);
  // Parses SET/DEL into `write`; on a syntax error replies and returns false.
  bool ParseWrite(TimeMs now, Session& session, std::span<const std::string_view> argv,
                  Write& write, Effects& effects);
  void SubmitWrite(TimeMs now, Session& session, Write write, Effects& effects);
  // Starts `write` (its key has nothing in flight). Returns true if it is now in flight.
  bool StartWrite(TimeMs now, Write& write, Effects& effects);
  void Commit(TimeMs now, std::uint64_t version, Effects& effects);
  // After the in-flight write on `key` ended: starts the next waiting write, if any.
  void StartNextWaiting(TimeMs now, const std::string& key, Effects& effects);
  void ReplyToWriter(const Write& write, std::string_view resp2_bytes, Effects& effects);
  void DrainClients(TimeMs now, Effects& effects);
  void SendReplicate(NodeId to, const Entry& entry, Effects& effects);
  void SendPending(TimeMs now, InFlight& flight, Effects& effects);

  void OnReplicate(TimeMs now, NodeId from, const Message& message, Effects& effects);
  void OnReplicateAck(TimeMs now, NodeId from, const Message& message, Effects& effects);
  void OnSyncRequest(TimeMs now, NodeId from, const Message& message, Effects& effects);
  void OnSyncReply(TimeMs now, NodeId from, const Message& message, Effects& effects);
  void OnPeerRestarted(TimeMs now, NodeId peer, Effects& effects);

  // Merges a versioned entry of `slot` (newer wins; a live value beats a tombstone of the same
  // version). `holder` is the mask of the peer that sent it (0 if none). Returns true if applied.
  bool Merge(TimeMs now, std::uint16_t slot, const Entry& entry, std::uint64_t holder);
  // Writes an entry's state into the store (kStaleRead defers this for commits).
  void ApplyToStore(TimeMs now, const Entry& entry, bool* ok);
  void SetMeta(TimeMs now, std::uint16_t slot, const Entry& entry, std::uint64_t holders);
  void QueueTombstone(std::uint16_t slot, std::string_view key, std::uint64_t version);
  void SweepMeta(TimeMs now);
  // The entry to send for a metadata row: the stored value if live, else a tombstone.
  Entry EntryFor(TimeMs now, const MetaKey& key, const KeyMeta& meta);
  std::uint64_t NextVersion();
  std::uint64_t BackupsMask(std::uint16_t slot) const;
  TimeMs EffectiveExpiry(TimeMs expire_at) const;
  bool Live(const KeyMeta& meta, TimeMs now) const;
  std::string AddressOf(NodeId node) const;
  bool bug(PlantedBug b) const { return config_.cluster.bug == b; }

  const NodeConfig& config_;
  const ReplicationKnobs& knobs_;
  Store& store_;
  NodeCounters& node_counters_;
  absl::flat_hash_map<ClientId, Session>& sessions_;
  std::shared_ptr<const Placement> placement_;
  NodeId self_ = 0;
  std::uint32_t node_count_ = 0;

  Phase phase_ = Phase::kStarting;
  std::uint64_t incarnation_ = 0;
  std::uint64_t next_version_ = 1;
  std::uint64_t max_version_seen_ = 0;
  std::vector<std::uint64_t> peer_incarnation_;  // largest seen per node (0: none yet)
  std::vector<PeerSync> sync_;                   // per node, while syncing
  std::vector<std::uint16_t> primary_slots_;     // slots this node is primary of, ascending

  MetaMap meta_;
  std::deque<Tombstone> tombstones_;  // oldest first
  std::uint64_t tombstone_seq_ = 0;
  MetaKey sweep_cursor_;
  bool sweep_cursor_set_ = false;

  absl::btree_map<std::uint64_t, InFlight> in_flight_;  // by version (send order)
  absl::flat_hash_map<std::string, KeyQueue> key_queues_;
  std::size_t writes_held_ = 0;
  std::size_t repairs_in_flight_ = 0;
  MetaKey repair_cursor_;
  bool repair_cursor_set_ = false;
  bool repair_scan_done_ = false;

  absl::flat_hash_map<ClientId, ClientState> clients_;
  std::uint64_t next_ticket_ = 1;
  std::vector<ClientId> to_drain_;
  std::vector<Entry> lagging_;  // kStaleRead: committed, not yet in the store

  ReplicaCounters counters_;
};

}  // namespace shoal::cluster
