// EvictionPolicy: the one interface behind which the Store's eviction policies live (exact LRU,
// SIEVE, S3-FIFO, and "noeviction"). Policies keep their metadata inside the items (the prev/next
// links and flag bits of item.h), so a policy costs no memory per item beyond the item header;
// only S3-FIFO's ghost queue of key fingerprints is extra, and it is reported by OverheadBytes().
//
// Thread safety: none (owned by one Store).
// Contract with the Store:
//   - OnInsert once per new item; OnRemove when the Store deletes or expires an item;
//     Evict() chooses a victim, unlinks it and returns it (the Store then frees it).
//   - OnAccess on a read hit or overwrite; OnReplace when an item is reallocated for the same key
//     (its header, links and policy bits included, has been copied into new_item).
// Invariants: every live item is linked into exactly one of the policy's queues (none for
// noeviction); size() counts them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/store/eviction_kind.h"
#include "core/store/item.h"

namespace shoal::store_internal {

// An intrusive doubly linked FIFO of items: front = oldest, back = newest. Also tracks the
// accounted bytes of its items.
class ItemList {
 public:
  bool empty() const { return front_ == nullptr; }
  Item* front() const { return front_; }
  Item* back() const { return back_; }
  std::size_t count() const { return count_; }
  std::uint64_t bytes() const { return bytes_; }

  void PushBack(Item* item);
  void Remove(Item* item);
  Item* PopFront();
  // new_item carries a copy of old_item's links; fixes the neighbours and the ends.
  void Replace(Item* old_item, Item* new_item);
  void Clear();
  // Walks the list and checks links, count and bytes; returns the items front to back.
  std::vector<Item*> Collect() const;

 private:
  Item* front_ = nullptr;
  Item* back_ = nullptr;
  std::size_t count_ = 0;
  std::uint64_t bytes_ = 0;
};

class EvictionPolicy {
 public:
  virtual ~EvictionPolicy() = default;
  virtual EvictionKind kind() const = 0;
  virtual void OnInsert(Item* item) = 0;
  virtual void OnAccess(Item* item) = 0;
  virtual void OnRemove(Item* item) = 0;
  virtual void OnReplace(Item* old_item, Item* new_item) = 0;
  // Unlinks and returns the victim, or nullptr if nothing can be evicted.
  virtual Item* Evict() = 0;
  // Forgets every item (the Store frees them) but keeps history such as the ghost.
  virtual void Clear() = 0;
  virtual std::size_t size() const = 0;
  virtual std::uint64_t OverheadBytes() const { return 0; }
  // Aborts if an internal invariant does not hold.
  virtual void CheckInvariants() const = 0;
};

class NoEvictionPolicy final : public EvictionPolicy {
 public:
  EvictionKind kind() const override { return EvictionKind::kNoEviction; }
  void OnInsert(Item*) override { ++size_; }
  void OnAccess(Item*) override {}
  void OnRemove(Item*) override { --size_; }
  void OnReplace(Item*, Item*) override {}
  Item* Evict() override { return nullptr; }
  void Clear() override { size_ = 0; }
  std::size_t size() const override { return size_; }
  void CheckInvariants() const override {}

 private:
  std::size_t size_ = 0;
};

// Exact LRU: a hit moves the item to the back; the victim is the front.
class LruPolicy final : public EvictionPolicy {
 public:
  EvictionKind kind() const override { return EvictionKind::kLru; }
  void OnInsert(Item* item) override { list_.PushBack(item); }
  void OnAccess(Item* item) override;
  void OnRemove(Item* item) override { list_.Remove(item); }
  void OnReplace(Item* old_item, Item* new_item) override { list_.Replace(old_item, new_item); }
  Item* Evict() override { return list_.PopFront(); }
  void Clear() override { list_.Clear(); }
  std::size_t size() const override { return list_.count(); }
  void CheckInvariants() const override { list_.Collect(); }
  const ItemList& list() const { return list_; }

