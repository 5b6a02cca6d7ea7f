#include "core/cluster/slot_replication.h"

#include <algorithm>
#include <optional>

#include "core/limits.h"
#include "core/result.h"

namespace shoal::cluster {
namespace {

std::size_t MutationBytes(const Mutation& m) {
  std::size_t bytes = 0;
  for (const KeyState& k : m.keys) bytes += k.key.size() + k.value.size();
  return bytes;
}

}  // namespace

SlotReplication::SlotReplication(NodeState& state) : state_(state) { Reset(); }

void SlotReplication::Reset() {
  in_flight_.clear();
  pending_keys_.clear();
  pending_flush_.clear();
  slot_writes_.assign(limits::kSlotCount, 0);
  out_.assign(state_.node_count(), OutStream{});
  in_.assign(state_.node_count(), InStream{});
  ack_due_.assign(state_.node_count(), false);
  woken_.clear();
  client_writes_ = 0;
  repairs_ = 0;
  flushes_ = 0;
  // Ids keep growing across resets, so a reply waiting on an old id never matches a new write.
}

// --- Primary ---------------------------------------------------------------------------------

bool SlotReplication::CanAccept(std::uint16_t slot) const {
  const ReplicationKnobs& k = state_.knobs();
  return client_writes_ < k.replication_writes_max && slot_writes_[slot] < k.slot_writes_max;
}

WriteId SlotReplication::Submit(Mutation mutation, bool repair) {
  const WriteId id = next_id_++;
  const NodeMask needed = state_.BackupsOf(mutation.slot);
  if (needed == 0) {
    if (!repair) state_.counters.writes_committed++;
    return id;  // R == 1: committed at once
  }
  InFlight& flight = in_flight_[id];
  flight.needed = needed;
  flight.repair = repair;
  if (repair) {
    repairs_++;
  } else if (mutation.flush) {
    flushes_++;
  } else {
    client_writes_++;
    slot_writes_[mutation.slot]++;
  }
  if (mutation.flush) {
    pending_flush_[mutation.slot] = id;
  } else {
    for (const KeyState& k : mutation.keys) pending_keys_[k.key] = id;
  }
  flight.mutation = std::move(mutation);
  for (NodeMask rest = needed; rest != 0; rest &= rest - 1) {
    Append(static_cast<NodeId>(__builtin_ctzll(rest)), id);
  }
  return id;
}

WriteId SlotReplication::PendingFor(std::uint16_t slot, std::string_view key) const {
  WriteId id = 0;
  if (!pending_keys_.empty()) {
    auto it = pending_keys_.find(AbslView(key));
    if (it != pending_keys_.end()) id = it->second;
  }
  if (!pending_flush_.empty()) {
    auto it = pending_flush_.find(slot);
    if (it != pending_flush_.end()) id = std::max(id, it->second);
  }
  return id;
}

void SlotReplication::AddWaiter(WriteId id, ClientId client) {
  auto it = in_flight_.find(id);
  SHOAL_ASSERT_MSG(it != in_flight_.end(), "waiting on a committed write");
  std::vector<ClientId>& waiters = it->second.waiters;
  if (waiters.empty() || waiters.back() != client) waiters.push_back(client);
}

void SlotReplication::Append(NodeId backup, WriteId id) {
  OutStream& out = out_[backup];
  out.queue.emplace_back(out.next_seq++, id);
}

void SlotReplication::Commit(WriteId id) {
  auto it = in_flight_.find(id);
  SHOAL_ASSERT(it != in_flight_.end());
  InFlight flight = std::move(it->second);
  in_flight_.erase(it);
  const Mutation& m = flight.mutation;
  if (m.flush) {
    auto f = pending_flush_.find(m.slot);
    if (f != pending_flush_.end() && f->second == id) pending_flush_.erase(f);
  } else {
    for (const KeyState& k : m.keys) {
      auto p = pending_keys_.find(k.key);
      if (p != pending_keys_.end() && p->second == id) pending_keys_.erase(p);
    }
  }
  if (flight.repair) {
    SHOAL_ASSERT(repairs_ > 0);
    repairs_--;
  } else if (m.flush) {
    SHOAL_ASSERT(flushes_ > 0);
    flushes_--;
  } else {
    SHOAL_ASSERT(client_writes_ > 0 && slot_writes_[m.slot] > 0);
    client_writes_--;
    slot_writes_[m.slot]--;
    state_.counters.writes_committed++;
  }
  woken_.insert(woken_.end(), flight.waiters.begin(), flight.waiters.end());
}

// --- Streams ---------------------------------------------------------------------------------

void SlotReplication::OnPeerIncarnation(NodeId peer, Incarnation incarnation, bool restarted) {
  OutStream& out = out_[peer];
  if (!restarted && out.to == 0) {
    out.to = incarnation;  // what was queued meanwhile can now be sent
    return;
  }
  // A new life: what the old one acknowledged is gone. Queue every write that needs it again, on
  // a new stream from position 1, in the order they executed.
  out = OutStream{};
  out.to = incarnation;
  for (auto& [id, flight] : in_flight_) {
    if ((flight.needed & Bit(peer)) == 0) continue;
    flight.acked &= ~Bit(peer);
    Append(peer, id);
  }
  in_[peer] = InStream{};
  ack_due_[peer] = false;
}

void SlotReplication::OnReplicate(TimeMs wall, const Envelope& envelope, const Replicate& replicate,
                                  Effects& effects) {
  const NodeId from = envelope.from;
  if (replicate.ack.to_incarnation != 0) OnAck(envelope, replicate.ack);
  // PLANTED BUG kAcceptOldIncarnation: a stream addressed to an earlier life of this node is
  // applied as if it were ours.
  if (replicate.to_incarnation != state_.incarnation &&
      !state_.bug(PlantedBug::kAcceptOldIncarnation)) {
    // Addressed to an earlier life of ours: ignore it, but answer, so that the primary learns our
    // incarnation from the envelope if it has not yet.
    state_.counters.stale_messages++;
    state_.Send(effects, from,
                ReplicateAck{.to_incarnation = envelope.incarnation, .applied_through = 0});
    state_.counters.ack_messages++;
    return;
  }
  InStream& in = in_[from];
  if (in.from != envelope.incarnation) in = InStream{.from = envelope.incarnation};
  ApplyStats stats;
  std::vector<Mutation> flushes;  // consecutive flushes are applied in one walk of the store
  auto apply_flushes = [&] {
    if (flushes.empty()) return;
    state_.versions.ApplyFlushes(flushes, stats);
    flushes.clear();
  };
  for (std::size_t i = 0; i < replicate.mutations.size(); ++i) {
    const std::uint64_t seq = replicate.first_seq + i;
    if (seq <= in.applied) continue;   // a duplicate or a re-send of what we have
    if (seq != in.applied + 1) break;  // a gap: wait for the re-send
    const Mutation& m = replicate.mutations[i];
    // Only the slot's primary may write to it here, and only if we hold a copy.
    if (state_.placement->Primary(m.slot) == from &&
        state_.placement->ReplicaIndex(m.slot, state_.self) >= 1) {
      if (m.flush) {
        flushes.push_back(m);
      } else {
        apply_flushes();
        state_.versions.Apply(m, wall, stats);
      }
      state_.max_version_seen = std::max(state_.max_version_seen, m.version);
      state_.counters.mutations_applied++;
    }
    in.applied = seq;
  }
  apply_flushes();
  state_.counters.keys_ignored += stats.keys_ignored;
  state_.counters.keys_lost += stats.keys_lost;
  ack_due_[from] = true;  // sent by Flush, riding on a Replicate to `from` if there is one
}

std::optional<ReplicateAck> SlotReplication::TakeAck(NodeId peer) {
  if (!ack_due_[peer]) return std::nullopt;
  ack_due_[peer] = false;
  const InStream& in = in_[peer];
  if (in.from == 0) return std::nullopt;
  return ReplicateAck{.to_incarnation = in.from, .applied_through = in.applied};
}

void SlotReplication::OnAck(const Envelope& envelope, const ReplicateAck& ack) {
  if (ack.to_incarnation != state_.incarnation) {
    state_.counters.stale_messages++;
    return;
  }
  OutStream& out = out_[envelope.from];
  if (out.to != envelope.incarnation) return;  // an ack for a stream we already replaced
  const std::uint64_t through = std::min(ack.applied_through, out.next_seq - 1);
  if (through <= out.acked) return;  // nothing new
  out.acked = through;
  out.sent = std::max(out.sent, through);
  out.resends = 0;
  while (!out.in_flight_ends.empty() && out.in_flight_ends.front() <= through) {
    out.in_flight_ends.pop_front();
  }
  const NodeMask bit = Bit(envelope.from);
  while (!out.queue.empty() && out.queue.front().first <= through) {
    const WriteId id = out.queue.front().second;
    out.queue.pop_front();
    auto it = in_flight_.find(id);
    SHOAL_ASSERT(it != in_flight_.end());
    it->second.acked |= bit;
    if (it->second.acked == it->second.needed) Commit(id);
  }
}

void SlotReplication::SendBatch(NodeId backup, OutStream& out, TimeMs mono, Effects& effects) {
  const ReplicationKnobs& k = state_.knobs();
  Replicate r{.to_incarnation = out.to, .first_seq = out.sent + 1};
  std::size_t bytes = 0;
  // Positions in the queue are consecutive from acked + 1: the first unsent one is at this index.
  const std::size_t first = static_cast<std::size_t>(out.sent - out.acked);
  for (std::size_t i = first; i < out.queue.size(); ++i) {
    if (r.mutations.size() >= k.batch_mutations_max) break;
    const Mutation& m = in_flight_.at(out.queue[i].second).mutation;
    if (!r.mutations.empty() && bytes + MutationBytes(m) > k.batch_bytes_max) break;
    bytes += MutationBytes(m);
    r.mutations.push_back(m);
  }
  SHOAL_ASSERT(!r.mutations.empty());
  if (std::optional<ReplicateAck> ack = TakeAck(backup)) r.ack = *ack;
  out.sent += r.mutations.size();
  out.in_flight_ends.push_back(out.sent);
  out.last_sent_mono = mono;
  state_.counters.replicate_messages++;
  state_.counters.replicate_mutations += r.mutations.size();
  state_.Send(effects, backup, std::move(r));
}

void SlotReplication::Flush(TimeMs mono, Effects& effects) {
  for (NodeId peer = 0; peer < out_.size(); ++peer) {
    OutStream& out = out_[peer];
    if (out.to != 0) {
      while (out.sent < out.next_seq - 1 &&
             out.in_flight_ends.size() < state_.knobs().stream_window) {
        SendBatch(peer, out, mono, effects);
      }
    }
  }
  FlushAcks(effects);  // the acks that found no Replicate to ride on
}

void SlotReplication::FlushAcks(Effects& effects) {
  for (NodeId peer = 0; peer < in_.size(); ++peer) {
    if (std::optional<ReplicateAck> ack = TakeAck(peer)) {
      state_.Send(effects, peer, *ack);
      state_.counters.ack_messages++;
    }
  }
}

void SlotReplication::Tick(TimeMs mono) {
  for (OutStream& out : out_) {
    if (out.to == 0 || out.queue.empty() || out.sent == out.acked) continue;
    const TimeMs interval =
        std::min<TimeMs>(limits::kReplicationRetryMs << std::min<std::uint32_t>(out.resends, 16),
                         limits::kReplicationRetryMaxMs);
    if (mono - out.last_sent_mono < interval) continue;
    // Go back to the first unacknowledged position; Flush sends again from there.
    out.sent = out.acked;
    out.in_flight_ends.clear();
    out.resends++;
    state_.counters.resends++;
    state_.counters.probes.Hit(Probe::kStreamResent);
  }
}

// --- Invariants --------------------------------------------------------------------------------

void SlotReplication::CheckInvariants() const {
  std::size_t client = 0;
  std::size_t repair = 0;
  std::size_t flush = 0;
  std::vector<std::uint32_t> per_slot(limits::kSlotCount, 0);
  std::vector<std::size_t> queued(state_.node_count(), 0);
  for (const auto& [id, flight] : in_flight_) {
    SHOAL_ASSERT(id < next_id_);
    SHOAL_ASSERT(flight.needed == state_.BackupsOf(flight.mutation.slot));
    SHOAL_ASSERT((flight.acked & ~flight.needed) == 0);
    SHOAL_ASSERT(flight.acked != flight.needed);
    if (flight.repair) {
      repair++;
    } else if (flight.mutation.flush) {
      flush++;
    } else {
      client++;
      per_slot[flight.mutation.slot]++;
    }
  }
  SHOAL_ASSERT(client == client_writes_ && repair == repairs_ && flush == flushes_);
  SHOAL_ASSERT(per_slot == slot_writes_);
  const ReplicationKnobs& k = state_.knobs();
  SHOAL_ASSERT(client_writes_ <= k.replication_writes_max);
  // (A repair batch comes from a store scan, which may pass its budget by one scan position.)
  SHOAL_ASSERT(repairs_ <= k.repairs_in_flight_max + limits::kScanOvershootMax);
  for (std::uint32_t s = 0; s < limits::kSlotCount; ++s)
    SHOAL_ASSERT(slot_writes_[s] <= k.slot_writes_max);
  for (NodeId peer = 0; peer < out_.size(); ++peer) {
    const OutStream& out = out_[peer];
    SHOAL_ASSERT(out.sent >= out.acked && out.sent <= out.next_seq - 1);
    SHOAL_ASSERT(out.queue.size() == out.next_seq - 1 - out.acked);
    std::uint64_t expect = out.acked + 1;
    for (const auto& [seq, id] : out.queue) {
      SHOAL_ASSERT(seq == expect++);
      auto it = in_flight_.find(id);
      SHOAL_ASSERT(it != in_flight_.end());
      SHOAL_ASSERT((it->second.needed & Bit(peer)) != 0 && (it->second.acked & Bit(peer)) == 0);
      queued[peer]++;
    }
    SHOAL_ASSERT(out.in_flight_ends.size() <= k.stream_window);
    std::uint64_t prev = out.acked;
    for (std::uint64_t end : out.in_flight_ends) {
      SHOAL_ASSERT(end > prev && end <= out.sent);
      prev = end;
    }
  }
  for (NodeId peer = 0; peer < out_.size(); ++peer) {
    std::size_t expected = 0;
    for (const auto& [id, flight] : in_flight_) {
      if ((flight.needed & ~flight.acked & Bit(peer)) != 0) expected++;
    }
    SHOAL_ASSERT(queued[peer] == expected);
  }
  for (const auto& [key, id] : pending_keys_) SHOAL_ASSERT(in_flight_.contains(id));
  for (const auto& [slot, id] : pending_flush_) SHOAL_ASSERT(in_flight_.contains(id));
}

}  // namespace shoal::cluster
