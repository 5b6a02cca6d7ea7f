// CLUSTER SLOTS / SHARDS / NODES / INFO / MYID / COUNTKEYSINSLOT for a node of a Shoal cluster, in
// Redis Cluster 7.0's formats, so cluster-aware clients (redis-py's RedisCluster, redis-cli
// --cluster, redis-benchmark --cluster) find every slot's owner. On a single node (no gate) they
// answer as a standalone Redis does ("cluster support disabled").
//
// The mapping (docs/design.md, "Redis Cluster's view of the ring"): Shoal places each slot on a
// preference list of R nodes, primary first, so every node is a primary of some slots and a
// backup of others. CLUSTER SLOTS lists every run of consecutive slots with the same list, the
// primary first and the backups as its replicas; CLUSTER SHARDS makes one shard of every distinct
// list (all its slot runs, its primary as "master" and its backups as "replica"), so one node
// appears in several shards; CLUSTER NODES shows every node as a master with
// the slots it is primary of. Node ids are 40 hex digits derived from the node's index, the same
// on every member.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/config_summary.h"
#include "core/cluster/placement.h"
#include "core/commands/command_gate.h"
#include "core/commands/command_table.h"
#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/limits.h"
#include "core/resp/resp_writer.h"
#include "core/store/store.h"

namespace shoal::commands {
namespace {

std::uint64_t Mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

struct SlotRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  std::span<const cluster::NodeId> replicas;  // primary first
};

// Runs of consecutive slots with the same preference list.
std::vector<SlotRange> Ranges(const cluster::Placement& placement) {
  std::vector<SlotRange> ranges;
  for (std::uint32_t s = 0; s < limits::kSlotCount; ++s) {
    const auto slot = static_cast<std::uint16_t>(s);
    const std::span<const cluster::NodeId> replicas = placement.Replicas(slot);
    if (!ranges.empty() &&
        std::equal(replicas.begin(), replicas.end(), ranges.back().replicas.begin())) {
      ranges.back().last = slot;
      continue;
    }
    ranges.push_back(SlotRange{.first = slot, .last = slot, .replicas = replicas});
  }
  return ranges;
}

struct HostPort {
  std::string host;
  std::uint32_t port = 0;
};

// "10.0.0.1:7001" or "[::1]:7001" (ClusterConfig::node_addresses); a missing one: no host.
HostPort SplitAddress(const ClusterView& view, std::uint32_t node) {
  HostPort out;
  if (view.node_addresses == nullptr || node >= view.node_addresses->size()) return out;
  const std::string& address = (*view.node_addresses)[node];
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return out;
  out.host = address.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  out.port = static_cast<std::uint32_t>(std::strtoul(address.c_str() + colon + 1, nullptr, 10));
  return out;
}

// The node's config epoch as Redis Cluster would show it: distinct per node, fixed (membership
// and primaries do not change in this version).
std::uint64_t ConfigEpoch(std::uint32_t node) { return node + 1; }

}  // namespace

std::string ClusterNodeId(std::uint32_t node) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64 "%016" PRIx64 "%08" PRIx32, Mix(node + 1),
                Mix(~std::uint64_t{node}), static_cast<std::uint32_t>(Mix(node + 77)));
  return std::string(buf, 40);
}

void ClusterSlots(CommandContext& ctx, CommandArgs argv) {
  if (ctx.gate == nullptr) return ClusterDisabled(ctx, argv);
  const ClusterView view = ctx.gate->View();
  const std::vector<SlotRange> ranges = Ranges(*view.placement);
  ctx.reply.ArrayHeader(ranges.size());
  for (const SlotRange& range : ranges) {
    ctx.reply.ArrayHeader(2 + range.replicas.size());
    ctx.reply.Integer(range.first);
    ctx.reply.Integer(range.last);
    for (const cluster::NodeId node : range.replicas) {
      const HostPort address = SplitAddress(view, node);
      ctx.reply.ArrayHeader(4);
      ctx.reply.Bulk(address.host);
      ctx.reply.Integer(address.port);
      ctx.reply.Bulk(ClusterNodeId(node));
      ctx.reply.MapHeader(0);  // no extra networking metadata (hostname)
    }
  }
}

