#include "sim/faults.h"

#include <algorithm>
#include <cstdio>

#include "core/result.h"

namespace shoal::sim {
namespace {

NetworkOptions Net(TimeMs latency_max, std::uint32_t tail, std::uint32_t loss, std::uint32_t dup,
                   std::uint32_t reorder, std::uint32_t client_loss, std::uint32_t stale) {
  NetworkOptions n;
  n.latency_min_ms = 1;
  n.latency_max_ms = latency_max;
  n.tail_ppm = tail;
  n.tail_mean_ms = 60;
  n.tail_max_ms = 600;
  n.loss_ppm = loss;
  n.duplicate_ppm = dup;
  n.reorder_ppm = reorder;
  n.reorder_delay_max_ms = 40;
  n.client_loss_ppm = client_loss;
  n.stale_ppm = stale;
  n.stale_delay_min_ms = 200;
  n.stale_delay_max_ms = 8000;
  return n;
}

// name, network bounds, crashes, pauses, partitions, clogs, client cuts, duration, offset, drift,
// stale queues, minimum loss, clock steps, largest step, linked crashes.
const FaultMix kMixes[] = {
    {"none", Net(4, 0, 0, 0, 0, 0, 0), 0, 0, 0, 0, 0, 0, 0, 0},
    {"calm", Net(6, 10000, 0, 0, 0, 0, 0), 0, 1, 0, 1, 0, 2000, 20, 50, 0, 0, 1, 100},
    {"network", Net(10, 50000, 50000, 50000, 100000, 5000, 20000), 0, 0, 4, 3, 2, 5000, 50, 100, 2,
     0, 2, 300},
    // Crashes with reordering and 1-5% loss: a restarted node's messages race its old life's.
    {"crash", Net(6, 20000, 50000, 5000, 100000, 1000, 20000), 4, 2, 0, 0, 0, 6000, 50, 100, 2,
     10000, 1, 300, true},
    {"brutal", Net(20, 100000, 150000, 150000, 200000, 20000, 50000), 5, 3, 4, 3, 3, 8000, 100, 200,
     2, 0, 2, 300, true},
    // One node failed or cut off at a time (the failover measurement's mix); a calm network.
    {"single", Net(6, 10000, 2000, 0, 0, 0, 0), 0, 0, 0, 0, 0, 4000, 20, 50, 0, 0, 0, 0, false,
     true},
};

std::uint32_t DrawCount(Prng& prng, std::uint32_t max) {
  return max == 0 ? 0 : static_cast<std::uint32_t>(prng.Below(max + 1));
}
std::uint32_t DrawPpm(Prng& prng, std::uint32_t max) {
  return max == 0 ? 0 : static_cast<std::uint32_t>(prng.Below(max + 1));
}

// The `single` mix's schedule: one fault at a time on a random node, each ended and recovered
// from before the next begins.
void DrawOneAtATime(const FaultMix& mix, std::uint32_t node_count, TimeMs window, Prng& prng,
                    FaultPlan& plan) {
  constexpr FaultKind kKinds[] = {FaultKind::kCrash, FaultKind::kIsolate, FaultKind::kIsolatePeers,
                                  FaultKind::kPause};
  TimeMs at = prng.Range(1000, 3000);
  while (at < window) {
    Fault f;
    f.kind = kKinds[prng.Below(std::size(kKinds))];
    if (node_count == 1 && f.kind == FaultKind::kIsolatePeers) f.kind = FaultKind::kCrash;
    f.node = static_cast<std::uint32_t>(prng.Below(node_count));
    f.at = at;
    f.duration_ms =
        prng.Range(kSingleFaultMinMs, std::max(kSingleFaultMinMs, mix.fault_duration_max_ms));
    plan.faults.push_back(f);
    at += f.duration_ms + prng.Range(kSingleGapMinMs, kSingleGapMaxMs);
  }
}

void FinishPlan(std::uint32_t node_count, FaultPlan& plan) {
  plan.clock_step_bound_ms.assign(node_count, 0);
  for (const Fault& f : plan.faults) {
    const TimeMs step = f.kind == FaultKind::kClockStep ? f.delay_ms : f.restart_clock_step_ms;
    plan.clock_step_bound_ms[f.node] += step < 0 ? -step : step;  // bounds every partial sum
  }
  std::stable_sort(plan.faults.begin(), plan.faults.end(),
                   [](const Fault& a, const Fault& b) { return a.at < b.at; });
}

}  // namespace

const FaultMix* FindFaultMix(std::string_view name) {
  for (const FaultMix& mix : kMixes) {
    if (mix.name == name) return &mix;
  }
  return nullptr;
}

std::vector<std::string_view> FaultMixNames() {
  std::vector<std::string_view> names;
  for (const FaultMix& mix : kMixes) names.push_back(mix.name);
  return names;
}

const FaultMix& DrawFaultMix(Prng& prng) {
  // Weights out of 100: none 5, calm 15, network 25, crash 25, brutal 30.
  const std::uint64_t r = prng.Below(100);
  if (r < 5) return kMixes[0];
  if (r < 20) return kMixes[1];
  if (r < 45) return kMixes[2];
  if (r < 70) return kMixes[3];
  return kMixes[4];
}

FaultPlan DrawFaultPlan(const FaultMix& mix, std::uint32_t node_count, std::uint32_t client_count,
                        TimeMs fault_phase_end_ms, Prng& prng) {
  SHOAL_ASSERT(node_count + client_count <= 64);
  SHOAL_ASSERT(mix.clock_offset_max_ms <= kClockOffsetHardMaxMs);
  SHOAL_ASSERT(mix.drift_ppm_max <= kDriftPpmHardMax);
  FaultPlan plan;
  plan.mix_name = std::string(mix.name);
  const NetworkOptions& m = mix.network_max;
  NetworkOptions& n = plan.network;
  n.latency_min_ms = m.latency_min_ms;
  n.latency_max_ms =
      prng.Range(std::min<TimeMs>(m.latency_min_ms + 1, m.latency_max_ms), m.latency_max_ms);
  n.tail_ppm = DrawPpm(prng, m.tail_ppm);
  n.tail_mean_ms = m.tail_mean_ms;
  n.tail_max_ms = m.tail_max_ms;
  n.loss_ppm = std::max(mix.loss_ppm_min, DrawPpm(prng, m.loss_ppm));
  n.duplicate_ppm = DrawPpm(prng, m.duplicate_ppm);
  n.reorder_ppm = DrawPpm(prng, m.reorder_ppm);
  n.reorder_delay_max_ms = m.reorder_delay_max_ms;
  n.client_loss_ppm = DrawPpm(prng, m.client_loss_ppm);

  for (std::uint32_t i = 0; i < node_count; ++i) {
    plan.clock_offset_ms.push_back(prng.Range(-mix.clock_offset_max_ms, mix.clock_offset_max_ms));
    plan.drift_ppm.push_back(
        static_cast<std::int32_t>(prng.Range(-mix.drift_ppm_max, mix.drift_ppm_max)));
  }

  const TimeMs window = std::max<TimeMs>(1, fault_phase_end_ms - 1000);
  auto timed = [&](FaultKind kind, TimeMs duration_min) {
    Fault f;
    f.kind = kind;
    f.at = prng.Range(0, window - 1);
    const TimeMs max = std::max(duration_min, mix.fault_duration_max_ms);
    f.duration_ms = prng.Range(duration_min, max);
    return f;
  };
  const std::uint32_t endpoints = node_count + client_count;
  if (mix.one_at_a_time) {
    DrawOneAtATime(mix, node_count, window, prng, plan);
    FinishPlan(node_count, plan);
    return plan;
  }
  // Crashes come in three patterns: plain; preceded by a peer-side isolation of the same node
  // (so it acknowledges nothing it cannot replicate -- unless a bug makes it); and flapping
  // (three short crashes in a row, so messages meant for one life reach the next).
  for (std::uint32_t i = DrawCount(prng, mix.crashes_max); i > 0; --i) {
    Fault f = timed(FaultKind::kCrash, 200);
    f.node = static_cast<std::uint32_t>(prng.Below(node_count));
    const std::uint64_t pattern = prng.Below(3);
    if (pattern == 1 && node_count > 1) {
      Fault iso;
      iso.kind = FaultKind::kIsolatePeers;
      iso.node = f.node;
      const TimeMs lead = prng.Range(100, 3000);
      iso.at = std::max<TimeMs>(0, f.at - lead);
      iso.duration_ms = f.at - iso.at + prng.Range(1, 2000);
      plan.faults.push_back(iso);
    } else if (pattern == 2) {
      TimeMs at = f.at;
      for (int k = 0; k < 3; ++k) {
        Fault flap = f;
        flap.at = at;
        flap.duration_ms = prng.Range(20, 300);
        plan.faults.push_back(flap);
        at += flap.duration_ms + prng.Range(5, 400);
      }
      continue;
    }
    plan.faults.push_back(f);
  }
  for (std::uint32_t i = DrawCount(prng, mix.pauses_max); i > 0; --i) {
    Fault f = timed(FaultKind::kPause, 100);
    f.node = static_cast<std::uint32_t>(prng.Below(node_count));
    plan.faults.push_back(f);
  }
  for (std::uint32_t i = DrawCount(prng, mix.partitions_max); i > 0 && node_count > 1; --i) {
    const std::uint64_t variant = prng.Below(3);
    Fault f = timed(variant == 0   ? FaultKind::kPartition
                    : variant == 1 ? FaultKind::kOneWay
                                   : FaultKind::kIsolate,
                    200);
    if (f.kind == FaultKind::kIsolate) {
      f.node = static_cast<std::uint32_t>(prng.Below(node_count));
    } else {
      // A random proper, non-empty subset of the nodes; clients join a random side.
      const std::uint64_t all_nodes = (node_count >= 64) ? ~0ULL : ((1ULL << node_count) - 1);
      std::uint64_t nodes = 0;
      while (nodes == 0 || nodes == all_nodes) nodes = prng.Next() & all_nodes;
      f.side_mask = nodes;
      if (f.kind == FaultKind::kPartition) {
        for (std::uint32_t e = node_count; e < endpoints; ++e) {
          if (prng.Chance(1, 2)) f.side_mask |= 1ULL << e;
        }
      }
    }
    plan.faults.push_back(f);
  }
  for (std::uint32_t i = DrawCount(prng, mix.clogs_max); i > 0 && node_count > 1; --i) {
    Fault f = timed(FaultKind::kClog, 200);
    f.node = static_cast<std::uint32_t>(prng.Below(node_count));
    f.other = static_cast<std::uint32_t>((f.node + 1 + prng.Below(node_count - 1)) % node_count);
    f.delay_ms = prng.Range(20, 800);
    plan.faults.push_back(f);
  }
  for (std::uint32_t i = DrawCount(prng, mix.client_cuts_max); i > 0 && client_count > 0; --i) {
    Fault f = timed(FaultKind::kClientCut, 200);
    f.node = static_cast<std::uint32_t>(prng.Below(node_count));
    f.other = static_cast<std::uint32_t>(prng.Below(client_count));
    plan.faults.push_back(f);
  }
  // Drawn last, so that adding it left every earlier draw (and so every older plan) unchanged.
  n.stale_ppm = DrawPpm(prng, m.stale_ppm);
  n.stale_delay_min_ms = m.stale_delay_min_ms;
  n.stale_delay_max_ms = m.stale_delay_max_ms;
  for (std::uint32_t i = DrawCount(prng, mix.stale_queues_max); i > 0 && node_count > 1; --i) {
    Fault q = timed(FaultKind::kStaleQueue, 200);
    q.node = static_cast<std::uint32_t>(prng.Below(node_count));
    const bool spans_crashes = mix.crashes_max > 0 && prng.Chance(1, 2);
    const TimeMs first_down = prng.Range(200, 2000);
    const TimeMs middle_life = prng.Range(300, 3000);
    const TimeMs second_down = prng.Range(20, 1000);
    if (spans_crashes && q.at + first_down + middle_life + second_down < window) {
      // Crash, restart, live a while (serving), crash again briefly, restart: the queue holds
      // what reached or left the node's middle life and releases it into its next one.
      Fault first;
      first.kind = FaultKind::kCrash;
      first.node = q.node;
      first.at = q.at;
      first.duration_ms = first_down;
      Fault second = first;
      q.at = first.at + first.duration_ms;
      second.at = q.at + middle_life;
      second.duration_ms = second_down;
      q.duration_ms = second.at + second.duration_ms - q.at;
      plan.faults.push_back(first);
      plan.faults.push_back(second);
    }
    plan.faults.push_back(q);
  }
  // Drawn after everything above, so adding them left every earlier draw unchanged.
  if (mix.linked_crashes && node_count > 1) {
    const auto other = [&](std::uint32_t node) {
      return static_cast<std::uint32_t>((node + 1 + prng.Below(node_count - 1)) % node_count);
    };
    for (std::uint32_t i = DrawCount(prng, 2); i > 0; --i) {
      const std::uint64_t pattern = prng.Below(3);
      Fault first = timed(FaultKind::kCrash, 200);
      first.node = static_cast<std::uint32_t>(prng.Below(node_count));
      if (pattern == 0) {
        // Two nodes (with R = 3 of 5, some slot has one as primary and the other as backup)
        // crash within 0-2 s of each other.
        Fault second = timed(FaultKind::kCrash, 200);
        second.node = other(first.node);
        second.at = std::min<TimeMs>(window - 1, first.at + prng.Range(0, 2000));
        plan.faults.push_back(first);
        plan.faults.push_back(second);
      } else if (pattern == 1) {
        // A backup stalls (paused, or cut off from its peers) during a write burst, and its
        // primary crashes while it is stalled.
        Fault stall = timed(prng.Chance(1, 2) ? FaultKind::kPause : FaultKind::kIsolatePeers, 1000);
        stall.node = other(first.node);
        stall.duration_ms = prng.Range(1000, 5000);
        Fault burst;
        burst.kind = FaultKind::kBurst;
        burst.at = stall.at;
        burst.duration_ms = stall.duration_ms;
        first.at = std::min<TimeMs>(window - 1, stall.at + prng.Range(200, stall.duration_ms));
        plan.faults.push_back(stall);
        plan.faults.push_back(burst);
        plan.faults.push_back(first);
      } else {
        // The node comes back with its wall clock stepped backwards (a bad NTP source, a VM
        // restored from a snapshot): its new incarnation may be below the old one.
        first.restart_clock_step_ms = -prng.Range(50, mix.clock_step_max_ms);
        if (prng.Chance(1, 2)) {
          // Right after a short life (a crash loop): the step outweighs the life and the time
          // down, so the new incarnation is below the old one and peers answer IncarnationTooOld.
          Fault earlier = first;
          earlier.restart_clock_step_ms = 0;
          earlier.duration_ms = prng.Range(20, 100);
          first.duration_ms = prng.Range(20, 60);
          earlier.at = std::max<TimeMs>(0, first.at - earlier.duration_ms - prng.Range(10, 60));
          plan.faults.push_back(earlier);
        }
        plan.faults.push_back(first);
      }
    }
  }
  for (std::uint32_t i = DrawCount(prng, mix.clock_steps_max); i > 0; --i) {
    Fault step;
    step.kind = FaultKind::kClockStep;
    step.at = prng.Range(0, window - 1);
    step.node = static_cast<std::uint32_t>(prng.Below(node_count));
    step.delay_ms = prng.Range(-mix.clock_step_max_ms, mix.clock_step_max_ms);
    plan.faults.push_back(step);
  }
  // Drawn after everything above, so adding them left every earlier draw unchanged. A node
  // restarts and recovers while its sync replies crawl and the clients write fast: keys that a
  // chunk carries get written or deleted again, through the stream, before the chunk lands.
  for (std::uint32_t i = mix.linked_crashes && node_count > 1 ? DrawCount(prng, 2) : 0; i > 0;
       --i) {
    Fault crash = timed(FaultKind::kCrash, 200);
    crash.node = static_cast<std::uint32_t>(prng.Below(node_count));
    crash.duration_ms = prng.Range(200, 2000);
    Fault slow;
    slow.kind = FaultKind::kSlowSync;
    slow.node = crash.node;
    slow.at = crash.at + crash.duration_ms;
    slow.duration_ms = prng.Range(1000, 4000);
    slow.delay_ms = prng.Range(200, 800);
    Fault burst;
    burst.kind = FaultKind::kBurst;
    burst.at = slow.at;
    burst.duration_ms = slow.duration_ms;
    plan.faults.push_back(crash);
    if (slow.at >= window) continue;  // it would restart after the fault phase
    plan.faults.push_back(slow);
    plan.faults.push_back(burst);
  }
  FinishPlan(node_count, plan);
  return plan;
}

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kCrash:
      return "crash";
    case FaultKind::kPause:
      return "pause";
    case FaultKind::kPartition:
      return "partition";
    case FaultKind::kOneWay:
      return "one-way-partition";
    case FaultKind::kIsolate:
      return "isolate";
    case FaultKind::kClog:
      return "clog";
    case FaultKind::kClientCut:
      return "client-cut";
    case FaultKind::kIsolatePeers:
      return "isolate-peers";
    case FaultKind::kStaleQueue:
      return "stale-queue";
    case FaultKind::kClockStep:
      return "clock-step";
    case FaultKind::kBurst:
      return "write-burst";
    case FaultKind::kSlowSync:
      return "slow-sync";
  }
  return "?";
}

