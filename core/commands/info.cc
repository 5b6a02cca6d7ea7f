// INFO [section ...]: the Redis 7.0 text format ("# Section\r\nfield:value\r\n", sections separated
// by a blank line) with Redis's field names, so monitoring tools (redis_exporter) and clients parse
// it unchanged. Sections as Redis 7.0 groups them: the default set (no argument, "default") is
// server, clients, memory, persistence, stats, replication, cpu, errorstats, cluster and keyspace;
// "all" and "everything" add commandstats and latencystats. Our additions: shoal_version,
// keyspace_hit_ratio.
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/cluster/config_summary.h"
#include "core/commands/command_gate.h"
#include "core/commands/command_spec.h"
#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/limits.h"
#include "core/stats/node_stats.h"
#include "core/store/eviction_kind.h"

namespace shoal::commands {
namespace {

enum Section : unsigned {
  kServer = 1u << 0,
  kClients = 1u << 1,
  kMemory = 1u << 2,
  kPersistence = 1u << 3,
  kStats = 1u << 4,
  kReplication = 1u << 5,
  kKeyspace = 1u << 6,
  kCpu = 1u << 7,
  kCommandstats = 1u << 8,
  kErrorstats = 1u << 9,
  kLatencystats = 1u << 10,
  kCluster = 1u << 11,
};
constexpr unsigned kDefaultSections = kServer | kClients | kMemory | kPersistence | kStats |
                                      kReplication | kCpu | kErrorstats | kCluster | kKeyspace;
constexpr unsigned kAllSections = kDefaultSections | kCommandstats | kLatencystats;

struct SectionName {
  std::string_view name;
  unsigned bits;
};
constexpr SectionName kSectionNames[] = {
    {"server", kServer},
    {"clients", kClients},
    {"memory", kMemory},
    {"persistence", kPersistence},
    {"stats", kStats},
    {"replication", kReplication},
    {"cpu", kCpu},
    {"commandstats", kCommandstats},
    {"errorstats", kErrorstats},
    {"latencystats", kLatencystats},
    {"cluster", kCluster},
    {"keyspace", kKeyspace},
    {"all", kAllSections},
    {"everything", kAllSections},
    {"default", kDefaultSections},
};

// The percentiles of latency_percentiles_usec_<cmd> (Redis's latency-tracking-info-percentiles
// default), with the names Redis prints for them.
struct Percentile {
  double value;
  std::string_view name;
};
constexpr Percentile kInfoPercentiles[] = {{50.0, "p50"}, {99.0, "p99"}, {99.9, "p99.9"}};

// Redis's bytesToHuman: "1023B", "1.00K", "1.50M", "2.00G", ...
std::string BytesToHuman(std::uint64_t n) {
  char buf[64];
  const double d = static_cast<double>(n);
  if (n < 1024) {
    std::snprintf(buf, sizeof(buf), "%" PRIu64 "B", n);
  } else if (n < 1024ull * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  } else if (n < 1024ull * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fM", d / (1024.0 * 1024));
  } else if (n < 1024ull * 1024 * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2fT", d / (1024.0 * 1024 * 1024 * 1024));
  }
  return buf;
}

void Field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.push_back(':');
  out.append(value);
  out.append("\r\n");
}

void Field(std::string& out, std::string_view name, std::uint64_t value) {
  Field(out, name, std::to_string(value));
}

// A double with printf's format (Redis prints CPU seconds with %.6f, ratios with %.2f).
void FieldF(std::string& out, std::string_view name, const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, value);
  Field(out, name, buf);
}

double Seconds(std::uint64_t us) { return static_cast<double>(us) / 1e6; }

// cmdstat_<name>:calls=N,usec=N,usec_per_call=N.NN,rejected_calls=N,failed_calls=N
void AppendCommandstats(std::string& out, const CommandStats& stats) {
  ForEachCommandStat([&](const CommandSpec& spec, std::size_t index) {
    if (!stats.Used(index)) return;
    const CommandStat& s = stats.at(index);
    const std::uint64_t usec = s.latency != nullptr ? s.latency->Sum() / 1000 : 0;
    char line[256];
    std::snprintf(line, sizeof(line),
                  ":calls=%" PRIu64 ",usec=%" PRIu64 ",usec_per_call=%.2f,rejected_calls=%" PRIu64
                  ",failed_calls=%" PRIu64 "\r\n",
                  s.calls, usec,
                  s.calls == 0 ? 0.0 : static_cast<double>(usec) / static_cast<double>(s.calls),
                  s.rejected, s.failed);
    out.append("cmdstat_").append(spec.full_name).append(line);
  });
}

