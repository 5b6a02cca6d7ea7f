// NodeStats: everything a Node observes about its own work, apart from the store's counters
// (StoreStats) and NodeCounters: per-command calls, failures, rejections and latency histograms,
// error replies by kind, the slow log, the hot-key sketch, and the process's resource use as the
// driver last reported it. INFO, SLOWLOG, LATENCY, HOTKEYS, CONFIG and /metrics all read this one
// place, so their answers agree.
//
// Time: durations come from the driver (Node::CommandTook), never from a clock in here.
// Thread safety: none; owned by the Node's thread. Other threads get copies (MetricsSnapshot).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/limits.h"
#include "core/stats/command_stats.h"
#include "core/stats/hot_keys.h"
#include "core/stats/slow_log.h"
#include "core/stats/stats_options.h"

namespace shoal {

// The process's resource use, read by the driver (getrusage, /proc) and handed in.
struct ProcessUsage {
  std::uint64_t cpu_user_us = 0;  // whole process
  std::uint64_t cpu_sys_us = 0;
  std::uint64_t cpu_user_main_us = 0;  // the thread that runs the Node
  std::uint64_t cpu_sys_main_us = 0;
  std::uint64_t rss_bytes = 0;
};

struct NodeStats {
  NodeStats(std::size_t command_count, const StatsOptions& options)
      : commands(command_count),
        slowlog(options.slowlog_log_slower_than_us, options.slowlog_max_len),
        hot_keys(limits::kHotKeysTracked, options.hot_keys_sample_every, limits::kHotKeysHalfLifeMs,
                 options.hot_keys_seed) {}

  CommandStats commands;
  ErrorStats errors;
  SlowLog slowlog;
  HotKeys hot_keys;
  ProcessUsage process;
  std::uint64_t used_memory_peak = 0;  // the store's used_bytes, sampled every Tick and INFO
};

}  // namespace shoal
