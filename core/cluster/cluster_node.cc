#include "core/cluster/cluster_node.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "core/commands/command_util.h"
#include "core/limits.h"
#include "core/resp/resp_writer.h"
#include "core/result.h"
#include "core/slot.h"

namespace shoal::cluster {
namespace {

constexpr std::string_view kErrLoading = "LOADING Shoal is loading the dataset in memory";
constexpr std::string_view kErrTryAgain = "TRYAGAIN too many writes are replicating; retry";
constexpr std::string_view kErrCrossSlot = "CROSSSLOT Keys in request don't hash to the same slot";

std::shared_ptr<const Placement> PlacementFor(const ClusterConfig& c) {
  SHOAL_ASSERT(c.node_count > 1 && c.node_count <= limits::kClusterNodesMax);
  SHOAL_ASSERT(c.node_id < c.node_count);
  SHOAL_ASSERT(c.replication_factor >= 1 && c.replication_factor <= c.node_count);
  SHOAL_ASSERT_MSG(c.knobs.Valid(), "replication knobs out of range");
  if (c.placement != nullptr) {
    const PlacementOptions& o = c.placement->options();
    SHOAL_ASSERT_MSG(o.node_count == c.node_count && o.replication_factor == c.replication_factor &&
                         o.vnodes_per_node == c.vnodes_per_node,
                     "shared placement does not match the cluster config");
    return c.placement;
  }
  return std::make_shared<const Placement>(
      PlacementOptions{.node_count = c.node_count,
                       .replication_factor = c.replication_factor,
                       .vnodes_per_node = c.vnodes_per_node});
}

// A command that writes one key twice (MSET k a k b) records both; every key of a mutation is at
// one version, so a replica would keep the first. Keep only the last write of each key.
void DropOverwrittenKeys(Mutation& m) {
  if (m.keys.size() < 2) return;
  absl::flat_hash_set<absl::string_view> seen;
  std::vector<KeyState> kept;
  kept.reserve(m.keys.size());
  for (auto it = m.keys.rbegin(); it != m.keys.rend(); ++it) {
    if (seen.contains(AbslView(it->key))) continue;
    kept.push_back(std::move(*it));
    seen.insert(AbslView(kept.back().key));  // `kept` never reallocates (reserved)
  }
  std::reverse(kept.begin(), kept.end());
  m.keys = std::move(kept);
}

}  // namespace

ClusterNode::ClusterNode(const ClusterConfig& config, Store& store,
                         std::shared_ptr<const VoterState> voter_state, std::uint64_t election_seed)
    : config_(config),
      state_(config, PlacementFor(config), store),
      replication_(state_),
      transfer_(state_, replication_),
      member_(state_),
      voter_state_(std::move(voter_state)),
      election_seed_(election_seed) {
  SHOAL_ASSERT_MSG(store.options().count_slots, "replicated mode counts keys per slot");
  primary_slots_ = state_.placement->PrimarySlotsOf(state_.self);
}

ClusterNode::~ClusterNode() = default;

void ClusterNode::EnsureStarted(NodeTime now, Effects& effects) {
  if (started_) return;
  started_ = true;
  // The incarnation only has to grow across restarts of this node; its wall clock does (within
  // the skew bound), and a peer that saw a larger one makes us take a larger one.
  state_.incarnation = static_cast<Incarnation>(std::max<TimeMs>(now.wall, 1));
  member_.Start(now.mono, voter_state_.get(), election_seed_, effects);
  voter_state_.reset();
  transfer_.Start(now, effects);
}

void ClusterNode::Restart(NodeTime now, Incarnation incarnation, const char* why,
                          Effects& effects) {
  // A new incarnation: peers treat it as a restart, so every write in flight is sent to us again,
  // and only sync replies to the new one count. The data stays (merges only ever keep the newest
  // version; a fresh round of replies plus the re-sent writes cover whatever vanished here while
  // the old tombstones were kept), so no copy is thrown away; the tombstones start over. What the
  // old incarnation applied is still here, so its due acknowledgements leave first, under the old
  // incarnation: without them, more re-sent deletes than the tombstone bound would make every
  // later incarnation overflow again, for ever.
  replication_.FlushAcks(effects);
  state_.incarnation = incarnation;
  state_.counters.recovery_restarts++;
  state_.counters.probes.Hit(Probe::kRecoveryRestarted);
  state_.versions.Track(true);
  replication_.Reset();
  for (NodeId peer = 0; peer < state_.node_count(); ++peer) {
    if (state_.peer_incarnation[peer] != 0) {
      replication_.OnPeerIncarnation(peer, state_.peer_incarnation[peer], /*restarted=*/false);
    }
  }
  stale_.clear();
  flushes_.clear();
  effects.logs.push_back("cluster: recovery starts over as incarnation " +
                         std::to_string(incarnation) + " (" + why + ")");
  transfer_.Start(now, effects);
}

Version ClusterNode::NextVersion() {
  Version v = std::max(next_version_, state_.incarnation << kVersionSeqBits);
  v = std::max(v, state_.max_version_seen + 1);
  next_version_ = v + 1;
  state_.max_version_seen = v;
  return v;
}

std::string ClusterNode::AddressOf(NodeId node) const {
  const auto& addresses = config_.node_addresses;
  if (node < addresses.size() && !addresses[node].empty()) return addresses[node];
  return std::to_string(node);
}

Version ClusterNode::HeldVersion(std::string_view key) const {
  return state_.versions.Held(KeySlot(key), key);
}

// --- The gate ------------------------------------------------------------------------------------

void ClusterNode::Refuse(CommandContext& ctx, std::string_view error) {
  ctx.counters.rejected_commands++;
  ctx.reply.Error(error);
}

bool ClusterNode::Admit(CommandContext& ctx, const CommandSpec& spec, CommandArgs argv) {
  current_.keyed = false;
  current_.write = false;
  current_.keys.clear();
  const bool write = spec.Has(kCmdWrite);
  if (spec.first_key == 0) {
    if (write && !serving()) {  // FLUSHALL while recovering
      state_.counters.loading++;
      Refuse(ctx, kErrLoading);
      return false;
    }
    if (write && replication_.flushes_in_flight() > 0) {  // one FLUSHALL at a time
      state_.counters.writes_rejected++;
      state_.counters.probes.Hit(Probe::kWriteRefused);
      Refuse(ctx, kErrTryAgain);
      return false;
    }
    return true;
  }
  const int argc = static_cast<int>(argv.size());
  const int last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
  const int step = std::max(spec.key_step, 1);
  for (int i = spec.first_key; i <= last && i < argc; i += step) current_.keys.push_back(argv[i]);
  SHOAL_ASSERT(!current_.keys.empty());
  const std::uint16_t slot = KeySlot(current_.keys.front());
  for (std::string_view key : current_.keys) {
    if (KeySlot(key) != slot) {
      state_.counters.crossslot++;
      current_.keys.clear();
      Refuse(ctx, kErrCrossSlot);
      return false;
    }
  }
  const NodeId primary = state_.placement->Primary(slot);
  if (primary != state_.self) {
    state_.counters.moved++;
    current_.keys.clear();
    Refuse(ctx, "MOVED " + std::to_string(slot) + " " + AddressOf(primary));
    return false;
  }
  if (!serving()) {
    state_.counters.loading++;
    current_.keys.clear();
    Refuse(ctx, kErrLoading);
    return false;
  }
  if (write && !replication_.CanAccept(slot)) {
    state_.counters.writes_rejected++;
    state_.counters.probes.Hit(Probe::kWriteRefused);
    current_.keys.clear();
    Refuse(ctx, kErrTryAgain);
    return false;
  }
  if (state_.bug(PlantedBug::kStaleRead)) {
    if (!write && commands::EqualsLower(spec.name, "get")) {
      // PLANTED BUG kStaleRead: answered from the lagging copy until the next Tick.
      auto it = stale_.find(AbslView(current_.keys.front()));
      if (it != stale_.end()) {
        if (it->second.value) {
          ctx.reply.Bulk(*it->second.value);
        } else {
          ctx.reply.Nil();
        }
        current_.keys.clear();
        return false;
      }
    } else if (write) {
      for (std::string_view key : current_.keys) {
        if (stale_.contains(AbslView(key))) continue;
        StaleCopy copy;
        if (auto item = ctx.store.Peek(key, ctx.now)) copy.value = std::string(item->value);
        stale_.emplace(std::string(key), std::move(copy));
      }
    }
  }
  current_.keyed = true;
  current_.write = write;
  current_.slot = slot;
  if (write) {
    current_.version = NextVersion();
    ctx.version = current_.version;
  }
  return true;
}

std::uint64_t ClusterNode::OwnedKeys() const {
  std::uint64_t keys = 0;
  for (std::uint16_t slot : primary_slots_) keys += state_.store.SlotKeys(slot);
  return keys;
}

bool ClusterNode::OwnsSlot(std::uint16_t slot) const {
  return state_.placement->Primary(slot) == state_.self;
}

void ClusterNode::FlushOwned(CommandContext& ctx) {
  flushes_.clear();
  for (std::uint16_t slot : primary_slots_) {
    flushes_.push_back(Mutation{.slot = slot, .version = NextVersion(), .flush = true});
  }
  ApplyStats stats;
  state_.versions.ApplyFlushes(flushes_, stats);
}

ClusterView ClusterNode::View() const {
  return ClusterView{.self = state_.self,
                     .placement = state_.placement.get(),
                     .node_addresses = &config_.node_addresses,
                     .serving = serving(),
                     .incarnation = state_.incarnation,
                     .config_log = started_ ? &member_.log() : nullptr,
                     .configuration = started_ ? &member_.configuration() : nullptr};
}

WriteId ClusterNode::FinishCommand(Mutation& mutation) {
  WriteId wait = 0;
  if (current_.keyed) {
    for (std::string_view key : current_.keys) {
      wait = std::max(wait, replication_.PendingFor(current_.slot, key));
    }
  }
  if (current_.keyed && current_.write && !expired_.empty()) {
    // Keys this write found expired ride in its own mutation, at its version, unless it wrote
    // them anew: a separate deletion minted later would delete what this command wrote.
    std::erase_if(expired_, [&](const std::string& key) {
      if (KeySlot(key) != current_.slot) return false;
      const bool written = std::any_of(mutation.keys.begin(), mutation.keys.end(),
                                       [&](const KeyState& k) { return k.key == key; });
      if (!written) mutation.keys.push_back(KeyState{.key = key, .deleted = true});
      return true;
    });
  }
  if (!mutation.keys.empty()) {
    SHOAL_ASSERT_MSG(current_.keyed && current_.write, "a mutation from a command not admitted");
    mutation.slot = current_.slot;
    mutation.version = current_.version;
    DropOverwrittenKeys(mutation);
    std::vector<std::string> stale_keys;
    if (state_.bug(PlantedBug::kStaleRead)) {
      for (const KeyState& k : mutation.keys) stale_keys.push_back(k.key);
    }
    const WriteId id = replication_.Submit(std::move(mutation), /*repair=*/false);
    mutation = Mutation{};
    for (const std::string& key : stale_keys) {
      auto it = stale_.find(AbslView(key));
      if (it != stale_.end()) it->second.write = id;
    }
    // PLANTED BUG kAckBeforeReplicate: the writer is answered without waiting for its backups.
    if (!state_.bug(PlantedBug::kAckBeforeReplicate)) wait = std::max(wait, id);
  }
  for (Mutation& flush : flushes_) {
    wait = std::max(wait, replication_.Submit(std::move(flush), /*repair=*/false));
  }
  flushes_.clear();
  current_.keyed = false;
  current_.keys.clear();
  SubmitExpired();  // what a read (or a write, of other keys) found expired
  if (wait != 0 && replication_.Committed(wait)) wait = 0;
  return wait;
}

std::vector<ClientId> ClusterNode::TakeWoken() {
  std::vector<ClientId> woken;
  woken.swap(replication_.woken());
  return woken;
}

// --- Peers and time ------------------------------------------------------------------------------

void ClusterNode::OnMessage(NodeTime now, const Envelope& envelope, Effects& effects) {
  EnsureStarted(now, effects);
  const NodeId from = envelope.from;
  if (from >= state_.node_count() || from == state_.self) return;
  const Incarnation known = state_.peer_incarnation[from];
  if (envelope.incarnation > known) {
    state_.peer_incarnation[from] = envelope.incarnation;
    replication_.OnPeerIncarnation(from, envelope.incarnation, /*restarted=*/known != 0);
    if (known != 0) transfer_.OnPeerRestarted(now, from, effects);
  } else if (envelope.incarnation < known && !state_.bug(PlantedBug::kAcceptOldIncarnation)) {
    // PLANTED BUG kAcceptOldIncarnation skips this check: messages of a dead life are used.
    state_.counters.stale_messages++;
    state_.counters.probes.Hit(Probe::kStaleIncarnationDropped);
    if (std::holds_alternative<SyncRequest>(envelope.body)) {
      // Its clock went back across a restart: tell it which incarnation to beat.
      state_.Send(effects, from,
                  IncarnationTooOld{.to_incarnation = envelope.incarnation, .largest_seen = known});
    }
    return;
  }
  member_.HeardFrom(now.mono, from, envelope.incarnation);
  if (ConfigMember::Handles(envelope.body)) {
    member_.OnMessage(now.mono, from, envelope.body, effects);
    return;
  }
  if (const auto* status = std::get_if<MemberStatus>(&envelope.body)) {
    member_.OnStatus(from, envelope.incarnation, *status);
    return;
  }
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, Replicate>) {
          replication_.OnReplicate(now.wall, envelope, body, effects);
        } else if constexpr (std::is_same_v<T, ReplicateAck>) {
          replication_.OnAck(envelope, body);
        } else if constexpr (std::is_same_v<T, SyncRequest>) {
          transfer_.OnSyncRequest(now, envelope, body, effects);
        } else if constexpr (std::is_same_v<T, SyncReply>) {
          transfer_.OnSyncReply(now, envelope, body, effects);
        } else if constexpr (std::is_same_v<T, IncarnationTooOld>) {
          if (body.to_incarnation == state_.incarnation &&
              body.largest_seen >= state_.incarnation && !serving()) {
            state_.counters.probes.Hit(Probe::kIncarnationTooOld);
            Restart(now, body.largest_seen + 1, "a peer saw a larger incarnation of ours", effects);
          }
        } else {
          SHOAL_ASSERT_MSG(false, "a configuration log message not handed to ConfigMember");
        }
      },
      envelope.body);
}