// latency_percentiles_usec_<name>:p50=N.NNN,p99=N.NNN,p99.9=N.NNN
void AppendLatencystats(std::string& out, const CommandStats& stats) {
  ForEachCommandStat([&](const CommandSpec& spec, std::size_t index) {
    const CommandStat& s = stats.at(index);
    if (s.latency == nullptr || s.latency->Count() == 0) return;
    out.append("latency_percentiles_usec_").append(spec.full_name).push_back(':');
    bool first = true;
    for (const Percentile& p : kInfoPercentiles) {
      char value[64];
      std::snprintf(value, sizeof(value), "%.3f",
                    static_cast<double>(s.latency->ValueAtPercentile(p.value)) / 1000.0);
      if (!first) out.push_back(',');
      first = false;
      out.append(p.name).append("=").append(value);
    }
    out.append("\r\n");
  });
}

}  // namespace

void Info(CommandContext& ctx, CommandArgs argv) {
  unsigned sections = argv.size() == 1 ? kDefaultSections : 0;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    for (const SectionName& s : kSectionNames) {
      if (EqualsLower(argv[i], s.name)) sections |= s.bits;
    }
  }
  const StoreStats& stats = ctx.store.stats();
  const StoreOptions& options = ctx.store.options();
  std::string out;
  auto header = [&](std::string_view title) {
    if (!out.empty()) out.append("\r\n");
    out.append("# ");
    out.append(title);
    out.append("\r\n");
  };
  if (sections & kServer) {
    header("Server");
    Field(out, "redis_version", kRedisCompatVersion);
    Field(out, "shoal_version", ctx.config.version);
    Field(out, "redis_mode", "standalone");
    Field(out, "arch_bits", "64");
    Field(out, "process_id", ctx.config.process_id);
    Field(out, "tcp_port", ctx.config.port);
    const TimeMs started = ctx.counters.started_at;
    const std::uint64_t uptime_s = (started != 0 && ctx.now > started)
                                       ? static_cast<std::uint64_t>(ctx.now - started) / 1000
                                       : 0;
    Field(out, "uptime_in_seconds", uptime_s);
    Field(out, "uptime_in_days", uptime_s / 86400);
    Field(out, "hz", 1000 / limits::kTickIntervalMs);
    Field(out, "configured_hz", 1000 / limits::kTickIntervalMs);
    Field(out, "server_time_usec", static_cast<std::uint64_t>(ctx.now > 0 ? ctx.now : 0) * 1000);
    if (!ctx.config.monotonic_clock.empty()) {
      Field(out, "monotonic_clock", ctx.config.monotonic_clock);
    }
  }
  if (sections & kClients) {
    header("Clients");
    Field(out, "connected_clients", ctx.counters.connected_clients);
    Field(out, "maxclients", ctx.config.clients_max);
    Field(out, "blocked_clients", 0);
  }
  if (sections & kMemory) {
    header("Memory");
    const std::uint64_t used = ctx.store.used_bytes();
    const std::uint64_t rss = ctx.stats != nullptr ? ctx.stats->process.rss_bytes : 0;
    std::uint64_t peak = used;
    if (ctx.stats != nullptr) {
      ctx.stats->used_memory_peak = std::max(ctx.stats->used_memory_peak, used);
      peak = ctx.stats->used_memory_peak;
    }
    Field(out, "used_memory", used);
    Field(out, "used_memory_human", BytesToHuman(used));
    Field(out, "used_memory_rss", rss);
    Field(out, "used_memory_rss_human", BytesToHuman(rss));
    Field(out, "used_memory_peak", peak);
    Field(out, "used_memory_peak_human", BytesToHuman(peak));
    FieldF(out, "mem_fragmentation_ratio", "%.2f",
           used == 0 ? 0.0 : static_cast<double>(rss) / static_cast<double>(used));
    Field(out, "maxmemory", options.maxmemory_bytes);
    Field(out, "maxmemory_human", BytesToHuman(options.maxmemory_bytes));
    Field(out, "maxmemory_policy", EvictionKindName(options.eviction));
  }
  if (sections & kPersistence) {
    header("Persistence");
    Field(out, "loading", 0);
    Field(out, "aof_enabled", 0);
  }
  if (sections & kStats) {
    header("Stats");
    Field(out, "total_connections_received", ctx.counters.total_connections_received);
    Field(out, "total_commands_processed", ctx.counters.total_commands_processed);
    Field(out, "rejected_calls", ctx.counters.rejected_commands);
    Field(out, "expired_keys", stats.expired);
    Field(out, "evicted_keys", stats.evicted);
    Field(out, "keyspace_hits", stats.hits);
    Field(out, "keyspace_misses", stats.misses);
    const std::uint64_t lookups = stats.hits + stats.misses;
    char ratio[32];
    std::snprintf(ratio, sizeof(ratio), "%.4f",
                  lookups == 0 ? 0.0 : static_cast<double>(stats.hits) / lookups);
    Field(out, "keyspace_hit_ratio", ratio);
    Field(out, "total_error_replies", ctx.stats != nullptr ? ctx.stats->errors.total() : 0);
  }
  if (sections & kReplication) {
    header("Replication");
    Field(out, "role", "master");
    Field(out, "connected_slaves", 0);
    Field(out, "master_failover_state", "no-failover");
    Field(out, "master_repl_offset", 0);
  }
  if (sections & kCpu) {
    header("CPU");
    const ProcessUsage usage = ctx.stats != nullptr ? ctx.stats->process : ProcessUsage{};
    FieldF(out, "used_cpu_sys", "%.6f", Seconds(usage.cpu_sys_us));
    FieldF(out, "used_cpu_user", "%.6f", Seconds(usage.cpu_user_us));
    FieldF(out, "used_cpu_sys_children", "%.6f", 0.0);
    FieldF(out, "used_cpu_user_children", "%.6f", 0.0);
    FieldF(out, "used_cpu_sys_main_thread", "%.6f", Seconds(usage.cpu_sys_main_us));
    FieldF(out, "used_cpu_user_main_thread", "%.6f", Seconds(usage.cpu_user_main_us));
  }
  if (sections & kCommandstats) {
    header("Commandstats");
    if (ctx.stats != nullptr) AppendCommandstats(out, ctx.stats->commands);
  }
  if (sections & kErrorstats) {
    header("Errorstats");
    if (ctx.stats != nullptr) {
      for (const auto& [prefix, count] : ctx.stats->errors.kinds()) {
        out.append("errorstat_").append(prefix).append(":count=").append(std::to_string(count));
        out.append("\r\n");
      }
    }
  }
  if (sections & kLatencystats) {
    header("Latencystats");
    if (ctx.stats != nullptr) AppendLatencystats(out, ctx.stats->commands);
  }
  if (sections & kCluster) {
    // Redis's order: Cluster just before Keyspace. Cluster-aware clients (redis-py's
    // RedisCluster, redis-cli --cluster) check this field before CLUSTER SLOTS / NODES.
    header("Cluster");
    Field(out, "cluster_enabled", ctx.gate != nullptr ? 1 : 0);
    if (ctx.gate != nullptr) {
      // What the committed configuration says (cluster/config_summary.h): epoch, leader, who is
      // up, and this node's place in the slots' in-sync sets.
      const ClusterView view = ctx.gate->View();
      if (view.config_log != nullptr) {
        out += cluster::SummaryFields(
            cluster::Summarize(*view.config_log, *view.configuration, view.self));
      }
    }
  }
  if (sections & kKeyspace) {
    header("Keyspace");
    const std::uint64_t keys = ctx.store.size();
    if (keys > 0) {
      out.append("db0:keys=" + std::to_string(keys) +
                 ",expires=" + std::to_string(stats.keys_with_expiry) + ",avg_ttl=0\r\n");
    }
  }
  ctx.reply.Verbatim(out);
}

}  // namespace shoal::commands
