// Server::Impl and Connection: the private insides of the real driver (net/server.h), shared by
// net/server.cc (the loop, accepting, routing Effects, ticks, shutdown) and net/connection.cc (one
// client's coroutine: read, parse, Step, write). Nothing outside those two files includes this.
//
// Thread safety: the loop's thread only (net/server.h). Invariants: net/server.h's; a Connection
// is in Impl::connections from its registration until Unregister, and the registry's pointer
// never outlives the object (the coroutine owns it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/node.h"
#include "core/resp/resp_parser.h"
#include "net/asio_types.h"
#include "net/log.h"
#include "net/protected_mode.h"
#include "net/read_buffer.h"
#include "net/server.h"

namespace shoal::net {

namespace asio = boost::asio;
using boost::system::error_code;

// The only clocks the core ever sees (core/time.h), both read once per batch: steady_clock for
// timeouts and retries, system_clock (Unix epoch milliseconds) for expiry.
NodeTime NowMs();

// Empties a reply string; one that grew past limits::kReadChunkBytes x 4 (one big GET) gives its
// memory back, so an idle connection does not pin megabytes; below that, capacity is reused.
void Release(std::string& bytes);

class Connection;

struct Server::Impl {
  Impl(const NodeConfig& node_config, const ServerOptions& server_options)
      // One thread runs this loop and nothing else touches it (RequestShutdown writes to a pipe),
      // so the scheduler and reactor run without any locking.
      : io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE),
        acceptor(io.get_executor()),
        signals(io.get_executor()),
        tick_timer(io.get_executor()),
        drain_timer(io.get_executor()),
        shutdown_pipe(io.get_executor()),
        node(node_config),
        options(server_options),
        latency_tracking(node_config.latency_tracking) {
    if (options.peers) {
      links = std::make_unique<PeerLinks>(
          io, *options.peers,
          [this](const cluster::Envelope& envelope) {
            effects.Clear();
            node.Step(NowMs(), PeerMessage{&envelope}, effects);
            Route(effects, nullptr);
          },
          [this] {
            effects.Clear();
            node.Flush(NowMs(), effects);
            Route(effects, nullptr);
          });
    }
  }

  Task<> AcceptLoop();
  Task<> TickLoop();
  // Hands the Node the process's resource use and, with metrics on, publishes a snapshot if a
  // scrape waits for one (or `publish` says so).
  void Observe(NodeTime now, bool publish = false);
  Task<> ShutdownPipeLoop();
  // Carries out `fx` (from a Step or Tick): logs, replies routed by ClientId, closes, shutdown.
  // `current` is the connection whose batch produced it (nullptr for Tick/connect/disconnect).
  void Route(Effects& fx, Connection* current);
  Connection* Find(ClientId client) {
    auto it = connections.find(client);
    return it == connections.end() ? nullptr : it->second;
  }
  // Tells the Node a connection is gone and forgets it (invariant 1).
  void Unregister(Connection& connection);
  void BeginShutdown(std::string_view reason);
  void MaybeFinish();
  // Protected mode: sends -DENIED to a client the Node never hears of, closes it, logs (rarely).
  void Refuse(Socket& socket, const std::string& address);
  // --timeout: closes every client idle for longer than options.idle_timeout_ms (Redis's
  // clientsCronHandleTimeout). Called from the tick, once per limits::kIdleCheckIntervalMs.
  void CloseIdle(std::int64_t now_ms);

  asio::io_context io;
  Acceptor acceptor;
  SignalSet signals;
  Timer tick_timer;
  Timer drain_timer;
  Pipe shutdown_pipe;  // read end: a byte here means RequestShutdown()
  int shutdown_pipe_write = -1;
  Node node;
  ServerOptions options;
  std::unique_ptr<PeerLinks> links;        // cluster mode only
  const bool latency_tracking;             // NodeConfig::latency_tracking: time every command
  std::unique_ptr<MetricsServer> metrics;  // null: --metrics-port not given
  std::optional<std::uint16_t> metrics_port;
  // Snapshots handed to the metrics thread, reused once it has let go of them: the published
  // one, the one a scrape may still be formatting, and a free one.
  static constexpr std::size_t kSnapshotPoolMax = 3;
  std::vector<std::shared_ptr<MetricsSnapshot>> snapshot_pool;
  Effects effects;  // reused by every Step/Tick: the hot path allocates nothing
  absl::flat_hash_map<ClientId, Connection*> connections;
  ClientId client_id_next = 1;
  // The monotonic clock (ms) as of the last tick: connections stamp their activity with it, so
  // a read costs no clock reading. Idle clients are looked for again at idle_check_next_ms.
  std::int64_t clock_ms = 0;
  std::int64_t idle_check_next_ms = 0;
  RefusalLog refusals{limits::kProtectedModeLogIntervalMs};
  bool listening = false;
  bool draining = false;
  bool finished = false;
};

