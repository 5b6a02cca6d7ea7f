// Bugs the simulator can plant in nodes under test to prove the consistency checker catches them.
// The production server never sets one (no flag reaches it).
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
  kAcceptOldEpoch,      // act on messages from a stale epoch (may wait for the protocol issue)
};

std::string_view PlantedBugName(PlantedBug bug);
std::optional<PlantedBug> ParsePlantedBug(std::string_view name);

}  // namespace shoal::cluster
