#include "core/node.h"

#include <algorithm>

#include "core/cluster/cluster_config.h"
#include "core/cluster/cluster_node.h"
#include "core/cluster/config_summary.h"
#include "core/commands/command_spec.h"
#include "core/commands/command_table.h"
#include "core/commands/command_util.h"
#include "core/limits.h"
#include "core/stats/metrics.h"

namespace shoal {
namespace {

StoreOptions StoreOptionsFor(const NodeConfig& config) {
  StoreOptions options = config.store;
  if (config.cluster != nullptr) options.count_slots = true;  // DBSIZE of the node's own slots
  return options;
}

}  // namespace

Node::Node(const NodeConfig& config)
    : config_(config), store_(StoreOptionsFor(config)), stats_(CommandStatCount(), config.stats) {
  if (config_.cluster != nullptr) {
    cluster_ = std::make_unique<cluster::ClusterNode>(*config_.cluster, store_, config_.voter_state,
                                                      config_.election_seed);
  }
  if (cluster_ != nullptr || config_.report_evictions) store_.SetEvictionListener(this);
}

Node::~Node() { store_.SetEvictionListener(nullptr); }

void Node::Step(NodeTime now, const Input& input, Effects& effects) {
  untimed_.spec = nullptr;  // a CommandTook after this Step times this Step's command only
  if (cluster_ != nullptr) return StepReplicated(now, input, effects);
  // A single node: the hot path of every command, kept apart so that it stays small. (A command
  // always follows its client's ClientConnected, which starts the uptime clock.)
  if (const ClientCommand* command = std::get_if<ClientCommand>(&input)) [[likely]] {
    effects_ = &effects;
    OnCommand(now, *command, effects);
    effects_ = nullptr;
    return;
  }
  if (counters_.started_at == 0) counters_.started_at = now.wall;
  effects_ = &effects;
  std::visit(
      [&](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, ClientConnected>) {
          OnConnected(now.wall, in, effects);
        } else if constexpr (std::is_same_v<T, ClientDisconnected>) {
          OnDisconnected(in);
        } else if constexpr (std::is_same_v<T, PeerMessage>) {
          SHOAL_ASSERT_MSG(false, "peer message to a single node");
        }
      },
      input);
  effects_ = nullptr;
}

void Node::StepReplicated(NodeTime now, const Input& input, Effects& effects) {
  if (counters_.started_at == 0) counters_.started_at = now.wall;
  effects_ = &effects;
  cluster_->EnsureStarted(now, effects);
  std::visit(
      [&](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, ClientConnected>) {
          OnConnected(now.wall, in, effects);
        } else if constexpr (std::is_same_v<T, ClientCommand>) {
          OnCommand(now, in, effects);
        } else if constexpr (std::is_same_v<T, ClientDisconnected>) {
          OnDisconnected(in);
        } else {
          SHOAL_ASSERT(in.envelope != nullptr);
          cluster_->OnMessage(now, *in.envelope, effects);
        }
      },
      input);
  ReleaseWoken(effects);
  cluster_->AfterStep(now, effects);
  ReleaseWoken(effects);
  effects_ = nullptr;
}

void Node::Tick(NodeTime now, Effects& effects) {
  if (counters_.started_at == 0) counters_.started_at = now.wall;
  untimed_.spec = nullptr;
  effects_ = &effects;
  stats_.hot_keys.Tick(now.mono);
  stats_.used_memory_peak = std::max(stats_.used_memory_peak, store_.used_bytes());
  // A recovering node keeps the versions of expired items until it serves (key_versions.h).
  if (cluster_ == nullptr || !cluster_->recovering()) {
    store_.ExpireSome(now.wall, limits::kActiveExpireKeysPerTick);
  }
  if (cluster_ != nullptr) {
    cluster_->Tick(now, effects);
    ReleaseWoken(effects);
    cluster_->AfterStep(now, effects);
    ReleaseWoken(effects);
    cluster_->Flush(now, effects);  // the safety net for drivers that batch their flushes
  }
  effects_ = nullptr;
}

