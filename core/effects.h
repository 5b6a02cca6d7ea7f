// Input and Effects: what a driver hands a Node (core/node.h) and what the Node asks the driver to
// do, as plain data with no callbacks into I/O (architecture.md §1). The Asio server (net/) and
// the simulator (sim/) are the two drivers.
//
// Thread safety: plain data. Effects is caller-owned; the driver clears and reuses one, so the
// hot path allocates nothing per request.
// Invariants:
//   1. Outputs appear in the order the replies were produced; consecutive replies to one client
//      share one Output.
//   2. Every byte of `bytes` belongs to exactly one Output.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/cluster/messages.h"
#include "core/cluster/voter_state.h"
#include "core/session.h"

namespace shoal {

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
// A message from another node (replicated mode only), already decoded by the codec.
struct PeerMessage {
  const cluster::Envelope* envelope = nullptr;  // valid for the duration of Step
};

using Input = std::variant<ClientConnected, ClientCommand, ClientDisconnected, PeerMessage>;

struct Effects {
  // A run of reply bytes for one client: bytes[begin, end).
  struct Output {
    ClientId client;
    std::size_t begin;
    std::size_t end;
  };
  struct Send {
    cluster::NodeId to;
    cluster::Envelope envelope;
  };
  std::string bytes;              // concatenated reply bytes
  std::vector<Output> outputs;    // in order
  std::vector<ClientId> closes;   // close after writing that client's pending output
  std::vector<std::string> logs;  // operator-visible log lines
  std::vector<Send> sends;        // peer messages to deliver (replicated mode only)
  // Keys the store evicted during this step (only when NodeConfig::report_evictions is set: the
  // simulator records them for the consistency checker).
  std::vector<std::string> evicted;
  bool shutdown = false;  // SHUTDOWN was requested (graceful)
  // Replicated mode: the configuration-log voter state after this step, when the step changed it.
  // The driver MUST make it durable before it sends this step's `sends` (etcd-raft's Ready
  // contract, core/cluster/config_log.h); a crash may lose only what was never persisted.
  std::optional<cluster::VoterState> persist;

  [[gnu::noinline]] void ClearRare() {
    closes.clear();
    logs.clear();
    sends.clear();
    evicted.clear();
    persist.reset();
  }
  void Clear() {  // on every batch: small enough to inline, the rarely used members only tested
    bytes.clear();
    outputs.clear();
    shutdown = false;
    if (!closes.empty() || !logs.empty() || !sends.empty() || !evicted.empty() ||
        persist.has_value()) [[unlikely]] {
      ClearRare();
    }
  }
  // Marks the start of a reply for `client`; everything appended to `bytes` until the next
  // BeginReply belongs to it. Consecutive replies to one client share one Output.
  void BeginReply(ClientId client) {
    if (outputs.empty() || outputs.back().client != client) {
      outputs.push_back({client, bytes.size(), bytes.size()});
    }
  }
  void EndReply() { outputs.back().end = bytes.size(); }
  // Appends already-formatted reply bytes for `client`.
  void Reply(ClientId client, std::string_view reply) {
    BeginReply(client);
    bytes.append(reply);
    EndReply();
  }
};

}  // namespace shoal
