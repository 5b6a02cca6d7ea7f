// shoal-sim: runs deterministic simulations of a Shoal cluster (sim/simulator.h) and reports.
//
//   shoal-sim --seed N [overrides]          one scenario, one summary line (seed=, trace=, ...)
//   shoal-sim --seeds A..B [--check-determinism] [overrides]
//   shoal-sim --list-bugs | --list-faults
// Overrides: --nodes N --clients N --ops N --keys N --faults MIX --bug NAME --replication R
//            --duration-ms T; --verbose prints every event.
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
#include "sim/faults.h"
#include "sim/simulator.h"

namespace {

using shoal::sim::ScenarioOptions;
using shoal::sim::ScenarioResult;

void Usage() {
  std::fprintf(stderr,
               "usage: shoal-sim (--seed N | --seeds A..B) [--check-determinism] [--nodes N]\n"
               "                 [--clients N] [--ops N] [--keys N] [--faults MIX] [--bug NAME]\n"
               "                 [--replication R] [--duration-ms T] [--verbose]\n"
               "       shoal-sim --list-bugs | --list-faults\n");
}

bool ParseU64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = v;
  return true;
}

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

}  // namespace

int main(int argc, char** argv) {
  ScenarioOptions base;
  std::optional<std::uint64_t> seed;
  std::uint64_t seeds_from = 0, seeds_to = 0;
  bool range = false;
  bool check_determinism = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "shoal-sim: %s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    auto number = [&]() -> std::uint64_t {
      const std::string_view v = value();
      std::uint64_t n = 0;
      if (!ParseU64(v, n)) {
        std::fprintf(stderr, "shoal-sim: %s wants a number, got '%.*s'\n", argv[i - 1],
                     static_cast<int>(v.size()), v.data());
        std::exit(2);
      }
      return n;
    };
    if (arg == "--seed") {
      seed = number();
    } else if (arg == "--seeds") {
      const std::string_view v = value();
      const std::size_t dots = v.find("..");
      if (dots == std::string_view::npos || !ParseU64(v.substr(0, dots), seeds_from) ||
          !ParseU64(v.substr(dots + 2), seeds_to) || seeds_from > seeds_to) {
        std::fprintf(stderr, "shoal-sim: --seeds wants A..B with A <= B\n");
        return 2;
      }
      range = true;
    } else if (arg == "--check-determinism") {
      check_determinism = true;
    } else if (arg == "--nodes") {
      base.nodes = static_cast<std::uint32_t>(number());
      if (*base.nodes < 1 || *base.nodes > shoal::sim::kNodesMax) {
        std::fprintf(stderr, "shoal-sim: --nodes must be 1..%u\n", shoal::sim::kNodesMax);
        return 2;
      }
    } else if (arg == "--clients") {
      base.clients = static_cast<std::uint32_t>(number());
      if (*base.clients < 1 || *base.clients > shoal::sim::kClientsMax) {
        std::fprintf(stderr, "shoal-sim: --clients must be 1..%u\n", shoal::sim::kClientsMax);
        return 2;
      }
    } else if (arg == "--ops") {
      base.ops = static_cast<std::uint32_t>(number());
    } else if (arg == "--keys") {
      base.keys = static_cast<std::uint32_t>(number());
      if (*base.keys < 1 || *base.keys > 100000) {
        std::fprintf(stderr, "shoal-sim: --keys must be 1..100000\n");
        return 2;
      }
    } else if (arg == "--replication") {
      base.replication_factor = static_cast<std::uint32_t>(number());
      if (base.replication_factor < 1) {
        std::fprintf(stderr, "shoal-sim: --replication must be >= 1\n");
        return 2;
      }
    } else if (arg == "--duration-ms") {
      base.duration_ms = static_cast<shoal::TimeMs>(number());
      if (base.duration_ms < 4 * shoal::sim::kLivenessBoundMs / 3 || base.duration_ms > 3'600'000) {
        std::fprintf(stderr, "shoal-sim: --duration-ms must be %" PRId64 "..3600000\n",
                     static_cast<std::int64_t>(4 * shoal::sim::kLivenessBoundMs / 3));
        return 2;
      }
    } else if (arg == "--faults") {
      const std::string_view mix = value();
      if (shoal::sim::FindFaultMix(mix) == nullptr) {
        std::fprintf(stderr, "shoal-sim: unknown fault mix '%.*s' (see --list-faults)\n",
                     static_cast<int>(mix.size()), mix.data());
        return 2;
      }
      base.faults = std::string(mix);
    } else if (arg == "--bug") {
      const std::string_view name = value();
      const auto bug = shoal::cluster::ParsePlantedBug(name);
      if (!bug) {
        std::fprintf(stderr, "shoal-sim: unknown bug '%.*s' (see --list-bugs)\n",
                     static_cast<int>(name.size()), name.data());
        return 2;
      }
      base.bug = *bug;
    } else if (arg == "--list-bugs") {
      for (const auto bug : shoal::sim::DetectableBugs()) {
        const std::string_view name = shoal::cluster::PlantedBugName(bug);
        std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
      }
      return 0;
    } else if (arg == "--list-faults") {
      for (std::string_view name : shoal::sim::FaultMixNames()) {
        std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
      }
      return 0;
    } else if (arg == "--verbose") {
      base.verbose = true;
    } else if (arg == "--help" || arg == "-h") {
      Usage();
      return 0;
    } else {
      std::fprintf(stderr, "shoal-sim: unknown argument '%s'\n", argv[i]);
      Usage();
      return 2;
    }
  }
  if (seed.has_value() == range) {
    Usage();
    return 2;
  }

  if (!range) {
    ScenarioOptions options = base;
    options.seed = *seed;
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