void ClusterShards(CommandContext& ctx, CommandArgs argv) {
  if (ctx.gate == nullptr) return ClusterDisabled(ctx, argv);
  const ClusterView view = ctx.gate->View();
  // Shards in the order their first slot appears; each with its runs of slots.
  struct Shard {
    std::span<const cluster::NodeId> replicas;
    std::vector<std::uint16_t> bounds;  // first, last, first, last, ...
  };
  std::vector<Shard> shards;
  for (const SlotRange& range : Ranges(*view.placement)) {
    auto same = [&](const Shard& s) {
      return std::equal(range.replicas.begin(), range.replicas.end(), s.replicas.begin());
    };
    auto it = std::find_if(shards.begin(), shards.end(), same);
    if (it == shards.end()) it = shards.insert(shards.end(), Shard{.replicas = range.replicas});
    it->bounds.push_back(range.first);
    it->bounds.push_back(range.last);
  }
  ctx.reply.ArrayHeader(shards.size());
  for (const Shard& shard : shards) {
    ctx.reply.MapHeader(2);
    ctx.reply.Bulk("slots");
    ctx.reply.ArrayHeader(shard.bounds.size());
    for (const std::uint16_t b : shard.bounds) ctx.reply.Integer(b);
    ctx.reply.Bulk("nodes");
    ctx.reply.ArrayHeader(shard.replicas.size());
    for (std::size_t i = 0; i < shard.replicas.size(); ++i) {
      const cluster::NodeId node = shard.replicas[i];
      const HostPort address = SplitAddress(view, node);
      // Health as this node knows it: itself loading while it recovers; peers online (there is
      // no failure detector yet: cluster core part 2).
      const bool loading = node == view.self && !view.serving;
      ctx.reply.MapHeader(7);
      ctx.reply.Bulk("id");
      ctx.reply.Bulk(ClusterNodeId(node));
      ctx.reply.Bulk("port");
      ctx.reply.Integer(address.port);
      ctx.reply.Bulk("ip");
      ctx.reply.Bulk(address.host);
      ctx.reply.Bulk("endpoint");
      ctx.reply.Bulk(address.host);
      ctx.reply.Bulk("role");
      ctx.reply.Bulk(i == 0 ? "master" : "replica");
      ctx.reply.Bulk("replication-offset");
      ctx.reply.Integer(0);
      ctx.reply.Bulk("health");
      ctx.reply.Bulk(loading ? "loading" : "online");
    }
  }
}

void ClusterNodes(CommandContext& ctx, CommandArgs argv) {
  if (ctx.gate == nullptr) return ClusterDisabled(ctx, argv);
  const ClusterView view = ctx.gate->View();
  const cluster::Placement& placement = *view.placement;
  std::string text;
  for (std::uint32_t node = 0; node < placement.node_count(); ++node) {
    const HostPort address = SplitAddress(view, node);
    text += ClusterNodeId(node);
    text += ' ';
    text += address.host.find(':') == std::string::npos ? address.host : "[" + address.host + "]";
    text += ':' + std::to_string(address.port) + '@' +
            std::to_string(address.port + limits::kClusterPeerPortOffset);
    text += node == view.self ? " myself,master - 0 0 " : " master - 0 0 ";
    text += std::to_string(ConfigEpoch(node)) + " connected";
    // The slots it is primary of, as runs "first-last" (or one slot alone).
    const std::span<const std::uint16_t> slots = placement.PrimarySlotsOf(node);
    for (std::size_t i = 0; i < slots.size();) {
      std::size_t j = i;
      while (j + 1 < slots.size() && slots[j + 1] == slots[j] + 1) ++j;
      text += ' ' + std::to_string(slots[i]);
      if (j > i) text += '-' + std::to_string(slots[j]);
      i = j + 1;
    }
    text += '\n';
  }
  ctx.reply.Verbatim(text);
}

