#include "core/cluster/state_transfer.h"

#include <algorithm>
#include <string>

#include "core/limits.h"
#include "core/result.h"
#include "core/slot.h"

namespace shoal::cluster {

StateTransfer::StateTransfer(NodeState& state, SlotReplication& replication)
    : state_(state), replication_(replication), peers_(state.node_count()) {}

void StateTransfer::Start(NodeTime now, Effects& effects) {
  phase_ = Phase::kSyncing;
  state_.versions.Track(true);
  repair_cursor_ = SyncCursor{};
  bool any = false;
  for (NodeId peer = 0; peer < peers_.size(); ++peer) {
    PeerSync& p = peers_[peer];
    p = PeerSync{};
    p.wanted = peer != state_.self && state_.placement->ShareSlots(state_.self, peer);
    if (!p.wanted) continue;
    any = true;
    SendRequest(now, peer, /*again=*/false, effects);
  }
  if (!any) FinishSync(now, effects);
}

void StateTransfer::SendRequest(NodeTime now, NodeId peer, bool again, Effects& effects) {
  PeerSync& p = peers_[peer];
  if (again) {
    p.resends++;
  } else {
    p.chunk = next_chunk_++;
    p.resends = 0;
  }
  p.sent_mono = now.mono;
  state_.Send(effects, peer, SyncRequest{.chunk = p.chunk, .cursor = p.cursor});
}

template <class Want>
SyncCursor StateTransfer::Collect(NodeTime now, SyncCursor cursor, std::size_t entries_max,
                                  Want&& want, std::vector<Mutation>& out) {
  const ReplicationKnobs& k = state_.knobs();
  std::size_t bytes = 0;
  auto full = [&] {
    return out.size() >= entries_max || (!out.empty() && bytes >= k.sync_reply_bytes_max);
  };
  if (cursor.phase == 0) {
    const std::uint64_t next =
        state_.store.Scan(cursor.position, k.sync_scan_per_reply_max, [&](const StoreEntry& e) {
          const std::uint16_t slot = KeySlot(e.key);
          if (e.version == 0 || !want(slot)) return true;
          Mutation m{.slot = slot, .version = e.version};
          KeyState s{.key = std::string(e.key)};
          if (e.expire_at != kNoExpiry && e.expire_at <= now.wall) {
            s.deleted = true;  // expired here: its version still rules out older copies
          } else {
            s.value = std::string(e.value);
            s.expire_at = e.expire_at;
          }
          bytes += s.key.size() + s.value.size();
          m.keys.push_back(std::move(s));
          out.push_back(std::move(m));
          return !full();
        });
    return next == Store::kScanDone ? SyncCursor{.phase = 1, .position = 0}
                                    : SyncCursor{.phase = 0, .position = next};
  }
  if (cursor.phase == 1) {
    KeyVersions::TombstoneView t;
    std::uint64_t from = cursor.position;
    std::size_t scanned = 0;
    while (!full() && scanned < k.sync_scan_per_reply_max &&
           state_.versions.NextTombstone(from, t)) {
      scanned++;
      from = t.seq + 1;
      if (!want(t.slot)) continue;
      bytes += t.key.size();
      out.push_back(Mutation{.slot = t.slot,
                             .version = t.version,
                             .keys = {KeyState{.key = std::string(t.key), .deleted = true}}});
    }
    if (!state_.versions.NextTombstone(from, t)) return SyncCursor{.phase = 2, .position = 0};
    return SyncCursor{.phase = 1, .position = from};
  }
  SHOAL_ASSERT(cursor.phase == 2);
  std::uint32_t slot =
      static_cast<std::uint32_t>(std::min<std::uint64_t>(cursor.position, limits::kSlotCount));
  while (!full()) {
    slot = state_.versions.NextWatermarkSlot(slot);
    if (slot >= limits::kSlotCount) break;
    const auto s16 = static_cast<std::uint16_t>(slot);
    if (want(s16)) {
      out.push_back(
          Mutation{.slot = s16, .version = state_.versions.Watermark(s16), .flush = true});
    }
    ++slot;
  }
  if (state_.versions.NextWatermarkSlot(slot) >= limits::kSlotCount) {
    return SyncCursor{.phase = kSyncPhases, .position = 0};
  }
  return SyncCursor{.phase = 2, .position = slot};
}

void StateTransfer::OnSyncRequest(NodeTime now, const Envelope& envelope,
                                  const SyncRequest& request, Effects& effects) {
  state_.counters.sync_requests_served++;
  if (request.chunk > 0) state_.counters.probes.Hit(Probe::kTransferChunked);
  const NodeId from = envelope.from;
  const Placement& placement = *state_.placement;
  SyncReply reply{.to_incarnation = envelope.incarnation, .chunk = request.chunk};
  const SyncCursor next = Collect(
      now, request.cursor, state_.knobs().sync_entries_per_reply_max,
      [&](std::uint16_t slot) {
        return placement.IsReplica(slot, from) && placement.IsReplica(slot, state_.self);
      },
      reply.entries);
  reply.done = next.phase >= kSyncPhases;
  reply.next = reply.done ? SyncCursor{} : next;
  state_.Send(effects, from, std::move(reply));
}

void StateTransfer::OnSyncReply(NodeTime now, const Envelope& envelope, const SyncReply& reply,
                                Effects& effects) {
  if (phase_ != Phase::kSyncing) return;
  // PLANTED BUG kAcceptOldIncarnation: a reply to an earlier incarnation's request is used as if
  // it answered ours (its snapshot may predate writes that were acknowledged since).
  if (reply.to_incarnation != state_.incarnation &&
      !state_.bug(PlantedBug::kAcceptOldIncarnation)) {
    state_.counters.stale_messages++;
    return;
  }
  const NodeId from = envelope.from;
  PeerSync& p = peers_[from];
  if (!p.wanted || p.done) return;
  if (reply.chunk != p.chunk && !state_.bug(PlantedBug::kAcceptOldIncarnation)) return;
  const Placement& placement = *state_.placement;
  ApplyStats stats;
  for (const Mutation& m : reply.entries) {
    if (!placement.IsReplica(m.slot, state_.self) || !placement.IsReplica(m.slot, from)) continue;
    // A backup takes a slot's state from its primary only: the primary holds every write, and
    // what it deleted it no longer has, while another backup may still hold an older copy whose
    // delete was committed with an acknowledgement from our previous life (brutal seed 1659). A
    // restarting primary takes its slots from every backup.
    const NodeId primary = placement.Primary(m.slot);
    if (primary != state_.self && primary != from) continue;
    if (state_.versions.Apply(m, now.wall, stats)) state_.counters.sync_entries_merged++;
    state_.max_version_seen = std::max(state_.max_version_seen, m.version);
  }
  state_.counters.keys_lost += stats.keys_lost;
  if (reply.done) {
    p.done = true;
  } else {
    p.cursor = reply.next;
    SendRequest(now, from, /*again=*/false, effects);
  }
  for (const PeerSync& q : peers_) {
    if (q.wanted && !q.done) return;
  }
  FinishSync(now, effects);
}

void StateTransfer::OnPeerRestarted(NodeTime now, NodeId peer, Effects& effects) {
  if (phase_ != Phase::kSyncing) return;
  PeerSync& p = peers_[peer];
  if (!p.wanted) return;
  state_.counters.probes.Hit(Probe::kTransferResumedAfterCrash);
  p.done = false;
  p.cursor = SyncCursor{};
  SendRequest(now, peer, /*again=*/false, effects);
}

void StateTransfer::FinishSync(NodeTime now, Effects& effects) {
  phase_ = Phase::kRepairing;
  repair_cursor_ = SyncCursor{};
  Progress(now, effects);
}

void StateTransfer::Progress(NodeTime now, Effects& effects) {
  if (phase_ != Phase::kRepairing) return;
  const ReplicationKnobs& k = state_.knobs();
  const Placement& placement = *state_.placement;
  // A few chunks per call: scanning past slots we are not primary of costs time too.
  for (int chunks = 0; chunks < 4 && repair_cursor_.phase < kSyncPhases &&
                       replication_.repairs_in_flight() < k.repairs_in_flight_max;
       ++chunks) {
    std::vector<Mutation> batch;
    const std::size_t room = k.repairs_in_flight_max - replication_.repairs_in_flight();
    repair_cursor_ = Collect(
        now, repair_cursor_, std::min(room, k.sync_entries_per_reply_max),
        [&](std::uint16_t slot) { return placement.Primary(slot) == state_.self; }, batch);
    for (Mutation& m : batch) {
      state_.counters.repairs++;
      state_.counters.probes.Hit(Probe::kRepairPushed);
      replication_.Submit(std::move(m), /*repair=*/true);
    }
  }
  if (repair_cursor_.phase < kSyncPhases || replication_.repairs_in_flight() > 0) return;
  phase_ = Phase::kServing;
  state_.versions.Track(false);
  state_.counters.recoveries++;
  effects.logs.push_back("cluster: node " + std::to_string(state_.self) + " incarnation " +
                         std::to_string(state_.incarnation) + " recovered " +
                         std::to_string(state_.store.size()) + " keys; serving");
}

void StateTransfer::Tick(NodeTime now, Effects& effects) {
  if (phase_ == Phase::kSyncing) {
    for (NodeId peer = 0; peer < peers_.size(); ++peer) {
      const PeerSync& p = peers_[peer];
      const TimeMs interval =
          std::min<TimeMs>(limits::kReplicationRetryMs << std::min<std::uint32_t>(p.resends, 16),
                           limits::kReplicationRetryMaxMs);
      if (p.wanted && !p.done && now.mono - p.sent_mono >= interval) {
        SendRequest(now, peer, /*again=*/true, effects);
      }
    }
  }
  Progress(now, effects);
}

void StateTransfer::CheckInvariants() const {
  if (phase_ == Phase::kServing) {
    SHOAL_ASSERT(replication_.repairs_in_flight() == 0);
    SHOAL_ASSERT(!state_.versions.tracking());
  }
  if (phase_ == Phase::kSyncing || phase_ == Phase::kRepairing) {
    SHOAL_ASSERT(state_.versions.tracking());
  }
  for (NodeId peer = 0; peer < peers_.size(); ++peer) {
    const PeerSync& p = peers_[peer];
    SHOAL_ASSERT(!p.wanted || peer != state_.self);
    SHOAL_ASSERT(p.chunk < next_chunk_ || !p.wanted);
  }
}

}  // namespace shoal::cluster
