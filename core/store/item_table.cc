#include "core/store/item_table.h"

#include <utility>

#include "core/result.h"
#include "core/store/hash.h"

namespace shoal::store_internal {

ItemTable::ItemTable(std::uint64_t seed) : seed_(seed), slots_(kCapacityMin, 0) {}

std::uint64_t ItemTable::Hash(std::string_view key) const { return HashKey(key, seed_); }

std::size_t ItemTable::Find(std::string_view key, std::uint64_t hash) const {
  const std::size_t capacity = slots_.size();
  const std::uint64_t tag = TagOf(hash);
  std::size_t i = Home(hash);
  for (std::uint64_t dist = 0;; ++dist) {
    const std::uint64_t s = slots_[i];
    if (s == 0 || DistOf(s) < dist) return kNotFound;
    if (((s >> kTagShift) & 0xff) == tag && ItemKey(ItemOf(s)) == key) return i;
    if (++i == capacity) i = 0;
  }
}

void ItemTable::ReplaceAt(std::size_t slot, Item* item) {
  SHOAL_ASSERT(slots_[slot] != 0);
  slots_[slot] = (slots_[slot] & ~kPtrMask) | reinterpret_cast<std::uint64_t>(item);
}

std::size_t ItemTable::GrowCapacity(std::size_t size) {
  const std::size_t capacity = size + size * 2 / 3 + 1;  // load 0.6 after growth
  return capacity < kCapacityMin ? kCapacityMin : capacity;
}

std::uint64_t ItemTable::BytesAfterInsert() const {
  if (!NeedsGrow(size_ + 1)) return bytes();
  return GrowCapacity(size_ + 1) * sizeof(std::uint64_t);
}

bool ItemTable::Place(std::uint64_t entry, std::size_t home) {
  const std::size_t capacity = slots_.size();
  std::size_t i = home;
  std::uint64_t dist = 0;
  for (;;) {
    std::uint64_t& s = slots_[i];
    if (s == 0) {
      s = entry | (dist << kDistShift);
      return true;
    }
    if (DistOf(s) < dist) {
      // Robin Hood: the richer entry (closer to home) gives its slot to the poorer one.
      const std::uint64_t displaced = s;
      s = entry | (dist << kDistShift);
      entry = displaced & ~(kDistMax << kDistShift);
      dist = DistOf(displaced);
    }
    if (++i == capacity) i = 0;
    if (++dist > kDistMax) {
      // The table is full of entries; `entry` is the one left over. Put it back by rehashing.
      Rehash(capacity + capacity / 2);
      return Place(entry, Home(HashKey(ItemKey(ItemOf(entry)), seed_)));
    }
  }
}

void ItemTable::Insert(Item* item, std::uint64_t hash) {
  const auto ptr = reinterpret_cast<std::uint64_t>(item);
  SHOAL_ASSERT_MSG((ptr & ~kPtrMask) == 0, "item pointer above 2^48");
  SHOAL_ASSERT(ptr != 0);
  if (NeedsGrow(size_ + 1)) Rehash(GrowCapacity(size_ + 1));
  ++size_;
  Place(ptr | (TagOf(hash) << kTagShift), Home(hash));
}

void ItemTable::EraseAt(std::size_t slot) {
  const std::size_t capacity = slots_.size();
  SHOAL_ASSERT(slots_[slot] != 0);
  std::size_t i = slot;
  std::size_t j = i + 1 == capacity ? 0 : i + 1;
  while (slots_[j] != 0 && DistOf(slots_[j]) > 0) {
    slots_[i] = slots_[j] - (std::uint64_t{1} << kDistShift);
    i = j;
    if (++j == capacity) j = 0;
  }
  slots_[i] = 0;
  --size_;
  if (capacity > kCapacityMin && size_ * 100 < capacity * 15) Rehash(GrowCapacity(size_));
}

void ItemTable::Rehash(std::size_t capacity) {
  SHOAL_ASSERT(capacity >= kCapacityMin);
  SHOAL_ASSERT(capacity <= (std::size_t{1} << 32));
  std::vector<std::uint64_t> old;
  old.swap(slots_);
  slots_.assign(capacity, 0);
  for (std::uint64_t s : old) {
    if (s == 0) continue;
    const std::uint64_t entry = s & ~(kDistMax << kDistShift);
    Place(entry, Home(HashKey(ItemKey(ItemOf(s)), seed_)));
  }
}

void ItemTable::Reset() {
  std::vector<std::uint64_t> fresh(kCapacityMin, 0);
  slots_.swap(fresh);
  size_ = 0;
}

void ItemTable::CheckInvariants() const {
  std::size_t count = 0;
  const std::size_t capacity = slots_.size();
  for (std::size_t i = 0; i < capacity; ++i) {
    const std::uint64_t s = slots_[i];
    if (s == 0) continue;
    ++count;
    const std::uint64_t hash = HashKey(ItemKey(ItemOf(s)), seed_);
    SHOAL_ASSERT(((s >> kTagShift) & 0xff) == TagOf(hash));
    const std::size_t home = Home(hash);
    const std::size_t dist = (i + capacity - home) % capacity;
    SHOAL_ASSERT(dist == DistOf(s));
    SHOAL_ASSERT(Find(ItemKey(ItemOf(s)), hash) == i);
  }
  SHOAL_ASSERT(count == size_);
  SHOAL_ASSERT(!NeedsGrow(size_));
}

}  // namespace shoal::store_internal
