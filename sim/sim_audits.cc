// Replica audits of a simulated run, the rules the consistency checker cannot see from the
// clients' side because reads go only to primaries:
//   replica_behind      every kAuditIntervalMs: for the keys written since the last audit and a
//                       rotating sample of the others, every backup that
//                       counts as holding the slot (up and serving) holds a version at least as
//                       new as what its primary serves (committed: no write to it in flight) --
//                       the design's rule that anything a primary serves is on every replica
//   in_sync_behind      the same comparison for every replica in the slot's in-sync set of the
//                       newest configuration any running node holds, serving or not, when it
//                       runs the life that configuration records for it: the in-sync set's
//                       promise (every member holds every committed write) that promotion relies
//                       on; a member that restarted unnoticed runs another life and is excused
//                       until the configuration records it (and removes it from the set). Until
//                       routing follows the configuration, a slot the configuration brought back
//                       empty is not judged (the static primary still serves its old copies).
//   lost_copy           at a crash: an acknowledged write whose last copy dies with the node,
//                       while a replica that has not crashed since the write began lacks it
//   replica_divergence  after the quiet phase and the drain: every copy of every key holds the
//                       same value, absolute expiry and version
// A copy may legitimately be missing where that node evicted the key or could not store it, where
// the clock of any replica of the slot has passed its expiry (ever: a clock stepped back does not
// bring an expired item back; and a primary replicates the deletion of what expired by its clock,
// a recovering peer's sync sends an item expired by its clock as a tombstone), or, at a crash,
// where an earlier write to the key was still in flight; those are excused.
#include <cinttypes>
#include <cstdio>

#include "core/cluster/cluster_node.h"
#include "core/result.h"
#include "core/slot.h"
#include "sim/sim_world.h"

namespace shoal::sim {
namespace {

// The history id a written value names ("v<id>c<client>"), if it is one.
std::optional<std::uint64_t> WriteIdOf(std::string_view value) {
  if (value.size() < 2 || value[0] != 'v') return std::nullopt;
  std::uint64_t id = 0;
  std::size_t i = 1;
  for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) {
    id = id * 10 + static_cast<std::uint64_t>(value[i] - '0');
  }
  if (i == 1 || i >= value.size() || value[i] != 'c') return std::nullopt;
  return id;
}

}  // namespace

TimeMs Sim::SlotWallHighWater(std::uint16_t slot) const {
  // Any replica whose clock passed an item's expiry may make it vanish elsewhere: a primary
  // replicates the deletion, and a recovering peer's sync treats it as a tombstone.
  TimeMs latest = 0;
  for (std::uint32_t r : placement_->Replicas(slot)) {
    if (nodes_[r].up) latest = std::max(latest, WallHighWater(r));
  }
  return latest;
}

bool Sim::EvictedOn(std::uint32_t n, std::string_view key) const {
  const SimNode& node = nodes_[n];
  if (!node.up) return true;
  if (node.evicted_keys.contains(cluster::AbslView(key))) return true;
  // A replica that could not store a value (store refusal) keeps only its version.
  const cluster::ClusterNode* cluster = node.node->cluster();
  return cluster != nullptr && cluster->counters().keys_lost > 0;
}

void Sim::AuditViolation(const char* kind, std::string text) {
  audit_violations_total_++;
  audit_first_at_ = std::min(audit_first_at_, now_);
  trace_.Fold(0xA0D17ULL);
  if (audit_violations_.size() < 20) audit_violations_.emplace_back(kind, std::move(text));
}

void Sim::MarkDirty(const std::string& key) {
  if (node_count_ < 2 || audit_dirty_.size() >= kAuditDirtyKeysMax) return;
  if (audit_dirty_set_.insert(key).second) audit_dirty_.push_back(key);
}

