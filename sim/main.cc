// shoal-sim: runs deterministic simulations of a Shoal cluster (sim/simulator.h) and reports.
//
//   shoal-sim --seed N [overrides]          one scenario, one summary line (seed=, trace=, ...)
//   shoal-sim --seeds A..B [--check-determinism] [overrides]
//   shoal-sim --seed N --shrink [overrides]  shrink a failing run (sim/shrink.h)
//   shoal-sim --list-bugs | --list-faults
// Overrides: --nodes N --clients N --ops N --keys N --faults MIX --bug NAME --replication R
//            --duration-ms T --drop-faults I,J,..; --verbose prints every event. Parsing lives in
// sim/cli.h so tests can feed printed replay commands back.
// Exit status: 0 if every scenario passed (and, with --check-determinism, replayed identically);
// 1 on a violation or a trace mismatch; 2 on bad usage.
//
// std::clock() is the only clock here (CPU time for the scenarios-per-CPU-second figure); the
// simulation itself never sees it.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/planted_bug.h"
#include "sim/cli.h"
#include "sim/faults.h"
#include "sim/shrink.h"
#include "sim/simulator.h"

namespace {

using shoal::sim::ScenarioOptions;
using shoal::sim::ScenarioResult;

std::string SummaryLine(const ScenarioResult& r) {
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "seed=%" PRIu64 " trace=%016" PRIx64
                " mix=%s nodes=%u clients=%u keys=%u "
                "ops=%" PRIu64 " ok=%" PRIu64 " fail=%" PRIu64 " unknown=%" PRIu64
                " faults=%" PRIu64 " messages=%" PRIu64 " sim_ms=%" PRId64 " %s",
                r.seed, r.trace, r.mix.c_str(), r.nodes, r.clients, r.keys, r.ops, r.ops_ok,
                r.ops_fail, r.ops_unknown, r.faults, r.messages,
                static_cast<std::int64_t>(r.end_at), r.violation ? "VIOLATION" : "ok");
  return buf;
}

void PrintViolation(const ScenarioOptions& options, const ScenarioResult& r) {
  std::printf("%s", r.report.c_str());
  std::printf("per-node timeline before %" PRId64 "ms (last %zu events per node):\n",
              static_cast<std::int64_t>(r.violation_at), shoal::sim::kTimelineEntriesMax);
  std::printf("%s", shoal::sim::NodeTimelines(options, r.violation_at).c_str());
  std::printf("replay: %s\n", shoal::sim::ReplayCommand(options).c_str());
}

