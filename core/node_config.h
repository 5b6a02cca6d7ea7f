// NodeConfig: everything a Node is configured with at start-up. Filled by the driver from flags
// (server/) or drawn per seed (sim/). Plain data; validated by the driver before construction.
#pragma once

#include <cstdint>
#include <string>

#include "core/cluster/message.h"
#include "core/cluster/planted_bug.h"
#include "core/limits.h"
#include "core/store/store.h"

namespace shoal {

// Cluster membership for the replicated mode. node_count == 1 is the single-node server: client
// writes apply locally and no peer messages are sent.
struct ClusterConfig {
  cluster::NodeId node_id = 0;
  std::uint32_t node_count = 1;          // static membership: nodes 0..node_count-1
  std::uint32_t replication_factor = 1;  // copies of each key (<= node_count)
  cluster::PlantedBug bug = cluster::PlantedBug::kNone;  // simulator only
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