bool Sim::AuditKey(std::string_view key) {
  const std::uint16_t slot = KeySlot(key);
  const auto replicas = placement_->Replicas(slot);
  const std::uint32_t p = replicas[0];
  const SimNode& primary = nodes_[p];
  if (!primary.up) return true;
  const cluster::ClusterNode* pc = primary.node->cluster();
  if (!pc->serving()) return true;
  if (pc->replication().PendingFor(slot, key) != 0) return false;
  const std::optional<ItemView> item = primary.node->store().PeekIncludingExpired(key);
  if (!item || (item->expire_at != kNoExpiry && item->expire_at <= NodeNow(p).wall)) return true;
  for (std::size_t i = 1; i < replicas.size(); ++i) {
    const std::uint32_t b = replicas[i];
    const SimNode& backup = nodes_[b];
    if (!backup.up) continue;
    const cluster::ClusterNode* bc = backup.node->cluster();
    // A slot brought back empty (data epoch past the first) starts its promise over, while the
    // static routing of today keeps serving the older copies: not judged.
    const bool in_sync = audit_config_ != nullptr && bc->started() &&
                         audit_config_->slot(slot).data_epoch == 1 &&
                         (audit_config_->slot(slot).in_sync & cluster::Bit(b)) != 0 &&
                         audit_config_->incarnation(b) == bc->incarnation();
    if (!bc->serving() && !in_sync) continue;
    const cluster::Version held = bc->HeldVersion(key);
    if (held >= item->version || EvictedOn(b, key)) continue;
    if (item->expire_at != kNoExpiry && item->expire_at <= SlotWallHighWater(slot)) continue;
    char buf[360];
    std::snprintf(buf, sizeof(buf),
                  "key '%.*s' (slot %u): primary n%u serves version %" PRIu64
                  " ('%.*s'), but backup n%u, %s, holds only version %" PRIu64,
                  static_cast<int>(key.size()), key.data(), slot, p, item->version,
                  static_cast<int>(std::min<std::size_t>(item->value.size(), 40)),
                  item->value.data(), b,
                  bc->serving() ? "serving" : "recovering but in the slot's in-sync set", held);
    AuditViolation(bc->serving() ? kViolationReplicaBehind : kViolationInSyncBehind, buf);
  }
  return true;
}

const cluster::Configuration* Sim::NewestConfiguration() const {
  const cluster::Configuration* newest = nullptr;
  for (const SimNode& node : nodes_) {
    if (!node.up || node.node->cluster() == nullptr || !node.node->cluster()->started()) continue;
    const cluster::Configuration& c = node.node->cluster()->config_member().configuration();
    if (newest == nullptr || c.epoch() > newest->epoch()) newest = &c;
  }
  return newest;
}

void Sim::OnAudit() {
  audits_++;
  audit_config_ = NewestConfiguration();
  std::vector<std::string> dirty;
  dirty.swap(audit_dirty_);
  audit_dirty_set_.clear();
  for (const std::string& key : dirty) {
    if (!AuditKey(key)) MarkDirty(key);  // its write is still in flight: next time
  }
  const std::size_t own = static_cast<std::size_t>(client_count_) * kOwnKeysPerClient;
  const std::size_t total = scenario_.keys.size() + own;
  const std::size_t count = std::min(total, kAuditRotatingKeys);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t k = (audit_cursor_ + i) % total;
    if (k < scenario_.keys.size()) {
      AuditKey(scenario_.keys[k]);
    } else {
      const std::size_t j = k - scenario_.keys.size();
      AuditKey(OwnKey(static_cast<std::uint32_t>(j / kOwnKeysPerClient),
                      static_cast<std::uint32_t>(j % kOwnKeysPerClient)));
    }
  }
  audit_cursor_ = (audit_cursor_ + count) % total;
  audit_config_ = nullptr;
}

bool Sim::OverlappedByEarlierWrite(std::string_view key, const Operation& write) const {
  for (const Operation& op : history_.ops) {
    if (op.invoke_at >= write.invoke_at) break;  // ops are in invocation order
    if (op.key != key || op.kind == OpKind::kGet || op.outcome == OpOutcome::kFail) continue;
    if (op.outcome != OpOutcome::kOk || op.complete_at > write.invoke_at) return true;
  }
  return false;
}

