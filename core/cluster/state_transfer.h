// StateTransfer: how a node recovers its slots' data when it starts (every start is a recovery:
// a restarted node has lost its memory and cannot know it), and how it answers peers that do.
//
//   Syncing    The node pulls, from every peer it shares slots with, that peer's entries of their
//              shared slots, in chunks (SyncRequest / SyncReply, re-sent on Tick until
//              answered): store items by hash position (expired ones as tombstones), then the
//              peer's tombstones (only a recovering peer has any), then its flush watermarks.
//              Entries merge through KeyVersions (newest version wins), which keeps tombstones
//              while tracking, so a stale entry from a slower peer cannot bring back what a newer
//              one removed. Streams from primaries are applied meanwhile (their writes reach us
//              directly). Every node answers a SyncRequest with what it holds, even while it
//              recovers itself, so two recovering nodes never wait for each other.
//   Repairing  For the slots it is primary of, the node pushes everything it recovered (items,
//              tombstones, watermarks) to their backups through the replication streams and
//              waits until each is acknowledged, so that whatever it then serves is on every
//              replica (the design's rule: anything a primary serves is on every copy).
//   Serving    Tombstones are dropped; the node serves its slots.
// A reply is used only by the incarnation that asked (SyncReply::to_incarnation) and only for the
// chunk asked for. A peer that restarts while we pull from it is asked again from the start.
//
// Thread safety: none; owned by one ClusterNode.
// Invariants: in kSyncing, every wanted peer has done or a request outstanding (re-sent on
// Tick); phase kServing implies repairs_in_flight() == 0 and versions not tracking.
#pragma once

#include <cstdint>
#include <vector>

#include "core/cluster/messages.h"
#include "core/cluster/node_state.h"
#include "core/cluster/slot_replication.h"
#include "core/effects.h"
#include "core/time.h"

namespace shoal::cluster {

class StateTransfer {
 public:
  enum class Phase : std::uint8_t { kStarting, kSyncing, kRepairing, kServing };

  StateTransfer(NodeState& state, SlotReplication& replication);

  Phase phase() const { return phase_; }
  bool serving() const { return phase_ == Phase::kServing; }

  // Begins a recovery (again): the caller has set a fresh incarnation.
  void Start(NodeTime now, Effects& effects);
  void OnSyncRequest(NodeTime now, const Envelope& envelope, const SyncRequest& request,
                     Effects& effects);
  void OnSyncReply(NodeTime now, const Envelope& envelope, const SyncReply& reply,
                   Effects& effects);
  // `peer` restarted: while syncing, its earlier answers may be void; ask it again from the start.
  void OnPeerRestarted(NodeTime now, NodeId peer, Effects& effects);
  // Re-sends unanswered requests; moves the repair along (also called after every step).
  void Tick(NodeTime now, Effects& effects);
  void Progress(NodeTime now, Effects& effects);

  void CheckInvariants() const;

 private:
  struct PeerSync {
    bool wanted = false;  // shares a slot with us
    bool done = false;
    std::uint64_t chunk = 0;  // the chunk we asked for last
    SyncCursor cursor;        // where that chunk starts
    TimeMs sent_mono = 0;
    std::uint32_t resends = 0;  // of this chunk; the interval doubles with each
  };

  // Asks `peer` for the chunk at p.cursor: a new chunk number, or (`again`) the same one.
  void SendRequest(NodeTime now, NodeId peer, bool again, Effects& effects);
  void FinishSync(NodeTime now, Effects& effects);
  // Adds to `out` the next entries of slots accepted by `want`, from `cursor`, within the reply
  // budgets and about `entries_max` entries (a store position is never split, so a few more may
  // come); returns the cursor after them (phase kSyncPhases: nothing left).
  template <class Want>
  SyncCursor Collect(NodeTime now, SyncCursor cursor, std::size_t entries_max, Want&& want,
                     std::vector<Mutation>& out);

  NodeState& state_;
  SlotReplication& replication_;
  Phase phase_ = Phase::kStarting;
  std::vector<PeerSync> peers_;
  std::uint64_t next_chunk_ = 0;  // chunk numbers keep growing across restarts of the transfer
  SyncCursor repair_cursor_;
};

}  // namespace shoal::cluster
