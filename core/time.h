// Time in the core is a plain number handed in by the driver: milliseconds since the Unix epoch
// in the real server, simulated milliseconds in sim/. The core never reads a clock.
#pragma once

#include <cstdint>

namespace shoal {

using TimeMs = std::int64_t;

// An absolute expiry of 0 means "no expiry" everywhere in the core.
inline constexpr TimeMs kNoExpiry = 0;

}  // namespace shoal
