#include "sim/shrink.h"

#include <algorithm>
#include <vector>

namespace shoal::sim {
namespace {

constexpr std::uint32_t kDefaultOps = 2000;  // ScenarioOptions::ops default (sim/simulator.h)

class Shrinker {
 public:
  Shrinker(const std::function<void(std::string_view)>& progress, std::string kind)
      : progress_(progress), kind_(std::move(kind)) {}

  std::uint32_t probes() const { return probes_; }
  bool out_of_probes() const { return probes_ >= kShrinkProbesMax; }

  // Runs `o`; true if it fails with the kind being kept (then `best` holds its result).
  bool StillFails(const ScenarioOptions& o, ScenarioResult& best) {
    probes_++;
    ScenarioResult r = RunScenario(o);
    if (!r.violation) return false;
    if (std::find(r.violation_kinds.begin(), r.violation_kinds.end(), kind_) ==
        r.violation_kinds.end()) {
      return false;
    }
    best = std::move(r);
    return true;
  }

  // Lowers a count from `current` towards `min` while the run still fails: tries current - step,
  // keeps the step after a success and halves it after a pass. `apply` writes a count into the
  // options.
  template <class Apply>
  std::uint32_t Descend(const char* what, std::uint32_t current, std::uint32_t min,
                        ScenarioOptions& options, ScenarioResult& best, Apply apply) {
    std::uint32_t step = (current - std::min(current, min) + 1) / 2;
    while (step >= 1 && current > min && !out_of_probes()) {
      step = std::min(step, current - min);
      ScenarioOptions candidate = options;
      apply(candidate, current - step);
      if (StillFails(candidate, best)) {
        Say(std::string(what) + " " + std::to_string(current) + " -> " +
            std::to_string(current - step));
        current -= step;
        options = candidate;
      } else {
        step /= 2;
      }
    }
    return current;
  }

  // Tries to drop every still-enabled fault of the plan, one at a time.
  void DropFaults(ScenarioOptions& options, ScenarioResult& best) {
    const std::uint32_t planned = static_cast<std::uint32_t>(best.fault_schedule.size());
    for (std::uint32_t i = 0; i < planned && !out_of_probes(); ++i) {
      if (std::binary_search(options.drop_faults.begin(), options.drop_faults.end(), i)) continue;
      ScenarioOptions candidate = options;
      candidate.drop_faults.push_back(i);
      std::sort(candidate.drop_faults.begin(), candidate.drop_faults.end());
      if (StillFails(candidate, best)) {
        Say("dropped fault #" + std::to_string(i) + " " +
            DescribeFault(best.fault_schedule[i], best.nodes) + " (" +
            std::to_string(best.faults_planned) + " left)");
        options = candidate;
      }
    }
  }

  void Say(const std::string& line) {
    if (progress_) progress_("shrink: " + line + " [probe " + std::to_string(probes_) + "]");
  }

 private:
  const std::function<void(std::string_view)>& progress_;
  std::string kind_;
  std::uint32_t probes_ = 0;
};

}  // namespace

ShrinkResult Shrink(const ScenarioOptions& options,
                    const std::function<void(std::string_view)>& progress) {
  ShrinkResult out;
  out.original = options;
  out.original.verbose = false;
  out.original.stop_at = 0;
  std::sort(out.original.drop_faults.begin(), out.original.drop_faults.end());
  out.original_result = RunScenario(out.original);
  const ScenarioResult& first = out.original_result;
  out.original_clients = first.clients;
  out.original_ops = out.original.ops.value_or(kDefaultOps);
  out.original_faults = first.faults_planned;
  out.shrunk = out.original;
  out.shrunk_result = first;
  out.shrunk_clients = out.original_clients;
  out.shrunk_ops = out.original_ops;
  out.shrunk_faults = out.original_faults;
  if (!first.violation || first.violation_kinds.empty()) return out;
  out.failed = true;
  out.kind = first.violation_kinds.front();

  Shrinker shrinker(progress, out.kind);
  shrinker.Say("keeping violation kind " + out.kind + "; " + std::to_string(first.clients) +
               " clients, " + std::to_string(out.original_ops) + " ops, " +
               std::to_string(first.faults_planned) + " faults");
  ScenarioOptions cur = out.original;
  ScenarioResult best = first;
  // Clients and ops candidates keep each client's pace, so a smaller run is (nearly) a prefix of
  // the original rather than the same number of operations spread thinner.
  const TimeMs think_ms = first.think_mean_ms;
  // 1. Clients (only while no fault is dropped yet: the plan depends on the client count).
  if (cur.drop_faults.empty()) {
    shrinker.Descend("clients", best.clients, 1, cur, best,
                     [&](ScenarioOptions& o, std::uint32_t n) {
                       o.clients = n;
                       o.think_ms = think_ms;
                     });
  }
  // 2. Faults.
  shrinker.DropFaults(cur, best);
  // 3. Operations.
  shrinker.Descend("ops", cur.ops.value_or(kDefaultOps), 1, cur, best,
                   [&](ScenarioOptions& o, std::uint32_t n) {
                     o.ops = n;
                     o.think_ms = think_ms;
                   });
  // 4. Faults once more.
  shrinker.DropFaults(cur, best);

  out.shrunk = cur;
  out.shrunk_result = std::move(best);
  out.shrunk_clients = out.shrunk_result.clients;
  out.shrunk_ops = cur.ops.value_or(kDefaultOps);
  out.shrunk_faults = out.shrunk_result.faults_planned;
  out.probes = shrinker.probes();
  return out;
}

}  // namespace shoal::sim
