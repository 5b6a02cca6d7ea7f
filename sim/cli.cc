#include "sim/cli.h"

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>

#include "core/cluster/planted_bug.h"
#include "sim/faults.h"

namespace shoal::sim {
namespace {

// Decimal, the whole uint64 range (seeds are any 64-bit value), no sign, no overflow.
bool ParseU64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  out = v;
  return true;
}

// "1,4,7" -> {1, 4, 7}, sorted, without repeats.
bool ParseIndexList(std::string_view s, std::vector<std::uint32_t>& out) {
  out.clear();
  while (!s.empty()) {
    const std::size_t comma = s.find(',');
    const std::string_view item = s.substr(0, comma);
    std::uint64_t v = 0;
    if (!ParseU64(item, v) || v > UINT32_MAX) return false;
    out.push_back(static_cast<std::uint32_t>(v));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
    if (s.empty()) return false;  // trailing comma
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return !out.empty();
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string UsageText() {
  return "usage: shoal-sim (--seed N | --seeds A..B) [--check-determinism] [--shrink] [--probes]\n"
         "                 [--nodes N] [--clients N] [--ops N] [--keys N] [--faults MIX]\n"
         "                 [--bug NAME] [--replication R] [--duration-ms T]\n"
         "                 [--drop-faults I,J,...] [--think-ms T] [--pipeline N]\n"
         "                 [--maxmemory BYTES] [--check-expensive] [--failover-bound-ms T]\n"
         "                 [--history FILE] [--verbose]\n"
         "       shoal-sim --check-history FILE\n"
         "       shoal-sim --list-bugs | --list-faults\n"
         "  --pipeline N       operations each client keeps in flight (default drawn, mostly 1)\n"
         "  --maxmemory BYTES  every node's memory bound (default drawn, mostly none)\n"
         "  --check-expensive  every node's expensive invariant checks after every step\n"
         "  --failover-bound-ms T  (the single mix) a key unavailable for longer than T after\n"
         "                     its primary failed is a violation (default: measured, printed\n"
         "                     as failover_p50_ms / p99 / max, not judged)\n"
         "  --probes           (with --seeds) print 'probe NAME COUNT' for every rare-path probe\n"
         "                     (core/cluster/probes.h), summed over the block; fail (exit 1) if\n"
         "                     one never fired\n"
         "  --history FILE     (with --seed) write the run's history as JSON lines\n"
         "  --check-history FILE  check a history file (docs/simulation.md) with our checker\n"
         "  --drop-faults I,J  leave out faults #I, #J of the seed's fault plan (indices as\n"
         "                     printed in a violation report); every other draw is unchanged\n"
         "  --think-ms T       mean think time between a client's operations (default:\n"
         "                     duration * clients / ops, so the workload spans the run)\n"
         "  --shrink           (with --seed) if the run fails, shrink it: drop clients, faults\n"
         "                     and operations while it still fails with a violation of the\n"
         "                     same kind, then print the smaller replay command\n";
}

std::vector<std::string> SplitCommand(std::string_view command) {
  std::vector<std::string> out;
  while (!command.empty()) {
    const std::size_t start = command.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    command.remove_prefix(start);
    const std::size_t end = command.find(' ');
    out.emplace_back(command.substr(0, end));
    if (end == std::string_view::npos) break;
    command.remove_prefix(end);
  }
  return out;
}

CommandLine ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  bool seed_set = false;
  bool range = false;
  auto fail = [&](std::string message) {
    cl.ok = false;
    cl.error = std::move(message);
    return cl;
  };
  std::size_t i = 0;
  if (!args.empty() && EndsWith(args[0], "shoal-sim")) i = 1;
  for (; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const bool has_value = i + 1 < args.size();
    auto value = [&]() -> std::string_view { return args[++i]; };
    const bool wants_value =
        arg == "--seed" || arg == "--seeds" || arg == "--nodes" || arg == "--clients" ||
        arg == "--ops" || arg == "--keys" || arg == "--replication" || arg == "--duration-ms" ||
        arg == "--faults" || arg == "--bug" || arg == "--drop-faults" || arg == "--think-ms" ||
        arg == "--pipeline" || arg == "--maxmemory" || arg == "--history" ||
        arg == "--check-history" || arg == "--failover-bound-ms";
    if (wants_value && !has_value) return fail("shoal-sim: " + std::string(arg) + " needs a value");
    std::uint64_t n = 0;
    const bool numeric = arg == "--seed" || arg == "--nodes" || arg == "--clients" ||
                         arg == "--ops" || arg == "--keys" || arg == "--replication" ||
                         arg == "--duration-ms" || arg == "--think-ms" || arg == "--pipeline" ||
                         arg == "--maxmemory" || arg == "--failover-bound-ms";
    if (numeric) {
      const std::string_view v = value();
      if (!ParseU64(v, n)) {
        return fail("shoal-sim: " + std::string(arg) + " wants a number, got '" + std::string(v) +
                    "'");
      }
    }
    if (arg == "--seed") {
      cl.options.seed = n;
      seed_set = true;
    } else if (arg == "--seeds") {
      const std::string_view v = value();
      const std::size_t dots = v.find("..");
      if (dots == std::string_view::npos || !ParseU64(v.substr(0, dots), cl.seeds_from) ||
          !ParseU64(v.substr(dots + 2), cl.seeds_to) || cl.seeds_from > cl.seeds_to) {
        return fail("shoal-sim: --seeds wants A..B with A <= B");
      }
      range = true;
    } else if (arg == "--check-determinism") {
      cl.check_determinism = true;
    } else if (arg == "--shrink") {
      cl.shrink = true;
    } else if (arg == "--probes") {
      cl.probes = true;
    } else if (arg == "--nodes") {
      if (n < 1 || n > kNodesMax) {
        return fail("shoal-sim: --nodes must be 1.." + std::to_string(kNodesMax));
      }
      cl.options.nodes = static_cast<std::uint32_t>(n);
    } else if (arg == "--clients") {
      if (n < 1 || n > kClientsMax) {
        return fail("shoal-sim: --clients must be 1.." + std::to_string(kClientsMax));
      }
      cl.options.clients = static_cast<std::uint32_t>(n);
    } else if (arg == "--ops") {
      if (n > UINT32_MAX) return fail("shoal-sim: --ops is too large");
      cl.options.ops = static_cast<std::uint32_t>(n);
    } else if (arg == "--keys") {
      if (n < 1 || n > 100000) return fail("shoal-sim: --keys must be 1..100000");
      cl.options.keys = static_cast<std::uint32_t>(n);
    } else if (arg == "--replication") {
      if (n < 1 || n > kNodesMax) {
        return fail("shoal-sim: --replication must be 1.." + std::to_string(kNodesMax));
      }
      cl.options.replication_factor = static_cast<std::uint32_t>(n);
    } else if (arg == "--duration-ms") {
      const auto min = static_cast<std::uint64_t>(4 * kLivenessBoundMs / 3);
      if (n < min || n > 3'600'000) {
        return fail("shoal-sim: --duration-ms must be " + std::to_string(min) + "..3600000");
      }
      cl.options.duration_ms = static_cast<TimeMs>(n);
    } else if (arg == "--think-ms") {
      if (n < 1 || n > 600'000) return fail("shoal-sim: --think-ms must be 1..600000");
      cl.options.think_ms = static_cast<TimeMs>(n);
    } else if (arg == "--pipeline") {
      if (n < 1 || n > 256) return fail("shoal-sim: --pipeline must be 1..256");
      cl.options.pipeline = static_cast<std::uint32_t>(n);
    } else if (arg == "--maxmemory") {
      cl.options.maxmemory = n;
    } else if (arg == "--check-expensive") {
      cl.options.check_expensive = true;
    } else if (arg == "--failover-bound-ms") {
      if (n < 1 || n > 600'000) return fail("shoal-sim: --failover-bound-ms must be 1..600000");
      cl.options.failover_bound_ms = static_cast<TimeMs>(n);
    } else if (arg == "--history") {
      cl.history_file = std::string(value());
    } else if (arg == "--check-history") {
      cl.check_history_file = std::string(value());
      cl.mode = CommandLine::Mode::kCheckHistory;
      cl.ok = true;
      return cl;
    } else if (arg == "--faults") {
      const std::string_view mix = value();
      if (FindFaultMix(mix) == nullptr) {
        return fail("shoal-sim: unknown fault mix '" + std::string(mix) + "' (see --list-faults)");
      }
      cl.options.faults = std::string(mix);
    } else if (arg == "--bug") {
      const std::string_view name = value();
      const auto bug = cluster::ParsePlantedBug(name);
      if (!bug) return fail("shoal-sim: unknown bug '" + std::string(name) + "' (see --list-bugs)");
      cl.options.bug = *bug;
    } else if (arg == "--drop-faults") {
      if (!ParseIndexList(value(), cl.options.drop_faults)) {
        return fail("shoal-sim: --drop-faults wants a comma-separated list of fault indices");
      }
    } else if (arg == "--verbose") {
      cl.options.verbose = true;
    } else if (arg == "--list-bugs") {
      cl.mode = CommandLine::Mode::kListBugs;
      cl.ok = true;
      return cl;
    } else if (arg == "--list-faults") {
      cl.mode = CommandLine::Mode::kListFaults;
      cl.ok = true;
      return cl;
    } else if (arg == "--help" || arg == "-h") {
      cl.mode = CommandLine::Mode::kHelp;
      cl.ok = true;
      return cl;
    } else {
      return fail("shoal-sim: unknown argument '" + std::string(arg) + "'");
    }
  }
  if (seed_set == range) return fail("shoal-sim: give exactly one of --seed N or --seeds A..B");
  if (cl.shrink && range) return fail("shoal-sim: --shrink works on one --seed");
  if (!cl.history_file.empty() && range) return fail("shoal-sim: --history works on one --seed");
  cl.mode = range ? CommandLine::Mode::kSeeds : CommandLine::Mode::kSeed;
  cl.ok = true;
  return cl;
}

}  // namespace shoal::sim
