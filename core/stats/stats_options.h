// StatsOptions: the start-up settings of a Node's statistics (core/stats/node_stats.h), kept in a
// header of their own so that NodeConfig (included by every command) does not pull in the
// statistics themselves. Filled from flags by server/observability_flags.cc; plain data.
#pragma once

#include <cstdint>

#include "core/limits.h"

namespace shoal {

// Start-up settings (flags); slowlog-* may later change through CONFIG SET.
struct StatsOptions {
  std::int64_t slowlog_log_slower_than_us = limits::kSlowLogSlowerThanUsDefault;
  std::uint64_t slowlog_max_len = limits::kSlowLogLenDefault;
  std::uint32_t hot_keys_sample_every = limits::kHotKeysSampleEvery;
  // Seeds the hot-key sampling schedule (fixed by default so that simulations replay).
  std::uint64_t hot_keys_seed = 0x407'4e15'0000'0001ULL;
};

}  // namespace shoal
