#include "core/node.h"

#include "core/cluster/replica.h"
#include "core/commands/command_table.h"
#include "core/limits.h"

namespace shoal {

Node::Node(const NodeConfig& config) : config_(config), store_(config.store) {
  if (config_.cluster.node_count > 1) {
    replica_ = std::make_unique<cluster::Replica>(config_, store_, counters_, sessions_);
  }
}

Node::~Node() = default;

void Node::Step(TimeMs now, const Input& input, Effects& effects) {
  if (counters_.started_at == 0) counters_.started_at = now;
  std::visit(
      [&](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, ClientConnected>) {
          OnConnected(now, in, effects);
        } else if constexpr (std::is_same_v<T, ClientCommand>) {
          OnCommand(now, in, effects);
        } else if constexpr (std::is_same_v<T, ClientDisconnected>) {
          OnDisconnected(in);
        } else {
          // A single node has no peers.
          SHOAL_ASSERT_MSG(replica_ != nullptr, "peer message to a single node");
          SHOAL_ASSERT(in.message != nullptr);
          replica_->OnPeerMessage(now, in.from, *in.message, effects);
        }
      },
      input);
}

void Node::Tick(TimeMs now, Effects& effects) {
  if (counters_.started_at == 0) counters_.started_at = now;
  store_.ExpireSome(now, limits::kActiveExpireKeysPerTick);
  if (replica_ != nullptr) replica_->Tick(now, effects);
}

void Node::OnConnected(TimeMs now, const ClientConnected& in, Effects& effects) {
  auto [it, inserted] = sessions_.try_emplace(in.client);
  SHOAL_ASSERT_MSG(inserted, "client id reused while connected");
  Session& session = it->second;
  session.id = in.client;
  session.address = std::string(in.address);
  session.connected_at = now;
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

void Node::OnCommand(TimeMs now, const ClientCommand& in, Effects& effects) {
  SHOAL_ASSERT(!in.argv.empty());
  auto it = sessions_.find(in.client);
  SHOAL_ASSERT_MSG(it != sessions_.end(), "command from a client that never connected");
  Session& session = it->second;
  if (session.closing) return;
  counters_.total_commands_processed++;
  if (replica_ != nullptr) {
    replica_->OnCommand(now, session, in.argv, effects);
    return;
  }
  effects.BeginReply(in.client);
  RespWriter writer(effects.bytes, session.resp);
  CommandContext ctx{.now = now,
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

void Node::OnDisconnected(const ClientDisconnected& in) {
  auto it = sessions_.find(in.client);
  if (it == sessions_.end()) return;
  sessions_.erase(it);
  if (replica_ != nullptr) replica_->OnDisconnected(in.client);
  SHOAL_ASSERT(counters_.connected_clients > 0);
  counters_.connected_clients--;
}

}  // namespace shoal
