#include "core/node.h"

#include "core/cluster/cluster_config.h"
#include "core/cluster/cluster_node.h"
#include "core/commands/command_table.h"
#include "core/limits.h"

namespace shoal {
namespace {

StoreOptions StoreOptionsFor(const NodeConfig& config) {
  StoreOptions options = config.store;
  if (config.cluster != nullptr) options.count_slots = true;  // DBSIZE of the node's own slots
  return options;
}

}  // namespace

Node::Node(const NodeConfig& config) : config_(config), store_(StoreOptionsFor(config)) {
  if (config_.cluster != nullptr) {
    cluster_ = std::make_unique<cluster::ClusterNode>(*config_.cluster, store_);
  }
  if (cluster_ != nullptr || config_.report_evictions) store_.SetEvictionListener(this);
}

Node::~Node() { store_.SetEvictionListener(nullptr); }

void Node::Step(NodeTime now, const Input& input, Effects& effects) {
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
  effects_ = &effects;
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
                     .reply = writer};
  ExecuteCommand(ctx, in.argv);
  effects.EndReply();
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
                     .mutation = &mutation_};
  ExecuteCommand(ctx, argv);
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
