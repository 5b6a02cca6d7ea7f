// ClusterConfig: the membership and protocol settings a node of the replicated mode starts with
// (static membership: nodes 0..node_count-1; consensus on changes is cluster core part 2). Filled
// by the driver (the simulator today, shoald's cluster flags later) and shared read-only by the
// node's cluster layer (core/cluster/cluster_node.h). Plain data.
//
// Invariants (ClusterNode asserts them): 2 <= node_count <= limits::kClusterNodesMax,
// node_id < node_count, 1 <= replication_factor <= node_count, knobs.Valid(), and a shared
// `placement`, if given, was built for (node_count, replication_factor, vnodes_per_node).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cluster/ids.h"
#include "core/cluster/knobs.h"
#include "core/cluster/planted_bug.h"
#include "core/limits.h"

namespace shoal::cluster {

class Placement;

struct ClusterConfig {
  NodeId node_id = 0;
  std::uint32_t node_count = 1;
  std::uint32_t replication_factor = 1;  // copies of each key
  // Address of each node as clients reach it ("host:port"), for -MOVED; indexed by node id. A
  // node missing here is named by its id in decimal.
  std::vector<std::string> node_addresses;
  // Tokens per node on the placement ring (core/cluster/placement.h). Every node and client of
  // one cluster must use the same value.
  std::uint32_t vnodes_per_node = limits::kVnodesPerNodeDefault;
  // Optional prebuilt placement shared by the nodes of a simulation; null: the node builds its own.
  std::shared_ptr<const Placement> placement;
  // Bounds of the protocol's rare paths (defaults from core/limits.h; the simulator lowers some).
  ReplicationKnobs knobs;
  PlantedBug bug = PlantedBug::kNone;  // simulator only
};

}  // namespace shoal::cluster
