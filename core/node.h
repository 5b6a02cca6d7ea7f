// Node: the pure cache state machine that both drivers run (architecture.md §1). The Asio server
// (net/, server/) and the simulator (sim/) feed it inputs (core/effects.h) with the current time
// (two clocks, core/time.h) and carry out the effects it returns; nothing in here does I/O, reads
// a clock or draws a random number.
//
//   Step(now, input, effects)  one input: a client connected / sent a command / went away, or a
//                              peer message (replicated mode)
//   Tick(now, effects)         periodic work (active expiry, retries), every
//   limits::kTickIntervalMs
//
// One command path (architecture.md §9): every command goes through the command table once
// (lookup, arity, AUTH), then, in replicated mode, the cluster gate (core/cluster/cluster_node.h:
// MOVED / CROSSSLOT / LOADING / TRYAGAIN), then its handler, whose writes are applied to the store
// and recorded as a mutation (core/commands/key_writes.h). A single node is done there; the
// replicated mode hands the mutation to the slot's replication and holds the reply (and every
// later reply of the same connection) until the write it depends on has committed.
//
// Thread safety: none; one Node per shard thread.
// Invariants (CheckInvariants):
//   1. Replies to one client appear in Effects in the order of that client's commands.
//   2. After a client's Close effect, the node ignores further commands from that client.
//   3. A session holds at most limits::kClientPendingRepliesMax replies, and the oldest one waits
//      for a write that has not committed yet (the others wait behind it).
#pragma once

#include <memory>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "core/cluster/messages.h"
#include "core/effects.h"
#include "core/node_config.h"
#include "core/session.h"
#include "core/stats/node_stats.h"
#include "core/store/store.h"
#include "core/time.h"

namespace shoal {

namespace cluster {
class ClusterNode;
}  // namespace cluster
struct CommandContext;
struct CommandSpec;
struct MetricsSnapshot;

class Node final : private EvictionListener {
 public:
  explicit Node(const NodeConfig& config);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  void Step(NodeTime now, const Input& input, Effects& effects);
  void Tick(NodeTime now, Effects& effects);
  void Flush(NodeTime now, Effects& effects);

  // --- Observability: inputs only the driver can measure; they produce no effects ------------
  // The command of the Step(ClientCommand) that just returned took `duration_ns` on the driver's
  // monotonic clock. Feeds INFO commandstats/latencystats, LATENCY HISTOGRAM, /metrics and
  // SLOWLOG, so all of them answer from this one measurement. Ignored when that Step ran no
  // command handler (unknown, wrong arity, AUTH required, refused by the cluster gate, closing
  // client). A driver that never calls it (the simulator today) leaves latencies empty.
  // REQUIRES: called before the next Step or Tick, while that Step's argv is still valid.
  void CommandTook(std::uint64_t duration_ns) {  // inline: once per command on the hot path
    if (untimed_.spec == nullptr) return;
    stats_.commands.Took(untimed_.index, duration_ns);
    if (stats_.slowlog.Wants(duration_ns)) [[unlikely]] {
      LogSlowCommand(duration_ns);
    }
    untimed_.spec = nullptr;
  }
  // The process's CPU time and RSS, as the driver last read them (INFO CPU and Memory, /metrics).
  void SetProcessUsage(const ProcessUsage& usage) { stats_.process = usage; }
  const NodeStats& stats() const { return stats_; }
  // Copies what /metrics reports (`now`: the wall clock), for the driver to hand to another
  // thread. Reusing `out` across calls copies the histograms without allocating.
  void SnapshotMetrics(TimeMs now, MetricsSnapshot& out) const;

  const Store& store() const { return store_; }
  const NodeCounters& counters() const { return counters_; }
  const NodeConfig& config() const { return config_; }
  // The replicated-mode protocol state; null on a single node.
  const cluster::ClusterNode* cluster() const { return cluster_.get(); }

  // Aborts if an invariant (of the node, its store and its cluster layer) does not hold. The cheap
  // checks are O(peers); `expensive` adds the O(keys) store walk, the sessions, and the
  // O(writes in flight x streams + slots) replication checks.
  void CheckInvariants(bool expensive) const;

 private:
  void OnConnected(TimeMs wall, const ClientConnected& in, Effects& effects);
  void StepReplicated(NodeTime now, const Input& input, Effects& effects);
  void OnCommand(NodeTime now, const ClientCommand& in, Effects& effects);
  void OnCommandReplicated(NodeTime now, Session& session, std::span<const std::string_view> argv,
                           Effects& effects);
  void OnDisconnected(const ClientDisconnected& in);
  // Releases the held replies of `client` whose writes have committed, in order.
  void ReleaseHeld(ClientId client, Effects& effects);
  void ReleaseWoken(Effects& effects);
  void OnEvicted(std::string_view key, std::uint64_t version) override;
  void OnExpired(std::string_view key, std::uint64_t version) override;

  NodeConfig config_;
  Store store_;
  NodeCounters counters_;
  absl::flat_hash_map<ClientId, Session> sessions_;  // lookups only, never iterated for output
  std::unique_ptr<cluster::ClusterNode> cluster_;
  cluster::Mutation mutation_;  // replicated mode: the current command's effects (reused)
  Effects* effects_ = nullptr;  // during a Step or Tick: where evictions are reported

  // Observability (core/stats/): fed by OnCommand and CommandTook.
  // After ExecuteCommand ran a handler: remembers it for CommandTook and samples its keys.
  void CommandRan(const CommandContext& ctx, TimeMs now, std::span<const std::string_view> argv);
  void SampleKeys(const CommandSpec& spec, std::span<const std::string_view> argv);
  [[gnu::noinline]] void LogSlowCommand(std::uint64_t duration_ns);  // off the hot path
  NodeStats stats_;
  // The command the last Step executed, until CommandTook times it (or the next Step).
  struct Untimed {
    const CommandSpec* spec = nullptr;  // null: nothing to time
    std::size_t index = 0;
    ClientId client = 0;
    TimeMs now = 0;
    std::span<const std::string_view> argv;  // the driver's buffer: valid until the next Step
  };
  Untimed untimed_;
};

}  // namespace shoal
