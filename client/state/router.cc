#include "client/state/router.h"

#include "client/state/reply_parser.h"
#include "core/result.h"

namespace shoal::client {

SlotRouter::SlotRouter(std::vector<std::string> addresses)
    : addresses_(std::move(addresses)), owners_(limits::kSlotCount, kNoNode) {
  SHOAL_ASSERT(!addresses_.empty());
  for (std::size_t i = 0; i < addresses_.size(); ++i) {
    for (std::size_t j = i + 1; j < addresses_.size(); ++j) {
      SHOAL_ASSERT_MSG(addresses_[i] != addresses_[j], "node addresses must be distinct");
    }
  }
}

NodeIndex SlotRouter::Route(std::uint16_t slot, std::uint32_t attempt) const {
  SHOAL_ASSERT(slot < limits::kSlotCount);
  const NodeIndex owner = owners_[slot];
  if (owner != kNoNode) {
    SHOAL_ASSERT(owner < node_count());
    return owner;
  }
  return static_cast<NodeIndex>((slot + attempt) % node_count());
}

void SlotRouter::SetOwner(std::uint16_t slot, NodeIndex node) {
  SHOAL_ASSERT(slot < limits::kSlotCount);
  SHOAL_ASSERT(node == kNoNode || node < node_count());
  owners_[slot] = node;
}

void SlotRouter::SetOwners(std::span<const NodeIndex> owners) {
  SHOAL_ASSERT(owners.size() == limits::kSlotCount);
  // Entries are checked where they are used (Route), not here: the simulator installs a whole
  // table per client per scenario, and a pass over 16,384 entries each time shows in its speed.
  owners_.assign(owners.begin(), owners.end());
}

std::optional<NodeIndex> SlotRouter::NodeForAddress(std::string_view address) const {
  for (std::size_t i = 0; i < addresses_.size(); ++i) {
    if (addresses_[i] == address) return static_cast<NodeIndex>(i);
  }
  return std::nullopt;
}

std::optional<NodeIndex> SlotRouter::AddNode(std::string_view address) {
  if (std::optional<NodeIndex> known = NodeForAddress(address)) return known;
  if (address.empty() || addresses_.size() >= kRouterNodesMax) return std::nullopt;
  addresses_.emplace_back(address);
  return static_cast<NodeIndex>(addresses_.size() - 1);
}

bool ParseRedirect(std::string_view text, Redirect& out) {
  std::string_view rest;
  if (text.starts_with("MOVED ")) {
    rest = text.substr(6);
  } else if (text.starts_with("ASK ")) {
    rest = text.substr(4);
  } else {
    return false;
  }
  const std::size_t space = rest.find(' ');
  if (space == std::string_view::npos || space == 0) return false;
  std::int64_t slot = 0;
  if (!ParseReplyInteger(rest.substr(0, space), slot)) return false;
  if (slot < 0 || slot >= static_cast<std::int64_t>(limits::kSlotCount)) return false;
  std::string_view address = rest.substr(space + 1);
  if (address.empty() || address.find(' ') != std::string_view::npos) return false;
  out.slot = static_cast<std::uint16_t>(slot);
  out.address = address;
  return true;
}

}  // namespace shoal::client