void Node::Flush(NodeTime now, Effects& effects) {
  if (cluster_ == nullptr) return;
  effects_ = &effects;
  cluster_->Flush(now, effects);
  effects_ = nullptr;
}

void Node::OnExpired(std::string_view key, std::uint64_t /*version*/) {
  if (cluster_ != nullptr) cluster_->OnExpired(key);
}

void Node::OnEvicted(std::string_view key, std::uint64_t version) {
  if (cluster_ != nullptr) cluster_->OnEvicted(key, version);
  if (config_.report_evictions && effects_ != nullptr) effects_->evicted.emplace_back(key);
}

void Node::OnConnected(TimeMs wall, const ClientConnected& in, Effects& effects) {
  auto [it, inserted] = sessions_.try_emplace(in.client);
  SHOAL_ASSERT_MSG(inserted, "client id reused while connected");
  Session& session = it->second;
  session.id = in.client;
  session.address = std::string(in.address);
  session.connected_at = wall;
  counters_.total_connections_received++;
  counters_.connected_clients++;
  if (counters_.connected_clients > config_.clients_max) {
    // Redis replies with this error and closes the connection.
    effects.BeginReply(in.client);
    RespWriter(effects.bytes, RespVersion::kResp2).Error("ERR max number of clients reached");
    effects.EndReply();
    effects.closes.push_back(in.client);
    session.closing = true;
  }
}

void Node::OnCommand(NodeTime now, const ClientCommand& in, Effects& effects) {
  SHOAL_ASSERT(!in.argv.empty());
  auto it = sessions_.find(in.client);
  SHOAL_ASSERT_MSG(it != sessions_.end(), "command from a client that never connected");
  Session& session = it->second;
  if (session.closing) return;
  counters_.total_commands_processed++;
  if (cluster_ != nullptr) {
    OnCommandReplicated(now, session, in.argv, effects);
    return;
  }
  effects.BeginReply(in.client);
  RespWriter writer(effects.bytes, session.resp);
  CommandContext ctx{.now = now.wall,
                     .store = store_,
                     .session = session,
                     .counters = counters_,
                     .config = config_,
                     .reply = writer,
                     .stats = &stats_};
  ExecuteCommand(ctx, in.argv);
  effects.EndReply();
  if (ctx.executed != nullptr) CommandRan(ctx, now.wall, in.argv);
  if (ctx.close_after_reply) {
    session.closing = true;
    effects.closes.push_back(in.client);
  }
  if (ctx.shutdown) effects.shutdown = true;
}

void Node::OnCommandReplicated(NodeTime now, Session& session,
                               std::span<const std::string_view> argv, Effects& effects) {
  const ClientId id = session.id;
  effects.BeginReply(id);
  const std::size_t mark = effects.bytes.size();
  RespWriter writer(effects.bytes, session.resp);
  mutation_.keys.clear();
  mutation_.flush = false;
  CommandContext ctx{.now = now.wall,
                     .store = store_,
                     .session = session,
                     .counters = counters_,
                     .config = config_,
                     .reply = writer,
                     .gate = cluster_.get(),
                     .mutation = &mutation_,
                     .stats = &stats_};
  ExecuteCommand(ctx, argv);
  if (ctx.executed != nullptr) CommandRan(ctx, now.wall, argv);
  const cluster::WriteId wait = cluster_->FinishCommand(mutation_);
  effects.EndReply();
  if (ctx.shutdown) effects.shutdown = true;
  if (wait != 0 || !session.held.empty()) {
    // Hold this reply (and so every later one of this connection) until its write commits.
    if (session.held.size() >= limits::kClientPendingRepliesMax) {
      session.closing = true;
      session.held.clear();
      effects.closes.push_back(id);
      effects.logs.push_back("client " + std::to_string(id) +
                             " pipelined too many commands behind unfinished writes; closing");
    } else {
      session.held.push_back(HeldReply{.bytes = effects.bytes.substr(mark), .wait = wait});
      if (wait != 0) cluster_->AddWaiter(wait, id);
      session.close_after_held = session.close_after_held || ctx.close_after_reply;
      if (ctx.close_after_reply) session.closing = true;
    }
    effects.bytes.resize(mark);
    Effects::Output& out = effects.outputs.back();
    out.end = mark;
    if (out.begin == out.end) effects.outputs.pop_back();
    return;
  }
  if (ctx.close_after_reply) {
    session.closing = true;
    effects.closes.push_back(id);
  }
}

