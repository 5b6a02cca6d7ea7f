// Store implementation. See store.h for the contract and item.h / item_table.h /
// eviction_policy.h for the pieces. Memory accounting (used_bytes):
//   sum of item malloc chunks + table slots + expiring-array capacity + policy overhead (ghost).
#include "core/store/store.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/limits.h"
#include "core/slot.h"
#include "core/store/eviction_policy.h"
#include "core/store/item.h"
#include "core/store/item_table.h"

namespace shoal {

using store_internal::Item;
using store_internal::ItemTable;

namespace {

constexpr std::size_t kNotFound = ItemTable::kNotFound;
// Policy bits carried over when an item is reallocated for the same key.
constexpr std::uint8_t kPolicyFlags =
    store_internal::kFlagVisited | store_internal::kFreqMask | store_internal::kFlagMain;

bool IsExpired(const Item* item, TimeMs now) {
  return store_internal::ItemHasExpiry(item) && store_internal::ItemExpireAt(item) <= now;
}

// Capacity a std::vector has after one push_back (libstdc++ doubles).
std::uint64_t VectorCapacityAfterPush(std::size_t size, std::size_t capacity) {
  if (size < capacity) return capacity;
  return capacity == 0 ? 1 : capacity * 2;
}

}  // namespace

struct Store::Impl {
  explicit Impl(const StoreOptions& opts)
      : options(opts),
        table(opts.hash_seed),
        policy(store_internal::MakeEvictionPolicy(opts.eviction, opts.maxmemory_bytes,
                                                  opts.hash_seed)) {
    SHOAL_ASSERT(opts.value_bytes_max <= limits::kValueBytesHardMax);
    if (opts.count_slots) slot_keys.assign(limits::kSlotCount, 0);
  }

  void CountInsert(const Item* item) {
    if (!slot_keys.empty()) [[unlikely]] {
      ++slot_keys[KeySlot(store_internal::ItemKey(item))];
    }
  }
  void CountRemove(const Item* item) {
    if (!slot_keys.empty()) [[unlikely]] {
      std::uint32_t& n = slot_keys[KeySlot(store_internal::ItemKey(item))];
      SHOAL_ASSERT(n > 0);
      --n;
    }
  }

  ~Impl() { FreeAll(); }

  void FreeAll() {
    table.ForEach([](Item* item) { store_internal::FreeItem(item); });
    table.Reset();
    policy->Clear();
    std::vector<Item*>().swap(expiring);
    expire_cursor = 0;
    items_bytes = 0;
    std::fill(slot_keys.begin(), slot_keys.end(), 0);
  }

  std::uint64_t UsedBytes() const {
    return items_bytes + table.bytes() + expiring.capacity() * sizeof(Item*) +
           policy->OverheadBytes();
  }

  // --- expiring array (dense, swap-remove; each item knows its position) ----------------------
  void ExpiringAdd(Item* item) {
    SHOAL_ASSERT(expiring.size() < 0xffffffffULL);
    store_internal::ItemSetExpiryPos(item, static_cast<std::uint32_t>(expiring.size()));
    expiring.push_back(item);
  }

  void ExpiringRemove(Item* item) {
    const std::uint32_t pos = store_internal::ItemExpiryPos(item);
    SHOAL_ASSERT(pos < expiring.size() && expiring[pos] == item);
    Item* last = expiring.back();
    expiring[pos] = last;
    store_internal::ItemSetExpiryPos(last, pos);
    expiring.pop_back();
    if (expiring.capacity() > 64 && expiring.size() < expiring.capacity() / 4) {
      expiring.shrink_to_fit();
    }
  }

  // --- removal ------------------------------------------------------------------------------
  // Removes the item at `slot` from table, expiring array and accounting; frees it. The caller
  // has already unlinked it from the policy or asks us to (unlink_policy).
  void RemoveAt(std::size_t slot, Item* item, bool unlink_policy) {
    if (unlink_policy) policy->OnRemove(item);
    if (store_internal::ItemHasExpiry(item)) ExpiringRemove(item);
    items_bytes -= store_internal::ItemFootprint(item);
    CountRemove(item);
    table.EraseAt(slot);
    store_internal::FreeItem(item);
  }

  std::size_t SlotOf(const Item* item) const {
    const std::string_view key = store_internal::ItemKey(item);
    const std::size_t slot = table.Find(key, table.Hash(key));
    SHOAL_ASSERT(slot != kNotFound && table.At(slot) == item);
    return slot;
  }

