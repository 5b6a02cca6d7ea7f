// Simulator: runs one deterministic scenario (one seed) of a Shoal cluster: N core::Node
// instances driven only through Node::Step / Node::Tick (exactly as the real server drives
// them), a simulated network with faults (sim/network.h, sim/faults.h), and simulated clients
// running the shared client state machine (client/state/operation.h). It records a History for
// the consistency checker (sim/checker.h), checks liveness after the quiet phase, and folds every
// event into a trace hash: the same seed gives the same hash on every build.
//
// Phases of a run (true simulated time, ms):
//   [0, fault_end)                 faults per the seed's plan (swarm: mix drawn per seed)
//   [fault_end, end)               quiet: every fault healed, crashed nodes restarted
//   [fault_end + kLivenessBoundMs, ...)   every operation invoked here must succeed
// After its operation budget, client 0 reads every workload key once (the final sweep), so the
// liveness window always holds operations on every key.
//
// Thread safety: none; a Simulator is one single-threaded run. Distinct Simulators share nothing,
// so a driver may run several on different threads (shoal-sim does not).
// Invariants:
//   1. Nothing reads a real clock, a real random source, or iterates a hash container.
//   2. Events run in (time, insertion sequence) order; payloads are referenced by pool index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster/planted_bug.h"
#include "core/time.h"
#include "sim/faults.h"
#include "sim/history.h"

namespace shoal::sim {

// After the quiet phase begins, every operation invoked this much later must succeed.
inline constexpr TimeMs kLivenessBoundMs = 10'000;
// Node timeline entries kept per node for failure reports.
inline constexpr std::size_t kTimelineEntriesMax = 40;
inline constexpr std::uint32_t kNodesMax = 16;
inline constexpr std::uint32_t kClientsMax = 32;

struct ScenarioOptions {
  std::uint64_t seed = 1;
  // Overrides of the drawn values (nullopt: drawn from the seed / defaults).
  std::optional<std::uint32_t> nodes;    // default 5
  std::optional<std::uint32_t> clients;  // default drawn in [4, 8]
  std::optional<std::uint32_t> ops;      // default 2000
  std::optional<std::uint32_t> keys;     // default drawn in [8, 32]
  std::optional<std::string> faults;     // a FaultMix name; default drawn per seed
  std::uint32_t replication_factor = 3;  // capped at the node count
  cluster::PlantedBug bug = cluster::PlantedBug::kNone;
  TimeMs duration_ms = 60'000;  // simulated run length (quiet phase: the last quarter)
  bool verbose = false;         // print every event to stdout
  // Stop the run at this true time (for timeline reports); 0: run to the end.
  TimeMs stop_at = 0;
  // Indices into the seed's fault plan (ScenarioResult::fault_schedule) of faults left out of
  // this run (`--drop-faults`, used by the shrinker). Only a filter: every draw stays the same,
  // so the remaining faults keep their times and targets. Out-of-range indices are ignored.
  std::vector<std::uint32_t> drop_faults;
  // Mean think time between a client's operations (`--think-ms`); default
  // duration_ms * clients / ops, so the workload spans the run. The shrinker pins it while it
  // lowers --ops, so a shorter run is a prefix of the longer one rather than a slower one.
  std::optional<TimeMs> think_ms;
};

struct ScenarioResult {
  std::uint64_t seed = 0;
  std::uint64_t trace = 0;
  std::string mix;
  std::uint32_t nodes = 0;
  std::uint32_t clients = 0;
  std::uint32_t keys = 0;
  std::uint64_t ops = 0;  // operations invoked (including the final sweep)
  std::uint64_t ops_ok = 0;
  std::uint64_t ops_fail = 0;
  std::uint64_t ops_unknown = 0;
  std::uint64_t faults = 0;    // faults applied (scheduled and started)
  std::uint64_t messages = 0;  // peer messages delivered
  std::uint64_t events = 0;
  TimeMs end_at = 0;  // true time when the run ended
  TimeMs think_mean_ms = 0;
  bool violation = false;
  TimeMs violation_at = 0;  // true time of the first offending operation's invocation
  std::string report;       // on violation: checker report, fault schedule, liveness failures
  // On violation: the kinds found, the first reported first, each once ("stale_read", ...,
  // "liveness" for liveness failures).
  std::vector<std::string> violation_kinds;
  std::string timeline;               // filled only when ScenarioOptions::stop_at was set
  History history;                    // kept for tests and reports
  std::vector<Fault> fault_schedule;  // the seed's whole plan, dropped faults included
  std::uint32_t faults_planned = 0;   // plan faults not dropped by ScenarioOptions::drop_faults
};

// The planted bugs this harness is proven to catch (tests/sim/planted_bugs_test.cc), in the order
// `shoal-sim --list-bugs` prints them (all of cluster::PlantedBug but kNone).
std::vector<cluster::PlantedBug> DetectableBugs();

// Runs one scenario to completion, checks it, and returns the summary.
ScenarioResult RunScenario(const ScenarioOptions& options);

// The one command that replays `options` (e.g. "build/bin/shoal-sim --seed 7 --bug stale-read").
std::string ReplayCommand(const ScenarioOptions& options);

// Runs the scenario again up to `at` and returns each node's last kTimelineEntriesMax events.
std::string NodeTimelines(const ScenarioOptions& options, TimeMs at);

}  // namespace shoal::sim
