// Reporting for a simulated run: per-node timelines, and the final verdict: the consistency
// checker over the history, liveness after the quiet phase, the replica audits, and the report a
// violation prints (the offending operations, the fault schedule, the knobs).
#include <cinttypes>
#include <cstdio>

#include "sim/checker.h"
#include "sim/sim_world.h"

namespace shoal::sim {
namespace {

void AddKind(ScenarioResult& result, std::string_view kind) {
  for (const std::string& k : result.violation_kinds) {
    if (k == kind) return;
  }
  result.violation_kinds.emplace_back(kind);
}

}  // namespace

void Sim::Check(ScenarioResult& result) {
  std::string report;
  TimeMs first_at = INT64_MAX;
  const CheckResult check = CheckHistory(history_);
  if (!check.ok) {
    report += "consistency violations (" +
              std::to_string(check.violations.size() + check.violations_dropped) + "):\n";
    for (const Violation& v : check.violations) {
      AddKind(result, ViolationKindName(v.kind));
      report += FormatViolation(history_, v);
      if (!report.empty() && report.back() != '\n') report += '\n';
      if (!v.op_ids.empty() && v.op_ids.front() < history_.ops.size()) {
        first_at = std::min(first_at, history_.ops[v.op_ids.front()].invoke_at);
      }
    }
  }
  if (audit_violations_total_ > 0) {
    report += "replica audit violations (" + std::to_string(audit_violations_total_) + "):\n";
    for (const auto& [kind, text] : audit_violations_) {
      AddKind(result, kind);
      report += "  " + kind + ": " + text + "\n";
    }
    first_at = std::min(first_at, audit_first_at_);
  }
  if (options_.failover_bound_ms) {
    std::size_t over = 0;
    std::string lines;
    for (const FailoverWindow& w : result.failover_windows) {
      if (w.window_ms <= *options_.failover_bound_ms) continue;
      first_at = std::min(first_at, w.at);
      if (++over > 10) continue;
      char buf[256];
      std::snprintf(buf, sizeof(buf),
                    "  %s: n%u failed at %" PRId64 "ms (fault #%u); %s %" PRId64 "ms later\n",
                    w.key.c_str(), w.node, static_cast<std::int64_t>(w.at), w.fault,
                    w.open ? "still unavailable at the run's end," : "available again",
                    static_cast<std::int64_t>(w.window_ms));
      lines += buf;
    }
    if (over > 0) {
      AddKind(result, kViolationFailoverWindow);
      report += "failover violation: " + std::to_string(over) + " key window(s) over " +
                std::to_string(*options_.failover_bound_ms) + "ms:\n" + lines;
    }
  }
  // Liveness: after the quiet phase began and the bound passed, every operation succeeds.
  std::size_t liveness_failures = 0;
  std::string liveness;
  auto failed = [&](TimeMs invoke, const char* what, const char* outcome, TimeMs complete,
                    std::int32_t node) {
    liveness_failures++;
    first_at = std::min(first_at, invoke);
    if (liveness_failures > 10) return;
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "  %s invoked at %" PRId64 "ms ended %s at %" PRId64 "ms (node %d)\n", what,
                  static_cast<std::int64_t>(invoke), outcome, static_cast<std::int64_t>(complete),
                  node);
    liveness += buf;
  };
  for (const Operation& op : history_.ops) {
    if (op.invoke_at < scenario_.liveness_start || op.outcome == OpOutcome::kOk) continue;
    const std::string what = "#" + std::to_string(op.id) + " c" + std::to_string(op.client) + " " +
                             (op.kind == OpKind::kGet   ? "GET"
                              : op.kind == OpKind::kSet ? "SET"
                                                        : "DEL") +
                             " " + op.key;
    failed(op.invoke_at, what.c_str(),
           op.outcome == OpOutcome::kFail      ? "fail"
           : op.outcome == OpOutcome::kUnknown ? "unknown"
                                               : "pending",
           op.complete_at, op.node);
  }
  for (const MutationOp& m : mutation_ops_) {
    if (m.invoke_at < scenario_.liveness_start || (m.done && m.answered)) continue;
    const std::string what = "c" + std::to_string(m.client) + " " + m.text;
    failed(m.invoke_at, what.c_str(), m.done ? client::OpOutcomeName(m.outcome) : "pending",
           m.complete_at, -1);
  }
  // The configuration settles too: judged only where the run lasted long enough after the quiet
  // phase began (leaders are elected and members marked up within a few timeouts).
  std::string unsettled;
  if (node_count_ > 1 && quiet_ && now_ - scenario_.fault_end >= kConfigSettleMs) {
    unsettled = ConfigurationUnsettled();
  }
  if (liveness_failures > 0 || clients_finished_ < client_count_ || !unsettled.empty()) {
    AddKind(result, kViolationLiveness);
  }
  if (!unsettled.empty()) {
    report += "liveness violation: " + std::to_string(now_ - scenario_.fault_end) +
              "ms after the quiet phase began, the configuration has not settled: " + unsettled +
              "\n";
    first_at = std::min(first_at, now_);
  }
  if (liveness_failures > 0) {
    report += "liveness violation: " + std::to_string(liveness_failures) +
              " operation(s) invoked at or after " + std::to_string(scenario_.liveness_start) +
              "ms (quiet phase + " + std::to_string(kLivenessBoundMs) + "ms) did not succeed:\n" +
              liveness;
  }
  if (clients_finished_ < client_count_) {
    report += "liveness violation: the run hit its hard end (" +
              std::to_string(scenario_.hard_end) + "ms) with " +
              std::to_string(client_count_ - clients_finished_) + " client(s) unfinished\n";
    first_at = std::min(first_at, now_);
  }
  if (report.empty()) return;
  result.violation = true;
  result.violation_at = first_at == INT64_MAX ? now_ : first_at;
  const FaultPlan& plan = scenario_.plan;
  report += "fault schedule (" + plan.mix_name + "):\n";
  if (plan.faults.empty()) report += "  (no timed faults)\n";
  for (std::uint32_t i = 0; i < plan.faults.size(); ++i) {
    report += "  #" + std::to_string(i) + " " + DescribeFault(plan.faults[i], node_count_) +
              (FaultDropped(i) ? " (dropped)\n" : "\n");
  }
  char buf[512];
  const NetworkOptions& n = plan.network;
  std::snprintf(buf, sizeof(buf),
                "  network: latency %" PRId64 "..%" PRId64
                "ms tail %u ppm, loss %u ppm, dup %u "
                "ppm, reorder %u ppm, client loss %u ppm, stale %u ppm; quiet from %" PRId64 "ms\n",
                static_cast<std::int64_t>(n.latency_min_ms),
                static_cast<std::int64_t>(n.latency_max_ms), n.tail_ppm, n.loss_ppm,
                n.duplicate_ppm, n.reorder_ppm, n.client_loss_ppm, n.stale_ppm,
                static_cast<std::int64_t>(scenario_.fault_end));
  report += buf;
  for (std::uint32_t i = 0; i < node_count_; ++i) {
    std::snprintf(buf, sizeof(buf), "  clock n%u: offset %+" PRId64 "ms drift %+d ppm\n", i,
                  static_cast<std::int64_t>(plan.clock_offset_ms[i]), plan.drift_ppm[i]);
    report += buf;
  }
  const cluster::ReplicationKnobs& k = scenario_.knobs;
  std::snprintf(buf, sizeof(buf),
                "  workload: %zu keys (%s), pipeline %u, %u%% on own keys; maxmemory %" PRIu64
                " (%s)\n  knobs%s: tombstones %zu, sync entries %zu bytes %zu scan %zu, repairs "
                "%zu, writes %zu per slot %zu, batch %zu mutations %zu bytes, window %zu, config "
                "compaction every %zu\n",
                scenario_.keys.size(), scenario_.zipf_cumulative.empty() ? "uniform" : "zipf",
                scenario_.pipeline, scenario_.mutation_percent, scenario_.maxmemory_bytes,
                std::string(EvictionKindName(scenario_.eviction)).c_str(),
                scenario_.small_knobs ? " (small)" : "", k.tombstones_max,
                k.sync_entries_per_reply_max, k.sync_reply_bytes_max, k.sync_scan_per_reply_max,
                k.repairs_in_flight_max, k.replication_writes_max, k.slot_writes_max,
                k.batch_mutations_max, k.batch_bytes_max, k.stream_window, k.config_compact_every);
  report += buf;
  result.report = std::move(report);
}

