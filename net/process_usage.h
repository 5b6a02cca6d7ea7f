// ReadProcessUsage: this process's CPU time (whole process and the calling thread) and resident
// set size, read from getrusage(2) and /proc/self/statm, for Node::SetProcessUsage (INFO CPU,
// INFO used_memory_rss, /metrics). The driver calls it once per tick on the Node's thread.
//
// Thread safety: any thread; the "main thread" figures are those of the calling thread.
#pragma once

#include "core/stats/node_stats.h"

namespace shoal::net {

ProcessUsage ReadProcessUsage();

}  // namespace shoal::net
