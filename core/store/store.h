// Store: one shard's keyspace. A hash table of items (key, value, absolute expiry, eviction
// metadata) with honest memory accounting bounded by maxmemory, lazy + incremental active
// expiry, a pluggable eviction policy, and statistics.
//
// Thread safety: none. A Store is owned by exactly one thread (shared-nothing, architecture §8).
// Time: every call that may observe expiry takes `now` (ms, driver-defined epoch).
//
// Invariants:
//   1. used_bytes() == sum over live items of ItemFootprintBytes(key, value) + table overhead.
//   2. After any successful write, used_bytes() <= maxmemory_bytes unless the policy is
//      kNoEviction (then the write is refused instead) or a single item is larger than maxmemory.
//   3. No read ever returns an item whose expiry is <= now.
//   4. Every live item is known to the eviction policy exactly once.
//   5. A string_view returned by a read stays valid until the next mutating call.
//   6. With StoreOptions::count_slots, SlotKeys(s) == the number of items whose key is in slot s.
//   7. An item written with a version keeps one (replicated mode); versions are never 0.
//   (2 has one more exception: SetExpiry never fails; giving a TTL to a key grows its item by up to
//   16 bytes, which under kNoEviction may pass maxmemory by that much, as Redis allows EXPIRE when
//   out of memory.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "core/store/eviction_kind.h"
#include "core/time.h"

namespace shoal {

struct StoreOptions {
  // 0 means unbounded.
  std::uint64_t maxmemory_bytes = 0;
  // S3-FIFO measured best on build/bin/hit_ratio (docs/design.md §4); SIEVE a close second.
  EvictionKind eviction = EvictionKind::kS3Fifo;
  std::uint64_t value_bytes_max = 8 * 1024 * 1024;
  // Seed of the store's key hash (table placement, S3-FIFO ghost fingerprints). A fixed seed
  // keeps simulation replayable; a server may pass a random one to resist hash flooding.
  std::uint64_t hash_seed = 0x5ba1'5eed'0000'0001ULL;
  // Keep a count of keys per cluster slot (replicated mode: DBSIZE of the node's own slots).
  bool count_slots = false;
};

struct StoreStats {
  std::uint64_t hits = 0;     // reads that found a live key (Redis keyspace_hits)
  std::uint64_t misses = 0;   // reads that found nothing (Redis keyspace_misses)
  std::uint64_t expired = 0;  // keys removed because their TTL passed (expired_keys)
  std::uint64_t evicted = 0;  // keys removed by the eviction policy (evicted_keys)
  std::uint64_t keys = 0;     // live keys (may include expired-but-not-yet-collected)
  std::uint64_t keys_with_expiry = 0;
  std::uint64_t used_bytes = 0;  // accounted memory (used_memory)
  std::uint64_t sets = 0;        // successful writes
};

// A read result: the value, its absolute expiry (kNoExpiry if none) and its replication version
// (0 on a single node).
struct ItemView {
  std::string_view value;
  TimeMs expire_at = kNoExpiry;
  std::uint64_t version = 0;
};

// One item as Scan visits it.
struct StoreEntry {
  std::string_view key;
  std::string_view value;
  TimeMs expire_at = kNoExpiry;
  std::uint64_t version = 0;
};

// Told about every item the eviction policy removes, before it is freed (replicated mode keeps
// the version of what it evicts while it recovers; the simulator records evictions), and about
// every item removed because it expired (lazily or by ExpireSome: a primary replicates the
// deletion, as Redis's master sends DEL, so that no copy keeps an older version it overwrote).
class EvictionListener {
 public:
  virtual void OnEvicted(std::string_view key, std::uint64_t version) = 0;
  virtual void OnExpired(std::string_view /*key*/, std::uint64_t /*version*/) {}

