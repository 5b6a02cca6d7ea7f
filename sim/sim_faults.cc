// Fault injection for a simulated run: starting and healing the plan's faults (sim/faults.h),
// stale router queues, wall-clock steps, write bursts, and the quiet phase that heals everything.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <string>

#include "core/cluster/cluster_node.h"
#include "core/result.h"
#include "core/slot.h"
#include "sim/sim_world.h"

namespace shoal::sim {

bool Sim::FaultDropped(std::uint32_t index) const {
  return std::binary_search(options_.drop_faults.begin(), options_.drop_faults.end(), index);
}

void Sim::HoldStaleCopies(std::uint32_t from, std::uint32_t to, std::string_view frame) {
  if (network_->Blocked(from, to)) return;  // it never left the sender
  for (const std::uint32_t index : stale_active_) {
    const Fault& f = scenario_.plan.faults[index];
    std::vector<HeldMessage>& held = stale_held_[index];
    if ((f.node != from && f.node != to) || held.size() >= kStaleQueueMessagesMax) continue;
    held.push_back({from, to, AllocBytes(frame)});
    trace_.Fold(0x57A1E000ULL ^ index);
  }
}

void Sim::ReleaseStaleQueue(std::uint32_t index) {
  stale_active_.erase(std::find(stale_active_.begin(), stale_active_.end(), index));
  // Delivered in the order they were sent, to whatever runs at the address now (any
  // incarnation), whatever partitions hold by now: the router flushes its queue.
  const NetworkOptions& n = network_->options();
  TimeMs at = now_;
  for (const HeldMessage& h : stale_held_[index]) {
    at = std::max(at, now_ + net_prng_.Range(n.latency_min_ms, n.latency_max_ms));
    Event e;
    e.kind = Ev::kPeer;
    e.a = h.from;
    e.b = h.to;
    e.incarnation = kAnyIncarnation;
    e.payload = h.payload;
    e.at = at;
    trace_.Fold(static_cast<std::uint64_t>(at));
    Push(e);
  }
  stale_held_[index].clear();
}

void Sim::ApplyLinks(const Fault& f, bool block) {
  auto set = [&](std::uint32_t from, std::uint32_t to) {
    if (block) {
      network_->Block(from, to);
    } else {
      network_->Unblock(from, to);
    }
  };
  const std::uint32_t endpoints = network_->endpoint_count();
  switch (f.kind) {
    case FaultKind::kPartition:
      for (std::uint32_t x = 0; x < endpoints; ++x) {
        for (std::uint32_t y = 0; y < endpoints; ++y) {
          if (x == y || (x >= node_count_ && y >= node_count_)) continue;
          const bool x_in = (f.side_mask >> x) & 1;
          const bool y_in = (f.side_mask >> y) & 1;
          if (x_in != y_in) set(x, y);
        }
      }
      break;
    case FaultKind::kOneWay:
      for (std::uint32_t x = 0; x < node_count_; ++x) {
        for (std::uint32_t y = 0; y < node_count_; ++y) {
          if (((f.side_mask >> x) & 1) && !((f.side_mask >> y) & 1)) set(x, y);
        }
      }
      break;
    case FaultKind::kIsolate:
      for (std::uint32_t y = 0; y < endpoints; ++y) {
        if (y == f.node) continue;
        set(f.node, y);
        set(y, f.node);
      }
      break;
    case FaultKind::kIsolatePeers:
      for (std::uint32_t y = 0; y < node_count_; ++y) {
        if (y == f.node) continue;
        set(f.node, y);
        set(y, f.node);
      }
      break;
    case FaultKind::kClientCut:
      set(network_->ClientEndpoint(f.other), f.node);
      set(f.node, network_->ClientEndpoint(f.other));
      break;
    case FaultKind::kClog:
      if (block) {
        network_->Clog(f.node, f.other, f.delay_ms);
        network_->Clog(f.other, f.node, f.delay_ms);
      } else {
        network_->Unclog(f.node, f.other, f.delay_ms);
        network_->Unclog(f.other, f.node, f.delay_ms);
      }
      break;
    default:
      break;
  }
}

FailoverStart Sim::PrimaryKeysOf(std::uint32_t node) const {
  // The newest configuration any live node holds (the placement before any node started).
  const cluster::Configuration* newest = nullptr;
  for (const SimNode& n : nodes_) {
    const cluster::ClusterNode* c = n.up ? n.node->cluster() : nullptr;
    if (c == nullptr || !c->started()) continue;
    const cluster::Configuration& config = c->config_member().configuration();
    if (newest == nullptr || config.epoch() > newest->epoch()) newest = &config;
  }
  FailoverStart start{.at = now_, .node = node};
  for (const std::string& key : scenario_.keys) {
    const std::uint16_t slot = KeySlot(key);
    const cluster::NodeId primary =
        newest != nullptr ? newest->slot(slot).primary : placement_->Primary(slot);
    if (primary == node) start.keys.push_back(key);
  }
  return start;
}

void Sim::OnFault(std::uint32_t index, bool start) {
  const Fault& f = scenario_.plan.faults[index];
  if (quiet_) return;  // the quiet phase healed everything already
  trace_.Fold(index | (start ? 0x10000u : 0u));
  if (start) {
    // Taken before the fault applies (a crash destroys the node's configuration).
    std::optional<FailoverStart> failover;
    if (scenario_.measure_failover &&
        (f.kind == FaultKind::kCrash || f.kind == FaultKind::kPause ||
         f.kind == FaultKind::kIsolate || f.kind == FaultKind::kIsolatePeers)) {
      failover = PrimaryKeysOf(f.node);
      failover->fault = index;
    }
    bool applied = true;
    switch (f.kind) {
      case FaultKind::kCrash:
        applied = nodes_[f.node].up;
        if (applied) Crash(f.node);
        break;
      case FaultKind::kPause:
        applied = nodes_[f.node].up && !nodes_[f.node].paused;
        if (applied) Pause(f.node);
        break;
      case FaultKind::kStaleQueue:
        stale_active_.push_back(index);
        break;
      case FaultKind::kClockStep:
        StepWallClock(f.node, f.delay_ms);
        break;
      case FaultKind::kBurst:
        burst_ = true;
        break;
      case FaultKind::kSlowSync:
        slow_sync_ms_[f.node] += f.delay_ms;
        break;
      default:
        ApplyLinks(f, true);
        break;
    }
    if (!applied) return;
    fault_applied_[index] = true;
    faults_applied_++;
    if (failover && !failover->keys.empty()) failover_starts_.push_back(std::move(*failover));
    if (options_.verbose) {
      std::printf("%8" PRId64 "ms FAULT   %s\n", static_cast<std::int64_t>(now_),
                  DescribeFault(f, node_count_).c_str());
    }
    if (f.kind != FaultKind::kCrash && f.kind != FaultKind::kPause && f.kind != FaultKind::kBurst) {
      for (std::uint32_t n = 0; n < node_count_; ++n) {
        const bool touches = f.kind == FaultKind::kPartition || f.kind == FaultKind::kOneWay ||
                             f.kind == FaultKind::kIsolatePeers || f.node == n ||
                             (f.kind == FaultKind::kClog && f.other == n);
        if (!touches) continue;
        TimelineEntry& t = nodes_[n].timeline.Add();
        t.at = now_;
        t.kind = TimelineEntry::Kind::kFault;
        t.number = index;
        CopyText(t, FaultKindName(f.kind));
      }
    }
    const TimeMs end = f.at + f.duration_ms;
    if (f.kind != FaultKind::kClockStep && end < scenario_.fault_end) {
      Event e;
      e.kind = Ev::kFaultEnd;
      e.a = index;
      e.at = end;
      Push(e);
    }
    return;
  }
  if (!fault_applied_[index]) return;
  fault_applied_[index] = false;
  if (options_.verbose) {
    std::printf("%8" PRId64 "ms HEAL    %s\n", static_cast<std::int64_t>(now_),
                DescribeFault(f, node_count_).c_str());
  }
  switch (f.kind) {
    case FaultKind::kCrash:
      if (!nodes_[f.node].up) Restart(f.node, f.restart_clock_step_ms);
      break;
    case FaultKind::kPause:
      if (nodes_[f.node].up && nodes_[f.node].paused) Resume(f.node);
      break;
    case FaultKind::kStaleQueue:
      ReleaseStaleQueue(index);
      break;
    case FaultKind::kBurst:
      burst_ = false;
      break;
    case FaultKind::kSlowSync:
      slow_sync_ms_[f.node] -= f.delay_ms;
      break;
    default:
      ApplyLinks(f, false);
      break;
  }
}

void Sim::OnQuiet() {
  quiet_ = true;
  burst_ = false;
  slow_sync_ms_.assign(node_count_, 0);
  network_->HealAll();
  while (!stale_active_.empty()) ReleaseStaleQueue(stale_active_.front());
  for (std::uint32_t n = 0; n < node_count_; ++n) {
    if (!nodes_[n].up) {
      // A crash that was to heal after the quiet phase began: restart as its fault would have.
      TimeMs step = 0;
      for (std::uint32_t i = 0; i < scenario_.plan.faults.size(); ++i) {
        const Fault& f = scenario_.plan.faults[i];
        if (f.kind == FaultKind::kCrash && f.node == n && fault_applied_[i]) {
          step = f.restart_clock_step_ms;
        }
      }
      Restart(n, step);
    } else if (nodes_[n].paused) {
      Resume(n);
    }
  }
  if (options_.verbose) {
    std::printf("%8" PRId64 "ms QUIET   every fault healed; liveness required from %" PRId64 "ms\n",
                static_cast<std::int64_t>(now_),
                static_cast<std::int64_t>(scenario_.liveness_start));
  }
}

}  // namespace shoal::sim