void ClusterNode::OnExpired(std::string_view key) {
  if (!serving() || state_.placement->Replicas(KeySlot(key))[0] != state_.self) return;
  if (expired_.size() >= limits::kExpiredDeletesQueuedMax) return;  // the backups expire it too
  expired_.emplace_back(key);
}

void ClusterNode::SubmitExpired() {
  if (expired_.empty() || current_.keyed) return;  // inside a command: FinishCommand decides
  // Within the same bounds as client writes; what does not fit waits for a later step or tick.
  std::erase_if(expired_, [&](std::string& key) {
    const std::uint16_t slot = KeySlot(key);
    if (!replication_.CanAccept(slot)) return false;
    Mutation m{.slot = slot, .version = NextVersion()};
    m.keys.push_back(KeyState{.key = std::move(key), .deleted = true});
    replication_.Submit(std::move(m), /*repair=*/false);
    return true;
  });
}

void ClusterNode::Tick(NodeTime now, Effects& effects) {
  EnsureStarted(now, effects);
  SubmitExpired();  // what the node's active expiry removed just before
  member_.Tick(now.mono, serving(), effects);
  replication_.Tick(now.mono);
  transfer_.Tick(now, effects);
  if (!stale_.empty()) {
    // PLANTED BUG kStaleRead: the lagging copy is refreshed by this timer, not by the commit.
    for (auto it = stale_.begin(); it != stale_.end();) {
      const WriteId w = it->second.write;
      if (w != 0 && replication_.Committed(w)) {
        stale_.erase(it++);
      } else {
        ++it;
      }
    }
  }
}

void ClusterNode::AfterStep(NodeTime now, Effects& effects) {
  SubmitExpired();
  if (!serving() && state_.versions.overflowed()) {
    Restart(now, state_.incarnation + 1, "more tombstones than the recovery may keep", effects);
  }
  transfer_.Progress(now, effects);
}

void ClusterNode::Flush(NodeTime now, Effects& effects) {
  EnsureStarted(now, effects);
  replication_.Flush(now.mono, effects);
}

void ClusterNode::CheckInvariants(bool expensive) const {
  SHOAL_ASSERT(!started_ || state_.incarnation != 0);
  SHOAL_ASSERT(state_.peer_incarnation.size() == state_.node_count());
  SHOAL_ASSERT(!current_.keyed && current_.keys.empty() && flushes_.empty());
  SHOAL_ASSERT(serving() || !transfer_.serving());
  SHOAL_ASSERT(replication_.client_writes() <= config_.knobs.replication_writes_max);
  transfer_.CheckInvariants();
  SHOAL_ASSERT(member_.started() == started_);
  member_.CheckInvariants(expensive);
  if (!expensive) return;
  state_.versions.CheckInvariants();
  replication_.CheckInvariants();
}

}  // namespace shoal::cluster