void ClusterInfo(CommandContext& ctx, CommandArgs argv) {
  if (ctx.gate == nullptr) return ClusterDisabled(ctx, argv);
  const ClusterView view = ctx.gate->View();
  const std::uint32_t nodes = view.placement->node_count();
  const std::string slots_ok = view.serving ? std::to_string(limits::kSlotCount) : "0";
  std::string text;
  text += std::string("cluster_state:") + (view.serving ? "ok" : "fail") + "\r\n";
  text += "cluster_slots_assigned:" + std::to_string(limits::kSlotCount) + "\r\n";
  text += "cluster_slots_ok:" + slots_ok + "\r\n";
  text += "cluster_slots_pfail:0\r\n";
  text += "cluster_slots_fail:0\r\n";
  text += "cluster_known_nodes:" + std::to_string(nodes) + "\r\n";
  text += "cluster_size:" + std::to_string(nodes) + "\r\n";  // every node is some slots' primary
  text += "cluster_current_epoch:" + std::to_string(ConfigEpoch(nodes - 1)) + "\r\n";
  text += "cluster_my_epoch:" + std::to_string(ConfigEpoch(view.self)) + "\r\n";
  text += "shoal_incarnation:" + std::to_string(view.incarnation) + "\r\n";
  if (view.config_log != nullptr) {
    text += cluster::SummaryFields(
        cluster::Summarize(*view.config_log, *view.configuration, view.self));
  }
  ctx.reply.Verbatim(text);
}

void ClusterMyId(CommandContext& ctx, CommandArgs argv) {
  if (ctx.gate == nullptr) return ClusterDisabled(ctx, argv);
  ctx.reply.Bulk(ClusterNodeId(ctx.gate->View().self));
}

void ClusterCountKeysInSlot(CommandContext& ctx, CommandArgs argv) {
  if (ctx.gate == nullptr) return ClusterDisabled(ctx, argv);
  const std::optional<std::int64_t> slot = ParseInt64(argv[2]);
  if (!slot || *slot < 0 || *slot >= static_cast<std::int64_t>(limits::kSlotCount)) {
    ctx.reply.Error("ERR Invalid or out of range slot");
    return;
  }
  ctx.reply.Integer(
      static_cast<std::int64_t>(ctx.store.SlotKeys(static_cast<std::uint16_t>(*slot))));
}

// WAIT numreplicas timeout (Redis 7.0 waitCommand's checks and replies). On a node of a cluster a
// reply that depends on a write is held until every backup of the write's slot applied it
// (cluster/slot_replication.h), and a client's replies leave in its commands' order (core/node.h),
// so when WAIT is answered every earlier write of the connection is on every copy of its slot:
// WAIT answers at once with the backups per slot (copies - 1), and 0 on a single node. It never
// waits for more, since no more copies can appear (Redis would block until the timeout). When
// commits count only the in-sync set (cluster core part 2), this must become the smallest in-sync
// set the client's writes committed on, less the primary.
void Wait(CommandContext& ctx, CommandArgs argv) {
  if (!ParseInt64(argv[1])) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  const std::optional<std::int64_t> timeout = ParseInt64(argv[2]);
  if (!timeout) {
    ctx.reply.Error("ERR timeout is not an integer or out of range");
    return;
  }
  if (*timeout < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return;
  }
  std::int64_t backups = 0;
  if (ctx.gate != nullptr) {
    backups =
        static_cast<std::int64_t>(ctx.gate->View().placement->options().replication_factor) - 1;
  }
  ctx.reply.Integer(backups);
}

void ClusterNotYet(CommandContext& ctx, CommandArgs argv) {
  if (ctx.gate == nullptr) return ClusterDisabled(ctx, argv);
  ctx.reply.Error("ERR CLUSTER " + std::string(argv[1]) + " is not supported by Shoal yet");
}

}  // namespace shoal::commands
