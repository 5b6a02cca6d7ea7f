// Time in the core is a plain number handed in by the driver; the core never reads a clock.
// A Node is driven with two clocks (architecture.md §1), both in milliseconds:
//   mono  a monotonic clock with an arbitrary origin that never steps (the server reads
//         std::chrono's steady one): leases, heartbeats, timeouts, retries
//   wall  the wall clock, milliseconds since the Unix epoch, which NTP may step (the server reads
//         the system one): EX / EXAT / TTL and expiry, which clients express in wall time
// The simulator can step a node's wall clock without moving its monotonic one.
#pragma once

#include <cstdint>

namespace shoal {

using TimeMs = std::int64_t;

// An absolute expiry of 0 means "no expiry" everywhere in the core.
inline constexpr TimeMs kNoExpiry = 0;

struct NodeTime {
  TimeMs mono = 0;
  TimeMs wall = 0;
};

}  // namespace shoal
