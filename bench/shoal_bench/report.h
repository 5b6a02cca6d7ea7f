// What shoal-bench measures and prints. Each load thread records into its own Recorder; the main
// thread takes every Recorder's interval once a second (a progress line: ops/s, errors, p99 of
// that second), merges them into the totals, and at the end prints the summary (throughput,
// p50/p90/p99/p99.9/p99.99/max, errors by kind and when they happened, redirects, hit ratio of
// reads) and, with --json,
// the same with the per-second series. Latencies are nanoseconds in the shared
// core/stats/latency_histogram.h (mergeable, at most 3.1% above the true value).
//
// Thread safety: Recorder::Record (load thread) and Recorder::TakeInterval (main thread) may run
// concurrently (a mutex); Report is used by the main thread only.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bench/shoal_bench/options.h"
#include "core/stats/latency_histogram.h"
#include "shoal/result.h"
#include "shoal/stats.h"

namespace shoal::bench {

// Errc values are 1..kErrcCount - 1.
inline constexpr std::size_t kErrcCount = static_cast<std::size_t>(Errc::kClosed) + 1;

struct Sample {
  LatencyHistogram latency;  // ns, every completed request (errors included)
  std::uint64_t ops = 0;
  std::uint64_t reads = 0;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::array<std::uint64_t, kErrcCount> errors{};  // by Errc; kNotFound counts as a miss instead
  // When the first and the last failed request completed, in ns since the run began (the
  // failover window: a node lost mid-run shows here); kNoError while there were none.
  static constexpr std::uint64_t kNoError = ~std::uint64_t{0};
  std::uint64_t error_first_ns = kNoError;
  std::uint64_t error_last_ns = 0;

  void Merge(const Sample& other);
  std::uint64_t error_total() const;
};

class Recorder {
 public:
  // One completed request, `at_ns` after the run began: `error` empty on success (a GET miss is
  // success with hit == false).
  void Record(std::uint64_t latency_ns, std::uint64_t at_ns, bool read, bool hit,
              std::optional<Errc> error);
  // The requests recorded since the last call (the recorder starts a new interval).
  Sample TakeInterval();

 private:
  std::mutex mutex_;
  Sample interval_;
};

struct RunFacts {
  std::string target;
  bool cluster = false;
  double elapsed_s = 0;
  ClientStats client;  // summed over the threads
};

class Report {
 public:
  Report(const BenchOptions& options, std::FILE* out);
  // One second (or the last, partial, interval) of every thread, merged.
  void AddInterval(const Sample& interval, double interval_s, double at_s);
  void PrintSummary(const RunFacts& facts) const;
  std::string Json(const RunFacts& facts) const;
  const Sample& total() const { return total_; }

 private:
  struct Second {
    double at_s;
    double ops_per_s;
    std::uint64_t ops;
    std::uint64_t errors;
    double p50_ms;
    double p99_ms;
    double max_ms;
  };
  const BenchOptions& options_;
  std::FILE* out_;
  Sample total_;
  std::vector<Second> series_;
};

// Nanoseconds as milliseconds.
inline double Ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace shoal::bench
