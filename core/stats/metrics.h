// MetricsSnapshot and FormatMetrics: what /metrics reports, as a copy of the Node's counters taken
// on the Node's thread (Node::SnapshotMetrics, once per tick) and formatted as Prometheus text on
// any other thread. The names follow redis_exporter's under a shoal_ prefix
// (shoal_keyspace_hits_total, shoal_commands_total{cmd}, ...) so existing dashboards and alerts
// carry over; docs/operations.md lists every family with its type and meaning.
//
// Thread safety: a snapshot is a plain value; FormatMetrics only reads it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/stats/hot_keys.h"
#include "core/stats/latency_histogram.h"
#include "core/stats/node_stats.h"
#include "core/time.h"

namespace shoal {

struct MetricsSnapshot {
  struct Command {
    std::string_view name;  // Redis fullname ("get", "config|get"): static storage (the table)
    std::uint64_t calls = 0;
    std::uint64_t failed = 0;
    std::uint64_t rejected = 0;
    LatencyHistogram latency;  // nanoseconds; empty if no duration was reported
  };

  TimeMs now = 0;
  TimeMs started_at = 0;
  std::string version;
  std::string redis_version;
  std::uint64_t connected_clients = 0;
  std::uint64_t clients_max = 0;
  std::uint64_t connections_received = 0;
  std::uint64_t commands_processed = 0;
  std::uint64_t keyspace_hits = 0;
  std::uint64_t keyspace_misses = 0;
  std::uint64_t expired_keys = 0;
  std::uint64_t evicted_keys = 0;
  std::uint64_t keys = 0;
  std::uint64_t keys_with_expiry = 0;
  std::uint64_t memory_used_bytes = 0;
  std::uint64_t memory_max_bytes = 0;
  std::uint64_t memory_used_peak_bytes = 0;
  ProcessUsage process;
  std::vector<Command> commands;  // only commands with a call, failure or rejection
  std::uint64_t error_replies = 0;
  std::vector<std::pair<std::string, std::uint64_t>> errors;  // by prefix
  std::uint64_t slowlog_length = 0;
  std::uint64_t slowlog_next_id = 0;
  std::vector<HotKeys::Hot> hot_keys;  // hottest first, at most limits::kHotKeysExported

  // A node of a cluster (--cluster yes); all zero on a single node. Copied from the cluster
  // layer (core/cluster/cluster_node.h): this node's view only, as every node exports its own.
  struct Cluster {
    bool enabled = false;
    bool serving = false;  // false while recovering (clients get -LOADING)
    std::uint64_t node_id = 0;
    std::uint64_t nodes = 0;
    std::uint64_t copies = 0;
    std::uint64_t incarnation = 0;  // this node's life: grows with every restart
    std::uint64_t primary_slots = 0;
    std::uint64_t backup_slots = 0;
    std::uint64_t writes_committed = 0;
    std::uint64_t writes_rejected = 0;  // -TRYAGAIN
    std::uint64_t resends = 0;          // replication streams rewound after a timeout
    std::uint64_t recoveries = 0;
    std::uint64_t recovery_restarts = 0;
    std::uint64_t moved = 0;
    std::uint64_t loading = 0;
    std::uint64_t crossslot = 0;
    // The committed configuration as this node knows it (cluster/config_summary.h).
    std::uint64_t config_epoch = 0;
    std::uint64_t config_term = 0;
    std::int64_t config_leader = -1;  // -1: not known
    bool config_leading = false;
    std::uint64_t members_up = 0;
    std::uint64_t slots_degraded = 0;     // served slots with a replica outside the in-sync set
    std::uint64_t slots_unavailable = 0;  // slots without a primary
    std::uint64_t slots_out_of_sync = 0;  // this node's slots where it is outside the in-sync set
  };
  Cluster cluster;
};

// The "le" bounds of shoal_command_duration_seconds: 1 us to 1 s in 1-2-5 steps.
inline constexpr std::array<double, 19> kCommandDurationBoundsSeconds = {
    1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3,
    2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1, 2e-1, 5e-1, 1.0};

// The whole /metrics page for one snapshot.
std::string FormatMetrics(const MetricsSnapshot& snapshot);

}  // namespace shoal
