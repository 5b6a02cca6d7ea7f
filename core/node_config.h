// NodeConfig: everything a Node is configured with at start-up. Filled by the driver from flags
// (server/) or drawn per seed (sim/). Plain data; validated by the driver before construction.
// The replicated mode's settings live in core/cluster/cluster_config.h and are shared by pointer,
// so this header (included by every command) does not depend on the protocol.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/limits.h"
#include "core/stats/stats_options.h"
#include "core/store/store.h"

namespace shoal {

namespace cluster {
struct ClusterConfig;
struct VoterState;
}  // namespace cluster

struct NodeConfig {
  // Null: a single node (writes apply locally, no peers). Otherwise the replicated mode.
  std::shared_ptr<const cluster::ClusterConfig> cluster;
  // Replicated mode: the configuration-log state this node persisted in an earlier life (null: a
  // new member), and the seed of its election timeouts (the simulator's PRNG, a random number in
  // the server; differ per life).
  std::shared_ptr<const cluster::VoterState> voter_state;
  std::uint64_t election_seed = 0;
  StoreOptions store;
  std::string requirepass;  // empty: no AUTH required
  std::uint64_t clients_max = limits::kClientsDefault;
  // The simulator asks for the keys the store evicts (Effects::evicted); the server does not.
  bool report_evictions = false;
  // Shown by INFO / CONFIG GET only; the core never opens a socket.
  std::string bind = "127.0.0.1";
  std::uint16_t port = 7379;
  std::uint64_t idle_timeout_s = 0;  // --timeout: the driver closes idle clients (0: never)
  bool protected_mode = true;        // --protected-mode: enforced by the driver (net/)
  std::string version = "0.1.0";
  std::uint64_t process_id = 0;  // for INFO; 0 in simulation
  // Observability: slow log and hot-key settings; whether the driver times commands (Redis's
  // latency-tracking) and with which clock (INFO monotonic_clock; empty when it does not say).
  StatsOptions stats;
  bool latency_tracking = true;
  std::string monotonic_clock;
};

}  // namespace shoal
