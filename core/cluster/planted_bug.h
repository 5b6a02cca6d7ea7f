// Bugs the simulator can plant in nodes under test to prove the consistency checker catches them.
// The production server never sets one (no flag reaches it). Each is a one-line switch in the real
// code path of core/cluster/replica.cc (search for the enumerator):
//   kStaleRead           the primary acknowledges a committed write at once but applies it to the
//                        store it reads from only at the next Tick ("batched apply"), so reads in
//                        between return the previous value.
//   kAckBeforeReplicate  the primary applies a write and answers the client before any backup has
//                        it; replication continues in the background. A crash in that window loses
//                        an acknowledged write (recovery brings back the older copy).
//   kIgnoreTtl           applying an entry drops its expiry, so reads return values past their TTL.
//   kAcceptOldEpoch      incarnation checks are skipped: replies and acks from an earlier
//                        incarnation (a previous life of the sender or of this node) are used, so a
//                        restarted primary can finish recovery on a stale snapshot.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace shoal::cluster {

enum class PlantedBug : std::uint8_t {
  kNone,
  kStaleRead,           // serve reads from state that may lag the latest acknowledged write
  kAckBeforeReplicate,  // acknowledge a write before every in-sync backup applied it
  kIgnoreTtl,           // return values whose expiry has passed
  kAcceptOldEpoch,      // act on messages from a stale epoch (incarnation)
};

// "none", "stale-read", "ack-before-replicate", "ignore-ttl", "accept-old-epoch".
std::string_view PlantedBugName(PlantedBug bug);
// Inverse of PlantedBugName (exact, lower case); nullopt for anything else.
std::optional<PlantedBug> ParsePlantedBug(std::string_view name);

}  // namespace shoal::cluster
