// SlotReplication: primary-backup replication of the slots' writes, pipelined and batched
// (architecture.md §4). Commit on every replica of the slot: static membership, so a backup that
// does not answer stalls its slots' writes until it does (in-sync sets are cluster core part 2).
//
// Primary side. A write command executes at once on the primary's store (later commands, from
// any client, see it, so one key can have many writes in flight, in order); its mutation gets a
// WriteId and is appended to the stream of every backup of its slot. It COMMITS when every
// backup acknowledged it. Node holds every reply that depends on an uncommitted write (the
// writer's, and that of any command that touched a key while a write to it was in flight) until
// Committed(id), in each connection's order: hold replies, not execution. PendingFor(key) says
// which write a command on `key` must wait for; a read therefore never returns an uncommitted
// value to anyone (it is answered once that value is committed: linearizable, the read takes
// effect at the commit of the last write it saw).
//
// Streams. One per (primary, backup) and pair of incarnations, positions 1, 2, ... in the order
// the primary executed its writes. The backup applies position p only after p - 1 (a gap waits
// for a re-send) and acknowledges cumulatively, so a late or duplicated message can never carry
// an older state past a newer one. At most knobs.stream_window messages are in flight per
// stream; meanwhile new mutations queue and leave together (batching under load, bounded by
// knobs.batch_*). Unacknowledged positions are re-sent from the first one (go-back-N) after
// limits::kReplicationRetryMs of monotonic time, the interval doubling up to
// kReplicationRetryMaxMs. A primary sends nothing to a backup until it knows the backup's
// incarnation (every node introduces itself with its first SyncRequest). When a backup restarts,
// its acknowledgements died with it: every write in flight that needs it is appended again to a
// new stream addressed to the new life.
//
// Backup side. Mutations are applied through KeyVersions (newer version wins per key) while
// recovering too, so an acknowledgement is a promise a later state-transfer merge cannot undo.
// The acknowledgement leaves at the next Flush, riding on a Replicate to the same peer when this
// node has one to send (each node is primary of some slots and backup of others, so under load
// most acknowledgements cost no message of their own).
//
// Thread safety: none; owned by one ClusterNode.
// Invariants (CheckInvariants):
//   1. Every write in flight has needed == its slot's backups, acked ⊆ needed, acked != needed;
//      it is queued exactly once in the stream of every backup in needed & ~acked, and in no
//      other.
//   2. Stream positions in a queue are consecutive from acked + 1; sent <= next_seq - 1;
//      in_flight_ends.size() <= knobs.stream_window, ascending, each in (acked, sent].
//   3. client_writes() <= knobs.replication_writes_max; per slot <= knobs.slot_writes_max;
//      repairs_in_flight() <= knobs.repairs_in_flight_max + limits::kScanOvershootMax.
//   4. pending_keys_ maps each key of a write in flight to the latest such write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "core/cluster/messages.h"
#include "core/cluster/node_state.h"
#include "core/effects.h"
#include "core/session.h"
#include "core/time.h"

namespace shoal::cluster {

using WriteId = std::uint64_t;  // 0: none

class SlotReplication {
 public:
  explicit SlotReplication(NodeState& state);

  // --- Primary -------------------------------------------------------------------------------
  // Whether one more client write to `slot` fits the bounds (else -TRYAGAIN before executing).
  // Repairs and flushes are not client writes.
  bool CanAccept(std::uint16_t slot) const;
  // Replicates a mutation this node executed (or, for `repair`, an entry it recovered). Returns
  // its id; with no backups it is committed at once.
  WriteId Submit(Mutation mutation, bool repair);
  // The latest write in flight that touches `key` of `slot` (0: none).
  WriteId PendingFor(std::uint16_t slot, std::string_view key) const;
  bool Committed(WriteId id) const { return id < next_id_ && !in_flight_.contains(id); }
  // Wakes `client` (see TakeWoken) when `id` commits. REQUIRES: !Committed(id).
  void AddWaiter(WriteId id, ClientId client);
  // Clients whose held replies may have become releasable since the last call.
  std::vector<ClientId>& woken() { return woken_; }
  std::size_t client_writes() const { return client_writes_; }
  // FLUSHALL's per-slot flushes in flight (not bounded per slot; one FLUSHALL at a time).
  std::size_t flushes_in_flight() const { return flushes_; }
  std::size_t repairs_in_flight() const { return repairs_; }
  std::size_t writes_in_flight() const { return in_flight_.size(); }

  // --- Streams -------------------------------------------------------------------------------
  void OnReplicate(TimeMs wall, const Envelope& envelope, const Replicate& replicate,
                   Effects& effects);
  void OnAck(const Envelope& envelope, const ReplicateAck& ack);
  // `peer`'s current incarnation became `incarnation` (first heard of, or restarted).
  void OnPeerIncarnation(NodeId peer, Incarnation incarnation, bool restarted);
  // Sends what the stream windows allow, and the acknowledgements due. Called by the driver after
  // a batch of inputs (Node::Flush) and at every tick.
  void Flush(TimeMs mono, Effects& effects);
  // Sends only the acknowledgements due: a node about to take a new incarnation that keeps its
  // store still holds what it applied, so its old streams may count it.
  void FlushAcks(Effects& effects);
  // Rewinds streams whose oldest unacknowledged position waited too long.
  void Tick(TimeMs mono);
  // A new incarnation of this node (its recovery starts over): every stream and write in flight
  // is dropped; their clients never hear back (their operations end unknown, as after a crash).
  void Reset();

  void CheckInvariants() const;

 private:
  struct InFlight {
    Mutation mutation;
    NodeMask needed = 0;
    NodeMask acked = 0;
    std::vector<ClientId> waiters;
    bool repair = false;
  };
  struct OutStream {
    Incarnation to = 0;  // the backup's life; 0: not known yet (nothing is sent)
    std::uint64_t next_seq = 1;
    std::uint64_t acked = 0;
    std::uint64_t sent = 0;
    std::deque<std::pair<std::uint64_t, WriteId>> queue;  // positions > acked, ascending
    std::deque<std::uint64_t> in_flight_ends;             // last position of each message
    TimeMs last_sent_mono = 0;
    std::uint32_t resends = 0;
  };
  struct InStream {
    Incarnation from = 0;  // the primary's life the positions belong to
    std::uint64_t applied = 0;
  };

  void Append(NodeId backup, WriteId id);
  // The acknowledgement due to `peer` (as its backup), if any; clears it.
  std::optional<ReplicateAck> TakeAck(NodeId peer);
  void Commit(WriteId id);
  void SendBatch(NodeId backup, OutStream& out, TimeMs mono, Effects& effects);

  NodeState& state_;
  absl::btree_map<WriteId, InFlight> in_flight_;            // ascending: the order writes executed
  absl::flat_hash_map<std::string, WriteId> pending_keys_;  // lookups only
  absl::flat_hash_map<std::uint16_t, WriteId> pending_flush_;  // lookups only
  std::vector<std::uint32_t> slot_writes_;                     // client writes in flight per slot
  std::vector<OutStream> out_;                                 // per node (as primary)
  std::vector<InStream> in_;                                   // per node (as backup)
  std::vector<bool> ack_due_;  // per node (as backup): an acknowledgement to send
  std::vector<ClientId> woken_;
  WriteId next_id_ = 1;
  std::size_t client_writes_ = 0;
  std::size_t repairs_ = 0;
  std::size_t flushes_ = 0;
};

}  // namespace shoal::cluster
