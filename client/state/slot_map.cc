#include "client/state/slot_map.h"

#include "core/limits.h"

namespace shoal::client {

std::string NodeAddress(std::string_view host, std::int64_t port) {
  std::string address(host);
  address += ':';
  address += std::to_string(port);
  return address;
}

bool ParseClusterSlots(const Reply& reply, std::string_view answered_by_host,
                       std::vector<SlotRange>& out) {
  out.clear();
  if (reply.type != Reply::Type::kArray || reply.elements.size() > limits::kSlotCount) {
    return false;
  }
  constexpr std::int64_t kSlotLast = static_cast<std::int64_t>(limits::kSlotCount) - 1;
  for (const Reply& entry : reply.elements) {
    if (entry.type != Reply::Type::kArray || entry.elements.size() < 3) return false;
    const Reply& first = entry.elements[0];
    const Reply& last = entry.elements[1];
    const Reply& primary = entry.elements[2];
    if (first.type != Reply::Type::kInteger || last.type != Reply::Type::kInteger) return false;
    if (first.integer < 0 || first.integer > last.integer || last.integer > kSlotLast) return false;
    if (primary.type != Reply::Type::kArray || primary.elements.size() < 2) return false;
    const Reply& host = primary.elements[0];
    const Reply& port = primary.elements[1];
    if (host.type != Reply::Type::kBulk && host.type != Reply::Type::kSimple) return false;
    if (port.type != Reply::Type::kInteger || port.integer <= 0 || port.integer > 65535) {
      return false;
    }
    std::string_view host_text = host.text;
    if (host_text.empty() || host_text == "?") host_text = answered_by_host;
    if (host_text.empty()) return false;
    out.push_back(SlotRange{static_cast<std::uint16_t>(first.integer),
                            static_cast<std::uint16_t>(last.integer),
                            NodeAddress(host_text, port.integer)});
  }
  return true;
}

bool ApplySlotMap(const std::vector<SlotRange>& ranges, SlotRouter& router) {
  for (std::size_t slot = 0; slot < limits::kSlotCount; ++slot) {
    router.SetOwner(static_cast<std::uint16_t>(slot), kNoNode);
  }
  bool complete = true;
  for (const SlotRange& range : ranges) {
    const std::optional<NodeIndex> node = router.AddNode(range.primary);
    if (!node) {
      complete = false;
      continue;
    }
    for (std::uint32_t slot = range.first; slot <= range.last; ++slot) {
      router.SetOwner(static_cast<std::uint16_t>(slot), *node);
    }
  }
  return complete;
}

void OwnAllSlots(SlotRouter& router, NodeIndex node) {
  for (std::size_t slot = 0; slot < limits::kSlotCount; ++slot) {
    router.SetOwner(static_cast<std::uint16_t>(slot), node);
  }
}

}  // namespace shoal::client
