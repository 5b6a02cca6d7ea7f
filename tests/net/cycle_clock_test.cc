// CycleClock tests: readings never go back on one thread, and ToNs of an interval agrees with
// steady_clock over the same interval (loosely: this checks the calibration, not the machine's
// speed, so it holds on a loaded machine too).
#include "net/cycle_clock.h"

#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace shoal::net {
namespace {

TEST(CycleClock, MonotonicAndCalibrated) {
  CycleClock::Init();
  std::uint64_t previous = CycleClock::Now();
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t now = CycleClock::Now();
    ASSERT_GE(now, previous);
    previous = now;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t c0 = CycleClock::Now();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const std::uint64_t c1 = CycleClock::Now();
  const auto t1 = std::chrono::steady_clock::now();
  const double steady_ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
  const double cycle_ns = static_cast<double>(CycleClock::ToNs(c1 - c0));
  EXPECT_LE(cycle_ns, steady_ns * 1.01);
  EXPECT_GE(cycle_ns, steady_ns * 0.90);  // the readings sit inside the steady interval
  const std::string described = CycleClock::Describe();
  EXPECT_TRUE(described == "POSIX clock_gettime" || described.rfind("X86 TSC @ ", 0) == 0)
      << described;
}

}  // namespace
}  // namespace shoal::net
