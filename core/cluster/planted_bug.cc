#include "core/cluster/planted_bug.h"

#include <array>
#include <utility>

namespace shoal::cluster {
namespace {

constexpr std::array<std::pair<PlantedBug, std::string_view>, 8> kNames = {{
    {PlantedBug::kNone, "none"},
    {PlantedBug::kStaleRead, "stale-read"},
    {PlantedBug::kAckBeforeReplicate, "ack-before-replicate"},
    {PlantedBug::kIgnoreTtl, "ignore-ttl"},
    {PlantedBug::kAcceptOldIncarnation, "accept-old-incarnation"},
    {PlantedBug::kGrantTwoVotes, "grant-two-votes"},
    {PlantedBug::kSendBeforePersist, "send-before-persist"},
    {PlantedBug::kLongLease, "long-lease"},
}};

constexpr std::array<PlantedBug, 7> kBugs = {
    PlantedBug::kStaleRead,     PlantedBug::kAckBeforeReplicate,
    PlantedBug::kIgnoreTtl,     PlantedBug::kAcceptOldIncarnation,
    PlantedBug::kGrantTwoVotes, PlantedBug::kSendBeforePersist,
    PlantedBug::kLongLease};

}  // namespace

std::span<const PlantedBug> AllPlantedBugs() { return kBugs; }

std::string_view PlantedBugName(PlantedBug bug) {
  for (const auto& [b, name] : kNames) {
    if (b == bug) return name;
  }
  return "unknown";
}

std::optional<PlantedBug> ParsePlantedBug(std::string_view name) {
  for (const auto& [b, n] : kNames) {
    if (n == name) return b;
  }
  return std::nullopt;
}

}  // namespace shoal::cluster
