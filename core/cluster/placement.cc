#include "core/cluster/placement.h"

#include <algorithm>
#include <utility>

#include "core/result.h"
#include "core/slot.h"

namespace shoal::cluster {
namespace {

// SplitMix64's finalizer: a fixed bijective mixer, the same on every build and platform.
constexpr std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Slot s sits at s << kSlotShift on the 64-bit ring: slots split the ring evenly.
constexpr int kSlotShift = 64 - 14;
static_assert((std::size_t{1} << 14) == limits::kSlotCount);

}  // namespace

bool Placement::ValidOptions(const PlacementOptions& options) {
  return options.node_count >= 1 && options.node_count <= limits::kClusterNodesMax &&
         options.replication_factor >= 1 &&
         options.replication_factor <= limits::kReplicationFactorMax &&
         options.replication_factor <= options.node_count && options.vnodes_per_node >= 1 &&
         options.vnodes_per_node <= limits::kVnodesPerNodeMax;
}

std::uint64_t Placement::RingToken(NodeId node, std::uint32_t index) {
  // Two rounds so that neighbouring (node, index) pairs land far apart.
  return Mix64(Mix64((std::uint64_t{node} << 32) | index) ^ 0x5A0A1C1A57E12ULL);
}

Placement::Placement(const PlacementOptions& options)
    : options_(options), replication_factor_(options.replication_factor) {
  SHOAL_ASSERT_MSG(ValidOptions(options), "invalid placement options");
  const std::uint32_t n = options.node_count;
  const std::uint32_t r = options.replication_factor;

  // The ring: tokens sorted, each with its node id packed into the low 6 bits (node < 64), so
  // that one integer sort orders it; ties (astronomically rare) break by node id.
  static_assert(limits::kClusterNodesMax <= 64);
  constexpr std::uint64_t kNodeMask = 63;
  std::vector<std::uint64_t> ring;
  ring.reserve(std::size_t{n} * options.vnodes_per_node);
  for (NodeId node = 0; node < n; ++node) {
    for (std::uint32_t i = 0; i < options.vnodes_per_node; ++i) {
      ring.push_back((RingToken(node, i) & ~kNodeMask) | node);
    }
  }
  std::sort(ring.begin(), ring.end());

  // Slots are visited in ring order, so the ring position only moves forward; the preference
  // list is recomputed only when a slot starts at a new position.
  prefs_.resize(limits::kSlotCount * r);
  std::size_t position = 0;
  std::size_t cached_position = ring.size();  // none yet
  NodeId cached[limits::kReplicationFactorMax] = {};
  std::vector<std::uint32_t> counts(n, 0);
  for (std::size_t slot = 0; slot < limits::kSlotCount; ++slot) {
    const std::uint64_t at = std::uint64_t{slot} << kSlotShift;
    while (position < ring.size() && ring[position] < at) ++position;
    const std::size_t start = position == ring.size() ? 0 : position;  // wrap around
    if (start != cached_position) {
      std::uint64_t seen = 0;
      std::uint32_t found = 0;
      std::size_t at_token = start;
      for (std::size_t step = 0; found < r; ++step) {
        SHOAL_ASSERT(step < ring.size());  // r <= n, so r distinct nodes exist on the ring
        const auto node = static_cast<NodeId>(ring[at_token] & kNodeMask);
        if (++at_token == ring.size()) at_token = 0;
        if ((seen >> node & 1) != 0) continue;
        seen |= std::uint64_t{1} << node;
        cached[found++] = node;
      }
      cached_position = start;
    }
    std::copy(cached, cached + r, prefs_.begin() + slot * r);
    for (std::uint32_t i = 0; i < r; ++i) counts[cached[i]]++;
  }

  slots_of_.assign(n, {});
  for (NodeId node = 0; node < n; ++node) slots_of_[node].reserve(counts[node]);
  shares_.assign(n, 0);
  primary_slots_of_.assign(n, {});
  primaries_.resize(limits::kSlotCount);
  replica_masks_.resize(limits::kSlotCount);
  for (std::size_t slot = 0; slot < limits::kSlotCount; ++slot) {
    primaries_[slot] = prefs_[slot * r];
    primary_slots_of_[prefs_[slot * r]].push_back(static_cast<std::uint16_t>(slot));
    std::uint64_t mask = 0;
    for (std::uint32_t i = 0; i < r; ++i) {
      const NodeId node = prefs_[slot * r + i];
      slots_of_[node].push_back(static_cast<std::uint16_t>(slot));
      mask |= std::uint64_t{1} << node;
    }
    for (std::uint32_t i = 0; i < r; ++i) shares_[prefs_[slot * r + i]] |= mask;
    replica_masks_[slot] = mask;
  }
}

int Placement::ReplicaIndex(std::uint16_t slot, NodeId node) const {
  const NodeId* row = prefs_.data() + std::size_t{slot} * replication_factor_;
  for (std::uint32_t i = 0; i < replication_factor_; ++i) {
    if (row[i] == node) return static_cast<int>(i);
  }
  return -1;
}

std::span<const std::uint16_t> Placement::SlotsOf(NodeId node) const {
  SHOAL_ASSERT(node < options_.node_count);
  return slots_of_[node];
}

std::span<const std::uint16_t> Placement::PrimarySlotsOf(NodeId node) const {
  SHOAL_ASSERT(node < options_.node_count);
  return primary_slots_of_[node];
}

bool Placement::ShareSlots(NodeId a, NodeId b) const {
  SHOAL_ASSERT(a < options_.node_count && b < options_.node_count);
  return (shares_[a] >> b & 1) != 0;
}

NodeId Placement::PrimaryOfKey(std::string_view key) const { return Primary(KeySlot(key)); }

}  // namespace shoal::cluster