  void NotifyExpired(const Item* item) const {
    if (eviction_listener != nullptr) {
      eviction_listener->OnExpired(store_internal::ItemKey(item),
                                   store_internal::ItemVersion(item));
    }
  }

  // Finds a live key; removes it first if it has expired (lazy expiry).
  std::size_t FindLive(std::string_view key, std::uint64_t hash, TimeMs now) {
    const std::size_t slot = table.Find(key, hash);
    if (slot == kNotFound) return kNotFound;
    Item* item = table.At(slot);
    if (IsExpired(item, now)) [[unlikely]] {
      NotifyExpired(item);
      RemoveAt(slot, item, /*unlink_policy=*/true);
      ++stats.expired;
      return kNotFound;
    }
    return slot;
  }

  // Evicts until `extra()` more bytes fit under maxmemory. `pinned` (an item about to be
  // rewritten) is taken out of the policy meanwhile so that it cannot be chosen, then put back.
  template <class Extra>
  bool MakeRoom(Extra&& extra, Item* pinned) {
    if (options.maxmemory_bytes == 0) return true;
    if (UsedBytes() + extra() <= options.maxmemory_bytes) return true;
    if (options.eviction == EvictionKind::kNoEviction) return false;
    if (pinned != nullptr) policy->OnRemove(pinned);
    bool fits = false;
    for (std::size_t evictions = 0; evictions < limits::kEvictionsPerWriteMax; ++evictions) {
      Item* victim = policy->Evict();
      if (victim == nullptr) break;
      if (eviction_listener != nullptr) {
        eviction_listener->OnEvicted(store_internal::ItemKey(victim),
                                     store_internal::ItemVersion(victim));
      }
      RemoveAt(SlotOf(victim), victim, /*unlink_policy=*/false);
      ++stats.evicted;
      if (UsedBytes() + extra() <= options.maxmemory_bytes) {
        fits = true;
        break;
      }
    }
    if (pinned != nullptr) policy->OnInsert(pinned);
    return fits;
  }

  // Moves the key at `slot` from `old_item` to `new_item` (same key), keeping its place in the
  // eviction policy and in the expiring array.
  void Reallocate(std::size_t slot, Item* old_item, Item* new_item) {
    new_item->prev = old_item->prev;
    new_item->next = old_item->next;
    new_item->flags = static_cast<std::uint8_t>((new_item->flags & ~kPolicyFlags) |
                                                (old_item->flags & kPolicyFlags));
    policy->OnReplace(old_item, new_item);
    table.ReplaceAt(slot, new_item);
    const bool old_expiry = store_internal::ItemHasExpiry(old_item);
    const bool new_expiry = store_internal::ItemHasExpiry(new_item);
    if (old_expiry && new_expiry) {
      const std::uint32_t pos = store_internal::ItemExpiryPos(old_item);
      store_internal::ItemSetExpiryPos(new_item, pos);
      expiring[pos] = new_item;
    } else if (old_expiry) {
      ExpiringRemove(old_item);
    } else if (new_expiry) {
      ExpiringAdd(new_item);
    }
    items_bytes = items_bytes - store_internal::ItemFootprint(old_item) +
                  store_internal::ItemFootprint(new_item);
    store_internal::FreeItem(old_item);
  }

  std::uint64_t ExpiringGrowthBytes() const {
    return (VectorCapacityAfterPush(expiring.size(), expiring.capacity()) - expiring.capacity()) *
           sizeof(Item*);
  }

