#include "core/cluster/key_versions.h"

#include <algorithm>

#include "core/result.h"
#include "core/slot.h"

namespace shoal::cluster {

KeyVersions::KeyVersions(Store& store, const ReplicationKnobs& knobs, bool drop_ttl)
    : store_(store), knobs_(knobs), drop_ttl_(drop_ttl) {}

Version KeyVersions::Watermark(std::uint16_t slot) const {
  return watermarks_.empty() ? 0 : watermarks_[slot];
}

Version KeyVersions::Held(std::uint16_t slot, std::string_view key) const {
  Version held = Watermark(slot);
  if (const std::optional<ItemView> item = store_.PeekIncludingExpired(key)) {
    held = std::max(held, item->version);
  }
  if (!tombstones_.empty()) {
    auto it = tombstones_.find(AbslView(key));
    if (it != tombstones_.end()) held = std::max(held, it->second.version);
  }
  return held;
}

void KeyVersions::RecordVanished(std::uint16_t slot, std::string_view key, Version version,
                                 bool deleted) {
  if (!tracking_ || version == 0) return;
  auto [it, inserted] = tombstones_.try_emplace(std::string(key));
  Tombstone& t = it->second;
  if (!inserted && t.version >= version) return;
  t.slot = slot;
  t.deleted = deleted;
  t.version = version;
  t.seq = next_seq_++;
  order_.emplace_back(t.seq, it->first);
  if (tombstones_.size() > knobs_.tombstones_max) overflowed_ = true;
  if (order_.size() > 2 * tombstones_.size() + 64) {
    // Drop order entries superseded by a later sequence for the same key.
    std::erase_if(order_, [&](const auto& entry) {
      auto t2 = tombstones_.find(entry.second);
      return t2 == tombstones_.end() || t2->second.seq != entry.first;
    });
  }
}

void KeyVersions::OnEvicted(std::string_view key, std::uint64_t version) {
  RecordVanished(KeySlot(key), key, version, /*deleted=*/false);
}

void KeyVersions::ApplyFlushes(std::span<const Mutation> flushes, ApplyStats& stats) {
  bool any = false;
  for (const Mutation& m : flushes) {
    SHOAL_ASSERT(m.flush);
    if (m.version <= Watermark(m.slot)) {
      stats.keys_ignored++;
      continue;
    }
    if (watermarks_.empty()) watermarks_.assign(limits::kSlotCount, 0);
    watermarks_[m.slot] = m.version;
    stats.keys_applied++;
    any = true;
  }
  if (!any) return;
  store_.EraseIf([&](std::string_view key, std::uint64_t version) {
    return version < watermarks_[KeySlot(key)];
  });
}

bool KeyVersions::Apply(const Mutation& m, TimeMs now, ApplyStats& stats) {
  if (m.flush) {
    const std::uint64_t applied = stats.keys_applied;
    ApplyFlushes(std::span<const Mutation>(&m, 1), stats);
    return stats.keys_applied != applied;
  }
  bool changed = false;
  for (const KeyState& k : m.keys) {
    if (m.version <= Held(m.slot, k.key)) {
      stats.keys_ignored++;
      continue;
    }
    changed = true;
    stats.keys_applied++;
    if (k.deleted) {
      store_.Delete(k.key, now);
      RecordVanished(m.slot, k.key, m.version, /*deleted=*/true);
      continue;
    }
    // PLANTED BUG kIgnoreTtl: the expiry is dropped when an entry is applied, on every path.
    const TimeMs expire_at = drop_ttl_ ? kNoExpiry : k.expire_at;
    const Result<void> stored = store_.Set(k.key, k.value, expire_at, now, m.version);
    const std::optional<ItemView> item = store_.PeekIncludingExpired(k.key);
    if (!stored || !item || item->version != m.version) {
      // Refused (out of memory, too large) or already expired: the new version is authoritative,
      // so never keep serving an older value; a recovering node remembers the version.
      if (!stored) {
        stats.keys_lost++;
        store_.Delete(k.key, now);
      }
      RecordVanished(m.slot, k.key, m.version, /*deleted=*/false);
    }
  }
  return changed;
}

void KeyVersions::Track(bool on) {
  tracking_ = on;
  overflowed_ = false;
  tombstones_.clear();
  order_.clear();
}

bool KeyVersions::NextTombstone(std::uint64_t from, TombstoneView& out) const {
  auto it =
      std::lower_bound(order_.begin(), order_.end(), from,
                       [](const auto& entry, std::uint64_t seq) { return entry.first < seq; });
  for (; it != order_.end(); ++it) {
    auto t = tombstones_.find(it->second);
    if (t == tombstones_.end() || t->second.seq != it->first) continue;  // superseded
    if (!t->second.deleted) continue;  // this copy's own loss, not a deletion
    out = TombstoneView{it->first, t->second.slot, t->first, t->second.version};
    return true;
  }
  return false;
}

std::uint32_t KeyVersions::NextWatermarkSlot(std::uint32_t from) const {
  for (std::uint32_t s = from; s < watermarks_.size(); ++s) {
    if (watermarks_[s] != 0) return s;
  }
  return limits::kSlotCount;
}

void KeyVersions::Clear() {
  Track(tracking_);
  watermarks_.clear();
}

void KeyVersions::CheckInvariants() const {
  SHOAL_ASSERT(tracking_ || tombstones_.empty());
  SHOAL_ASSERT(tombstones_.size() <= knobs_.tombstones_max + 1 || overflowed_);
  std::size_t current = 0;
  for (std::size_t i = 0; i < order_.size(); ++i) {
    if (i > 0) SHOAL_ASSERT(order_[i - 1].first < order_[i].first);
    auto t = tombstones_.find(order_[i].second);
    if (t != tombstones_.end() && t->second.seq == order_[i].first) current++;
  }
  SHOAL_ASSERT(current == tombstones_.size());
  for (const auto& entry : order_) {
    auto t = tombstones_.find(entry.second);
    if (t == tombstones_.end() || t->second.seq != entry.first) continue;
    SHOAL_ASSERT(t->second.version != 0);
    SHOAL_ASSERT(t->second.slot == KeySlot(t->first));
  }
}

}  // namespace shoal::cluster
