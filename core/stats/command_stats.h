// CommandStats and ErrorStats: what INFO commandstats / errorstats / latencystats, LATENCY
// HISTOGRAM and /metrics report per command and per error kind.
//
// CommandStats is indexed by a dense command index that the command table assigns (one per
// command and subcommand, see CommandStatIndex in core/commands/command_table.h); it knows
// nothing of names. Per command: calls (executed, Redis "calls"), failed (executed and answered
// with an error, "failed_calls"), rejected (refused before running: arity, AUTH,
// "rejected_calls"), and a LatencyHistogram of the durations the driver measured, allocated on the
// command's first duration so idle commands cost no histogram memory.
//
// ErrorStats counts error replies by their prefix (the first word: ERR, WRONGTYPE, NOAUTH, ...),
// sorted by prefix as Redis lists them, at most limits::kErrorKindsMax kinds.
//
// Thread safety: none; owned by the Node's thread (copy the parts you need for another thread).
// Invariants:
//   1. latency(i) is null or holds exactly the durations recorded for command i since the last
//      Reset; with a driver that times every command, latency(i)->Count() == calls(i).
//   2. ErrorStats::total() >= the sum of the per-kind counts (kinds past the cap count only there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/stats/latency_histogram.h"

namespace shoal {

struct CommandStat {
  std::uint64_t calls = 0;
  std::uint64_t failed = 0;
  std::uint64_t rejected = 0;
  std::unique_ptr<LatencyHistogram> latency;  // durations in ns; null until the first one
};

class CommandStats {
 public:
  explicit CommandStats(std::size_t command_count) : stats_(command_count) {}

  void Executed(std::size_t index, bool failed) {
    CommandStat& s = stats_[index];
    s.calls++;
    if (failed) s.failed++;
  }
  void Rejected(std::size_t index) { stats_[index].rejected++; }
  void Took(std::size_t index, std::uint64_t duration_ns) {
    std::unique_ptr<LatencyHistogram>& h = stats_[index].latency;
    if (h == nullptr) [[unlikely]]
      h = std::make_unique<LatencyHistogram>();
    h->Record(duration_ns);
  }
  // CONFIG RESETSTAT: every count and histogram back to zero (histograms are kept, emptied).
  void Reset();

  std::size_t size() const { return stats_.size(); }
  const CommandStat& at(std::size_t index) const { return stats_[index]; }
  // True when INFO commandstats lists the command (Redis: any of the three counts non-zero).
  bool Used(std::size_t index) const {
    const CommandStat& s = stats_[index];
    return s.calls != 0 || s.failed != 0 || s.rejected != 0;
  }

 private:
  std::vector<CommandStat> stats_;
};

class ErrorStats {
 public:
  // Counts one error reply given its text without the leading '-' (e.g. "ERR syntax error").
  void Count(std::string_view error);
  void Reset();

  std::uint64_t total() const { return total_; }
  // (prefix, count), sorted by prefix.
  const std::vector<std::pair<std::string, std::uint64_t>>& kinds() const { return kinds_; }

  // The errorstats key of an error text: its first word, cut to limits::kErrorPrefixBytesMax.
  static std::string_view Prefix(std::string_view error);

 private:
  std::uint64_t total_ = 0;
  std::vector<std::pair<std::string, std::uint64_t>> kinds_;
};

}  // namespace shoal