// --shrink: runs the seed; if it fails, shrinks it and prints original vs shrunk and the replay.
int RunShrink(const ScenarioOptions& options) {
  const shoal::sim::ShrinkResult s = shoal::sim::Shrink(options, [](std::string_view line) {
    std::printf("%.*s\n", static_cast<int>(line.size()), line.data());
    std::fflush(stdout);
  });
  std::printf("%s\n", SummaryLine(s.original_result).c_str());
  if (!s.failed) {
    std::printf("shrink: the run passed; nothing to shrink\n");
    return 0;
  }
  std::printf("%s\n", SummaryLine(s.shrunk_result).c_str());
  PrintViolation(s.shrunk, s.shrunk_result);
  std::printf("shrink: kept %s after %u probes\n", s.kind.c_str(), s.probes);
  std::printf("shrink: original faults=%u ops=%u clients=%u\n", s.original_faults, s.original_ops,
              s.original_clients);
  std::printf("shrink: shrunk   faults=%u ops=%u clients=%u\n", s.shrunk_faults, s.shrunk_ops,
              s.shrunk_clients);
  std::printf("shrink: original replay: %s\n", shoal::sim::ReplayCommand(s.original).c_str());
  std::printf("shrink: shrunk replay: %s\n", shoal::sim::ReplayCommand(s.shrunk).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  const shoal::sim::CommandLine cl = shoal::sim::ParseCommandLine(args);
  if (!cl.ok) {
    std::fprintf(stderr, "%s\n%s", cl.error.c_str(), shoal::sim::UsageText().c_str());
    return 2;
  }
  switch (cl.mode) {
    case shoal::sim::CommandLine::Mode::kHelp:
      std::printf("%s", shoal::sim::UsageText().c_str());
      return 0;
    case shoal::sim::CommandLine::Mode::kListBugs:
      for (const auto bug : shoal::sim::DetectableBugs()) {
        const std::string_view name = shoal::cluster::PlantedBugName(bug);
        std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
      }
      return 0;
    case shoal::sim::CommandLine::Mode::kListFaults:
      for (std::string_view name : shoal::sim::FaultMixNames()) {
        std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
      }
      return 0;
    default:
      break;
  }
  const ScenarioOptions& base = cl.options;
  const bool range = cl.mode == shoal::sim::CommandLine::Mode::kSeeds;
  const bool check_determinism = cl.check_determinism;
  const std::uint64_t seeds_from = cl.seeds_from, seeds_to = cl.seeds_to;

  if (cl.shrink) return RunShrink(base);
  if (!range) {
    const ScenarioOptions& options = base;
    const ScenarioResult r = shoal::sim::RunScenario(options);
    std::printf("%s\n", SummaryLine(r).c_str());
    int status = 0;
    if (check_determinism) {
      ScenarioOptions again = options;
      again.verbose = false;
      const ScenarioResult r2 = shoal::sim::RunScenario(again);
      if (r2.trace != r.trace) {
        std::printf("TRACE MISMATCH seed=%" PRIu64 " first=%016" PRIx64 " second=%016" PRIx64 "\n",
                    r.seed, r.trace, r2.trace);
        status = 1;
      }
    }
    if (r.violation) {
      PrintViolation(options, r);
      status = 1;
    }
    return status;
  }

  std::uint64_t scenarios = 0, violations = 0, mismatches = 0, ops = 0, faults = 0;
  bool printed_full_report = false;
  const std::clock_t cpu_start = std::clock();
  for (std::uint64_t s = seeds_from; s <= seeds_to; ++s) {
    ScenarioOptions options = base;
    options.seed = s;
    options.verbose = false;
    const ScenarioResult r = shoal::sim::RunScenario(options);
    scenarios++;
    ops += r.ops;
    faults += r.faults;
    if (check_determinism) {
      const ScenarioResult r2 = shoal::sim::RunScenario(options);
      if (r2.trace != r.trace) {
        mismatches++;
        std::printf("TRACE MISMATCH seed=%" PRIu64 " first=%016" PRIx64 " second=%016" PRIx64 "\n",
                    s, r.trace, r2.trace);
      }
    }
    if (r.violation) {
      violations++;
      std::printf("%s\n", SummaryLine(r).c_str());
      if (!printed_full_report) {
        PrintViolation(options, r);
        printed_full_report = true;
      } else {
        std::printf("replay: %s\n", shoal::sim::ReplayCommand(options).c_str());
      }
      std::fflush(stdout);
    }
    if (scenarios % 50 == 0) {
      std::fprintf(stderr,
                   "shoal-sim: %" PRIu64 "/%" PRIu64 " seeds, %" PRIu64 " violation(s), %" PRIu64
                   " trace mismatch(es)\n",
                   scenarios, seeds_to - seeds_from + 1, violations, mismatches);
    }
  }
  const double cpu_s =
      static_cast<double>(std::clock() - cpu_start) / static_cast<double>(CLOCKS_PER_SEC);
  const double runs = static_cast<double>(scenarios * (check_determinism ? 2 : 1));
  std::printf("summary: scenarios=%" PRIu64 " runs=%.0f violations=%" PRIu64
              " trace_mismatches=%" PRIu64 " ops=%" PRIu64 " faults=%" PRIu64
              " cpu_s=%.2f scenarios_per_cpu_s=%.1f %s\n",
              scenarios, runs, violations, mismatches, ops, faults, cpu_s,
              cpu_s > 0 ? runs / cpu_s : 0.0, violations == 0 && mismatches == 0 ? "ok" : "FAILED");
  return violations == 0 && mismatches == 0 ? 0 : 1;
}
