// ItemTable: the Store's index from key to Item*, an open-addressing Robin Hood hash table whose
// slot is ONE 64-bit word: the item pointer (low 48 bits), an 8-bit hash tag (bits 48..55) and
// the slot's probe distance (bits 56..63). 8 bytes per slot, no control bytes, no per-entry
// allocation.
//
// Why not absl::flat_hash_set<Item*>: it costs 9 bytes a slot and grows by powers of two with a
// 7/8 maximum load, so at some sizes (1M items: 2^21 slots) it spends ~19 bytes per item. This
// table takes any capacity (position = fastrange of the hash), grows at load 0.9 to load 0.6 and
// shrinks below 0.15, so it spends 9..13 bytes per item. The tag lets a probe skip ~255/256 of
// non-matching slots without touching the item; Robin Hood ordering ends a failed lookup early.
//
// Thread safety: none. Invariants: size() <= capacity() * 0.9; every slot between an entry's home
// and its position is occupied (no tombstones: deletion shifts back); probe distance <= 255.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/store/hash.h"
#include "core/store/item.h"

namespace shoal::store_internal {

class ItemTable {
 public:
  static constexpr std::size_t kNotFound = ~std::size_t{0};
  static constexpr std::size_t kCapacityMin = 16;

  explicit ItemTable(std::uint64_t seed);
  ItemTable(const ItemTable&) = delete;
  ItemTable& operator=(const ItemTable&) = delete;

  std::uint64_t Hash(std::string_view key) const;

  // Returns the slot holding `key`, or kNotFound.
  std::size_t Find(std::string_view key, std::uint64_t hash) const;
  Item* At(std::size_t slot) const { return ItemOf(slots_[slot]); }
  // Points the slot at a new allocation for the same key.
  void ReplaceAt(std::size_t slot, Item* item);
  // REQUIRES: no entry with this item's key. May rehash (invalidates slot indices).
  void Insert(Item* item, std::uint64_t hash);
  // Removes the entry at `slot`. May shrink (invalidates slot indices).
  void EraseAt(std::size_t slot);
  // Drops every entry (the caller frees the items) and returns to the minimum capacity.
  void Reset();

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return slots_.size(); }
  std::uint64_t bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }
  // Bytes the table would hold after inserting one more entry (growth included).
  std::uint64_t BytesAfterInsert() const;

  // Scan positions are the low 32 bits of an entry's hash: Home() is monotone in them, so Robin
  // Hood keeps entries sorted by home along the table and a position survives any rehash.
  static constexpr std::uint64_t kScanEnd = std::uint64_t{1} << 32;

  // Calls f(Item*) for entries whose scan position is >= `cursor`, in increasing order of home,
  // until `visits_max` entries were visited or f returned false, and the next entry starts a new
  // home (a home's entries are never split between calls); returns the cursor to resume from
  // (kScanEnd after the last entry). See Store::Scan.
  template <class F>
  std::uint64_t Scan(std::uint64_t cursor, std::size_t visits_max, F&& f) const {
    if (cursor >= kScanEnd) return kScanEnd;
    const std::size_t capacity = slots_.size();
    const std::size_t start = Home(cursor);
    std::size_t visited = 0;
    std::size_t last_home = start;
    bool want_more = true;
    // Unwrapped positions: an entry with home h sits at h + dist, which may pass the end of the
    // table (then it is stored at that minus capacity, before entries whose home is small).
    for (std::size_t u = start; u < capacity + kDistMax + 1; ++u) {
      const bool wrapped_zone = u >= capacity;
      const std::size_t pos = wrapped_zone ? u - capacity : u;
      const std::uint64_t s = slots_[pos];
      if (s == 0) {
        if (wrapped_zone) break;
        continue;
      }
      const bool wrapped = DistOf(s) > pos;  // its home lies before the end of the table
      if (wrapped != wrapped_zone) {
        if (wrapped_zone) break;  // past the wrapped entries: the scan is complete
        continue;                 // visited later, in the wrapped zone
      }
      const std::uint64_t hash = HashKey(ItemKey(ItemOf(s)), seed_);
      if ((hash & 0xffffffffULL) < cursor) continue;  // displaced from an earlier home
      const std::size_t home = Home(hash);
      if (visited > 0 && home != last_home && (visited >= visits_max || !want_more)) {
        return FirstScanPosition(last_home + 1);
      }
      want_more = f(ItemOf(s)) && want_more;
      last_home = home;
      ++visited;
    }
    return kScanEnd;
  }

  // Calls f(Item*) for each entry, in slot order (deterministic for a given history).
  template <class F>
  void ForEach(F&& f) const {
    for (std::uint64_t s : slots_) {
      if (s != 0) f(ItemOf(s));
    }
  }

  void CheckInvariants() const;

 private:
  static constexpr int kTagShift = 48;
  static constexpr int kDistShift = 56;
  static constexpr std::uint64_t kPtrMask = (std::uint64_t{1} << kTagShift) - 1;
  static constexpr std::uint64_t kDistMax = 255;

  static Item* ItemOf(std::uint64_t s) { return reinterpret_cast<Item*>(s & kPtrMask); }
  static std::uint64_t TagOf(std::uint64_t hash) { return hash >> 56; }
  static std::uint64_t DistOf(std::uint64_t s) { return s >> kDistShift; }
  std::size_t Home(std::uint64_t hash) const {
    return static_cast<std::size_t>(((hash & 0xffffffffULL) * slots_.size()) >> 32);
  }
  // The smallest scan position whose home is `home` (kScanEnd for home == capacity).
  std::uint64_t FirstScanPosition(std::size_t home) const {
    const std::uint64_t capacity = slots_.size();
    return ((static_cast<std::uint64_t>(home) << 32) + capacity - 1) / capacity;
  }
  static std::size_t GrowCapacity(std::size_t size);
  bool NeedsGrow(std::size_t size) const { return size * 10 > slots_.size() * 9; }
  // Places an entry; returns false if a probe distance would exceed kDistMax (the caller grows).
  bool Place(std::uint64_t entry_no_dist, std::size_t home);
  void Rehash(std::size_t capacity);

  std::uint64_t seed_;
  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
};

}  // namespace shoal::store_internal
