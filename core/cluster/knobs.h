// ReplicationKnobs: the bounds of the replicated protocol that gate its rare paths (chunked state
// transfer, forgetting tombstones, repair batches, too many writes held). Production uses the
// defaults from core/limits.h; the simulator draws small values for some seeds (as FoundationDB
// randomises its knobs) so that the bounded paths run, and tests set them to force a path.
//
// Plain data, copied into each node's configuration. Invariants (Valid() checks them, the
// replication layer asserts Valid() at construction): every bound is at least 1 and at most its
// default in core/limits.h, and repairs_in_flight_max <= replication_writes_max.
#pragma once

#include <cstddef>

#include "core/limits.h"

namespace shoal::cluster {

struct ReplicationKnobs {
  // Tombstones kept (DELs, expired or evicted entries); the oldest is forgotten first.
  std::size_t tombstones_max = limits::kTombstonesMax;
  // One state-transfer reply: entries, bytes of keys and values (beyond its first entry), and
  // entries examined.
  std::size_t sync_entries_per_reply_max = limits::kSyncEntriesPerReplyMax;
  std::size_t sync_reply_bytes_max = limits::kSyncReplyBytesMax;
  std::size_t sync_scan_per_reply_max = limits::kSyncScanPerReplyMax;
  // Version metadata entries examined per Tick by the sweep that turns expired or evicted
  // entries into tombstones.
  std::size_t meta_sweep_per_tick = limits::kMetaSweepPerTick;
  // Recovery repairs in flight at once, and client writes a primary holds.
  std::size_t repairs_in_flight_max = limits::kRepairsInFlightMax;
  std::size_t replication_writes_max = limits::kReplicationWritesMax;

  bool Valid() const {
    auto in = [](std::size_t v, std::size_t max) { return v >= 1 && v <= max; };
    return in(tombstones_max, limits::kTombstonesMax) &&
           in(sync_entries_per_reply_max, limits::kSyncEntriesPerReplyMax) &&
           in(sync_reply_bytes_max, limits::kSyncReplyBytesMax) &&
           in(sync_scan_per_reply_max, limits::kSyncScanPerReplyMax) &&
           in(meta_sweep_per_tick, limits::kMetaSweepPerTick) &&
           in(repairs_in_flight_max, limits::kRepairsInFlightMax) &&
           in(replication_writes_max, limits::kReplicationWritesMax) &&
           repairs_in_flight_max <= replication_writes_max;
  }
};

}  // namespace shoal::cluster
