// Command-line flags of shoald: a pure parse function (no I/O, no exit) so every flag, suffix and
// bad value is unit-tested (tests/server/flags_test.cc); main() prints the error and exits 2.
//
// Syntax: "--flag value" or "--flag=value"; a repeated flag takes its last value. Sizes accept
// the redis.conf suffixes, case-insensitive: b, k (1000), kb (1024), m (10^6), mb (2^20),
// g (10^9), gb (2^30).
// Thread safety: all functions are pure.
#pragma once

#include <boost/outcome/basic_result.hpp>
#include <boost/outcome/policy/terminate.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/limits.h"
#include "core/node_config.h"
#include "core/store/eviction_kind.h"
#include "core/store/store.h"
#include "net/log.h"
#include "server/cluster_flags.h"
#include "server/observability_flags.h"
#include "server/security_flags.h"

namespace shoal::server {

struct ServerFlags {
  bool help = false;
  std::string bind = "127.0.0.1";
  std::uint16_t port = 7379;  // 0: the kernel picks a free port (printed on start)
  // 0: unbounded, as in Redis. A cache should be bounded; the operator says by how much.
  std::uint64_t maxmemory_bytes = 0;
  EvictionKind eviction = StoreOptions{}.eviction;
  std::uint64_t value_bytes_max = limits::kValueBytesDefault;
  std::uint64_t clients_max = limits::kClientsDefault;
  std::string requirepass;  // empty: no AUTH
  net::LogLevel log_level = net::LogLevel::kInfo;
  ClusterFlags cluster;              // server/cluster_flags.h
  ObservabilityFlags observability;  // server/observability_flags.h
  SecurityFlags security;            // server/security_flags.h
};

// Either the flags or a one-line message saying what is wrong (without a "shoald:" prefix).
using FlagsResult =
    BOOST_OUTCOME_V2_NAMESPACE::basic_result<ServerFlags, std::string,
                                             BOOST_OUTCOME_V2_NAMESPACE::policy::terminate>;

// Parses the arguments after argv[0].
FlagsResult ParseFlags(std::span<const std::string_view> args);
FlagsResult ParseFlags(int argc, const char* const* argv);

// "100", "64mb", "1GB", "512k": a byte count with an optional redis.conf suffix; nullopt on
// garbage, a negative number or overflow.
std::optional<std::uint64_t> ParseBytes(std::string_view text);

// The --help text: every flag with its default.
std::string HelpText();

// The Node's configuration for these flags (process_id and version are filled by the caller);
// with --cluster yes, its cluster configuration too.
NodeConfig MakeNodeConfig(const ServerFlags& flags);

}  // namespace shoal::server
