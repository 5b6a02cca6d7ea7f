// Failover windows: how long the keys of a node that failed stayed unavailable (issue 7's
// availability measure, docs/simulation.md "Failover windows"). A safety checker that a system
// passes by refusing service proves nothing; this is the figure that says whether it served.
//
// For each fault that fails or cuts off a node (a crash, a pause, an isolation from everyone or
// from its peers), the simulator records at its true start time the workload keys whose primary
// that node was, by the newest configuration any live node held then (FailoverStart). A key's
// window runs from that time to the later of:
//   - the completion of the first acknowledged write (SET that wrote, or DEL) invoked at or after
//     it, and
//   - the completion of the first successful read (GET) invoked at or after it.
// A key that got neither before the run ended has an open window, measured to the run's end.
// Only the `single` mix measures windows: its faults never overlap, so each window belongs to
// one fault, and its clients touch every key every few tens of milliseconds, so the window
// measures the cluster and not the clients' think time.
//
// Thread safety: pure functions. Invariants: a window is never negative; an open window has no
// completion time and ends at the run's end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"
#include "sim/history.h"

namespace shoal::sim {

struct FailoverStart {
  TimeMs at = 0;                  // true time the node failed or was cut off
  std::uint32_t node = 0;         // the node
  std::uint32_t fault = 0;        // its index in the fault plan
  std::vector<std::string> keys;  // workload keys whose primary it was then
};

struct FailoverWindow {
  TimeMs at = 0;
  std::uint32_t node = 0;
  std::uint32_t fault = 0;
  std::string key;
  TimeMs write_ok_at = 0;  // 0: no acknowledged write invoked at or after `at`
  TimeMs read_ok_at = 0;   // 0: no successful read invoked at or after `at`
  TimeMs window_ms = 0;
  bool open = false;  // no write or no read succeeded before the run ended
};

// One window per (start, key), in the order of `starts` and their keys.
std::vector<FailoverWindow> MeasureFailover(const std::vector<FailoverStart>& starts,
                                            const History& history, TimeMs end_at);

// The q-quantile (0 < q <= 1, nearest rank) of `windows_ms`; 0 when it is empty.
TimeMs WindowQuantile(std::vector<TimeMs> windows_ms, double q);

}  // namespace shoal::sim
