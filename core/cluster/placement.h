// Placement: where each slot lives. A pure function of (node_count, replication_factor,
// vnodes_per_node): every node, the simulator's clients and the client library build the same
// table and so route the same way (architecture.md §2).
//
//   key --KeySlot (CRC16, core/slot.h)--> slot --ring walk--> preference list of R distinct nodes
//
// The ring: node n owns tokens RingToken(n, 0..vnodes_per_node-1), fixed 64-bit hashes (SplitMix64
// finalizer, identical on every build). Slot s sits at ring position s << 50 (the slots split the
// 64-bit ring evenly); its preference list is the first R distinct nodes met walking clockwise
// from there. The first node of the list is the slot's primary (this issue has no failover).
// Adding node n+1 only inserts its tokens: a slot's list either stays the same or gains the new
// node (dropping its last entry), so only slots the new node takes over move (consistent hashing).
//
// Thread safety: immutable after construction; share one instance freely (e.g. via
// std::shared_ptr<const Placement>) across nodes of a simulation or threads of a server.
// Invariants:
//   1. Replicas(slot) has exactly replication_factor() distinct nodes, all < node_count().
//   2. SlotsOf(n) lists, in ascending order, exactly the slots whose preference list contains n.
//   3. Primaries()[s] == Primary(s) for every slot; PrimarySlotsOf(n) lists, ascending, exactly
//      the slots whose primary is n. (Tables, so that each of the many nodes and clients built
//      from one Placement copies them instead of walking every slot; placement_test checks them.)
//   4. ReplicaMask(s) has exactly the bits of Replicas(s) (a table too: the configuration builds
//      and checks its 16,384 slots from it).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/cluster/ids.h"
#include "core/limits.h"

namespace shoal::cluster {

struct PlacementOptions {
  std::uint32_t node_count = 1;
  std::uint32_t replication_factor = 1;  // REQUIRES: 1 <= replication_factor <= node_count
  std::uint32_t vnodes_per_node = limits::kVnodesPerNodeDefault;
};

class Placement {
 public:
  // REQUIRES: options are valid (see ValidOptions); asserts otherwise.
  explicit Placement(const PlacementOptions& options);

  // True when `options` can build a Placement (counts within limits, R <= node_count).
  static bool ValidOptions(const PlacementOptions& options);

  // The ring token of virtual node `index` of `node`: a fixed hash of (node, index).
  static std::uint64_t RingToken(NodeId node, std::uint32_t index);

  // The slot's preference list: replication_factor() distinct nodes, primary first.
  std::span<const NodeId> Replicas(std::uint16_t slot) const {
    return {prefs_.data() + std::size_t{slot} * replication_factor_, replication_factor_};
  }
  NodeId Primary(std::uint16_t slot) const {
    return prefs_[std::size_t{slot} * replication_factor_];
  }
  // Position of `node` in the slot's preference list (0: primary), or -1 if it holds no copy.
  int ReplicaIndex(std::uint16_t slot, NodeId node) const;
  bool IsReplica(std::uint16_t slot, NodeId node) const { return ReplicaIndex(slot, node) >= 0; }
  // Slots whose preference list contains `node`, ascending.
  std::span<const std::uint16_t> SlotsOf(NodeId node) const;
  // Slots whose primary is `node`, ascending.
  std::span<const std::uint16_t> PrimarySlotsOf(NodeId node) const;
  // Every slot's primary, indexed by slot (limits::kSlotCount entries).
  std::span<const NodeId> Primaries() const { return primaries_; }
  // The slot's preference list as a mask of node bits.
  NodeMask ReplicaMask(std::uint16_t slot) const { return replica_masks_[slot]; }
  // Every slot's ReplicaMask, indexed by slot.
  std::span<const NodeMask> ReplicaMasks() const { return replica_masks_; }
  // True when some slot has both `a` and `b` in its preference list.
  bool ShareSlots(NodeId a, NodeId b) const;

  // Convenience for routing clients: the primary of KeySlot(key).
  NodeId PrimaryOfKey(std::string_view key) const;

  const PlacementOptions& options() const { return options_; }
  std::uint32_t node_count() const { return options_.node_count; }
  std::uint32_t replication_factor() const { return replication_factor_; }

 private:
  PlacementOptions options_;
  std::uint32_t replication_factor_ = 1;
  std::vector<NodeId> prefs_;                                 // kSlotCount * R, row per slot
  std::vector<std::vector<std::uint16_t>> slots_of_;          // per node
  std::vector<std::vector<std::uint16_t>> primary_slots_of_;  // per node
  std::vector<NodeId> primaries_;                             // per slot
  std::vector<NodeMask> replica_masks_;                       // per slot
  std::vector<std::uint64_t> shares_;  // per node: mask of nodes it shares a slot with
};

}  // namespace shoal::cluster