void Node::ReleaseHeld(ClientId client, Effects& effects) {
  auto it = sessions_.find(client);
  if (it == sessions_.end()) return;
  Session& session = it->second;
  bool released = false;
  while (!session.held.empty()) {
    const HeldReply& front = session.held.front();
    if (front.wait != 0 && !cluster_->Committed(front.wait)) break;
    effects.Reply(client, front.bytes);
    session.held.pop_front();
    released = true;
  }
  if (released && session.held.empty() && session.close_after_held) {
    session.close_after_held = false;
    effects.closes.push_back(client);
  }
}

void Node::ReleaseWoken(Effects& effects) {
  for (ClientId client : cluster_->TakeWoken()) ReleaseHeld(client, effects);
}

void Node::OnDisconnected(const ClientDisconnected& in) {
  auto it = sessions_.find(in.client);
  if (it == sessions_.end()) return;
  sessions_.erase(it);
  SHOAL_ASSERT(counters_.connected_clients > 0);
  counters_.connected_clients--;
}

// --- Observability -------------------------------------------------------------------------------

void Node::CommandRan(const CommandContext& ctx, TimeMs now,
                      std::span<const std::string_view> argv) {
  untimed_ = {ctx.executed, ctx.executed_index, ctx.session.id, now, argv};
  if (ctx.executed->first_key > 0 && stats_.hot_keys.SampleNext()) [[unlikely]] {
    SampleKeys(*ctx.executed, argv);
  }
}

void Node::SampleKeys(const CommandSpec& spec, std::span<const std::string_view> argv) {
  const int argc = static_cast<int>(argv.size());
  const int last = std::min(spec.last_key < 0 ? argc + spec.last_key : spec.last_key, argc - 1);
  const int step = spec.key_step > 0 ? spec.key_step : 1;
  for (int i = spec.first_key; i <= last; i += step) stats_.hot_keys.Offer(argv[i]);
}

void Node::LogSlowCommand(std::uint64_t duration_ns) {
  const CommandSpec& spec = *untimed_.spec;
  if (spec.Has(kCmdSkipSlowlog)) return;
  const auto it = sessions_.find(untimed_.client);
  const Session* session = it == sessions_.end() ? nullptr : &it->second;
  stats_.slowlog.Push(untimed_.now, duration_ns / 1000, untimed_.argv,
                      SecretArguments(spec, untimed_.argv),
                      session != nullptr ? std::string_view(session->address) : "",
                      session != nullptr ? std::string_view(session->name) : "");
}