// One client connection. Owned by its coroutine (shared_ptr); the registry holds a raw pointer
// that is removed before the object dies.
class Connection {
 public:
  Connection(Server::Impl& server, Socket socket, ClientId id, std::string address)
      : server_(server),
        socket_(std::move(socket)),
        id_(id),
        address_(std::move(address)),
        input_(limits::kReadChunkBytes),
        parser_(server.options.parser),
        last_active_ms_(server.clock_ms) {}

  static Task<> Run(std::shared_ptr<Connection> self) { co_await self->Loop(); }

  ClientId id() const { return id_; }
  const std::string& address() const { return address_; }

  // Queues reply bytes (copy). Closes the connection if its queued output passes the limit.
  void Enqueue(std::string_view bytes) {
    if (dead_) return;
    if (output_.size() + writing_.size() + bytes.size() > server_.options.output_bytes_max) {
      Abort("output buffer limit reached (client not reading?)");
      return;
    }
    output_.append(bytes);
  }
  // Queues reply bytes by taking `bytes` (swap, no copy) when nothing else is queued.
  void Adopt(std::string& bytes) {
    if (dead_ || !output_.empty()) {
      Enqueue(bytes);
      return;
    }
    if (writing_.size() + bytes.size() > server_.options.output_bytes_max) {
      Abort("output buffer limit reached (client not reading?)");
      return;
    }
    output_.swap(bytes);
  }
  // The Node asked to close: write what is queued, then close.
  void RequestClose() { close_requested_ = true; }
  // Makes the coroutine look at its state again (new output, a close, a shutdown): a pending
  // read is cancelled; data still in the kernel stays there for the next read.
  void Wake() {
    if (!reading_) return;
    error_code ec;
    socket_.cancel(ec);
  }
  // Replies routed from outside this connection's own batch (held replies whose writes
  // committed): nothing is held any more, as far as the driver can tell (it cannot see the Node's
  // queue, so a partial release of several held replies counts as all).
  void ReleasedHeld() { held_ = false; }
  // How long (ms) this connection has been idle at `now_ms`: 0 while it has work in flight
  // (output queued or being written, a pipeline left to execute, a reply held).
  std::int64_t IdleMs(std::int64_t now_ms) const {
    if (dead_ || !output_.empty() || !writing_.empty() || more_input_ || held_) return 0;
    return now_ms - last_active_ms_;
  }
  // Closes now, dropping queued output (limit breaches, drain timeout, idle).
  void Abort(std::string_view reason, LogLevel level = LogLevel::kInfo) {
    if (dead_) return;
    Log(level, "closing client id=" + std::to_string(id_) + " addr=" + address_ + ": " +
                   std::string(reason));
    dead_ = true;
    close_requested_ = true;
    output_.clear();
    error_code ec;
    socket_.close(ec);
  }

 private:
  Task<> Loop();
  // Sends what it can of `bytes` without blocking; returns the count sent (0 on would-block).
  std::size_t SendNow(std::string_view bytes, error_code& ec);
  // Parses and executes the commands in input_ (at most kCommandsPerReadMax), routes the Effects.
  void ProcessBatch();
  // Replies with a protocol-level error, logs, and closes after the reply is written.
  void FailInput(std::string_view error);

  Server::Impl& server_;
  Socket socket_;
  const ClientId id_;
  const std::string address_;
  ReadBuffer input_;
  RespParser parser_;
  ParsedCommand command_;  // reused; argv views point into input_
  std::string output_;     // replies queued, not yet being written
  std::string writing_;    // replies handed to the socket; swapped with output_, never copied
  std::size_t needed_bytes_ = 0;  // parse again only once input_ holds this many bytes
  std::int64_t last_active_ms_;   // Impl::clock_ms when a byte was last received or written
  bool reading_ = false;
  bool more_input_ = false;  // complete commands left after the per-batch cap
  bool close_requested_ = false;
  bool dead_ = false;  // socket closed or peer gone: nothing more is written
  bool held_ = false;  // cluster mode: the last command's reply is held behind its write
};

}  // namespace shoal::net
