// Fault mixes and fault plans. A FaultMix is a named set of upper bounds ("how brutal may this
// seed be"); DrawFaultPlan draws, from one seed's PRNG, the actual knob values within those bounds
// and a schedule of timed faults (swarm testing: every seed gets its own mix of faults, some calm,
// some brutal). Every fault ends by itself or, at the latest, when the quiet phase begins.
//
// Thread safety: pure functions and plain data.
// Invariants of a FaultPlan:
//   1. faults are sorted by `at`, and every `at` lies in [0, fault_phase_end_ms).
//   2. |clock_offset_ms[i]| <= mix.clock_offset_max_ms, |drift_ppm[i]| <= mix.drift_ppm_max,
//      clock_step_bound_ms[i] >= the magnitude of any partial sum of node i's clock steps.
//   3. network knob values lie within the mix's bounds (see NetworkOptions for hard bounds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "sim/network.h"
#include "sim/prng.h"

namespace shoal::sim {

// Hard bounds of the clock model (docs/simulation.md): a node's clock reads
//   node_now = kNodeEpochMs + true_now + offset_ms + drift_ppm * true_now / 1e6   (integers)
inline constexpr TimeMs kClockOffsetHardMaxMs = 500;
inline constexpr std::int32_t kDriftPpmHardMax = 1000;
// Node clocks start at a realistic epoch (2023-11-14) so no computed expiry is ever 0 (kNoExpiry).
inline constexpr TimeMs kNodeEpochMs = 1'700'000'000'000;

enum class FaultKind : std::uint8_t {
  kCrash,         // `node` loses its memory; restarts (empty) after `duration_ms`
  kPause,         // `node` receives nothing and does not tick for `duration_ms` (messages queue)
  kPartition,     // endpoints in `side_mask` cannot reach the others, both ways
  kOneWay,        // nodes in `side_mask` cannot send to the other nodes (asymmetric)
  kIsolate,       // `node` cannot reach or be reached by anyone (nodes and clients)
  kClog,          // link `node` <-> `other` (nodes) gets `delay_ms` extra latency
  kClientCut,     // client `other` cannot reach node `node` (nor the reverse)
  kIsolatePeers,  // `node` cannot exchange messages with other nodes; clients still reach it
  // A router queue: a copy of every peer message to or from `node` sent during the fault is held
  // back and delivered when the fault ends (to whatever incarnations then run, across restarts).
  kStaleQueue,
  // `node`'s wall clock steps by `delay_ms` (signed; an NTP correction) at `at`; its monotonic
  // clock does not move. No duration.
  kClockStep,
  // The clients' think time drops tenfold for `duration_ms` (a write burst).
  kBurst,
  // State transfer to `node` is slow: every SyncReply sent to it during the fault arrives
  // `delay_ms` later than the network would deliver it (bulk chunks on a congested connection of
  // their own), so writes streamed after a chunk was built can reach the node before the chunk.
  kSlowSync,
};

// Peer messages one stale queue holds at most (later ones are not copied).
inline constexpr std::size_t kStaleQueueMessagesMax = 4096;

struct Fault {
  TimeMs at = 0;
  TimeMs duration_ms = 0;
  FaultKind kind = FaultKind::kCrash;
  std::uint32_t node = 0;
  std::uint32_t other = 0;
  std::uint64_t side_mask = 0;  // bit i = endpoint i (nodes first, then clients)
  TimeMs delay_ms = 0;          // kClog, kSlowSync: extra latency; kClockStep: the step (signed)
  TimeMs restart_clock_step_ms = 0;  // kCrash: the wall clock steps by this on restart (signed)
};

struct FaultMix {
  std::string_view name;
  NetworkOptions network_max;  // per-seed values drawn in [0, max] (latencies: see faults.cc)
  std::uint32_t crashes_max = 0;
  std::uint32_t pauses_max = 0;
  std::uint32_t partitions_max = 0;  // symmetric, one-way and isolations together
  std::uint32_t clogs_max = 0;
  std::uint32_t client_cuts_max = 0;
  TimeMs fault_duration_max_ms = 0;
  TimeMs clock_offset_max_ms = 0;
  std::int32_t drift_ppm_max = 0;
  // Stale queues (kStaleQueue); in mixes with crashes, half of them span two crashes of their
  // node (held from its first restart to its second), so messages of one life reach the next.
  std::uint32_t stale_queues_max = 0;
  // Loss is drawn in [loss_ppm_min, network_max.loss_ppm].
  std::uint32_t loss_ppm_min = 0;
  // Wall-clock steps (kClockStep) of at most clock_step_max_ms either way.
  std::uint32_t clock_steps_max = 0;
  TimeMs clock_step_max_ms = 0;
  // Crashes that come with another: a primary and a backup within 0-2 s, or a backup paused or
  // isolated and then its primary crashed during a write burst; and restarts whose wall clock
  // stepped back; and restarts whose state transfer is slow (kSlowSync) during a write burst.
  // Only in mixes with crashes.
  bool linked_crashes = false;
  // One node at a time (the `single` mix): crashes, pauses and isolations of one node each,
  // never overlapping, with time to recover between them (kSingleGap*); no other timed faults.
  // Failover windows (sim/failover.h) are measured in such runs.
  bool one_at_a_time = false;
};

// The `single` mix: each fault lasts 1 s to its mix's duration bound, and the next starts 4-6 s
// after it ended (a restarted node recovers its copies meanwhile).
inline constexpr TimeMs kSingleFaultMinMs = 1000;
inline constexpr TimeMs kSingleGapMinMs = 4000;
inline constexpr TimeMs kSingleGapMaxMs = 6000;

struct FaultPlan {
  std::string mix_name;
  NetworkOptions network;
  std::vector<Fault> faults;
  std::vector<TimeMs> clock_offset_ms;  // per node
  std::vector<std::int32_t> drift_ppm;  // per node
  // Per node: the largest |sum of wall-clock steps| it can reach (kClockStep faults and restart
  // steps of its crashes), which widens the skew bound the checker allows.
  std::vector<TimeMs> clock_step_bound_ms;
};

// The named mixes: "none", "calm", "network", "crash", "brutal", "single". Returns nullptr if
// unknown.
const FaultMix* FindFaultMix(std::string_view name);
std::vector<std::string_view> FaultMixNames();
// The swarm default: draws one of the first five named mixes (weighted towards faulty ones);
// `single` runs only when asked for.
const FaultMix& DrawFaultMix(Prng& prng);

// Draws a plan for `node_count` nodes and `client_count` clients; faults start before
// `fault_phase_end_ms`. REQUIRES: node_count + client_count <= 64.
FaultPlan DrawFaultPlan(const FaultMix& mix, std::uint32_t node_count, std::uint32_t client_count,
                        TimeMs fault_phase_end_ms, Prng& prng);

std::string_view FaultKindName(FaultKind kind);
// One line, e.g. "t=1234ms crash node=2 for 800ms".
std::string DescribeFault(const Fault& fault, std::uint32_t node_count);

}  // namespace shoal::sim
