// INFO [section ...]: the Redis 7.0 text format ("# Section\r\nfield:value\r\n", sections separated
// by a blank line) with Redis's field names, so monitoring tools and clients parse it unchanged.
// Our additions: shoal_version, keyspace_hit_ratio.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
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
  kCluster = 1u << 7,
};
constexpr unsigned kAllSections =
    kServer | kClients | kMemory | kPersistence | kStats | kReplication | kCluster | kKeyspace;

struct SectionName {
  std::string_view name;
  unsigned bits;
};
constexpr SectionName kSectionNames[] = {
    {"server", kServer},           {"clients", kClients},     {"memory", kMemory},
    {"persistence", kPersistence}, {"stats", kStats},         {"replication", kReplication},
    {"keyspace", kKeyspace},       {"cluster", kCluster},     {"all", kAllSections},
    {"everything", kAllSections},  {"default", kAllSections},
};

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

}  // namespace

void Info(CommandContext& ctx, CommandArgs argv) {
  unsigned sections = argv.size() == 1 ? kAllSections : 0;
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
    Field(out, "used_memory", used);
    Field(out, "used_memory_human", BytesToHuman(used));
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
  }
  if (sections & kReplication) {
    header("Replication");
    Field(out, "role", "master");
    Field(out, "connected_slaves", 0);
  }
  if (sections & kCluster) {
    // Redis's order: Cluster just before Keyspace. Cluster-aware clients (redis-py's
    // RedisCluster, redis-cli --cluster) check this field before CLUSTER SLOTS / NODES.
    header("Cluster");
    Field(out, "cluster_enabled", ctx.gate != nullptr ? 1 : 0);
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