 private:
  ItemList list_;
};

// SIEVE (Zhang et al., NSDI'24): one FIFO; a hit sets the visited bit; the hand moves from the
// oldest item toward the newest, clearing visited bits, and evicts the first unvisited item,
// wrapping to the oldest after the newest. Survivors keep their place (unlike CLOCK).
class SievePolicy final : public EvictionPolicy {
 public:
  EvictionKind kind() const override { return EvictionKind::kSieve; }
  void OnInsert(Item* item) override;
  void OnAccess(Item* item) override { item->flags |= kFlagVisited; }
  void OnRemove(Item* item) override;
  void OnReplace(Item* old_item, Item* new_item) override;
  Item* Evict() override;
  void Clear() override;
  std::size_t size() const override { return list_.count(); }
  void CheckInvariants() const override;
  const ItemList& list() const { return list_; }
  Item* hand() const { return hand_; }

 private:
  ItemList list_;
  Item* hand_ = nullptr;  // next item to examine; nullptr means "start at the front"
};

// S3-FIFO (Yang et al., SOSP'23) with byte capacities: a small FIFO (~10% of the bytes) admits new
// items; a main FIFO holds items that proved themselves; a ghost remembers fingerprints of items
// evicted from small. A hit bumps a 2-bit frequency (max 3). Eviction from small promotes an item
// whose frequency is >= kMoveToMainFreq to main (frequency reset), else evicts it into the ghost;
// eviction from main re-inserts items with frequency > 0 (decrementing it) and evicts the first
// with 0. A new item whose fingerprint is in the ghost goes straight to main (and leaves the
// ghost).
//
// The ghost is a fixed-size array of 4-way buckets of 32-bit fingerprints, allocated once from
// maxmemory (room for 0.9 * maxmemory / kGhostItemBytes keys, i.e. ~2.8% of maxmemory), so its
// memory never jumps during an eviction. Within a bucket a full bucket replaces its ways in
// rotation: an approximate FIFO (the paper's ghost is an exact FIFO of the same capacity).
class S3FifoPolicy final : public EvictionPolicy {
 public:
  static constexpr std::uint8_t kMoveToMainFreq = 1;
  // Assumed average item footprint for sizing the ghost (paper: ghost = 0.9 of the cache).
  static constexpr std::uint64_t kGhostItemBytes = 128;
  static constexpr std::size_t kGhostWays = 4;

  S3FifoPolicy(std::uint64_t capacity_bytes, std::uint64_t hash_seed);
  EvictionKind kind() const override { return EvictionKind::kS3Fifo; }
  void OnInsert(Item* item) override;
  void OnAccess(Item* item) override;
  void OnRemove(Item* item) override;
  void OnReplace(Item* old_item, Item* new_item) override;
  Item* Evict() override;
  void Clear() override;
  std::size_t size() const override { return small_.count() + main_.count(); }
  std::uint64_t OverheadBytes() const override;
  void CheckInvariants() const override;

  const ItemList& small() const { return small_; }
  const ItemList& main() const { return main_; }
  std::size_t ghost_size() const { return ghost_count_; }
  std::size_t ghost_capacity() const { return ghost_.size(); }
  bool InGhost(std::string_view key) const;
  std::uint64_t small_bytes_target() const { return small_bytes_target_; }

 private:
  std::uint32_t Fingerprint(std::string_view key) const;
  std::uint32_t* GhostBucket(std::uint32_t fp);
  const std::uint32_t* GhostBucket(std::uint32_t fp) const;
  void GhostPush(std::uint32_t fp);
  bool GhostTake(std::uint32_t fp);  // removes fp if present

  std::uint64_t small_bytes_target_;
  std::uint64_t hash_seed_;
  ItemList small_;
  ItemList main_;
  std::vector<std::uint32_t> ghost_;  // buckets of kGhostWays fingerprints; 0 = empty way
  std::size_t ghost_count_ = 0;
  std::uint32_t ghost_clock_ = 0;  // which way a full bucket gives up next
};

std::unique_ptr<EvictionPolicy> MakeEvictionPolicy(EvictionKind kind, std::uint64_t capacity_bytes,
                                                   std::uint64_t hash_seed);

}  // namespace shoal::store_internal
