#include "core/cluster/replica.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <utility>

#include "core/commands/command_spec.h"
#include "core/commands/command_table.h"
#include "core/commands/command_util.h"
#include "core/limits.h"
#include "core/resp/resp_writer.h"
#include "core/result.h"
#include "core/slot.h"

namespace shoal::cluster {
namespace {

constexpr std::string_view kErrLoading = "LOADING Shoal is recovering its data";
constexpr std::string_view kErrTryAgain = "TRYAGAIN too many writes are replicating; retry";

std::uint64_t Bit(NodeId node) { return std::uint64_t{1} << node; }

}  // namespace

Replica::Replica(const NodeConfig& config, Store& store, NodeCounters& counters,
                 absl::flat_hash_map<ClientId, Session>& sessions)
    : config_(config),
      knobs_(config.cluster.knobs),
      store_(store),
      node_counters_(counters),
      sessions_(sessions),
      self_(config.cluster.node_id),
      node_count_(config.cluster.node_count) {
  const ClusterConfig& cluster = config.cluster;
  SHOAL_ASSERT(cluster.node_count > 1);
  SHOAL_ASSERT(cluster.node_id < cluster.node_count);
  SHOAL_ASSERT_MSG(knobs_.Valid(), "replication knobs out of range");
  if (cluster.placement != nullptr) {
    placement_ = cluster.placement;
    const PlacementOptions& o = placement_->options();
    SHOAL_ASSERT_MSG(o.node_count == cluster.node_count &&
                         o.replication_factor == cluster.replication_factor &&
                         o.vnodes_per_node == cluster.vnodes_per_node,
                     "shared placement does not match the cluster config");
  } else {
    placement_ = std::make_shared<const Placement>(
        PlacementOptions{.node_count = cluster.node_count,
                         .replication_factor = cluster.replication_factor,
                         .vnodes_per_node = cluster.vnodes_per_node});
  }
  peer_incarnation_.assign(node_count_, 0);
  sync_.assign(node_count_, PeerSync{});
  for (std::uint16_t slot : placement_->SlotsOf(self_)) {
    if (placement_->Primary(slot) == self_) primary_slots_.push_back(slot);
  }
}

Replica::~Replica() = default;

// --- Helpers -----------------------------------------------------------------------------------

std::uint64_t Replica::BackupsMask(std::uint16_t slot) const {
  std::uint64_t mask = 0;
  for (NodeId node : placement_->Replicas(slot).subspan(1)) mask |= Bit(node);
  return mask;
}

TimeMs Replica::EffectiveExpiry(TimeMs expire_at) const {
  // PLANTED BUG kIgnoreTtl: the expiry is dropped when an entry is applied, on every path.
  return bug(PlantedBug::kIgnoreTtl) ? kNoExpiry : expire_at;
}

bool Replica::Live(const KeyMeta& meta, TimeMs now) const {
  return !meta.deleted && (meta.expire_at == kNoExpiry || meta.expire_at > now);
}

std::string Replica::AddressOf(NodeId node) const {
  const auto& addresses = config_.cluster.node_addresses;
  if (node < addresses.size() && !addresses[node].empty()) return addresses[node];
  return std::to_string(node);
}

std::uint64_t Replica::NextVersion() {
  std::uint64_t v = std::max(next_version_, incarnation_ << kVersionSeqBits);
  v = std::max(v, max_version_seen_ + 1);
  next_version_ = v + 1;
  max_version_seen_ = v;
  return v;
}

// --- Start and recovery ------------------------------------------------------------------------

void Replica::EnsureStarted(TimeMs now, Effects& effects) {
  if (phase_ != Phase::kStarting) return;
  // The incarnation only has to grow across restarts of this node; its clock (offset and drift
  // within the skew bound) does, and a peer that saw a larger one makes us bump it.
  incarnation_ = static_cast<std::uint64_t>(std::max<TimeMs>(now, 1));
  phase_ = Phase::kSyncing;
  StartSyncRound(now, effects);
}

void Replica::StartSyncRound(TimeMs now, Effects& effects) {
  bool any = false;
  for (NodeId peer = 0; peer < node_count_; ++peer) {
    PeerSync& p = sync_[peer];
    p = PeerSync{};
    p.wanted = peer != self_ && placement_->ShareSlots(self_, peer);
    if (!p.wanted) continue;
    any = true;
    SendSyncRequest(now, peer, effects);
  }
  if (!any) FinishSync(now, effects);
}

void Replica::SendSyncRequest(TimeMs now, NodeId peer, Effects& effects) {
  PeerSync& p = sync_[peer];
  Message m;
  m.kind = MessageKind::kSyncRequest;
  m.epoch = incarnation_;
  m.request_id = incarnation_;
  m.sequence = p.chunk;
  m.cursor = p.cursor;
  effects.sends.push_back({peer, std::move(m)});
  p.sent_at = now;
}

void Replica::OnSyncRequest(TimeMs now, NodeId from, const Message& message, Effects& effects) {
  counters_.sync_requests_served++;
  Message reply;
  reply.kind = MessageKind::kSyncReply;
  reply.epoch = incarnation_;
  reply.request_id = message.request_id;
  reply.sequence = message.sequence;

  // Walk our metadata in (slot, key) order from the cursor, visiting only the slots we share with
  // the requester (jumping between them), within the scan and size budgets.
  const std::span<const std::uint16_t> shared = placement_->SlotsOf(from);
  auto it = message.cursor.set
                ? meta_.upper_bound(MetaKeyView{message.cursor.slot, message.cursor.key})
                : meta_.begin();
  std::size_t scanned = 0;
  std::size_t bytes = 0;
  bool done = false;
  for (;;) {
    if (it == meta_.end()) {
      done = true;
      break;
    }
    if (scanned >= knobs_.sync_scan_per_reply_max ||
        reply.entries.size() >= knobs_.sync_entries_per_reply_max ||
        (!reply.entries.empty() && bytes >= knobs_.sync_reply_bytes_max)) {
      break;
    }
    scanned++;
    const std::uint16_t slot = it->first.slot;
    if (!placement_->IsReplica(slot, from)) {
      // Jump to the first key of the next slot the requester holds.
      auto next = std::upper_bound(shared.begin(), shared.end(), slot);
      if (next == shared.end()) {
        it = meta_.end();
      } else {
        it = meta_.lower_bound(MetaKeyView{*next, std::string_view()});
      }
      continue;
    }
    Entry e = EntryFor(now, it->first, it->second);
    bytes += e.key.size() + e.value.size();
    reply.entries.push_back(std::move(e));
    ++it;
  }
  if (!done) {
    // Resume after the last row examined (rows jumped over are in slots the requester lacks).
    if (it != meta_.begin()) {
      auto last = std::prev(it);
      reply.cursor.set = true;
      reply.cursor.slot = last->first.slot;
      reply.cursor.key = last->first.key;
    } else {
      reply.cursor = message.cursor;
    }
  }
  if (done) reply.flags |= kFlagDone;
  effects.sends.push_back({from, std::move(reply)});
}

void Replica::OnSyncReply(TimeMs now, NodeId from, const Message& message, Effects& effects) {
  if (phase_ != Phase::kSyncing) return;
  // PLANTED BUG kAcceptOldEpoch: a reply to an earlier incarnation's request is used as if it
  // answered ours (its snapshot may predate writes that were acknowledged since).
  if (message.request_id != incarnation_ && !bug(PlantedBug::kAcceptOldEpoch)) return;
  PeerSync& p = sync_[from];
  if (!p.wanted || p.done) return;
  if ((message.flags & kFlagStaleIncarnation) != 0) {
    if (message.request_id != incarnation_) return;
    // A peer saw an incarnation of ours at least as large (our clock went back): take a larger
    // one and start over, so that our messages are not mistaken for an older life's.
    if (message.sequence >= incarnation_) {
      incarnation_ = message.sequence + 1;
      effects.logs.push_back("replication: incarnation bumped to " + std::to_string(incarnation_));
      StartSyncRound(now, effects);
    }
    return;
  }
  if (message.sequence != p.chunk) return;  // a duplicate or a reply to an older chunk
  for (const Entry& e : message.entries) {
    const std::uint16_t slot = KeySlot(e.key);
    if (!placement_->IsReplica(slot, self_) || !placement_->IsReplica(slot, from)) continue;
    if (Merge(now, slot, e, Bit(from))) counters_.sync_entries_merged++;
  }
  if ((message.flags & kFlagDone) != 0) {
    p.done = true;
  } else {
    p.chunk++;
    p.cursor = message.cursor;
    SendSyncRequest(now, from, effects);
  }
  for (NodeId peer = 0; peer < node_count_; ++peer) {
    if (sync_[peer].wanted && !sync_[peer].done) return;
  }
  FinishSync(now, effects);
}

void Replica::FinishSync(TimeMs now, Effects& effects) {
  phase_ = Phase::kRepairing;
  repair_cursor_set_ = false;
  repair_scan_done_ = false;
  ContinueRepair(now, effects);
}

void Replica::ContinueRepair(TimeMs now, Effects& effects) {
  if (phase_ != Phase::kRepairing) return;
  std::size_t scanned = 0;
  auto it = repair_cursor_set_
                ? meta_.upper_bound(MetaKeyView{repair_cursor_.slot, repair_cursor_.key})
                : meta_.begin();
  while (!repair_scan_done_ && repairs_in_flight_ < knobs_.repairs_in_flight_max &&
         scanned < knobs_.sync_scan_per_reply_max) {
    if (it == meta_.end()) {
      repair_scan_done_ = true;
      break;
    }
    scanned++;
    const std::uint16_t slot = it->first.slot;
    if (placement_->Primary(slot) != self_) {
      auto next = std::upper_bound(primary_slots_.begin(), primary_slots_.end(), slot);
      if (next == primary_slots_.end()) {
        it = meta_.end();
      } else {
        it = meta_.lower_bound(MetaKeyView{*next, std::string_view()});
      }
      continue;
    }
    repair_cursor_ = it->first;
    repair_cursor_set_ = true;
    const std::uint64_t needed = BackupsMask(slot) & ~it->second.holders;
    if (needed != 0 && !in_flight_.contains(it->second.version)) {
      InFlight flight;
      flight.repair = true;
      flight.write.slot = slot;
      flight.write.key = it->first.key;
      flight.write.reply_wanted = false;
      flight.entry = EntryFor(now, it->first, it->second);
      flight.needed = needed;
      const std::uint64_t version = flight.entry.version;
      auto [pos, inserted] = in_flight_.emplace(version, std::move(flight));
      SHOAL_ASSERT(inserted);
      repairs_in_flight_++;
      counters_.repairs++;
      SendPending(now, pos->second, effects);
    }
    ++it;
  }
  if (repair_scan_done_ && repairs_in_flight_ == 0) {
    phase_ = Phase::kServing;
    counters_.recoveries++;
    effects.logs.push_back("replication: node " + std::to_string(self_) + " incarnation " +
                           std::to_string(incarnation_) + " recovered " +
                           std::to_string(meta_.size()) + " entries; serving");
  }
}

void Replica::OnPeerRestarted(TimeMs now, NodeId peer, Effects& effects) {
  // The peer lost its memory: whatever it acknowledged before is gone from it.
  for (auto& [version, flight] : in_flight_) {
    if ((flight.needed & Bit(peer)) == 0 || (flight.acked & Bit(peer)) == 0) continue;
    flight.acked &= ~Bit(peer);
    flight.resends = 0;
    SendReplicate(peer, flight.entry, effects);
  }
  if (phase_ == Phase::kSyncing || phase_ == Phase::kRepairing) {
    // Its reports of holding versions are void too; a repair scan must look again.
    for (auto& [key, meta] : meta_) meta.holders &= ~Bit(peer);
    if (phase_ == Phase::kRepairing) {
      repair_cursor_set_ = false;
      repair_scan_done_ = false;
    }
  }
}

// --- Metadata and merge ------------------------------------------------------------------------

Entry Replica::EntryFor(TimeMs now, const MetaKey& key, const KeyMeta& meta) {
  Entry e;
  e.key = key.key;
  e.version = meta.version;
  e.expire_at = meta.expire_at;
  e.deleted = true;
  if (Live(meta, now)) {
    if (auto item = store_.Peek(key.key, now)) {
      e.value = std::string(item->value);
      e.deleted = false;
    }
  }
  if (e.deleted) e.expire_at = kNoExpiry;
  return e;
}

void Replica::ApplyToStore(TimeMs now, const Entry& entry, bool* ok) {
  if (ok != nullptr) *ok = true;
  if (entry.deleted) {
    store_.Delete(entry.key, now);
    return;
  }
  Result<void> r = store_.Set(entry.key, entry.value, EffectiveExpiry(entry.expire_at), now);
  if (!r) {
    // The new version is authoritative: never keep serving the older value. The metadata keeps
    // the version; the sweep turns the missing value into a tombstone.
    store_.Delete(entry.key, now);
    if (ok != nullptr) *ok = false;
  }
}

void Replica::SetMeta(TimeMs now, std::uint16_t slot, const Entry& entry, std::uint64_t holders) {
  KeyMeta meta;
  meta.version = entry.version;
  meta.expire_at = entry.deleted ? kNoExpiry : EffectiveExpiry(entry.expire_at);
  meta.deleted = entry.deleted;
  meta.holders = holders;
  auto it = meta_.find(MetaKeyView{slot, entry.key});
  if (it == meta_.end()) {
    meta_.emplace(MetaKey{slot, entry.key}, meta);
  } else {
    it->second = meta;
  }
  max_version_seen_ = std::max(max_version_seen_, entry.version);
  if (entry.deleted) QueueTombstone(slot, entry.key, entry.version);
}

bool Replica::Merge(TimeMs now, std::uint16_t slot, const Entry& entry, std::uint64_t holder) {
  auto it = meta_.find(MetaKeyView{slot, entry.key});
  if (it != meta_.end()) {
    KeyMeta& meta = it->second;
    if (entry.version < meta.version) return false;
    if (entry.version == meta.version) {
      meta.holders |= holder;
      // Same version: only a live value beats a tombstone that stands for a lost (evicted)
      // value; anything else is the same state.
      if (!(meta.deleted && !entry.deleted)) return false;
      if (entry.expire_at != kNoExpiry && entry.expire_at <= now) return false;
      holder = meta.holders;
    }
  }
  ApplyToStore(now, entry, nullptr);
  SetMeta(now, slot, entry, holder);
  return true;
}

void Replica::QueueTombstone(std::uint16_t slot, std::string_view key, std::uint64_t version) {
  // Each queuing gets its own sequence number, recorded in the row: the same (key, version) can be
  // queued twice (a tombstone revived by a live copy of the same version, then swept again), and
  // only the latest queue entry may forget the row, so the bound keeps the newest tombstones.
  auto row = meta_.find(MetaKeyView{slot, key});
  SHOAL_ASSERT(row != meta_.end() && row->second.deleted && row->second.version == version);
  const std::uint64_t seq = ++tombstone_seq_;
  row->second.tombstone_seq = seq;
  tombstones_.push_back(Tombstone{MetaKey{slot, std::string(key)}, version, seq});
  while (tombstones_.size() > knobs_.tombstones_max) {
    const Tombstone& old = tombstones_.front();
    auto it = meta_.find(MetaKeyView{old.key.slot, old.key.key});
    if (it != meta_.end() && it->second.deleted && it->second.tombstone_seq == old.seq) {
      meta_.erase(it);
      counters_.tombstones_forgotten++;
    }
    tombstones_.pop_front();
  }
}

void Replica::SweepMeta(TimeMs now) {
  auto it = sweep_cursor_set_
                ? meta_.upper_bound(MetaKeyView{sweep_cursor_.slot, sweep_cursor_.key})
                : meta_.begin();
  // About a sixteenth of the table per Tick, within the per-Tick bound: expiry never depends on
  // the sweep (reads and sync check it directly); it only bounds memory.
  const std::size_t budget =
      std::clamp<std::size_t>(meta_.size() / 16, 1, knobs_.meta_sweep_per_tick);
  for (std::size_t i = 0; i < budget; ++i) {
    if (it == meta_.end()) {
      sweep_cursor_set_ = false;
      return;
    }
    sweep_cursor_ = it->first;
    sweep_cursor_set_ = true;
    KeyMeta& meta = it->second;
    if (!meta.deleted && (!Live(meta, now) || !store_.Peek(it->first.key, now).has_value()) &&
        !key_queues_.contains(it->first.key)) {
      // Expired, evicted or never stored: keep the version as a tombstone. Queuing it may forget
      // older rows (erasing from meta_ invalidates `it`), so continue from the cursor.
      meta.deleted = true;
      meta.expire_at = kNoExpiry;
      store_.Delete(it->first.key, now);
      QueueTombstone(it->first.slot, it->first.key, meta.version);
      it = meta_.upper_bound(MetaKeyView{sweep_cursor_.slot, sweep_cursor_.key});
      continue;
    }
    ++it;
  }
}

std::optional<Entry> Replica::Inspect(std::string_view key, TimeMs now) {
  auto it = meta_.find(MetaKeyView{KeySlot(key), key});
  if (it == meta_.end()) return std::nullopt;
  return EntryFor(now, it->first, it->second);
}

// --- Client commands ---------------------------------------------------------------------------

void Replica::OnCommand(TimeMs now, Session& session, std::span<const std::string_view> argv,
                        Effects& effects) {
  EnsureStarted(now, effects);
  auto it = clients_.find(session.id);
  if (it != clients_.end() && it->second.ticket != 0) {
    // Blocked behind its own write: keep the command for later, in order.
    ClientState& client = it->second;
    if (client.blocked.size() >= limits::kClientPendingRepliesMax) {
      session.closing = true;
      effects.closes.push_back(session.id);
      effects.logs.push_back("replication: client " + std::to_string(session.id) +
                             " pipelined too many commands behind a write; closing");
      clients_.erase(it);
      return;
    }
    client.blocked.emplace_back(argv.begin(), argv.end());
    return;
  }
  Execute(now, session, argv, effects);
  DrainClients(now, effects);
}

void Replica::OnDisconnected(ClientId client) { clients_.erase(client); }

void Replica::DrainClients(TimeMs now, Effects& effects) {
  // Index loop: draining may unblock more clients (and append to to_drain_).
  for (std::size_t i = 0; i < to_drain_.size(); ++i) {
    const ClientId id = to_drain_[i];
    for (;;) {
      auto it = clients_.find(id);
      if (it == clients_.end() || it->second.ticket != 0 || it->second.blocked.empty()) break;
      std::vector<std::string> args = std::move(it->second.blocked.front());
      it->second.blocked.pop_front();
      auto session = sessions_.find(id);
      if (session == sessions_.end() || session->second.closing) {
        clients_.erase(id);
        break;
      }
      std::string_view views[64];
      std::vector<std::string_view> many;
      std::span<const std::string_view> argv;
      if (args.size() <= 64) {
        for (std::size_t a = 0; a < args.size(); ++a) views[a] = args[a];
        argv = std::span<const std::string_view>(views, args.size());
      } else {
        many.assign(args.begin(), args.end());
        argv = many;
      }
      // (Counted in total_commands_processed when it arrived.)
      Execute(now, session->second, argv, effects);
    }
  }
  to_drain_.clear();
}

void Replica::Execute(TimeMs now, Session& session, std::span<const std::string_view> argv,
                      Effects& effects) {
  SHOAL_ASSERT(!argv.empty());
  const std::string_view name = argv[0];
  const bool is_get = commands::EqualsLower(name, "get");
  const bool is_set = commands::EqualsLower(name, "set");
  const bool is_del = commands::EqualsLower(name, "del");
  if (!is_get && !is_set && !is_del) {
    ExecutePassthrough(now, session, argv, effects);
    return;
  }
  auto reply_error = [&](std::string_view text) {
    effects.BeginReply(session.id);
    RespWriter(effects.bytes, session.resp).Error(text);
    effects.EndReply();
  };
  if (!config_.requirepass.empty() && !session.authenticated) {
    node_counters_.rejected_commands++;
    reply_error(commands::kErrNoAuth);
    return;
  }
  const bool arity_ok = is_get ? argv.size() == 2 : is_set ? argv.size() >= 3 : argv.size() >= 2;
  if (!arity_ok) {
    node_counters_.rejected_commands++;
    reply_error("ERR wrong number of arguments for '" +
                std::string(is_get   ? "get"
                            : is_set ? "set"
                                     : "del") +
                "' command");
    return;
  }
  if (is_del && argv.size() > 2) {
    reply_error("ERR DEL of several keys is not supported in replicated mode yet");
    return;
  }
  const std::string_view key = argv[1];
  const std::uint16_t slot = KeySlot(key);
  const NodeId primary = placement_->Primary(slot);
  if (primary != self_) {
    counters_.moved++;
    reply_error("MOVED " + std::to_string(slot) + " " + AddressOf(primary));
    return;
  }
  if (phase_ != Phase::kServing) {
    counters_.loading++;
    reply_error(kErrLoading);
    return;
  }
  if (is_get) {
    ExecuteGet(now, session, key, effects);
    return;
  }
  Write write;
  if (!ParseWrite(now, session, argv, write, effects)) return;
  write.slot = slot;
  SubmitWrite(now, session, std::move(write), effects);
}

void Replica::ExecutePassthrough(TimeMs now, Session& session,
                                 std::span<const std::string_view> argv, Effects& effects) {
  // Commands that neither name a key nor write (PING, ECHO, INFO, DBSIZE, HELLO, AUTH, CLIENT,
  // COMMAND, CONFIG, CLUSTER KEYSLOT, QUIT, SHUTDOWN, unknown names...) run as on a single node.
  // Other keyed or writing commands would bypass replication, so they are refused for now.
  const CommandSpec* spec = FindCommand(argv[0]);
  effects.BeginReply(session.id);
  RespWriter writer(effects.bytes, session.resp);
  if (spec != nullptr && (spec->first_key != 0 || spec->Has(kCmdWrite)) &&
      (config_.requirepass.empty() || session.authenticated)) {
    node_counters_.rejected_commands++;
    writer.Error("ERR '" + std::string(spec->name) +
                 "' is not supported in replicated mode yet (GET, SET and DEL are)");
    effects.EndReply();
    return;
  }
  CommandContext ctx{.now = now,
                     .store = store_,
                     .session = session,
                     .counters = node_counters_,
                     .config = config_,
                     .reply = writer};
  ExecuteCommand(ctx, argv);
  effects.EndReply();
  if (ctx.close_after_reply) {
    session.closing = true;
    effects.closes.push_back(session.id);
  }
  if (ctx.shutdown) effects.shutdown = true;
}

void Replica::ExecuteGet(TimeMs now, Session& session, std::string_view key, Effects& effects) {
  effects.BeginReply(session.id);
  RespWriter writer(effects.bytes, session.resp);
  // Reads come from the store, which holds exactly the committed writes.
  if (auto item = store_.Get(key, now)) {
    writer.Bulk(item->value);
  } else {
    writer.Nil();
  }
  effects.EndReply();
}

bool Replica::ParseWrite(TimeMs now, Session& session, std::span<const std::string_view> argv,
                         Write& write, Effects& effects) {
  auto reply_error = [&](std::string_view text) {
    node_counters_.rejected_commands++;
    effects.BeginReply(session.id);
    RespWriter(effects.bytes, session.resp).Error(text);
    effects.EndReply();
    return false;
  };
  write.key = std::string(argv[1]);
  if (write.key.size() > limits::kKeyBytesMax) return reply_error(commands::kErrKeyTooLarge);
  if (commands::EqualsLower(argv[0], "del")) {
    write.kind = WriteKind::kDel;
    return true;
  }
  write.kind = WriteKind::kSet;
  if (argv[2].size() > config_.store.value_bytes_max) {
    return reply_error(commands::kErrValueTooLarge);
  }
  bool has_expiry = false;
  for (std::size_t i = 3; i < argv.size(); ++i) {
    const std::string_view opt = argv[i];
    const bool last = i + 1 == argv.size();
    if (commands::EqualsLower(opt, "nx") && write.condition == Condition::kNone) {
      write.condition = Condition::kNx;
    } else if (commands::EqualsLower(opt, "xx") && write.condition == Condition::kNone) {
      write.condition = Condition::kXx;
    } else if (commands::EqualsLower(opt, "keepttl") && !has_expiry) {
      write.keep_ttl = true;
      has_expiry = true;
    } else if (commands::EqualsLower(opt, "get")) {
      return reply_error("ERR SET ... GET is not supported in replicated mode yet");
    } else if (!last && !has_expiry &&
               (commands::EqualsLower(opt, "ex") || commands::EqualsLower(opt, "px") ||
                commands::EqualsLower(opt, "exat") || commands::EqualsLower(opt, "pxat"))) {
      const bool seconds = commands::EqualsLower(opt, "ex") || commands::EqualsLower(opt, "exat");
      const bool relative = commands::EqualsLower(opt, "ex") || commands::EqualsLower(opt, "px");
      // Redis's getExpireMillisecondsOrReply: a positive integer, no overflow once in ms.
      const std::optional<std::int64_t> n = commands::ParseInt64(argv[i + 1]);
      if (!n) return reply_error(commands::kErrNotInteger);
      constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
      if (*n <= 0 || (seconds && *n > kMax / 1000)) {
        return reply_error("ERR invalid expire time in 'set' command");
      }
      std::int64_t at = seconds ? *n * 1000 : *n;
      if (relative) {
        if (at > kMax - now) return reply_error("ERR invalid expire time in 'set' command");
        at += now;
      }
      write.expire_at = at;
      has_expiry = true;
      ++i;
    } else {
      return reply_error(commands::kErrSyntax);
    }
  }
  write.value = std::string(argv[2]);
  return true;
}

void Replica::SubmitWrite(TimeMs now, Session& session, Write write, Effects& effects) {
  if (writes_held_ >= knobs_.replication_writes_max) {
    counters_.writes_rejected++;
    effects.BeginReply(session.id);
    RespWriter(effects.bytes, session.resp).Error(kErrTryAgain);
    effects.EndReply();
    return;
  }
  write.client = session.id;
  write.ticket = next_ticket_++;
  ClientState& client = clients_[session.id];
  SHOAL_ASSERT(client.ticket == 0);
  client.ticket = write.ticket;
  writes_held_++;
  auto queue = key_queues_.find(write.key);
  if (queue != key_queues_.end()) {
    queue->second.waiting.push_back(std::move(write));
    return;
  }
  const std::string key = write.key;
  if (StartWrite(now, write, effects)) {
    key_queues_[key].version = next_version_ - 1;
  }
}

bool Replica::StartWrite(TimeMs now, Write& write, Effects& effects) {
  // Conditions and KEEPTTL read the committed state; nothing else can change this key before the
  // write commits (writes to a key are serialized), only expiry may remove it.
  std::optional<ItemView> current = store_.Peek(write.key, now);
  if (write.kind == WriteKind::kSet &&
      ((write.condition == Condition::kNx && current.has_value()) ||
       (write.condition == Condition::kXx && !current.has_value()))) {
    writes_held_--;
    ReplyToWriter(write, "$-1\r\n", effects);
    return false;
  }
  Entry entry;
  entry.key = write.key;
  entry.version = NextVersion();
  if (write.kind == WriteKind::kDel) {
    entry.deleted = true;
  } else {
    entry.value = std::move(write.value);
    write.value.clear();
    entry.expire_at =
        write.keep_ttl ? (current.has_value() ? current->expire_at : kNoExpiry) : write.expire_at;
  }
  const std::uint64_t needed = BackupsMask(write.slot);
  if (needed == 0) {
    // R == 1: nothing to wait for.
    InFlight flight;
    flight.write = std::move(write);
    flight.entry = std::move(entry);
    const std::uint64_t version = flight.entry.version;
    in_flight_.emplace(version, std::move(flight));
    Commit(now, version, effects);
    return false;
  }
  if (bug(PlantedBug::kAckBeforeReplicate)) {
    // PLANTED BUG kAckBeforeReplicate: apply and answer now; backups get it in the background.
    const bool existed = current.has_value();
    ApplyToStore(now, entry, nullptr);
    SetMeta(now, write.slot, entry, 0);
    ReplyToWriter(write,
                  write.kind == WriteKind::kDel ? (existed ? ":1\r\n" : ":0\r\n") : "+OK\r\n",
                  effects);
    write.reply_wanted = false;
  }
  InFlight flight;
  flight.write = std::move(write);
  flight.entry = std::move(entry);
  flight.needed = needed;
  const std::uint64_t version = flight.entry.version;
  auto [it, inserted] = in_flight_.emplace(version, std::move(flight));
  SHOAL_ASSERT(inserted);
  SendPending(now, it->second, effects);
  return true;
}

void Replica::SendReplicate(NodeId to, const Entry& entry, Effects& effects) {
  Message m;
  m.kind = MessageKind::kReplicate;
  m.epoch = incarnation_;
  m.request_id = entry.version;
  m.entries.push_back(entry);
  effects.sends.push_back({to, std::move(m)});
  counters_.replicates_sent++;
}

void Replica::SendPending(TimeMs now, InFlight& flight, Effects& effects) {
  std::uint64_t missing = flight.needed & ~flight.acked;
  while (missing != 0) {
    const NodeId to = static_cast<NodeId>(__builtin_ctzll(missing));
    missing &= missing - 1;
    SendReplicate(to, flight.entry, effects);
  }
  flight.sent_at = now;
}

void Replica::Commit(TimeMs now, std::uint64_t version, Effects& effects) {
  auto it = in_flight_.find(version);
  SHOAL_ASSERT(it != in_flight_.end());
  InFlight flight = std::move(it->second);
  in_flight_.erase(it);
  if (flight.repair) {
    SHOAL_ASSERT(repairs_in_flight_ > 0);
    repairs_in_flight_--;
    ContinueRepair(now, effects);
    return;
  }
  writes_held_--;
  counters_.writes_committed++;
  const Write& write = flight.write;
  if (!bug(PlantedBug::kAckBeforeReplicate)) {
    const bool existed = store_.Peek(write.key, now).has_value();
    bool stored = true;
    if (bug(PlantedBug::kStaleRead)) {
      // PLANTED BUG kStaleRead: "batch" applies to the store on the next Tick; the client is
      // answered now, so reads in between see the previous value.
      lagging_.push_back(flight.entry);
    } else {
      ApplyToStore(now, flight.entry, &stored);
    }
    SetMeta(now, write.slot, flight.entry, 0);
    if (!stored) {
      // Backups hold it; the client must treat the outcome as unknown (any error does).
      ReplyToWriter(write, "-OOM command not allowed when used memory > 'maxmemory'.\r\n", effects);
    } else if (write.kind == WriteKind::kDel) {
      ReplyToWriter(write, existed ? ":1\r\n" : ":0\r\n", effects);
    } else {
      ReplyToWriter(write, "+OK\r\n", effects);
    }
  }
  StartNextWaiting(now, write.key, effects);
}

void Replica::StartNextWaiting(TimeMs now, const std::string& key, Effects& effects) {
  for (;;) {
    auto q = key_queues_.find(key);
    if (q == key_queues_.end()) return;
    if (q->second.waiting.empty()) {
      key_queues_.erase(q);
      return;
    }
    Write next = std::move(q->second.waiting.front());
    q->second.waiting.pop_front();
    // StartWrite never touches key_queues_, so `q` stays valid across it.
    if (StartWrite(now, next, effects)) {
      q->second.version = next_version_ - 1;
      return;
    }
  }
}

void Replica::ReplyToWriter(const Write& write, std::string_view resp2_bytes, Effects& effects) {
  if (!write.reply_wanted) return;
  auto it = clients_.find(write.client);
  if (it == clients_.end() || it->second.ticket != write.ticket) return;  // gone
  it->second.ticket = 0;
  auto session = sessions_.find(write.client);
  if (session != sessions_.end() && !session->second.closing) {
    effects.BeginReply(write.client);
    if (resp2_bytes == "$-1\r\n") {
      RespWriter(effects.bytes, session->second.resp).Nil();
    } else {
      effects.bytes.append(resp2_bytes);
    }
    effects.EndReply();
  }
  to_drain_.push_back(write.client);
}

// --- Peer messages -----------------------------------------------------------------------------

void Replica::OnPeerMessage(TimeMs now, NodeId from, const Message& message, Effects& effects) {
  EnsureStarted(now, effects);
  if (from >= node_count_ || from == self_) return;
  const std::uint64_t known = peer_incarnation_[from];
  if (message.epoch > known) {
    peer_incarnation_[from] = message.epoch;
    if (known != 0) OnPeerRestarted(now, from, effects);
  } else if (message.epoch < known && !bug(PlantedBug::kAcceptOldEpoch)) {
    // PLANTED BUG kAcceptOldEpoch skips this check: messages of a dead incarnation are used.
    counters_.stale_messages++;
    if (message.kind == MessageKind::kSyncRequest) {
      // Its clock went back across a restart: tell it which incarnation to beat.
      Message reply;
      reply.kind = MessageKind::kSyncReply;
      reply.epoch = incarnation_;
      reply.request_id = message.request_id;
      reply.sequence = known;
      reply.flags = kFlagStaleIncarnation;
      effects.sends.push_back({from, std::move(reply)});
    }
    return;
  }
  switch (message.kind) {
    case MessageKind::kReplicate:
      OnReplicate(now, from, message, effects);
      break;
    case MessageKind::kReplicateAck:
      OnReplicateAck(now, from, message, effects);
      break;
    case MessageKind::kSyncRequest:
      OnSyncRequest(now, from, message, effects);
      break;
    case MessageKind::kSyncReply:
      OnSyncReply(now, from, message, effects);
      break;
  }
  DrainClients(now, effects);
}

void Replica::OnReplicate(TimeMs now, NodeId from, const Message& message, Effects& effects) {
  if (message.entries.size() != 1) return;  // malformed
  const Entry& entry = message.entries[0];
  const std::uint16_t slot = KeySlot(entry.key);
  if (placement_->Primary(slot) != from || placement_->ReplicaIndex(slot, self_) < 1) return;
  // Applied even while recovering: the merge keeps the newest version, so a later sync reply
  // cannot undo it, and the ack below is therefore a durable promise.
  if (Merge(now, slot, entry, 0)) {
    counters_.replicates_applied++;
  } else {
    counters_.replicates_ignored++;
  }
  Message ack;
  ack.kind = MessageKind::kReplicateAck;
  ack.epoch = incarnation_;
  ack.request_id = entry.version;
  effects.sends.push_back({from, std::move(ack)});
}

void Replica::OnReplicateAck(TimeMs now, NodeId from, const Message& message, Effects& effects) {
  auto it = in_flight_.find(message.request_id);
  if (it == in_flight_.end()) return;  // already committed, or from an older life of ours
  InFlight& flight = it->second;
  if ((flight.needed & Bit(from)) == 0) return;
  flight.acked |= Bit(from);
  flight.resends = 0;
  if (flight.acked == flight.needed) Commit(now, message.request_id, effects);
}

// --- Tick --------------------------------------------------------------------------------------

void Replica::Tick(TimeMs now, Effects& effects) {
  EnsureStarted(now, effects);
  if (!lagging_.empty()) {
    for (const Entry& e : lagging_) ApplyToStore(now, e, nullptr);
    lagging_.clear();
  }
  for (auto& [version, flight] : in_flight_) {
    const TimeMs interval =
        std::min<TimeMs>(limits::kReplicationRetryMs << std::min<std::uint32_t>(flight.resends, 16),
                         limits::kReplicationRetryMaxMs);
    if (now - flight.sent_at >= interval) {
      flight.resends++;
      SendPending(now, flight, effects);
    }
  }
  if (phase_ == Phase::kSyncing) {
    for (NodeId peer = 0; peer < node_count_; ++peer) {
      const PeerSync& p = sync_[peer];
      if (p.wanted && !p.done && now - p.sent_at >= limits::kReplicationRetryMs) {
        SendSyncRequest(now, peer, effects);
      }
    }
  }
  ContinueRepair(now, effects);
  SweepMeta(now);
  DrainClients(now, effects);
}

// --- Invariants --------------------------------------------------------------------------------

void Replica::CheckInvariants() const {
  std::size_t client_writes = 0;
  std::size_t repairs = 0;
  for (const auto& [version, flight] : in_flight_) {
    SHOAL_ASSERT(flight.entry.version == version);
    SHOAL_ASSERT((flight.acked & ~flight.needed) == 0);
    SHOAL_ASSERT((flight.needed & ~BackupsMask(flight.write.slot)) == 0);
    SHOAL_ASSERT(flight.acked != flight.needed);
    if (flight.repair) {
      repairs++;
    } else {
      client_writes++;
      auto q = key_queues_.find(flight.write.key);
      SHOAL_ASSERT(q != key_queues_.end() && q->second.version == version);
    }
  }
  std::size_t waiting = 0;
  for (const auto& [key, queue] : key_queues_) {
    SHOAL_ASSERT(in_flight_.contains(queue.version));
    waiting += queue.waiting.size();
  }
  SHOAL_ASSERT(writes_held_ == client_writes + waiting);
  SHOAL_ASSERT(writes_held_ <= knobs_.replication_writes_max);
  SHOAL_ASSERT(repairs == repairs_in_flight_);
  SHOAL_ASSERT(repairs_in_flight_ <= knobs_.repairs_in_flight_max);
  SHOAL_ASSERT(tombstones_.size() <= knobs_.tombstones_max);
  for (std::size_t i = 1; i < tombstones_.size(); ++i) {
    SHOAL_ASSERT(tombstones_[i - 1].seq < tombstones_[i].seq);
  }
  for (const auto& [key, meta] : meta_) {
    SHOAL_ASSERT(!meta.deleted ||
                 (meta.tombstone_seq != 0 && meta.tombstone_seq <= tombstone_seq_));
  }
  std::size_t blocked = 0;
  for (const auto& [id, client] : clients_) {
    if (client.ticket != 0) blocked++;
  }
  SHOAL_ASSERT(blocked <= writes_held_);
}

}  // namespace shoal::cluster
