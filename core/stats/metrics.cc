#include "core/stats/metrics.h"

#include <algorithm>

#include "core/limits.h"
#include "core/stats/prometheus_text.h"

namespace shoal {
namespace {

constexpr double kNsPerSecond = 1e9;
constexpr double kUsPerSecond = 1e6;

// Each family once, with its samples right after it (the format's contiguity rule).
void Counter(PrometheusWriter& w, std::string_view name, std::string_view help,
             std::uint64_t value) {
  w.Family(name, help, MetricType::kCounter);
  w.Sample(name, {}, value);
}

void Gauge(PrometheusWriter& w, std::string_view name, std::string_view help, std::uint64_t value) {
  w.Family(name, help, MetricType::kGauge);
  w.Sample(name, {}, value);
}

// Per-command families: one sample per command that has been used.
template <class Value>
void PerCommand(PrometheusWriter& w, const MetricsSnapshot& s, std::string_view name,
                std::string_view help, Value value) {
  w.Family(name, help, MetricType::kCounter);
  for (const MetricsSnapshot::Command& c : s.commands) w.Sample(name, {{"cmd", c.name}}, value(c));
}

// The cluster families, on a node of a cluster only (docs/operations.md lists what is not there
// yet: failovers, migrations, peer links).
void AppendCluster(PrometheusWriter& w, const MetricsSnapshot::Cluster& c) {
  Gauge(w, "shoal_cluster_enabled", "1 on a node of a cluster.", 1);
  Gauge(w, "shoal_cluster_known_nodes", "Members of the cluster (fixed at start-up).", c.nodes);
  Gauge(w, "shoal_cluster_copies", "Copies of each key (--copies).", c.copies);
  Gauge(w, "shoal_cluster_incarnation",
        "This node's incarnation (its epoch): grows with every restart.", c.incarnation);
  Gauge(w, "shoal_cluster_serving", "1 once the node serves; 0 while it recovers (LOADING).",
        c.serving ? 1 : 0);
  w.Family("shoal_cluster_slots", "Slots this node holds a copy of, by role.", MetricType::kGauge);
  w.Sample("shoal_cluster_slots", {{"role", "primary"}}, c.primary_slots);
  w.Sample("shoal_cluster_slots", {{"role", "backup"}}, c.backup_slots);
  Counter(w, "shoal_cluster_writes_committed_total",
          "Client writes acknowledged by every copy of their slot.", c.writes_committed);
  Counter(w, "shoal_cluster_writes_rejected_total",
          "Client writes refused with -TRYAGAIN (too many writes in flight).", c.writes_rejected);
  Counter(w, "shoal_cluster_replication_resends_total",
          "Replication streams rewound and re-sent after a timeout.", c.resends);
  Counter(w, "shoal_cluster_recoveries_total", "Recoveries completed (1 after a normal start).",
          c.recoveries);
  Counter(w, "shoal_cluster_recovery_restarts_total",
          "Recoveries restarted (tombstone overflow or an incarnation too old).",
          c.recovery_restarts);
  w.Family("shoal_cluster_redirects_total", "Commands answered with a redirection, by kind.",
           MetricType::kCounter);
  w.Sample("shoal_cluster_redirects_total", {{"kind", "moved"}}, c.moved);
  w.Sample("shoal_cluster_redirects_total", {{"kind", "loading"}}, c.loading);
  w.Sample("shoal_cluster_redirects_total", {{"kind", "crossslot"}}, c.crossslot);
  Gauge(w, "shoal_cluster_config_epoch", "Epoch of the committed configuration this node applied.",
        c.config_epoch);
  Gauge(w, "shoal_cluster_config_term", "This node's configuration-log term.", c.config_term);
  w.Family("shoal_cluster_config_leader",
           "The configuration log's leader as this node knows it (-1: none known).",
           MetricType::kGauge);
  w.Sample("shoal_cluster_config_leader", {}, static_cast<double>(c.config_leader));
  Gauge(w, "shoal_cluster_config_leading", "1 while this node leads the configuration log.",
        c.config_leading ? 1 : 0);
  Gauge(w, "shoal_cluster_members_up", "Members the configuration records as up.", c.members_up);
  w.Family("shoal_cluster_config_slots",
           "Slots by what the configuration records: degraded (a replica outside the in-sync set), "
           "unavailable (no primary), out_of_sync (this node's, outside their in-sync sets).",
           MetricType::kGauge);
  w.Sample("shoal_cluster_config_slots", {{"state", "degraded"}}, c.slots_degraded);
  w.Sample("shoal_cluster_config_slots", {{"state", "unavailable"}}, c.slots_unavailable);
  w.Sample("shoal_cluster_config_slots", {{"state", "out_of_sync"}}, c.slots_out_of_sync);
}

}  // namespace

std::string FormatMetrics(const MetricsSnapshot& s) {
  std::string out;
  out.reserve(8192 + s.commands.size() * 2048);
  PrometheusWriter w(out);

  w.Family("shoal_instance_info", "Information about the Shoal node (value 1).",
           MetricType::kGauge);
  w.Sample("shoal_instance_info",
           {{"shoal_version", s.version}, {"redis_version", s.redis_version}, {"role", "master"}},
           std::uint64_t{1});
  const std::uint64_t uptime_s =
      (s.started_at != 0 && s.now > s.started_at) ? (s.now - s.started_at) / 1000 : 0;
  Gauge(w, "shoal_uptime_in_seconds", "Seconds since the node started.", uptime_s);
  Gauge(w, "shoal_start_time_seconds", "Start time of the node, Unix seconds.",
        static_cast<std::uint64_t>(s.started_at > 0 ? s.started_at / 1000 : 0));

  Gauge(w, "shoal_connected_clients", "Client connections open now.", s.connected_clients);
  Gauge(w, "shoal_config_maxclients", "The --max-clients limit.", s.clients_max);
  Counter(w, "shoal_connections_received_total", "Client connections accepted.",
          s.connections_received);
  Counter(w, "shoal_commands_processed_total",
          "Commands received (executed or rejected; INFO total_commands_processed).",
          s.commands_processed);

  Counter(w, "shoal_keyspace_hits_total", "Key reads that found a live key.", s.keyspace_hits);
  Counter(w, "shoal_keyspace_misses_total", "Key reads that found no key.", s.keyspace_misses);
  Counter(w, "shoal_expired_keys_total", "Keys removed because their TTL passed.", s.expired_keys);
  Counter(w, "shoal_evicted_keys_total", "Keys removed by the eviction policy.", s.evicted_keys);

  Gauge(w, "shoal_memory_used_bytes", "Accounted memory of keys, values and their overhead.",
        s.memory_used_bytes);
  Gauge(w, "shoal_memory_max_bytes", "The --maxmemory bound (0: unbounded).", s.memory_max_bytes);
  Gauge(w, "shoal_memory_used_peak_bytes", "Highest shoal_memory_used_bytes seen (per tick).",
        s.memory_used_peak_bytes);
  Gauge(w, "shoal_memory_used_rss_bytes", "Resident set size of the process.", s.process.rss_bytes);

  w.Family("shoal_db_keys", "Keys in the database (expired but not yet collected included).",
           MetricType::kGauge);
  w.Sample("shoal_db_keys", {{"db", "db0"}}, s.keys);
  w.Family("shoal_db_keys_expiring", "Keys with a TTL.", MetricType::kGauge);
  w.Sample("shoal_db_keys_expiring", {{"db", "db0"}}, s.keys_with_expiry);

  w.Family("shoal_cpu_user_seconds_total", "User CPU time of the process.", MetricType::kCounter);
  w.Sample("shoal_cpu_user_seconds_total", {},
           static_cast<double>(s.process.cpu_user_us) / kUsPerSecond);
  w.Family("shoal_cpu_sys_seconds_total", "System CPU time of the process.", MetricType::kCounter);
  w.Sample("shoal_cpu_sys_seconds_total", {},
           static_cast<double>(s.process.cpu_sys_us) / kUsPerSecond);

  using C = MetricsSnapshot::Command;
  PerCommand(w, s, "shoal_commands_total", "Commands executed, by command (Redis calls).",
             [](const C& c) { return c.calls; });
  PerCommand(w, s, "shoal_commands_failed_calls_total",
             "Commands executed that answered with an error, by command.",
             [](const C& c) { return c.failed; });
  PerCommand(w, s, "shoal_commands_rejected_calls_total",
             "Commands refused before running (arity, AUTH), by command.",
             [](const C& c) { return c.rejected; });
  PerCommand(w, s, "shoal_commands_duration_seconds_total",
             "Time spent executing commands, by command.",
             [](const C& c) { return static_cast<double>(c.latency.Sum()) / kNsPerSecond; });

  w.Family("shoal_command_duration_seconds",
           "Command execution time as the server measured it (parse + execute), by command.",
           MetricType::kHistogram);
  // Bounds in whole nanoseconds (1 us .. 1 s); the histogram resolves them within 3.1%.
  std::array<std::uint64_t, kCommandDurationBoundsSeconds.size()> bounds_ns{};
  for (std::size_t i = 0; i < bounds_ns.size(); ++i) {
    bounds_ns[i] = static_cast<std::uint64_t>(kCommandDurationBoundsSeconds[i] * 1e9 + 0.5);
  }
  std::array<std::uint64_t, kCommandDurationBoundsSeconds.size()> cumulative{};
  for (const C& c : s.commands) {
    if (c.latency.Count() == 0) continue;
    // One pass over the buckets: bound b counts the buckets that lie entirely at or below it
    // (LatencyHistogram::CountAtOrBelow, for every bound at once).
    std::size_t b = 0;
    std::uint64_t running = 0;
    c.latency.ForEachBucket([&](std::uint64_t, std::uint64_t highest, std::uint64_t count) {
      while (b < bounds_ns.size() && highest > bounds_ns[b]) cumulative[b++] = running;
      running += count;
    });
    while (b < bounds_ns.size()) cumulative[b++] = running;
    w.Histogram("shoal_command_duration_seconds", {{"cmd", c.name}}, kCommandDurationBoundsSeconds,
                cumulative, static_cast<double>(c.latency.Sum()) / kNsPerSecond, c.latency.Count());
  }

  w.Family("shoal_errors_total", "Error replies, by error prefix (ERR, WRONGTYPE, ...).",
           MetricType::kCounter);
  for (const auto& [prefix, count] : s.errors)
    w.Sample("shoal_errors_total", {{"err", prefix}}, count);
  Counter(w, "shoal_error_replies_total", "Error replies of every kind.", s.error_replies);

  Gauge(w, "shoal_slowlog_length", "Entries in the slow log.", s.slowlog_length);
  Gauge(w, "shoal_slowlog_last_id", "Id of the newest slow log entry (0 when none yet).",
        s.slowlog_next_id == 0 ? 0 : s.slowlog_next_id - 1);

  if (s.cluster.enabled) AppendCluster(w, s.cluster);

  w.Family("shoal_hot_key_accesses",
           "Estimated recent accesses of the hottest keys (sampled space-saving sketch; counts "
           "halve every minute). Keys as redis-cli quotes them, cut to 128 bytes.",
           MetricType::kGauge);
  std::vector<std::string> labels;  // two long keys may share a cut label: keep the hotter one
  for (const HotKeys::Hot& hot : s.hot_keys) {
    std::string label =
        ReprBytes(std::string_view(hot.key).substr(0, limits::kHotKeyLabelBytesMax));
    if (hot.key.size() > limits::kHotKeyLabelBytesMax) label.append("...");
    if (std::find(labels.begin(), labels.end(), label) != labels.end()) continue;
    w.Sample("shoal_hot_key_accesses", {{"key", label}}, hot.accesses);
    labels.push_back(std::move(label));
  }
  return out;
}

}  // namespace shoal
