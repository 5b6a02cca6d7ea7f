// Command line of shoal-sim, as a pure function so tests can parse the exact replay commands the
// tool prints (ReplayCommand, the shrinker's output) and run them in-process.
//
// Thread safety: pure functions.
// Invariants of a parsed CommandLine with ok == true:
//   1. exactly one mode: kSeed, kSeeds, kListBugs, kListFaults, kHelp or kCheckHistory.
//   2. every override in `options` lies within the simulator's bounds (kNodesMax, ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/simulator.h"

namespace shoal::sim {

struct CommandLine {
  enum class Mode : std::uint8_t { kSeed, kSeeds, kListBugs, kListFaults, kHelp, kCheckHistory };
  bool ok = false;
  std::string error;  // when !ok: one line for stderr
  Mode mode = Mode::kSeed;
  ScenarioOptions options;  // options.seed is the seed in kSeed mode
  std::uint64_t seeds_from = 0;
  std::uint64_t seeds_to = 0;
  bool check_determinism = false;
  bool shrink = false;
  bool probes = false;       // --probes (kSeeds): print the probe counts; fail if one never fired
  std::string history_file;  // --history FILE: write the run's history (kSeed)
  std::string check_history_file;  // --check-history FILE (kCheckHistory)
};

// Parses the arguments after the program name. A leading program path (anything ending in
// "shoal-sim") is skipped, so a whole printed replay command can be fed back.
CommandLine ParseCommandLine(const std::vector<std::string>& args);

// Splits a printed command on spaces (the replay commands never quote).
std::vector<std::string> SplitCommand(std::string_view command);

// The usage text printed by --help.
std::string UsageText();

}  // namespace shoal::sim
