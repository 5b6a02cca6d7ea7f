// Fault plans (sim/faults.h): invariants hold for every mix and seed, and stale queues in mixes
// with crashes can span two crashes of their node (what makes accept-old-incarnation catchable).
#include "sim/faults.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::sim {
namespace {

constexpr TimeMs kFaultEndMs = 45'000;

RC_GTEST_PROP(FaultsTest, PlanInvariantsHoldForEveryMix, ()) {
  const std::string name =
      *rc::gen::element<std::string>("none", "calm", "network", "crash", "brutal", "single");
  const FaultMix* mix = FindFaultMix(name);
  RC_ASSERT(mix != nullptr);
  Prng prng(*rc::gen::arbitrary<std::uint64_t>());
  const std::uint32_t nodes = *rc::gen::inRange<std::uint32_t>(1, 9);
  const std::uint32_t clients = *rc::gen::inRange<std::uint32_t>(1, 9);
  const FaultPlan plan = DrawFaultPlan(*mix, nodes, clients, kFaultEndMs, prng);
  RC_ASSERT(plan.clock_offset_ms.size() == nodes);
  for (std::size_t i = 0; i < plan.faults.size(); ++i) {
    const Fault& f = plan.faults[i];
    RC_ASSERT(f.at >= 0);
    RC_ASSERT(f.at < kFaultEndMs);
    RC_ASSERT(f.duration_ms > 0 || f.kind == FaultKind::kClockStep);
    RC_ASSERT(f.node < nodes);
    if (i > 0) RC_ASSERT(plan.faults[i - 1].at <= f.at);
    if (f.kind == FaultKind::kStaleQueue) RC_ASSERT(mix->stale_queues_max > 0);
    if (f.kind == FaultKind::kClockStep) {
      RC_ASSERT(f.delay_ms >= -mix->clock_step_max_ms && f.delay_ms <= mix->clock_step_max_ms);
    }
    if (f.restart_clock_step_ms != 0) {
      RC_ASSERT(f.kind == FaultKind::kCrash && mix->linked_crashes);
      RC_ASSERT(f.restart_clock_step_ms < 0);
    }
  }
  // The step bound covers every partial sum of a node's clock steps.
  RC_ASSERT(plan.clock_step_bound_ms.size() == nodes);
  std::vector<TimeMs> sum(nodes, 0);
  for (const Fault& f : plan.faults) {
    sum[f.node] += f.kind == FaultKind::kClockStep ? f.delay_ms : f.restart_clock_step_ms;
    RC_ASSERT((sum[f.node] < 0 ? -sum[f.node] : sum[f.node]) <= plan.clock_step_bound_ms[f.node]);
  }
  RC_ASSERT(plan.network.loss_ppm >= mix->loss_ppm_min || mix->network_max.loss_ppm == 0);
  RC_ASSERT(plan.network.stale_ppm <= mix->network_max.stale_ppm);
  RC_ASSERT(plan.network.stale_ppm <= kStalePpmHardMax);
  RC_ASSERT(plan.network.stale_delay_max_ms <= kStaleDelayHardMaxMs);
}

TEST(FaultsTest, SomeStaleQueuesSpanTwoCrashesOfTheirNode) {
  const FaultMix* mix = FindFaultMix("crash");
  ASSERT_NE(mix, nullptr);
  int spanning = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Prng prng(seed);
    const FaultPlan plan = DrawFaultPlan(*mix, 5, 4, kFaultEndMs, prng);
    for (const Fault& q : plan.faults) {
      if (q.kind != FaultKind::kStaleQueue) continue;
      bool opens_at_restart = false, closes_at_restart = false;
      for (const Fault& c : plan.faults) {
        if (c.kind != FaultKind::kCrash || c.node != q.node) continue;
        opens_at_restart |= c.at + c.duration_ms == q.at;
        closes_at_restart |= c.at + c.duration_ms == q.at + q.duration_ms;
      }
      if (opens_at_restart && closes_at_restart) spanning++;
    }
  }
  EXPECT_GT(spanning, 20);
}

// The `single` mix: one node at a time is crashed, paused or cut off, each fault over (and
// recovered from) before the next begins, and nothing else is scheduled.
RC_GTEST_PROP(FaultsTest, TheSingleMixFailsOneNodeAtATime, ()) {
  const FaultMix* mix = FindFaultMix("single");
  RC_ASSERT(mix != nullptr && mix->one_at_a_time);
  Prng prng(*rc::gen::arbitrary<std::uint64_t>());
  const std::uint32_t nodes = *rc::gen::inRange<std::uint32_t>(1, 9);
  const FaultPlan plan = DrawFaultPlan(*mix, nodes, 8, kFaultEndMs, prng);
  RC_ASSERT(plan.faults.size() >= 5u);  // about one every 7.5 s over the 45 s fault phase
  for (std::size_t i = 0; i < plan.faults.size(); ++i) {
    const Fault& f = plan.faults[i];
    RC_ASSERT(f.kind == FaultKind::kCrash || f.kind == FaultKind::kPause ||
              f.kind == FaultKind::kIsolate || f.kind == FaultKind::kIsolatePeers);
    RC_ASSERT(f.duration_ms >= kSingleFaultMinMs && f.duration_ms <= mix->fault_duration_max_ms);
    if (i > 0) {
      const Fault& before = plan.faults[i - 1];
      RC_ASSERT(f.at >= before.at + before.duration_ms + kSingleGapMinMs);
    }
  }
}

TEST(FaultsTest, MixesWithoutNetworkFaultsHaveNoStaleDelivery) {
  for (const char* name : {"none", "calm"}) {
    const FaultMix* mix = FindFaultMix(name);
    ASSERT_NE(mix, nullptr);
    EXPECT_EQ(mix->network_max.stale_ppm, 0u) << name;
    EXPECT_EQ(mix->stale_queues_max, 0u) << name;
  }
}

}  // namespace
}  // namespace shoal::sim
