// Shrinker: given a failing scenario, finds a smaller one (fewer clients, fewer faults, fewer
// operations) that still fails with a violation of the same kind, so that a failure report is
// short enough to read. Every candidate is an ordinary ScenarioOptions (overrides `--clients`,
// `--ops` and `--drop-faults`), so the result replays from a printed command line.
//
// Strategy (each probe is one full, deterministic run; a few dozen probes cost seconds):
//   1. clients: greedy descent (try current - step, halving the step on a pass);
//   2. faults: drop each still-enabled fault of the plan in turn, keep the drop if it still fails;
//   3. operations: the same descent as clients;
//   4. faults again (fewer ops may make more faults unnecessary).
// Changing the client count re-draws the fault plan (client cuts and partition sides depend on
// it), which is why clients come first: the fault indices dropped afterwards refer to the plan of
// the final client count.
//
// Accepting a candidate: it must fail with a violation whose kinds include the original's first
// kind (ScenarioResult::violation_kinds.front()): a shrink that turns a stale read into a mere
// liveness failure would explain nothing.
//
// Thread safety: none needed; it runs scenarios one after the other.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "sim/simulator.h"

namespace shoal::sim {

// Probes allowed in one shrink (bounds its cost: a default scenario is ~10-20 ms).
inline constexpr std::uint32_t kShrinkProbesMax = 400;

struct ShrinkResult {
  bool failed = false;  // the original run failed (otherwise nothing was shrunk)
  std::string kind;     // the violation kind kept
  ScenarioOptions original;
  ScenarioOptions shrunk;
  ScenarioResult original_result;
  ScenarioResult shrunk_result;  // the run of `shrunk` (fails with `kind`)
  std::uint32_t original_clients = 0;
  std::uint32_t original_ops = 0;  // the operation budget (--ops), not counting the final sweep
  std::uint32_t original_faults = 0;
  std::uint32_t shrunk_clients = 0;
  std::uint32_t shrunk_ops = 0;
  std::uint32_t shrunk_faults = 0;
  std::uint32_t probes = 0;
};

// Shrinks `options` (verbose is ignored). `progress`, if set, gets one line per accepted step.
ShrinkResult Shrink(const ScenarioOptions& options,
                    const std::function<void(std::string_view)>& progress = {});

}  // namespace shoal::sim
