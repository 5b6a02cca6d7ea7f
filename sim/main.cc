// shoal-sim: runs deterministic simulations of a Shoal cluster (sim/simulator.h) and reports.
//
//   shoal-sim --seed N [overrides]          one scenario, one summary line (seed=, trace=, ...)
//   shoal-sim --seeds A..B [--check-determinism] [--probes] [overrides]
//   shoal-sim --seed N --shrink [overrides]  shrink a failing run (sim/shrink.h)
//   shoal-sim --list-bugs | --list-faults
// Overrides: --nodes N --clients N --ops N --keys N --faults MIX --bug NAME --replication R
//            --duration-ms T --drop-faults I,J,..; --verbose prints every event. Parsing lives in
// sim/cli.h so tests can feed printed replay commands back.
// Exit status: 0 if every scenario passed (and, with --check-determinism, replayed identically);
// 1 on a violation, a trace mismatch, or (--probes) a probe that never fired; 2 on bad usage.
//
// std::clock() is the only clock here (CPU time for the scenarios-per-CPU-second figure); the
// simulation itself never sees it.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/planted_bug.h"
#include "sim/checker.h"
#include "sim/cli.h"
#include "sim/faults.h"
#include "sim/history_json.h"
#include "sim/shrink.h"
#include "sim/simulator.h"