std::string Sim::FormatTimelines() const {
  std::string out;
  char buf[320];
  for (std::uint32_t n = 0; n < node_count_; ++n) {
    const SimNode& node = nodes_[n];
    std::snprintf(buf, sizeof(buf),
                  "node n%u (%s, incarnation %u), last events up to %" PRId64 "ms:\n", n,
                  !node.up      ? "down"
                  : node.paused ? "paused"
                                : "up",
                  node.incarnation, static_cast<std::int64_t>(now_));
    out += buf;
    node.timeline.ForEach([&](const TimelineEntry& t) {
      const long long at = static_cast<long long>(t.at);
      const long long node_at = static_cast<long long>(t.node_at - kNodeEpochMs);
      const std::string text = PrintableText(t);
      switch (t.kind) {
        case TimelineEntry::Kind::kPeerIn:
          std::snprintf(buf, sizeof(buf),
                        "  %8lldms (node %lld) <- n%u %s incarnation=%llu number=%llu count=%u\n",
                        at, node_at, t.other, text.c_str(),
                        static_cast<unsigned long long>(t.epoch),
                        static_cast<unsigned long long>(t.number), t.count);
          break;
        case TimelineEntry::Kind::kRequest:
          std::snprintf(buf, sizeof(buf), "  %8lldms (node %lld) <- c%u %s\n", at, node_at, t.other,
                        text.c_str());
          break;
        case TimelineEntry::Kind::kReply:
          std::snprintf(buf, sizeof(buf), "  %8lldms (node %lld) -> c%u %s\n", at, node_at, t.other,
                        text.c_str());
          break;
        case TimelineEntry::Kind::kCrash:
          std::snprintf(buf, sizeof(buf), "  %8lldms CRASH (memory lost)\n", at);
          break;
        case TimelineEntry::Kind::kRestart:
          std::snprintf(buf, sizeof(buf), "  %8lldms RESTART (empty)\n", at);
          break;
        case TimelineEntry::Kind::kPause:
          std::snprintf(buf, sizeof(buf), "  %8lldms PAUSE\n", at);
          break;
        case TimelineEntry::Kind::kResume:
          std::snprintf(buf, sizeof(buf), "  %8lldms RESUME\n", at);
          break;
        case TimelineEntry::Kind::kFault:
          std::snprintf(buf, sizeof(buf), "  %8lldms FAULT #%llu %s\n", at,
                        static_cast<unsigned long long>(t.number), text.c_str());
          break;
        case TimelineEntry::Kind::kHeal:
          std::snprintf(buf, sizeof(buf), "  %8lldms HEAL #%llu %s\n", at,
                        static_cast<unsigned long long>(t.number), text.c_str());
          break;
      }
      out += buf;
    });
  }
  return out;
}

}  // namespace shoal::sim
