// Runs shoal-bench's load: `threads` event loops, each with its own shoal::Client (its share of
// the connections) and Workload. Closed loop: connections x pipeline workers per node, each
// sending its next request when the previous one completes (redis-benchmark's model). Open loop:
// each thread sends on a fixed schedule (rate / threads per second) whatever the replies do,
// and measures latency from the request's intended send time, so a stalled server shows up in
// the latency instead of slowing the load down (no coordinated omission).
//
// Thread safety: Run is called once, from the main thread, which also does the reporting.
#pragma once

#include "bench/shoal_bench/options.h"
#include "bench/shoal_bench/report.h"

namespace shoal::bench {

// Runs the load to its end, feeding `report` once a second. Returns what the summary needs.
RunFacts Run(const BenchOptions& options, Report& report);

}  // namespace shoal::bench
