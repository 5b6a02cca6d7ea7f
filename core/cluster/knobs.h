// ReplicationKnobs: the bounds of the replicated protocol that gate its rare paths (chunked state
// transfer, tombstones during recovery, repair batches, batching on the replication streams,
// too many writes in flight, configuration-log compaction). Production uses the defaults from
// core/limits.h; the simulator draws small values for some seeds (as FoundationDB randomises its
// knobs) so that the bounded paths run, and tests set them to force a path.
//
// Plain data, copied into each node's configuration. Invariants (Valid() checks them, the cluster
// layer asserts Valid() at construction): every bound is at least 1 and at most its default in
// core/limits.h; repairs_in_flight_max <= replication_writes_max; slot_writes_max <=
// replication_writes_max.
#pragma once

#include <cstddef>

#include "core/limits.h"

namespace shoal::cluster {

struct ReplicationKnobs {
  // Tombstones a recovering node keeps (keys deleted, expired or evicted while it recovers, so a
  // stale copy from a slower peer cannot come back); past this the recovery starts over.
  std::size_t tombstones_max = limits::kTombstonesMax;
  // One state-transfer reply: entries, bytes of keys and values (beyond its first entry), and
  // items examined.
  std::size_t sync_entries_per_reply_max = limits::kSyncEntriesPerReplyMax;
  std::size_t sync_reply_bytes_max = limits::kSyncReplyBytesMax;
  std::size_t sync_scan_per_reply_max = limits::kSyncScanPerReplyMax;
  // Recovery repairs (pushing a recovered primary's data to its backups) in flight at once.
  std::size_t repairs_in_flight_max = limits::kRepairsInFlightMax;
  // Client writes in flight (executed, not yet committed) per node and per slot; past these a
  // write gets a clean -TRYAGAIN before it executes.
  std::size_t replication_writes_max = limits::kReplicationWritesMax;
  std::size_t slot_writes_max = limits::kSlotWritesMax;
  // One Replicate message: mutations, and bytes of keys and values beyond its first mutation.
  std::size_t batch_mutations_max = limits::kReplicationBatchMutationsMax;
  std::size_t batch_bytes_max = limits::kReplicationBatchBytesMax;
  // Replicate messages in flight (sent, not acknowledged) per stream: while the window is full,
  // new mutations wait and leave together in the next message (batching under load).
  std::size_t stream_window = limits::kReplicationStreamWindow;
  // Applied configuration-log entries between compactions (small values make followers that were
  // away catch up by InstallSnapshot).
  std::size_t config_compact_every = limits::kConfigCompactEvery;

  bool Valid() const {
    auto in = [](std::size_t v, std::size_t max) { return v >= 1 && v <= max; };
    return in(tombstones_max, limits::kTombstonesMax) &&
           in(sync_entries_per_reply_max, limits::kSyncEntriesPerReplyMax) &&
           in(sync_reply_bytes_max, limits::kSyncReplyBytesMax) &&
           in(sync_scan_per_reply_max, limits::kSyncScanPerReplyMax) &&
           in(repairs_in_flight_max, limits::kRepairsInFlightMax) &&
           in(replication_writes_max, limits::kReplicationWritesMax) &&
           in(slot_writes_max, limits::kSlotWritesMax) &&
           in(batch_mutations_max, limits::kReplicationBatchMutationsMax) &&
           in(batch_bytes_max, limits::kReplicationBatchBytesMax) &&
           in(stream_window, limits::kReplicationStreamWindowMax) &&
           in(config_compact_every, limits::kConfigCompactEvery) &&
           repairs_in_flight_max <= replication_writes_max &&
           slot_writes_max <= replication_writes_max;
  }
};

}  // namespace shoal::cluster
