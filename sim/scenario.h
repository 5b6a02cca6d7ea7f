// Scenario: everything one seed draws for a run (swarm testing: each seed gets its own shape),
// after the ScenarioOptions overrides are applied. Pure: a function of the options.
//
//   cluster    nodes (default 5), replication factor, each node's maxmemory (most seeds none;
//              some small enough to evict) and eviction policy, and the replication knobs (a
//              quarter of the seeds draw small bounds, as FoundationDB randomises its knobs, so
//              chunked transfers, batch limits, tombstone overflow and -TRYAGAIN run)
//   workload   clients, operations, keys (a few hot keys uniformly, or Zipf(1) over hundreds so
//              some keys are written once and read much later), how many operations each client
//              keeps in flight (pipelining), and the share of operations on the clients' own keys
//              (INCR, APPEND, EXPIRE, GETEX, SET ... GET, MSET), which the checker does not judge
//              but the replica audits do
//   faults     the fault plan (sim/faults.h) and the phase boundaries
//   single     the `single` mix measures failover windows (sim/failover.h), so its workload
//              unless overridden is 8 keys and 8 clients, client c always on key c mod 8, with
//              12,000 operations (a mean think time of 40 ms): every key is touched every 45 ms on
//              average, and a client stuck on an unavailable key delays no other key
//
// Thread safety: pure functions and plain data.
// Invariants: 1 <= nodes <= kNodesMax; 1 <= clients <= kClientsMax; 1 <= replication_factor <=
// nodes; knobs.Valid(); pipeline >= 1; zipf_cumulative is empty or has one ascending entry per
// key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/cluster/knobs.h"
#include "core/store/eviction_kind.h"
#include "core/time.h"
#include "sim/faults.h"
#include "sim/prng.h"
#include "sim/simulator.h"

namespace shoal::sim {

struct Scenario {
  std::uint32_t nodes = 5;
  std::uint32_t clients = 4;
  std::uint32_t replication_factor = 3;
  std::uint32_t ops_total = 2000;
  std::vector<std::string> keys;               // the checked keys
  std::vector<std::uint64_t> zipf_cumulative;  // empty: uniform over keys
  std::uint32_t pipeline = 1;
  std::uint32_t mutation_percent = 0;
  std::uint64_t maxmemory_bytes = 0;
  EvictionKind eviction = EvictionKind::kS3Fifo;
  cluster::ReplicationKnobs knobs;
  bool small_knobs = false;
  TimeMs think_mean_ms = 1;
  bool key_per_client = false;    // client c always uses key c mod keys (the `single` mix)
  bool measure_failover = false;  // failover windows are measured (the `single` mix)
  TimeMs fault_end = 0;
  TimeMs liveness_start = 0;
  TimeMs hard_end = 0;
  FaultPlan plan;
};

// Draws the scenario of `options.seed` from the first two sub-streams of `root` (scenario, then
// faults), so the simulator's later forks (network, workload) stay independent of it.
Scenario DrawScenario(const ScenarioOptions& options, Prng& root);

// A key index drawn from the scenario's distribution.
std::size_t DrawKey(const Scenario& scenario, Prng& prng);

}  // namespace shoal::sim
