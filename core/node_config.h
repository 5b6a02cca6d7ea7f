// NodeConfig: everything a Node is configured with at start-up. Filled by the driver from flags
// (server/) or drawn per seed (sim/). Plain data; validated by the driver before construction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cluster/knobs.h"
#include "core/cluster/message.h"
#include "core/cluster/planted_bug.h"
#include "core/limits.h"
#include "core/store/store.h"

namespace shoal {

namespace cluster {
class Placement;
}  // namespace cluster

// Cluster membership for the replicated mode. node_count == 1 is the single-node server: client
// writes apply locally and no peer messages are sent.
struct ClusterConfig {
  cluster::NodeId node_id = 0;
  std::uint32_t node_count = 1;                          // static membership: nodes 0..node_count-1
  std::uint32_t replication_factor = 1;                  // copies of each key (<= node_count)
  cluster::PlantedBug bug = cluster::PlantedBug::kNone;  // simulator only
  // Replicated mode (added by the replication engineer):
  // Address of each node as clients reach it ("host:port"), for -MOVED; indexed by node id. A
  // node missing here is named by its id in decimal.
  std::vector<std::string> node_addresses;
  // Tokens per node on the placement ring (core/cluster/placement.h). Every node and client of
  // one cluster must use the same value.
  std::uint32_t vnodes_per_node = limits::kVnodesPerNodeDefault;
  // Optional prebuilt placement for (node_count, replication_factor, vnodes_per_node), shared by
  // the nodes of a simulation so each does not rebuild the table; null: the node builds its own.
  std::shared_ptr<const cluster::Placement> placement;
  // Bounds of the protocol's rare paths (defaults from core/limits.h; the simulator lowers some).
  cluster::ReplicationKnobs knobs;
};

struct NodeConfig {
  ClusterConfig cluster;
  StoreOptions store;
  std::string requirepass;  // empty: no AUTH required
  std::uint64_t clients_max = limits::kClientsDefault;
  // Shown by INFO / CONFIG GET only; the core never opens a socket.
  std::string bind = "127.0.0.1";
  std::uint16_t port = 7379;
  std::string version = "0.1.0";
  std::uint64_t process_id = 0;  // for INFO; 0 in simulation
};

}  // namespace shoal