void Node::SnapshotMetrics(TimeMs now, MetricsSnapshot& out) const {
  const StoreStats& store = store_.stats();
  out.now = now;
  out.started_at = counters_.started_at;
  out.version = config_.version;
  out.redis_version = std::string(commands::kRedisCompatVersion);
  out.connected_clients = counters_.connected_clients;
  out.clients_max = config_.clients_max;
  out.connections_received = counters_.total_connections_received;
  out.commands_processed = counters_.total_commands_processed;
  out.keyspace_hits = store.hits;
  out.keyspace_misses = store.misses;
  out.expired_keys = store.expired;
  out.evicted_keys = store.evicted;
  out.keys = store_.size();
  out.keys_with_expiry = store.keys_with_expiry;
  out.memory_used_bytes = store_.used_bytes();
  out.memory_max_bytes = store_.options().maxmemory_bytes;
  out.memory_used_peak_bytes = std::max(stats_.used_memory_peak, out.memory_used_bytes);
  out.process = stats_.process;
  // Sized once, filled in place: a reused snapshot copies its histograms without allocating.
  std::size_t used = 0;
  ForEachCommandStat([&](const CommandSpec&, std::size_t index) {
    if (stats_.commands.Used(index)) ++used;
  });
  out.commands.resize(used);
  std::size_t next = 0;
  ForEachCommandStat([&](const CommandSpec& spec, std::size_t index) {
    if (!stats_.commands.Used(index)) return;
    const CommandStat& stat = stats_.commands.at(index);
    MetricsSnapshot::Command& c = out.commands[next++];
    c.name = spec.full_name;
    c.calls = stat.calls;
    c.failed = stat.failed;
    c.rejected = stat.rejected;
    if (stat.latency != nullptr) {
      c.latency = *stat.latency;
    } else {
      c.latency.Reset();
    }
  });
  out.error_replies = stats_.errors.total();
  out.errors = stats_.errors.kinds();
  out.slowlog_length = stats_.slowlog.size();
  out.slowlog_next_id = stats_.slowlog.next_id();
  out.hot_keys = stats_.hot_keys.Top(limits::kHotKeysExported);
  out.cluster = {};
  if (cluster_ != nullptr) {
    const cluster::ClusterConfig& cc = *config_.cluster;
    const cluster::ClusterCounters& counters = cluster_->counters();
    MetricsSnapshot::Cluster& c = out.cluster;
    c.enabled = true;
    c.serving = cluster_->serving();
    c.node_id = cc.node_id;
    c.nodes = cc.node_count;
    c.copies = cc.replication_factor;
    c.incarnation = cluster_->incarnation();
    c.primary_slots = cluster_->placement().PrimarySlotsOf(cc.node_id).size();
    c.backup_slots = cluster_->placement().SlotsOf(cc.node_id).size() - c.primary_slots;
    c.writes_committed = counters.writes_committed;
    c.writes_rejected = counters.writes_rejected;
    c.resends = counters.resends;
    c.recoveries = counters.recoveries;
    c.recovery_restarts = counters.recovery_restarts;
    c.moved = counters.moved;
    c.loading = counters.loading;
    c.crossslot = counters.crossslot;
    if (cluster_->started()) {
      const cluster::ConfigMember& member = cluster_->config_member();
      const cluster::ConfigSummary summary =
          cluster::Summarize(member.log(), member.configuration(), cc.node_id);
      c.config_epoch = summary.epoch;
      c.config_term = summary.term;
      c.config_leader = summary.leader ? static_cast<std::int64_t>(*summary.leader) : -1;
      c.config_leading = member.log().is_leader();
      c.members_up = summary.slots.members_up;
      c.slots_degraded = summary.slots.slots_degraded;
      c.slots_unavailable = summary.slots.slots_unavailable;
      c.slots_out_of_sync = summary.slots.slots_out_of_sync;
    }
  }
}

void Node::CheckInvariants(bool expensive) const {
  if (cluster_ != nullptr) cluster_->CheckInvariants(expensive);
  SHOAL_ASSERT(effects_ == nullptr);  // not inside a step
  if (!expensive) return;
  store_.CheckInvariants();
  std::size_t sessions = 0;
  for (const auto& [id, session] : sessions_) {
    sessions++;
    SHOAL_ASSERT(session.id == id);
    SHOAL_ASSERT(session.held.size() <= limits::kClientPendingRepliesMax);
    SHOAL_ASSERT(cluster_ != nullptr || session.held.empty());
    if (!session.held.empty()) {
      // The oldest held reply waits for a write that has not committed (else it was released).
      const std::uint64_t wait = session.held.front().wait;
      SHOAL_ASSERT(wait != 0 && !cluster_->Committed(wait));
    }
  }
  SHOAL_ASSERT(sessions == counters_.connected_clients);
}

}  // namespace shoal
