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
