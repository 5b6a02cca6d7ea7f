#include "core/store/eviction_policy.h"

#include <utility>

#include "core/result.h"
#include "core/store/hash.h"

namespace shoal::store_internal {

// --- ItemList -------------------------------------------------------------------------------

void ItemList::PushBack(Item* item) {
  item->prev = back_;
  item->next = nullptr;
  if (back_ != nullptr) {
    back_->next = item;
  } else {
    front_ = item;
  }
  back_ = item;
  ++count_;
  bytes_ += ItemFootprint(item);
}

void ItemList::Remove(Item* item) {
  SHOAL_ASSERT(count_ > 0);
  if (item->prev != nullptr) {
    item->prev->next = item->next;
  } else {
    SHOAL_ASSERT(front_ == item);
    front_ = item->next;
  }
  if (item->next != nullptr) {
    item->next->prev = item->prev;
  } else {
    SHOAL_ASSERT(back_ == item);
    back_ = item->prev;
  }
  item->prev = nullptr;
  item->next = nullptr;
  --count_;
  bytes_ -= ItemFootprint(item);
}

Item* ItemList::PopFront() {
  Item* item = front_;
  if (item != nullptr) Remove(item);
  return item;
}

void ItemList::Replace(Item* old_item, Item* new_item) {
  if (new_item->prev != nullptr) {
    new_item->prev->next = new_item;
  } else {
    SHOAL_ASSERT(front_ == old_item);
    front_ = new_item;
  }
  if (new_item->next != nullptr) {
    new_item->next->prev = new_item;
  } else {
    SHOAL_ASSERT(back_ == old_item);
    back_ = new_item;
  }
  bytes_ = bytes_ - ItemFootprint(old_item) + ItemFootprint(new_item);
}

void ItemList::Clear() {
  front_ = nullptr;
  back_ = nullptr;
  count_ = 0;
  bytes_ = 0;
}

std::vector<Item*> ItemList::Collect() const {
  std::vector<Item*> items;
  std::uint64_t bytes = 0;
  const Item* prev = nullptr;
  for (Item* it = front_; it != nullptr; it = it->next) {
    SHOAL_ASSERT(it->prev == prev);
    SHOAL_ASSERT(items.size() < count_);
    items.push_back(it);
    bytes += ItemFootprint(it);
    prev = it;
  }
  SHOAL_ASSERT(back_ == prev);
  SHOAL_ASSERT(items.size() == count_);
  SHOAL_ASSERT(bytes == bytes_);
  return items;
}

// --- LRU --------------------------------------------------------------------------------------

void LruPolicy::OnAccess(Item* item) {
  if (list_.back() == item) return;
  list_.Remove(item);
  list_.PushBack(item);
}

// --- SIEVE ------------------------------------------------------------------------------------

void SievePolicy::OnInsert(Item* item) {
  item->flags &= static_cast<std::uint8_t>(~kFlagVisited);
  list_.PushBack(item);
}

void SievePolicy::OnRemove(Item* item) {
  if (hand_ == item) hand_ = item->next;
  list_.Remove(item);
}

void SievePolicy::OnReplace(Item* old_item, Item* new_item) {
  if (hand_ == old_item) hand_ = new_item;
  list_.Replace(old_item, new_item);
}

Item* SievePolicy::Evict() {
  if (list_.empty()) return nullptr;
  Item* item = hand_ != nullptr ? hand_ : list_.front();
  // Terminates: one full lap clears every visited bit.
  while (item->flags & kFlagVisited) {
    item->flags &= static_cast<std::uint8_t>(~kFlagVisited);
    item = item->next != nullptr ? item->next : list_.front();
  }
  hand_ = item->next;
  list_.Remove(item);
  return item;
}

void SievePolicy::Clear() {
  list_.Clear();
  hand_ = nullptr;
}

void SievePolicy::CheckInvariants() const {
  const std::vector<Item*> items = list_.Collect();
  if (hand_ != nullptr) {
    bool found = false;
    for (Item* it : items) found = found || it == hand_;
    SHOAL_ASSERT_MSG(found, "SIEVE hand points outside the queue");
  }
}

// --- S3-FIFO ----------------------------------------------------------------------------------

S3FifoPolicy::S3FifoPolicy(std::uint64_t capacity_bytes, std::uint64_t hash_seed)
    : small_bytes_target_(capacity_bytes / 10), hash_seed_(hash_seed) {
  if (capacity_bytes > 0) {
    std::uint64_t buckets = capacity_bytes * 9 / 10 / kGhostItemBytes / kGhostWays;
    if (buckets < 4) buckets = 4;
    ghost_.assign(buckets * kGhostWays, 0);
  }
}

std::uint32_t S3FifoPolicy::Fingerprint(std::string_view key) const {
  const auto fp = static_cast<std::uint32_t>(HashKey(key, hash_seed_) >> 32);
  return fp == 0 ? 1 : fp;  // 0 marks an empty way
}

std::uint32_t* S3FifoPolicy::GhostBucket(std::uint32_t fp) {
  return const_cast<std::uint32_t*>(std::as_const(*this).GhostBucket(fp));
}

const std::uint32_t* S3FifoPolicy::GhostBucket(std::uint32_t fp) const {
  const std::uint64_t buckets = ghost_.size() / kGhostWays;
  // The low fingerprint bits pick the bucket (the high ones fed the table tag elsewhere).
  const std::uint64_t bucket = ((fp * 0x9e3779b9ULL) & 0xffffffffULL) * buckets >> 32;
  return ghost_.data() + bucket * kGhostWays;
}

bool S3FifoPolicy::InGhost(std::string_view key) const {
  if (ghost_.empty()) return false;
  const std::uint32_t fp = Fingerprint(key);
  const std::uint32_t* bucket = GhostBucket(fp);
  for (std::size_t w = 0; w < kGhostWays; ++w) {
    if (bucket[w] == fp) return true;
  }
  return false;
}

void S3FifoPolicy::GhostPush(std::uint32_t fp) {
  if (ghost_.empty()) return;
  std::uint32_t* bucket = GhostBucket(fp);
  for (std::size_t w = 0; w < kGhostWays; ++w) {
    if (bucket[w] == fp) return;
  }
  for (std::size_t w = 0; w < kGhostWays; ++w) {
    if (bucket[w] == 0) {
      bucket[w] = fp;
      ++ghost_count_;
      return;
    }
  }
  bucket[ghost_clock_++ % kGhostWays] = fp;
}

bool S3FifoPolicy::GhostTake(std::uint32_t fp) {
  if (ghost_.empty()) return false;
  std::uint32_t* bucket = GhostBucket(fp);
  for (std::size_t w = 0; w < kGhostWays; ++w) {
    if (bucket[w] == fp) {
      bucket[w] = 0;
      --ghost_count_;
      return true;
    }
  }
  return false;
}

void S3FifoPolicy::OnInsert(Item* item) {
  item->flags &= static_cast<std::uint8_t>(~(kFreqMask | kFlagMain));
  if (ghost_count_ > 0 && GhostTake(Fingerprint(ItemKey(item)))) {
    item->flags |= kFlagMain;
    main_.PushBack(item);
  } else {
    small_.PushBack(item);
  }
}

void S3FifoPolicy::OnAccess(Item* item) {
  const std::uint8_t freq = ItemFreq(item);
  if (freq < kFreqMax) ItemSetFreq(item, freq + 1);
}

void S3FifoPolicy::OnRemove(Item* item) {
  if (item->flags & kFlagMain) {
    main_.Remove(item);
  } else {
    small_.Remove(item);
  }
}

void S3FifoPolicy::OnReplace(Item* old_item, Item* new_item) {
  if (old_item->flags & kFlagMain) {
    main_.Replace(old_item, new_item);
  } else {
    small_.Replace(old_item, new_item);
  }
}

Item* S3FifoPolicy::Evict() {
  // Each pass either returns, promotes an item from small (at most once per item) or spends one
  // unit of a main item's frequency (at most 3 per item), so the loop is bounded by 4 * size().
  for (;;) {
    if (small_.empty() && main_.empty()) return nullptr;
    if (!small_.empty() && (small_.bytes() >= small_bytes_target_ || main_.empty())) {
      Item* item = small_.PopFront();
      if (ItemFreq(item) >= kMoveToMainFreq) {
        ItemSetFreq(item, 0);
        item->flags |= kFlagMain;
        main_.PushBack(item);
        continue;
      }
      GhostPush(Fingerprint(ItemKey(item)));
      return item;
    }
    Item* item = main_.front();
    const std::uint8_t freq = ItemFreq(item);
    if (freq > 0) {
      ItemSetFreq(item, freq - 1);
      main_.Remove(item);
      main_.PushBack(item);
      continue;
    }
    main_.Remove(item);
    item->flags &= static_cast<std::uint8_t>(~kFlagMain);
    return item;
  }
}

void S3FifoPolicy::Clear() {
  small_.Clear();
  main_.Clear();
}

std::uint64_t S3FifoPolicy::OverheadBytes() const {
  return ghost_.capacity() * sizeof(std::uint32_t);
}

void S3FifoPolicy::CheckInvariants() const {
  for (Item* it : small_.Collect()) SHOAL_ASSERT((it->flags & kFlagMain) == 0);
  for (Item* it : main_.Collect()) SHOAL_ASSERT((it->flags & kFlagMain) != 0);
  std::size_t used = 0;
  for (std::uint32_t fp : ghost_) used += fp != 0 ? 1 : 0;
  SHOAL_ASSERT(used == ghost_count_);
}

// --- Factory ----------------------------------------------------------------------------------

std::unique_ptr<EvictionPolicy> MakeEvictionPolicy(EvictionKind kind, std::uint64_t capacity_bytes,
                                                   std::uint64_t hash_seed) {
  switch (kind) {
    case EvictionKind::kLru:
      return std::make_unique<LruPolicy>();
    case EvictionKind::kSieve:
      return std::make_unique<SievePolicy>();
    case EvictionKind::kS3Fifo:
      return std::make_unique<S3FifoPolicy>(capacity_bytes, hash_seed);
    case EvictionKind::kNoEviction:
      return std::make_unique<NoEvictionPolicy>();
  }
  SHOAL_ASSERT_MSG(false, "unknown EvictionKind");
  return nullptr;
}

}  // namespace shoal::store_internal
