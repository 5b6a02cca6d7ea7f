// CycleClock: the clock the driver times commands with (Node::CommandTook). Monotonic ticks that
// are cheap enough to read once per command, converted to nanoseconds. On x86-64, when the CPU
// says its time-stamp counter is invariant (constant_tsc and nonstop_tsc) and the kernel uses it
// as its clocksource, a tick is one TSC cycle, read with rdtsc (~10 ns here, against ~29 ns for
// clock_gettime through the vDSO); otherwise a tick is a nanosecond of steady_clock. Redis makes
// the same choice (monotonic.c) and prints it as INFO monotonic_clock; so do we (Describe).
//
//   CycleClock::Init();                    // once, before other threads start: ~10 ms with a TSC
//   const auto t0 = CycleClock::Now();
//   ...
//   node.CommandTook(CycleClock::ToNs(CycleClock::Now() - t0));
//
// Thread safety: Init before any other call and before threads start; then every function may be
// called from any thread.
// Invariant: ToNs(b - a) for Now() readings a <= b on one thread is the elapsed time within the
// calibration error (a few parts per million against steady_clock over 10 ms).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace shoal::net {

class CycleClock {
 public:
  // Picks the source and, for the TSC, measures its rate against steady_clock. Idempotent.
  static void Init();

  static std::uint64_t Now() {
#if defined(__x86_64__)
    if (tsc_) [[likely]]
      return __rdtsc();
#endif
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
  }
  static std::uint64_t ToNs(std::uint64_t ticks) {
    if (!tsc_) return ticks;
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(ticks) * ns_per_tick_q32_) >>
                                      32);
  }
  // "X86 TSC @ 2445 ticks/us" or "POSIX clock_gettime" (Redis's wording).
  static std::string Describe();

 private:
  static inline bool initialized_ = false;
  static inline bool tsc_ = false;
  static inline std::uint64_t ns_per_tick_q32_ = 0;  // nanoseconds per tick, 32.32 fixed point
  static inline double ticks_per_us_ = 0;
};

}  // namespace shoal::net