namespace {

using shoal::TimeMs;
using shoal::sim::ScenarioOptions;
using shoal::sim::ScenarioResult;

std::string SummaryLine(const ScenarioResult& r) {
  char buf[768];
  const double per_write = r.writes_committed == 0 ? 0.0
                                                   : static_cast<double>(r.replication_messages) /
                                                         static_cast<double>(r.writes_committed);
  std::snprintf(buf, sizeof(buf),
                "seed=%" PRIu64 " trace=%016" PRIx64
                " mix=%s nodes=%u clients=%u keys=%u pipeline=%u maxmemory=%" PRIu64
                " knobs=%s ops=%" PRIu64 " ok=%" PRIu64 " fail=%" PRIu64 " unknown=%" PRIu64
                " own_ops=%" PRIu64 " own_answered=%" PRIu64 " faults=%" PRIu64 " messages=%" PRIu64
                " evictions=%" PRIu64 " writes_committed=%" PRIu64
                " repl_msgs_per_write=%.3f sim_ms=%" PRId64 " %s",
                r.seed, r.trace, r.mix.c_str(), r.nodes, r.clients, r.keys, r.pipeline, r.maxmemory,
                r.small_knobs ? "small" : "default", r.ops, r.ops_ok, r.ops_fail, r.ops_unknown,
                r.mutation_ops, r.mutation_ops_answered, r.faults, r.messages, r.evictions,
                r.writes_committed, per_write, static_cast<std::int64_t>(r.end_at),
                r.violation ? "VIOLATION" : "ok");
  std::string line = buf;
  if (!r.failover_windows.empty()) {
    TimeMs worst = 0;
    for (const auto& w : r.failover_windows) worst = std::max(worst, w.window_ms);
    line += " failover_max_ms=" + std::to_string(worst);
  }
  return line;
}

// --check-history FILE: our checker over a history file.
int CheckHistoryFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "shoal-sim: cannot open %s\n", path.c_str());
    return 2;
  }
  std::string text;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) text.append(buf, n);
  std::fclose(f);
  std::string error;
  const shoal::Result<shoal::sim::History> history = shoal::sim::HistoryFromJsonLines(text, error);
  if (!history) {
    std::fprintf(stderr, "shoal-sim: %s: %s\n", path.c_str(), error.c_str());
    return 2;
  }
  const shoal::sim::CheckResult r = shoal::sim::CheckHistory(history.value());
  for (const shoal::sim::Violation& v : r.violations) {
    std::printf("%s\n", shoal::sim::FormatViolation(history.value(), v).c_str());
  }
  std::printf(
      "check-history: %s ops=%zu keys=%zu reads=%zu misses=%zu excused=%zu violations=%zu %s\n",
      path.c_str(), r.stats.ops, r.stats.keys, r.stats.reads_found, r.stats.reads_missed,
      r.stats.misses_excused, r.violations.size() + r.violations_dropped,
      r.ok ? "ok" : "VIOLATION");
  return r.ok ? 0 : 1;
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
    case shoal::sim::CommandLine::Mode::kCheckHistory:
      return CheckHistoryFile(cl.check_history_file);
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
    if (!cl.history_file.empty()) {
      std::FILE* f = std::fopen(cl.history_file.c_str(), "wb");
      const std::string text = shoal::sim::HistoryToJsonLines(r.history);
      if (f == nullptr || std::fwrite(text.data(), 1, text.size(), f) != text.size()) {
        std::fprintf(stderr, "shoal-sim: cannot write %s\n", cl.history_file.c_str());
        status = 2;
      }
      if (f != nullptr) std::fclose(f);
    }
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

  shoal::sim::PlacementCache placements;
  std::uint64_t scenarios = 0, violations = 0, mismatches = 0, ops = 0, faults = 0;
  std::uint64_t repl_messages = 0, writes_committed = 0, evictions = 0;
  shoal::cluster::ProbeCounts probes;
  std::vector<TimeMs> failover_windows;
  std::uint64_t failover_open = 0;
  bool printed_full_report = false;
  const std::clock_t cpu_start = std::clock();
  for (std::uint64_t s = seeds_from; s <= seeds_to; ++s) {
    ScenarioOptions options = base;
    options.seed = s;
    options.verbose = false;
    const ScenarioResult r = shoal::sim::RunScenario(options, &placements);
    scenarios++;
    ops += r.ops;
    faults += r.faults;
    repl_messages += r.replication_messages;
    writes_committed += r.writes_committed;
    evictions += r.evictions;
    probes.Add(r.probes);
    for (const auto& w : r.failover_windows) {
      failover_windows.push_back(w.window_ms);
      if (w.open) failover_open++;
    }
    if (check_determinism) {
      const ScenarioResult r2 = shoal::sim::RunScenario(options, &placements);
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
              " trace_mismatches=%" PRIu64 " ops=%" PRIu64 " faults=%" PRIu64 " evictions=%" PRIu64
              " repl_msgs_per_write=%.3f cpu_s=%.2f"
              " scenarios_per_cpu_s=%.1f %s\n",
              scenarios, runs, violations, mismatches, ops, faults, evictions,
              writes_committed == 0
                  ? 0.0
                  : static_cast<double>(repl_messages) / static_cast<double>(writes_committed),
              cpu_s, cpu_s > 0 ? runs / cpu_s : 0.0,
              violations == 0 && mismatches == 0 ? "ok" : "FAILED");
  if (!failover_windows.empty()) {
    // Every key window of the block (sim/failover.h), simulated time.
    std::printf("failover: windows=%zu open=%" PRIu64 " failover_p50_ms=%" PRId64
                " failover_p99_ms=%" PRId64 " failover_max_ms=%" PRId64 "\n",
                failover_windows.size(), failover_open,
                static_cast<std::int64_t>(shoal::sim::WindowQuantile(failover_windows, 0.5)),
                static_cast<std::int64_t>(shoal::sim::WindowQuantile(failover_windows, 0.99)),
                static_cast<std::int64_t>(shoal::sim::WindowQuantile(failover_windows, 1.0)));
  }
  bool probes_fired = true;
  if (cl.probes) {
    for (std::size_t i = 0; i < shoal::cluster::kProbeCount; ++i) {
      const auto probe = static_cast<shoal::cluster::Probe>(i);
      std::printf("probe %s %" PRIu64 "\n", shoal::cluster::ProbeName(probe), probes[probe]);
      if (probes[probe] == 0) {
        std::printf("PROBE NEVER FIRED: %s (a rare path this block no longer reaches)\n",
                    shoal::cluster::ProbeName(probe));
        probes_fired = false;
      }
    }
  }
  return violations == 0 && mismatches == 0 && probes_fired ? 0 : 1;
}