void Sim::CheckLostCopies(std::uint32_t n) {
  // Which written values die with this node? Those no other live node's store holds.
  const Node& dying = *nodes_[n].node;
  for (const std::string& key : scenario_.keys) {
    const std::optional<ItemView> mine = dying.store().Peek(key, NodeNow(n).wall);
    if (!mine) continue;
    bool held_elsewhere = false;
    for (std::uint32_t m = 0; m < node_count_ && !held_elsewhere; ++m) {
      if (m == n || !nodes_[m].up) continue;
      const std::optional<ItemView> theirs = nodes_[m].node->store().Peek(key, NodeNow(m).wall);
      held_elsewhere = theirs && theirs->value == mine->value;
    }
    if (held_elsewhere) continue;
    WorldEvent w;
    w.kind = WorldEvent::Kind::kAllCopiesLost;
    w.at = now_;
    w.node = n;
    w.key = key;
    w.value = std::string(mine->value);
    trace_.FoldBytes(w.value);
    history_.world.push_back(std::move(w));
    // Should it have been the last copy? Not if the write was acknowledged while a replica that
    // has been up ever since lacks it (and has nothing newer).
    if (dying.cluster() == nullptr) continue;
    const std::optional<std::uint64_t> id = WriteIdOf(mine->value);
    if (!id || *id >= history_.ops.size()) continue;
    const Operation& write = history_.ops[*id];
    if (write.kind != OpKind::kSet || write.outcome != OpOutcome::kOk || !write.written) continue;
    // Not yet overwritten: no later SET or DEL of the key was even invoked.
    auto last = last_write_.find(cluster::AbslView(key));
    if (last == last_write_.end() || last->second != *id) continue;
    // Nor by an earlier write still in flight when this one began (or of unknown outcome): it
    // may take effect after this one, and a replica that applied it holds nothing newer to show
    // (serving copies keep no tombstones).
    if (OverlappedByEarlierWrite(key, write)) continue;
    // A primary whose clock has passed the expiry deletes the key on every replica (it
    // replicates the deletion), so a copy may be gone before its own clock says it expired.
    const TimeMs latest_wall = std::max(WallHighWater(n), SlotWallHighWater(KeySlot(key)));
    if (mine->expire_at != kNoExpiry && mine->expire_at <= latest_wall) continue;
    for (std::uint32_t r : placement_->Replicas(KeySlot(key))) {
      if (r == n || !nodes_[r].up || nodes_[r].life_started > write.invoke_at) continue;
      if (EvictedOn(r, key)) continue;
      const cluster::Version held = nodes_[r].node->cluster()->HeldVersion(key);
      if (held >= mine->version) continue;
      char buf[320];
      std::snprintf(
          buf, sizeof(buf),
          "key '%s': node n%u crashed holding the last copy of acknowledged write #%" PRIu64
          " ('%s', version %" PRIu64
          "), but replica n%u, up since before that write, "
          "holds only version %" PRIu64,
          key.c_str(), n, *id, std::string(mine->value).c_str(), mine->version, r, held);
      AuditViolation(kViolationLostCopy, buf);
    }
  }
}

void Sim::CheckFinalCopies() {
  auto describe = [](const std::optional<ItemView>& item) {
    if (!item) return std::string("nothing");
    char buf[128];
    std::snprintf(buf, sizeof(buf), "'%.*s' expire_at %" PRId64 " version %" PRIu64,
                  static_cast<int>(std::min<std::size_t>(item->value.size(), 40)),
                  item->value.data(), static_cast<std::int64_t>(item->expire_at), item->version);
    return std::string(buf);
  };
  auto missing_ok = [&](std::uint32_t n, std::string_view key, const ItemView& other) {
    return EvictedOn(n, key) ||
           (other.expire_at != kNoExpiry &&
            other.expire_at <= std::max(WallHighWater(n), SlotWallHighWater(KeySlot(key))));
  };
  for (std::uint32_t n = 0; n < node_count_; ++n) {
    if (!nodes_[n].up) return;  // (only after a complete run, when every node is up)
  }
  for (std::uint32_t holder = 0; holder < node_count_; ++holder) {
    const Store& store = nodes_[holder].node->store();
    std::uint64_t cursor = 0;
    while (cursor != Store::kScanDone) {
      cursor = store.Scan(cursor, 4096, [&](const StoreEntry& e) {
        const std::uint16_t slot = KeySlot(e.key);
        const auto replicas = placement_->Replicas(slot);
        const std::uint32_t p = replicas[0];
        const ItemView mine{e.value, e.expire_at, e.version};
        for (std::uint32_t r : replicas) {
          if (r == holder) continue;
          // Each pair once: compare from the primary's side, and from a backup's side only
          // against the primary (a key the primary lacks).
          if (holder != p && r != p) continue;
          const std::optional<ItemView> theirs =
              nodes_[r].node->store().PeekIncludingExpired(e.key);
          if (theirs) {
            if (holder != p) continue;  // compared from the primary's side
            if (theirs->value == e.value && theirs->expire_at == e.expire_at &&
                theirs->version == e.version) {
              continue;
            }
          } else if (missing_ok(r, e.key, mine)) {
            continue;
          }
          char buf[512];
          std::snprintf(buf, sizeof(buf),
                        "after the quiet phase, key '%.*s' (slot %u, primary n%u): n%u holds %s, "
                        "n%u holds %s",
                        static_cast<int>(e.key.size()), e.key.data(), slot, p, holder,
                        describe(mine).c_str(), r, describe(theirs).c_str());
          AuditViolation(kViolationReplicaDivergence, buf);
        }
        return true;
      });
    }
  }
}

}  // namespace shoal::sim