 protected:
  ~EvictionListener() = default;
};

class Store {
 public:
  explicit Store(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Reads a key as a client GET does: counts a hit or a miss, tells the eviction policy about the
  // access, removes the key first if it has expired (lazy expiry).
  std::optional<ItemView> Get(std::string_view key, TimeMs now);

  // Reads without touching statistics or eviction metadata (for TTL, EXISTS-style checks and
  // NX/XX/KEEPTTL decisions). Still never returns an expired item (and removes it).
  std::optional<ItemView> Peek(std::string_view key, TimeMs now);
  // The same without removing anything: an expired item reads as absent.
  std::optional<ItemView> Peek(std::string_view key, TimeMs now) const;
  // The item as stored, expired or not (replication compares versions with it).
  std::optional<ItemView> PeekIncludingExpired(std::string_view key) const;
  // MEMORY USAGE: the bytes `key`'s item is accounted at (its malloc chunk: header, key, value,
  // expiry, version), as used_bytes() counts it; nullopt when absent or expired. The table slot
  // and the expiring array's entry are shared overhead and not included. No access is recorded.
  std::optional<std::uint64_t> UsageBytes(std::string_view key, TimeMs now) const;
  // OBJECT FREQ: the access frequency the eviction policy keeps for `key`: S3-FIFO's counter
  // (0..3) or SIEVE's visited bit (0 or 1); nullopt when absent or expired. REQUIRES:
  // KeepsAccessFrequency() (asserted). No access is recorded.
  std::optional<unsigned> AccessFrequency(std::string_view key, TimeMs now) const;
  // Whether the policy keeps an access frequency per item (S3-FIFO, SIEVE; not LRU or
  // noeviction, which keep only an order).
  bool KeepsAccessFrequency() const;

  // Stores or overwrites `key` with `value` and absolute expiry `expire_at` (kNoExpiry: none),
  // stamped with `version` (0: none). An expire_at <= now deletes the key instead (as Redis does
  // for SET ... PXAT <past>). Evicts as the policy says to make room. Errors: kValueTooLarge,
  // kKeyTooLarge, kOutOfMemory.
  Result<void> Set(std::string_view key, std::string_view value, TimeMs expire_at, TimeMs now,
                   std::uint64_t version = 0);

  // Removes a key. Returns true if a live key was removed.
  bool Delete(std::string_view key, TimeMs now);

  // Changes only the expiry of an existing live key (kNoExpiry clears it), and its version when
  // `version` != 0. An expire_at <= now deletes the key. Returns false if the key does not exist.
  bool SetExpiry(std::string_view key, TimeMs expire_at, TimeMs now, std::uint64_t version = 0);

  // Removes every item of cluster slot `slot` whose version is below `version` (FLUSHALL of a
  // slot in replicated mode). O(items): walks the whole table. Returns the number removed.
  std::size_t EraseSlotBelow(std::uint16_t slot, std::uint64_t version);
  // Removes every item for which `doomed(key, version)` holds, in one walk of the table.
  std::size_t EraseIf(
      const std::function<bool(std::string_view key, std::uint64_t version)>& doomed);

  // Removes every key. Statistics other than keys/bytes are kept.
  void Clear();

  // Incremental active expiry: examines at most `keys_max` keys that carry an expiry (each at most
  // once per call), removing the expired ones. Never a full scan. Returns the number removed.
  std::size_t ExpireSome(TimeMs now, std::size_t keys_max);

  // Visits items, expired ones included, in increasing order of a scan position derived from the
  // key's hash that growing or shrinking the table preserves. Starts at `cursor` (0: the start),
  // stops once `visits_max` items were visited (at a boundary between positions) or `visit`
  // returned false, and returns the cursor to resume from, kScanDone after the last item. Items
  // present from the first call to the last are visited exactly once; items added or removed
  // meanwhile may or may not be. No mutating call may happen inside `visit`.
  static constexpr std::uint64_t kScanDone = std::uint64_t{1} << 32;
  std::uint64_t Scan(std::uint64_t cursor, std::size_t visits_max,
                     const std::function<bool(const StoreEntry&)>& visit) const;

  // Keys in cluster slot `slot`. REQUIRES: options().count_slots.
  std::uint64_t SlotKeys(std::uint16_t slot) const;

  // At most one listener; nullptr removes it. It must outlive its registration.
  void SetEvictionListener(EvictionListener* listener);

  std::uint64_t size() const;  // live keys (including not-yet-collected expired ones)
  std::uint64_t used_bytes() const;
  const StoreStats& stats() const;
  const StoreOptions& options() const;
  void ResetStats();  // CONFIG RESETSTAT: hits, misses, expired, evicted, sets

  // The accounted cost of one item, exposed so tests and docs can state it.
  static std::uint64_t ItemFootprintBytes(std::size_t key_bytes, std::size_t value_bytes);
  // The same for an item that carries a TTL (12 bytes more in the item, before malloc rounding;
  // the dense array of expiring items costs 8 more bytes per such key, accounted separately).
  static std::uint64_t ItemFootprintBytes(std::size_t key_bytes, std::size_t value_bytes,
                                          bool has_expiry);

  // Aborts if an internal invariant does not hold (O(n): tests only).
  void CheckInvariants() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoal
