// Simulator: runs one deterministic scenario (one seed) of a Shoal cluster: N core::Node
// instances driven only through Node::Step / Node::Tick (exactly as the real server drives
// them), a simulated network with faults (sim/network.h, sim/faults.h) that carries every peer
// message as the codec's bytes (core/cluster/codec.h), and simulated clients running the shared
// client state machine (client/state/operation.h), some of them pipelining. It records a History
// for the consistency checker (sim/checker.h), audits the replicas (every backup holds what its
// primary serves; no copy is lost that should not be; after the quiet phase every copy is
// identical), checks every node's invariants after every step, checks liveness after the quiet
// phase, and folds every event into a trace hash: the same seed gives the same hash on every
// build. The scenario a seed draws is described in sim/scenario.h.
//
// Phases of a run (true simulated time, ms):
//   [0, fault_end)                 faults per the seed's plan (swarm: mix drawn per seed)
//   [fault_end, end)               quiet: every fault healed, crashed nodes restarted
//   [fault_end + kLivenessBoundMs, ...)   every operation invoked here must succeed
// After its operation budget, client 0 reads every workload key that was ever written once (the
// final sweep), so the liveness window always holds operations on every such key, and a cold key
// written once early is read again at the end. When every client is done, the run
// drains (replication settles, bounded by the hard end) and compares every copy of every key.
//
// Thread safety: none; a Simulator is one single-threaded run. Distinct Simulators share nothing,
// so a driver may run several on different threads (shoal-sim does not).
// Invariants:
//   1. Nothing reads a real clock, a real random source, or iterates a hash container.
//   2. Events run in (time, insertion sequence) order; payloads are referenced by pool index.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster/placement.h"
#include "core/cluster/planted_bug.h"
#include "core/cluster/probes.h"
#include "core/time.h"
#include "sim/failover.h"
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
  // Operations a client keeps in flight at once (`--pipeline`); default drawn (mostly 1).
  std::optional<std::uint32_t> pipeline;
  // Each node's maxmemory in bytes (`--maxmemory`; 0: unbounded); default drawn (mostly 0).
  std::optional<std::uint64_t> maxmemory;
  // Run every node's expensive invariant checks after every step, not one step in
  // kExpensiveCheckEvery (`--check-expensive`).
  bool check_expensive = false;
  // Failover windows (measured in the `single` mix, sim/failover.h) longer than this are a
  // violation ("failover_window"); unset: measured and reported, not judged
  // (`--failover-bound-ms`).
  std::optional<TimeMs> failover_bound_ms;
};

// Nodes' expensive invariant checks (O(keys) store walk, O(writes in flight) stream checks) run
// after one step in this many, and after every step with ScenarioOptions::check_expensive; the
// cheap ones run after every step.
inline constexpr std::uint64_t kExpensiveCheckEvery = 2048;
// The replica audit (every backup holds what its primary serves) runs this often (true time).
inline constexpr TimeMs kAuditIntervalMs = 50;
// One audit looks at the keys written since the last one (at most kAuditDirtyKeysMax; one whose
// write is still in flight waits for the next audit) and kAuditRotatingKeys more, rotating
// through every key of the workload.
inline constexpr std::size_t kAuditDirtyKeysMax = 64;
inline constexpr std::size_t kAuditRotatingKeys = 3;

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
  // Operations on the clients' own keys (INCR, APPEND, EXPIRE, ...), not in the history.
  std::uint64_t mutation_ops = 0;
  std::uint64_t mutation_ops_answered = 0;  // the server replied (an error reply included)
  // Replication cost, summed over every node and life: Replicate and ReplicateAck messages sent,
  // and client writes committed.
  std::uint64_t replication_messages = 0;
  std::uint64_t writes_committed = 0;
  cluster::ProbeCounts probes;  // rare paths reached, every node and life (core/cluster/probes.h)
  std::uint64_t evictions = 0;  // keys evicted, every node
  std::uint64_t audits = 0;     // replica audits run
  std::uint32_t pipeline = 1;
  std::uint64_t maxmemory = 0;
  bool small_knobs = false;
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
  std::vector<FailoverWindow> failover_windows;  // the `single` mix only (sim/failover.h)
  std::uint32_t faults_planned = 0;  // plan faults not dropped by ScenarioOptions::drop_faults
};

// The planted bugs this harness is proven to catch (tests/sim/planted_bugs_test.cc), in the order
// `shoal-sim --list-bugs` prints them (all of cluster::PlantedBug but kNone).
std::vector<cluster::PlantedBug> DetectableBugs();

// The violation kinds the simulator reports beyond the checker's (sim/checker.h): "liveness",
// "replica_behind" (a backup that counts as holding a slot lacks a version its primary serves),
// "in_sync_behind" (a replica that the configuration lists in a slot's in-sync set, under the
// life it runs, lacks a version its primary serves: promoting it would lose that write),
// "lost_copy" (an acknowledged write's last copy died while a replica that never crashed lacked
// it), "replica_divergence" (after the quiet phase, copies of a key differ).
inline constexpr const char* kViolationLiveness = "liveness";
inline constexpr const char* kViolationReplicaBehind = "replica_behind";
inline constexpr const char* kViolationInSyncBehind = "in_sync_behind";
inline constexpr const char* kViolationLostCopy = "lost_copy";
inline constexpr const char* kViolationReplicaDivergence = "replica_divergence";
// Cluster-wide checks of the configuration log, over every node after every step
// (sim/sim_consensus.cc): two nodes led one term; an entry committed at an index was later seen
// different there; two nodes computed different configurations at one epoch.
inline constexpr const char* kViolationTwoLeaders = "two_leaders_in_term";
inline constexpr const char* kViolationCommittedChanged = "committed_entry_changed";
inline constexpr const char* kViolationConfigDivergence = "configuration_divergence";
// A node crashed after its configuration log's messages had told peers of voter state (a term, a
// vote, entries) that its disk did not hold yet: restarted, it would act as if it had never said
// so (Raft's persistence rule, broken by a driver that sends before it persists).
inline constexpr const char* kViolationVoterStateLost = "voter_state_lost";
// A key stayed unavailable after its primary failed for longer than
// ScenarioOptions::failover_bound_ms (sim/failover.h).
inline constexpr const char* kViolationFailoverWindow = "failover_window";
// A node held a read lease while another node had applied a configuration change that marked it
// down (and promoted its slots) and it had not: two nodes could serve one slot's reads at once.
// Checked after every step (sim/sim_consensus.cc); implies at most one primary holding a lease
// per slot at any true time, since only marking a primary down moves its slots.
inline constexpr const char* kViolationLeaseAfterMarkDown = "lease_after_mark_down";
// How long after the quiet phase began the configuration must have settled (one leader that every
// node follows, one epoch everywhere, every node marked up); runs that end sooner are not judged.
inline constexpr TimeMs kConfigSettleMs = 4'000;

// Placements are immutable and a pure function of (nodes, R): a driver that runs many scenarios
// keeps one cache and passes it to RunScenario, so each shape is built once (a 5-node placement
// is a sizable part of a scenario's cost). Not shared between threads.
class PlacementCache {
 public:
  std::shared_ptr<const cluster::Placement> Get(std::uint32_t nodes, std::uint32_t r);

 private:
  std::vector<std::shared_ptr<const cluster::Placement>> built_;
};

// Runs one scenario to completion, checks it, and returns the summary. `cache` may be null.
ScenarioResult RunScenario(const ScenarioOptions& options, PlacementCache* cache = nullptr);

// The one command that replays `options` (e.g. "build/bin/shoal-sim --seed 7 --bug stale-read").
std::string ReplayCommand(const ScenarioOptions& options);

// Runs the scenario again up to `at` and returns each node's last kTimelineEntriesMax events.
std::string NodeTimelines(const ScenarioOptions& options, TimeMs at);

}  // namespace shoal::sim