  Result<void> Set(std::string_view key, std::string_view value, TimeMs expire_at, TimeMs now,
                   std::uint64_t version) {
    if (key.size() > limits::kKeyBytesMax) return Error::kKeyTooLarge;
    if (value.size() > options.value_bytes_max) return Error::kValueTooLarge;
    const std::uint64_t hash = table.Hash(key);
    std::size_t slot = FindLive(key, hash, now);
    if (expire_at != kNoExpiry && expire_at <= now) {
      // SET ... PXAT <past>: the key ends up absent.
      if (slot != kNotFound) RemoveAt(slot, table.At(slot), /*unlink_policy=*/true);
      ++stats.sets;
      return outcome::success();
    }
    const bool has_expiry = expire_at != kNoExpiry;
    const bool has_version = version != 0;
    const std::size_t alloc_bytes =
        store_internal::ItemAllocBytes(key.size(), value.size(), has_expiry, has_version);
    const std::uint64_t new_bytes = store_internal::MallocChunkBytes(alloc_bytes);

    if (slot == kNotFound) {
      const auto extra = [&] {
        return new_bytes + (table.BytesAfterInsert() - table.bytes()) +
               (has_expiry ? ExpiringGrowthBytes() : 0);
      };
      if (!MakeRoom(extra, nullptr)) return Error::kOutOfMemory;
      Item* item = store_internal::NewItem(key, value, expire_at, version);
      table.Insert(item, hash);
      if (has_expiry) ExpiringAdd(item);
      items_bytes += new_bytes;
      CountInsert(item);
      policy->OnInsert(item);
      ++stats.sets;
      return outcome::success();
    }

    Item* old_item = table.At(slot);
    const store_internal::ItemLayout layout = store_internal::Decode(old_item);
    if (layout.value_len == value.size() && (layout.expiry != nullptr) == has_expiry &&
        (layout.version != nullptr) == has_version) {
      // Same layout: overwrite in place, no allocation.
      if (!value.empty()) {
        std::memcpy(const_cast<unsigned char*>(layout.key) + layout.key_len, value.data(),
                    value.size());
      }
      if (has_expiry) store_internal::ItemSetExpireAt(old_item, expire_at);
      if (has_version) store_internal::ItemSetVersion(old_item, version);
      policy->OnAccess(old_item);
      ++stats.sets;
      return outcome::success();
    }
    const std::uint64_t old_bytes = store_internal::ItemFootprint(old_item);
    if (new_bytes > old_bytes || (has_expiry && layout.expiry == nullptr)) {
      const std::uint64_t growth =
          (new_bytes > old_bytes ? new_bytes - old_bytes : 0) +
          (has_expiry && layout.expiry == nullptr ? ExpiringGrowthBytes() : 0);
      if (!MakeRoom([&] { return growth; }, old_item)) return Error::kOutOfMemory;
      slot = SlotOf(old_item);  // evictions may have rehashed the table
    }
    Item* new_item = store_internal::NewItem(key, value, expire_at, version);
    Reallocate(slot, old_item, new_item);
    policy->OnAccess(new_item);
    ++stats.sets;
    return outcome::success();
  }

  bool SetExpiry(std::string_view key, TimeMs expire_at, TimeMs now, std::uint64_t version) {
    const std::uint64_t hash = table.Hash(key);
    std::size_t slot = FindLive(key, hash, now);
    if (slot == kNotFound) return false;
    Item* item = table.At(slot);
    if (expire_at != kNoExpiry && expire_at <= now) {
      RemoveAt(slot, item, /*unlink_policy=*/true);
      return true;
    }
    const bool had_expiry = store_internal::ItemHasExpiry(item);
    const bool had_version = store_internal::ItemHasVersion(item);
    const std::uint64_t new_version = version != 0 ? version : store_internal::ItemVersion(item);
    if (had_version || version == 0) {
      if (had_expiry && expire_at != kNoExpiry) {
        store_internal::ItemSetExpireAt(item, expire_at);
        if (version != 0) store_internal::ItemSetVersion(item, version);
        return true;
      }
      if (!had_expiry && expire_at == kNoExpiry) {
        if (version != 0) store_internal::ItemSetVersion(item, version);
        return true;
      }
    }
    const std::size_t grow_bytes =
        (!had_expiry && expire_at != kNoExpiry ? store_internal::kItemExpiryBytes : 0) +
        (!had_version && new_version != 0 ? store_internal::kItemVersionBytes : 0);
    if (grow_bytes > 0) {
      // Growing the item: make room if we can; never fail (see store.h).
      const std::uint64_t growth =
          store_internal::MallocChunkBytes(store_internal::ItemAllocBytes(item) + grow_bytes) -
          store_internal::ItemFootprint(item) +
          (!had_expiry && expire_at != kNoExpiry ? ExpiringGrowthBytes() : 0);
      MakeRoom([&] { return growth; }, item);
      slot = SlotOf(item);
    }
    Item* new_item =
        store_internal::NewItem(key, store_internal::ItemValue(item), expire_at, new_version);
    Reallocate(slot, item, new_item);
    return true;
  }

  template <class Doomed>
  std::size_t EraseIf(Doomed&& doomed) {
    std::vector<Item*> victims;
    table.ForEach([&](Item* item) {
      if (doomed(store_internal::ItemKey(item), store_internal::ItemVersion(item))) {
        victims.push_back(item);
      }
    });
    for (Item* item : victims) RemoveAt(SlotOf(item), item, /*unlink_policy=*/true);
    return victims.size();
  }

  // Removes `item` if it has expired by `now` (telling the listener first).
  bool RemoveIfExpired(Item* item, TimeMs now) {
    if (store_internal::ItemExpireAt(item) > now) return false;
    NotifyExpired(item);
    RemoveAt(SlotOf(item), item, /*unlink_policy=*/true);
    ++stats.expired;
    return true;
  }

  std::size_t ExpireSome(TimeMs now, std::size_t keys_max) {
    std::size_t removed = 0;
    if (keys_max >= expiring.size()) {
      // A full sweep from the front: swap-remove brings an unexamined entry from the tail to the
      // position just emptied, so every key is examined exactly once.
      for (std::size_t i = 0; i < expiring.size();) {
        if (RemoveIfExpired(expiring[i], now)) {
          ++removed;
        } else {
          ++i;
        }
      }
      expire_cursor = 0;
      return removed;
    }
    // A partial sweep resumes where the last one stopped, so repeated calls cover every key.
    for (std::size_t examined = 0; examined < keys_max && !expiring.empty(); ++examined) {
      if (expire_cursor >= expiring.size()) expire_cursor = 0;
      // Swap-remove brings the last entry to the cursor; it is examined next.
      if (RemoveIfExpired(expiring[expire_cursor], now)) {
        ++removed;
      } else {
        ++expire_cursor;
      }
    }
    return removed;
  }

  void CheckInvariants() const {
    table.CheckInvariants();
    SHOAL_ASSERT(policy->size() == table.size() || options.eviction == EvictionKind::kNoEviction);
    policy->CheckInvariants();
    std::uint64_t bytes = 0;
    std::size_t with_expiry = 0;
    table.ForEach([&](Item* item) {
      bytes += store_internal::ItemFootprint(item);
      if (store_internal::ItemHasExpiry(item)) {
        ++with_expiry;
        const std::uint32_t pos = store_internal::ItemExpiryPos(item);
        SHOAL_ASSERT(pos < expiring.size() && expiring[pos] == item);
      }
    });
    SHOAL_ASSERT(bytes == items_bytes);
    SHOAL_ASSERT(with_expiry == expiring.size());
    if (!slot_keys.empty()) {
      std::vector<std::uint32_t> counted(limits::kSlotCount, 0);
      table.ForEach([&](Item* item) { ++counted[KeySlot(store_internal::ItemKey(item))]; });
      SHOAL_ASSERT(counted == slot_keys);
    }
    table.ForEach([&](Item* item) {
      SHOAL_ASSERT(!store_internal::ItemHasVersion(item) || store_internal::ItemVersion(item) != 0);
    });
  }

  StoreOptions options;
  mutable StoreStats stats;
  ItemTable table;
  std::unique_ptr<store_internal::EvictionPolicy> policy;
  std::vector<Item*> expiring;
  std::size_t expire_cursor = 0;
  std::uint64_t items_bytes = 0;
  std::vector<std::uint32_t> slot_keys;  // options.count_slots only
  EvictionListener* eviction_listener = nullptr;
};

namespace {

ItemView ViewOf(const Item* item) {
  return ItemView{store_internal::ItemValue(item), store_internal::ItemExpireAt(item),
                  store_internal::ItemVersion(item)};
}

}  // namespace

Store::Store(const StoreOptions& options) : impl_(std::make_unique<Impl>(options)) {}

Store::~Store() = default;

std::optional<ItemView> Store::Get(std::string_view key, TimeMs now) {
  const std::size_t slot = impl_->FindLive(key, impl_->table.Hash(key), now);
  if (slot == kNotFound) {
    ++impl_->stats.misses;
    return std::nullopt;
  }
  Item* item = impl_->table.At(slot);
  ++impl_->stats.hits;
  impl_->policy->OnAccess(item);
  return ViewOf(item);
}

std::optional<ItemView> Store::Peek(std::string_view key, TimeMs now) {
  const std::size_t slot = impl_->FindLive(key, impl_->table.Hash(key), now);
  if (slot == kNotFound) return std::nullopt;
  return ViewOf(impl_->table.At(slot));
}

std::optional<ItemView> Store::Peek(std::string_view key, TimeMs now) const {
  const std::size_t slot = impl_->table.Find(key, impl_->table.Hash(key));
  if (slot == kNotFound) return std::nullopt;
  const Item* item = impl_->table.At(slot);
  if (IsExpired(item, now)) return std::nullopt;
  return ViewOf(item);
}

std::optional<ItemView> Store::PeekIncludingExpired(std::string_view key) const {
  const std::size_t slot = impl_->table.Find(key, impl_->table.Hash(key));
  if (slot == kNotFound) return std::nullopt;
  return ViewOf(impl_->table.At(slot));
}

std::optional<std::uint64_t> Store::UsageBytes(std::string_view key, TimeMs now) const {
  const std::size_t slot = impl_->table.Find(key, impl_->table.Hash(key));
  if (slot == kNotFound) return std::nullopt;
  const Item* item = impl_->table.At(slot);
  if (IsExpired(item, now)) return std::nullopt;
  return store_internal::ItemFootprint(item);
}

bool Store::KeepsAccessFrequency() const {
  const EvictionKind kind = impl_->policy->kind();
  return kind == EvictionKind::kS3Fifo || kind == EvictionKind::kSieve;
}

std::optional<unsigned> Store::AccessFrequency(std::string_view key, TimeMs now) const {
  SHOAL_ASSERT(KeepsAccessFrequency());
  const std::size_t slot = impl_->table.Find(key, impl_->table.Hash(key));
  if (slot == kNotFound) return std::nullopt;
  const Item* item = impl_->table.At(slot);
  if (IsExpired(item, now)) return std::nullopt;
  if (impl_->policy->kind() == EvictionKind::kSieve) {
    return (item->flags & store_internal::kFlagVisited) != 0 ? 1u : 0u;
  }
  return store_internal::ItemFreq(item);
}

Result<void> Store::Set(std::string_view key, std::string_view value, TimeMs expire_at, TimeMs now,
                        std::uint64_t version) {
  return impl_->Set(key, value, expire_at, now, version);
}

bool Store::Delete(std::string_view key, TimeMs now) {
  const std::size_t slot = impl_->FindLive(key, impl_->table.Hash(key), now);
  if (slot == kNotFound) return false;
  impl_->RemoveAt(slot, impl_->table.At(slot), /*unlink_policy=*/true);
  return true;
}

bool Store::SetExpiry(std::string_view key, TimeMs expire_at, TimeMs now, std::uint64_t version) {
  return impl_->SetExpiry(key, expire_at, now, version);
}

std::size_t Store::EraseSlotBelow(std::uint16_t slot, std::uint64_t version) {
  return impl_->EraseIf(
      [&](std::string_view key, std::uint64_t v) { return v < version && KeySlot(key) == slot; });
}

std::size_t Store::EraseIf(
    const std::function<bool(std::string_view key, std::uint64_t version)>& doomed) {
  return impl_->EraseIf(doomed);
}

std::uint64_t Store::Scan(std::uint64_t cursor, std::size_t visits_max,
                          const std::function<bool(const StoreEntry&)>& visit) const {
  return impl_->table.Scan(cursor, visits_max, [&](const Item* item) {
    return visit(StoreEntry{store_internal::ItemKey(item), store_internal::ItemValue(item),
                            store_internal::ItemExpireAt(item), store_internal::ItemVersion(item)});
  });
}

std::uint64_t Store::SlotKeys(std::uint16_t slot) const {
  SHOAL_ASSERT(!impl_->slot_keys.empty());
  return impl_->slot_keys[slot];
}

void Store::SetEvictionListener(EvictionListener* listener) { impl_->eviction_listener = listener; }

void Store::Clear() { impl_->FreeAll(); }

std::size_t Store::ExpireSome(TimeMs now, std::size_t keys_max) {
  return impl_->ExpireSome(now, keys_max);
}

std::uint64_t Store::size() const { return impl_->table.size(); }

std::uint64_t Store::used_bytes() const { return impl_->UsedBytes(); }

const StoreStats& Store::stats() const {
  StoreStats& stats = impl_->stats;
  stats.keys = impl_->table.size();
  stats.keys_with_expiry = impl_->expiring.size();
  stats.used_bytes = impl_->UsedBytes();
  return stats;
}

const StoreOptions& Store::options() const { return impl_->options; }

void Store::ResetStats() {
  StoreStats& stats = impl_->stats;
  stats.hits = 0;
  stats.misses = 0;
  stats.expired = 0;
  stats.evicted = 0;
  stats.sets = 0;
}

std::uint64_t Store::ItemFootprintBytes(std::size_t key_bytes, std::size_t value_bytes) {
  return ItemFootprintBytes(key_bytes, value_bytes, /*has_expiry=*/false);
}

std::uint64_t Store::ItemFootprintBytes(std::size_t key_bytes, std::size_t value_bytes,
                                        bool has_expiry) {
  return store_internal::MallocChunkBytes(
      store_internal::ItemAllocBytes(key_bytes, value_bytes, has_expiry));
}

void Store::CheckInvariants() const { impl_->CheckInvariants(); }

}  // namespace shoal
