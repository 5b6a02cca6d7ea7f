// KeyVersions: what a replica knows about the version of each key it holds, and the one place
// versioned states are applied to the Store (replicated writes, state-transfer entries, repairs).
//
//   Held(slot, key)  max of the store item's version (expired items included), the key's
//                    tombstone, and the slot's flush watermark; 0 if none
//   Apply(m)         applies each key of `m` whose version is newer than Held (a flush erases the
//                    slot's older items and raises its watermark); idempotent and commutative per
//                    key, so duplicates and reordering are harmless
//
// Tombstones are kept only while the node recovers (Track(true)): a recovering node merges
// copies from several peers, and a copy snapshotted by a slower peer must not bring back a key
// that was deleted, expired or evicted here after a newer version arrived. A serving node needs
// none: its stream from each primary is applied in order (core/cluster/slot_replication.h), so a
// late message can never carry an older state. The recovering node keeps at most
// knobs.tombstones_max of them; past that, overflowed() tells the caller to start the recovery over
// (forgetting one could let a stale copy win). Flush watermarks are kept always (one per slot).
//
// While tracking, nothing may remove an expired item without going through here (the Node does
// not run active expiry while its cluster layer recovers).
//
// Thread safety: none; owned by the node's cluster layer.
// Invariants (CheckInvariants):
//   1. Every tombstone's version is nonzero and its slot is KeySlot(key).
//   2. tombstones() <= knobs.tombstones_max + 1 (the one that overflowed), and none while not
//      tracking.
//   3. The order list names every tombstone once at its current sequence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/cluster/ids.h"
#include "core/cluster/knobs.h"
#include "core/cluster/messages.h"
#include "core/store/store.h"

namespace shoal::cluster {

struct ApplyStats {
  std::uint64_t keys_applied = 0;  // newer than what was held
  std::uint64_t keys_ignored = 0;  // not newer: a duplicate, reordered or stale copy
  std::uint64_t keys_lost = 0;     // newer, but the store refused the value (kept as a version)
};

class KeyVersions {
 public:
  // `drop_ttl` is PlantedBug::kIgnoreTtl (applied values lose their expiry).
  KeyVersions(Store& store, const ReplicationKnobs& knobs, bool drop_ttl);
  KeyVersions(const KeyVersions&) = delete;
  KeyVersions& operator=(const KeyVersions&) = delete;

  Version Held(std::uint16_t slot, std::string_view key) const;
  Version Watermark(std::uint16_t slot) const;

  // Applies `m` (see above) at wall time `now`. Returns true if anything changed.
  bool Apply(const Mutation& m, TimeMs now, ApplyStats& stats);
  // Applies flush mutations together: every watermark first, then one walk of the store (a
  // FLUSHALL brings one per slot; applying them one by one would walk the store per slot).
  // REQUIRES: every element is a flush.
  void ApplyFlushes(std::span<const Mutation> flushes, ApplyStats& stats);

  // While tracking, keys that vanish keep their version as a tombstone. Turning tracking off drops
  // every tombstone; turning it on starts with none.
  void Track(bool on);
  bool tracking() const { return tracking_; }
  bool overflowed() const { return overflowed_; }
  // `key` vanished from the store at `version` (deleted, expired, evicted, or refused): a no-op
  // unless tracking. Only a deletion (`deleted`) is shared with peers (NextTombstone): the other
  // causes are this copy's own, and a peer told of them as deletes would drop or refuse the very
  // value at that version, which is still live everywhere else.
  void RecordVanished(std::uint16_t slot, std::string_view key, Version version, bool deleted);

  // The store evicted `key` (the Node, the store's EvictionListener, forwards it here).
  void OnEvicted(std::string_view key, std::uint64_t version);

  // State transfer reads tombstones in sequence order and watermarks in slot order.
  struct TombstoneView {
    std::uint64_t seq = 0;
    std::uint16_t slot = 0;
    std::string_view key;
    Version version = 0;
  };
  // The first tombstone of a deletion at or after sequence `from`, if any (see RecordVanished).
  bool NextTombstone(std::uint64_t from, TombstoneView& out) const;
  // The first slot >= from with a watermark; returns limits::kSlotCount if none.
  std::uint32_t NextWatermarkSlot(std::uint32_t from) const;

  std::size_t tombstones() const { return tombstones_.size(); }
  void Clear();  // forgets tombstones and watermarks (a new incarnation starts empty)
  void CheckInvariants() const;

 private:
  struct Tombstone {
    std::uint16_t slot = 0;
    bool deleted = false;  // a deletion, not an eviction, refusal or expiry here
    Version version = 0;
    std::uint64_t seq = 0;
  };

  Store& store_;
  const ReplicationKnobs& knobs_;
  const bool drop_ttl_;
  bool tracking_ = false;
  bool overflowed_ = false;
  absl::flat_hash_map<std::string, Tombstone> tombstones_;    // lookups only, never iterated
  std::vector<std::pair<std::uint64_t, std::string>> order_;  // (seq, key), seq ascending
  std::uint64_t next_seq_ = 1;
  std::vector<Version> watermarks_;  // per slot; empty until the first flush
};

}  // namespace shoal::cluster
