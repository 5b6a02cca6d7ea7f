// shoal-bench's command line: what load to offer, to which server, and how to report it.
// `shoal-bench --help` prints the flags (kUsage).
//
// Thread safety: plain values. Invariants after ParseFlags succeeds: connections >= 1,
// pipeline >= 1, threads >= 1 and <= connections, exactly one of duration_s / requests is
// non-zero, value_bytes_min <= value_bytes_max, 0 <= read_ratio, ttl_share <= 1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bench/shoal_bench/workload.h"

namespace shoal::bench {

// Limits of the flags.
inline constexpr std::uint32_t kConnectionsMax = 10000;
inline constexpr std::uint32_t kPipelineMax = 1024;
inline constexpr std::uint32_t kThreadsMax = 64;
inline constexpr std::uint32_t kValueBytesMax = 64 * 1024 * 1024;
inline constexpr std::uint64_t kInFlightDefault = 100000;

struct BenchOptions {
  std::string target = "127.0.0.1:7379";  // host:port of a node (a cluster is detected)
  std::uint32_t connections = 50;         // to each node, over all threads
  std::uint32_t pipeline = 1;             // closed loop: connections x pipeline in flight
  std::uint32_t threads = 1;              // each with its own event loop and client
  double duration_s = 10;                 // run time (0 when --requests is given)
  std::uint64_t requests = 0;             // or a number of requests
  double rate = 0;                        // > 0: open loop at this many requests per second
  std::uint64_t in_flight_max = kInFlightDefault;  // open loop: requests outstanding at most
  std::uint32_t ttl_ms = 60000;                    // TTL of the writes that get one
  std::uint32_t deadline_ms = 5000;                // per call
  bool coalesce = false;  // the client's Get coalescing (off: every GET is sent)
  std::string password;
  std::string json_path;  // "-" for stdout
  bool quiet = false;     // no per-second lines
  WorkloadOptions workload;
};

extern const char* const kUsage;

// Parses argv; on a bad flag returns the message to print (and exit 2).
std::optional<std::string> ParseFlags(int argc, char** argv, BenchOptions& options, bool& help);

// One line describing the load ("closed loop, 50 connections x 1, ...").
std::string DescribeLoad(const BenchOptions& options);

}  // namespace shoal::bench
