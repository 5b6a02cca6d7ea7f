// Node: the pure cache state machine that both drivers run (architecture.md §1). The Asio server
// (net/, server/) and the simulator (sim/) feed it inputs with the current time and carry out the
// effects it returns; nothing in here does I/O, reads a clock or draws a random number.
//
//   Step(now, input, effects)  one input: a client connected / sent a command / went away
//   Tick(now, effects)         periodic work (active expiry), every limits::kTickIntervalMs
//
// Effects are data, written into a caller-owned Effects that the driver clears and reuses, so the
// hot path allocates nothing per request.
//
// Thread safety: none; one Node per shard thread.
// Invariants:
//   1. Replies to one client appear in Effects in the order of that client's commands.
//   2. After a client's Close effect, the node ignores further commands from that client.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/node_config.h"
#include "core/resp/resp_writer.h"
#include "core/session.h"
#include "core/store/store.h"
#include "core/time.h"

namespace shoal {

namespace cluster {
class Replica;
}  // namespace cluster

struct ClientConnected {
  ClientId client = 0;
  std::string_view address;  // "ip:port", for CLIENT LIST/INFO and logs
};
struct ClientCommand {
  ClientId client = 0;
  std::span<const std::string_view> argv;  // argv[0] is the command name; never empty
};
struct ClientDisconnected {
  ClientId client = 0;
};

// A message from another node (replicated mode only).
struct PeerMessage {
  cluster::NodeId from = 0;
  const cluster::Message* message = nullptr;  // valid for the duration of Step
};

using Input = std::variant<ClientConnected, ClientCommand, ClientDisconnected, PeerMessage>;

// What the driver must do after a Step or Tick.
struct Effects {
  // A run of reply bytes for one client: bytes[begin, end).
  struct Output {
    ClientId client;
    std::size_t begin;
    std::size_t end;
  };
  std::string bytes;              // concatenated reply bytes
  std::vector<Output> outputs;    // in order
  std::vector<ClientId> closes;   // close after writing that client's pending output
  std::vector<std::string> logs;  // operator-visible log lines
  struct Send {
    cluster::NodeId to;
    cluster::Message message;
  };
  std::vector<Send> sends;  // peer messages to deliver (replicated mode only)
  bool shutdown = false;    // SHUTDOWN was requested (graceful)

  void Clear() {
    bytes.clear();
    outputs.clear();
    closes.clear();
    logs.clear();
    sends.clear();
    shutdown = false;
  }
  // Marks the start of a reply for `client`; everything appended to `bytes` until the next
  // BeginReply belongs to it. Consecutive replies to one client share one Output.
  void BeginReply(ClientId client) {
    if (outputs.empty() || outputs.back().client != client) {
      outputs.push_back({client, bytes.size(), bytes.size()});
    }
  }
  void EndReply() { outputs.back().end = bytes.size(); }
};

class Node {
 public:
  explicit Node(const NodeConfig& config);
  ~Node();

  void Step(TimeMs now, const Input& input, Effects& effects);
  void Tick(TimeMs now, Effects& effects);

  const Store& store() const { return store_; }
  const NodeCounters& counters() const { return counters_; }
  const NodeConfig& config() const { return config_; }
  // The replicated-mode protocol state (core/cluster/replica.h); null when node_count == 1.
  const cluster::Replica* replica() const { return replica_.get(); }
  cluster::Replica* replica() { return replica_.get(); }

 private:
  void OnConnected(TimeMs now, const ClientConnected& in, Effects& effects);
  void OnCommand(TimeMs now, const ClientCommand& in, Effects& effects);
  void OnDisconnected(const ClientDisconnected& in);

  NodeConfig config_;
  Store store_;
  NodeCounters counters_;
  absl::flat_hash_map<ClientId, Session> sessions_;
  // Replicated mode (node_count > 1): GET/SET/DEL and peer messages go through it.
  std::unique_ptr<cluster::Replica> replica_;
};

}  // namespace shoal
