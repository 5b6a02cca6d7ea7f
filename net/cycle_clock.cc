#include "net/cycle_clock.h"

#include <time.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>

namespace shoal::net {
namespace {

bool FileContains(const char* path, std::string_view line_prefix, std::string_view word) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, line_prefix.size(), line_prefix) != 0) continue;
    std::istringstream words(line);
    for (std::string w; words >> w;) {
      if (w == word) return true;
    }
    return false;
  }
  return false;
}

// The TSC ticks at one rate in every P-state and C-state, and the kernel trusts it.
bool InvariantTsc() {
  if (!FileContains("/proc/cpuinfo", "flags", "constant_tsc")) return false;
  if (!FileContains("/proc/cpuinfo", "flags", "nonstop_tsc")) return false;
  std::ifstream source("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  std::string name;
  if (source >> name) return name == "tsc";
  return true;  // no sysfs (a container without it): the CPU flags have to do
}

}  // namespace

void CycleClock::Init() {
  if (initialized_) return;
  initialized_ = true;
#if defined(__x86_64__)
  if (!InvariantTsc()) return;
  using std::chrono::steady_clock;
  const auto t0 = steady_clock::now();
  const std::uint64_t c0 = __rdtsc();
  const timespec pause{.tv_sec = 0, .tv_nsec = 10'000'000};
  ::nanosleep(&pause, nullptr);
  const auto t1 = steady_clock::now();
  const std::uint64_t c1 = __rdtsc();
  const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
  const double ticks = static_cast<double>(c1 - c0);
  if (ns <= 0 || ticks <= ns / 100) return;  // a TSC slower than 10 MHz is not one to trust
  ticks_per_us_ = ticks / ns * 1000.0;
  ns_per_tick_q32_ = static_cast<std::uint64_t>(ns / ticks * 4294967296.0);
  tsc_ = true;
#endif
}

std::string CycleClock::Describe() {
  if (!tsc_) return "POSIX clock_gettime";
  char text[64];
  std::snprintf(text, sizeof(text), "X86 TSC @ %.0f ticks/us", ticks_per_us_);
  return text;
}

}  // namespace shoal::net