std::string DescribeFault(const Fault& f, std::uint32_t node_count) {
  char buf[256];
  std::string what;
  switch (f.kind) {
    case FaultKind::kCrash:
      if (f.restart_clock_step_ms != 0) {
        std::snprintf(buf, sizeof(buf), "node=%u (restarts with its clock %+lldms)", f.node,
                      static_cast<long long>(f.restart_clock_step_ms));
      } else {
        std::snprintf(buf, sizeof(buf), "node=%u", f.node);
      }
      what = buf;
      break;
    case FaultKind::kPause:
    case FaultKind::kIsolate:
    case FaultKind::kIsolatePeers:
    case FaultKind::kStaleQueue:
      std::snprintf(buf, sizeof(buf), "node=%u", f.node);
      what = buf;
      break;
    case FaultKind::kClockStep:
      std::snprintf(buf, sizeof(buf), "node=%u wall clock %+lldms", f.node,
                    static_cast<long long>(f.delay_ms));
      what = buf;
      break;
    case FaultKind::kBurst:
      what = "clients think 10x faster";
      break;
    case FaultKind::kSlowSync:
      std::snprintf(buf, sizeof(buf), "node=%u sync replies +%lldms", f.node,
                    static_cast<long long>(f.delay_ms));
      what = buf;
      break;
    case FaultKind::kClog:
      std::snprintf(buf, sizeof(buf), "nodes %u<->%u +%lldms", f.node, f.other,
                    static_cast<long long>(f.delay_ms));
      what = buf;
      break;
    case FaultKind::kClientCut:
      std::snprintf(buf, sizeof(buf), "client=%u x node=%u", f.other, f.node);
      what = buf;
      break;
    case FaultKind::kPartition:
    case FaultKind::kOneWay: {
      std::string side = "{", rest = "{";
      for (std::uint32_t e = 0; e < 64; ++e) {
        const bool in = (f.side_mask >> e) & 1;
        if (e >= node_count && !in) continue;  // clients outside the mask are not listed
        std::string name =
            e < node_count ? "n" + std::to_string(e) : "c" + std::to_string(e - node_count);
        if (e < node_count || in) {
          std::string& target = in ? side : rest;
          if (target.size() > 1) target += ",";
          target += name;
        }
        if (e >= node_count && e - node_count > 40) break;
      }
      what = side + "} " + (f.kind == FaultKind::kOneWay ? "-/->" : "<-/->") + " " + rest + "}";
      break;
    }
  }
  std::snprintf(buf, sizeof(buf), "t=%lldms %s %s for %lldms", static_cast<long long>(f.at),
                std::string(FaultKindName(f.kind)).c_str(), what.c_str(),
                static_cast<long long>(f.duration_ms));
  return buf;
}

}  // namespace shoal::sim
