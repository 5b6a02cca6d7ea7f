// Server: the real driver. It owns one core::Node and one single-threaded Asio event loop, feeds
// the Node every input through Node::Step / Node::Tick (the same seam the simulator drives, never
// a second path) and carries out the Effects: replies routed by ClientId to live connections,
// closes, shutdown.
//
//   Server server(node_config, options);
//   auto port = server.Listen();        // binds; the real port when options.port == 0
//   server.Run();                       // serves until SIGINT/SIGTERM/SHUTDOWN, then drains
//
// In cluster mode the peer messages the Node emits go out through PeerLinks, and the frames that
// arrive are Steps of their own; after every batch of inputs (a client's batch, a tick, the
// frames of one peer read) the Node is flushed, so its replication leaves together.
//
// Per connection one coroutine: read (at most limits::kReadChunkBytes) into a reused buffer,
// parse every complete command (at most limits::kCommandsPerReadMax before yielding), Step each,
// write the whole batch's replies with one write. Every size a client controls is bounded.
// Around each command's Step the connection reads CycleClock once (a chain: the previous reading
// starts the next command) and hands the duration to Node::CommandTook; each tick hands the Node
// the process's CPU and RSS and, with metrics on, publishes a MetricsSnapshot to the metrics
// thread, which serves /metrics without ever touching this loop.
//
// Thread safety: construct, Listen and Run on one thread; RequestShutdown may be called from any
// thread (it writes a byte to a pipe the loop reads). The loop runs with
// BOOST_ASIO_CONCURRENCY_HINT_UNSAFE (no locks at all), so nothing else may touch it.
// Shared-nothing: one thread, one io_context, one Node; no --threads flag (see
// docs/design.md §7, "Threads: one"). Invariants:
//   1. Every connection the Node was told about (ClientConnected) is told gone exactly once
//      (ClientDisconnected), before its ClientId leaves the registry.
//   2. A connection's replies are written in the order its commands were executed.
//   3. A connection the Node was never told about (refused by protected mode) gets nothing but
//      the -DENIED reply and a close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/limits.h"
#include "core/node_config.h"
#include "core/resp/resp_parser.h"
#include "net/listen_result.h"
#include "net/metrics_server.h"
#include "net/peer_links.h"

namespace shoal::net {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 7379;  // 0: any free port
  ParserLimits parser;
  // Received-but-unexecuted bytes per connection; past this: error reply and close.
  std::size_t input_bytes_max = limits::kValueBytesDefault + limits::kPendingInputSlackBytes;
  // Replies queued for a client that does not read; past this: close (with a log line).
  std::size_t output_bytes_max = limits::kOutputBytesMax;
  // Graceful shutdown: how long connections may take to flush before they are cut.
  std::int64_t drain_timeout_ms = limits::kShutdownDrainMs;
  // SIGINT/SIGTERM start a graceful shutdown (off in in-process tests).
  bool handle_signals = true;
  // Cluster mode: the peer port and the members (net/peer_links.h). The Node's configuration
  // must then have a cluster of the same members.
  std::optional<PeerLinksOptions> peers;
  // Cluster mode: where the configuration log's voter state is kept (net/state_file.h). Written
  // whenever a step changed it, before that step's messages leave; a write that fails stops the
  // process (a voter that cannot keep its promises must not make more). Empty: not kept.
  std::string voter_state_path;
  // Prometheus /metrics on its own thread (net/metrics_server.h); unset: no listener.
  std::optional<MetricsOptions> metrics;
  // Protected mode (net/protected_mode.h): while the NodeConfig has no requirepass, a client
  // from a non-loopback address is sent -DENIED and closed.
  bool protected_mode = true;
  // Redis's `timeout`: a client idle for longer than this is closed; 0: never. Idle means nothing
  // received and nothing written for that long, with no reply queued, being written or held
  // behind an unfinished write. Looked for once per limits::kIdleCheckIntervalMs.
  std::int64_t idle_timeout_ms = 0;
};

class Server {
 public:
  Server(const NodeConfig& node_config, const ServerOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens (the client port, and the metrics port if configured). Returns the bound
  // client port, or a message saying why not.
  ListenResult Listen();
  // The bound metrics port after a successful Listen; unset when metrics are off.
  std::optional<std::uint16_t> metrics_port() const;
  // Serves on the calling thread until a shutdown has drained. REQUIRES: Listen() succeeded.
  void Run();
  // Starts a graceful shutdown (as SIGTERM does). Safe from any thread.
  void RequestShutdown();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoal::net
