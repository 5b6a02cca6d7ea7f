#include "net/server.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/cluster/voter_state.h"
#include "core/node.h"
#include "core/resp/resp_parser.h"
#include "core/result.h"
#include "net/asio_types.h"
#include "net/cycle_clock.h"
#include "net/listen.h"
#include "net/log.h"
#include "net/process_usage.h"
#include "net/protected_mode.h"
#include "net/read_buffer.h"
#include "net/state_file.h"

namespace shoal::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

// The only clocks the core ever sees (core/time.h), both read once per batch: steady_clock for
// timeouts and retries, system_clock (Unix epoch milliseconds) for expiry. (Re-reading the wall
// clock only when the monotonic millisecond moved let it lag by up to 1 ms, so PTTL after a PXAT
// could exceed what was asked: commands_test caught it.)
NodeTime NowMs() {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return NodeTime{
      .mono =
          duration_cast<milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count(),
      .wall =
          duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()};
}

// A reply string that grew past this (one big GET) is released after it is written, so an idle
// connection does not pin megabytes; below it, capacity is kept and reused (no allocation).
constexpr std::size_t kOutputKeepBytes = 4 * limits::kReadChunkBytes;

void Release(std::string& bytes) {
  bytes.clear();
  if (bytes.capacity() > kOutputKeepBytes) std::string().swap(bytes);
}

// Whether the Step that began with `outputs_before` outputs in `fx` (the last ending at
// `end_before`) gave `client` any reply bytes.
bool RepliedTo(const Effects& fx, ClientId client, std::size_t outputs_before,
               std::size_t end_before) {
  if (outputs_before > 0 && fx.outputs[outputs_before - 1].client == client &&
      fx.outputs[outputs_before - 1].end > end_before) {
    return true;
  }
  for (std::size_t i = outputs_before; i < fx.outputs.size(); ++i) {
    if (fx.outputs[i].client == client) return true;
  }
  return false;
}

}  // namespace

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

// The connection's one coroutine. Each turn: write what is queued (one send for the whole batch),
// then either execute more of an already-received pipeline or read, then execute a batch.
Task<> Connection::Loop() {
  try {
    const std::size_t input_bytes_max = server_.options.input_bytes_max;
    for (;;) {
      while (!output_.empty() && !dead_) {
        // On a healthy connection the whole batch leaves in this one send(2), without a trip
        // through the scheduler; only a full socket buffer falls back to an async write.
        error_code ec;
        const std::size_t sent = SendNow(output_, ec);
        if (!ec && sent == output_.size()) {
          Release(output_);
          last_active_ms_ = server_.clock_ms;
          break;
        }
        if (!ec) {
          writing_.swap(output_);  // output_ keeps collecting (routed replies) while we wait
          co_await asio::async_write(socket_,
                                     asio::buffer(writing_.data() + sent, writing_.size() - sent),
                                     asio::redirect_error(kAwait, ec));
          Release(writing_);
          last_active_ms_ = server_.clock_ms;
        }
        if (ec) {
          dead_ = true;
          output_.clear();
        }
      }
      if (dead_ || close_requested_) break;
      if (more_input_) {
        // Others' turn before we execute more of this client's pipeline (fairness).
        co_await asio::post(socket_.get_executor(), kAwait);
      } else {
        const std::span<char> space = input_.PrepareWrite(limits::kReadChunkBytes);
        error_code ec;
        std::size_t n = 0;
        if (server_.draining) {
          // Shutting down: execute what the client sent before the shutdown (already in the
          // kernel), without waiting for more; the drain timeout bounds a client that keeps on.
          n = socket_.read_some(asio::buffer(space.data(), space.size()), ec);
          if (ec) break;  // would block (everything executed), EOF or an error: done
        } else {
          reading_ = true;
          n = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()),
                                               asio::redirect_error(kAwait, ec));
          reading_ = false;
          if (ec == asio::error::operation_aborted && !dead_) continue;  // Wake(): look again
          if (ec) {
            if (ec != asio::error::eof && ec != asio::error::connection_reset && !dead_) {
              Log(LogLevel::kDebug, "client id=" + std::to_string(id_) + " read: " + ec.message());
            }
            dead_ = true;
            break;
          }
        }
        input_.Commit(n);
        last_active_ms_ = server_.clock_ms;
        if (input_.size() < needed_bytes_) continue;  // a large frame is still arriving
      }
      ProcessBatch();
      if (!dead_ && !input_.empty() &&
          (input_.size() > input_bytes_max || needed_bytes_ > input_bytes_max)) {
        FailInput("ERR Protocol error: command larger than " + std::to_string(input_bytes_max) +
                  " bytes");
      }
    }
  } catch (const std::exception& e) {
    Log(LogLevel::kWarning, "client id=" + std::to_string(id_) + " failed: " + e.what());
  }
  dead_ = true;
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  server_.Unregister(*this);
}

std::size_t Connection::SendNow(std::string_view bytes, error_code& ec) {
  const std::size_t n = socket_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec = {};
    return 0;
  }
  return ec ? 0 : n;
}

void Connection::ProcessBatch() {
  Effects& fx = server_.effects;
  fx.Clear();
  const NodeTime now = NowMs();
  const std::size_t output_bytes_max = server_.options.output_bytes_max;
  std::string_view parse_error;
  std::size_t commands = 0;
  more_input_ = false;
  // One clock reading per command: each command's duration runs from the previous reading
  // (the batch start, after the read) to the end of its Step, so it covers parse and execute.
  // With --latency-tracking no, no clock is read and the Node records no durations.
  const bool timed = server_.latency_tracking;
  const bool replicated = server_.links != nullptr;  // only then may the Node hold a reply
  std::uint64_t ticks_before = timed ? CycleClock::Now() : 0;
  while (!input_.empty() && !close_requested_) {
    if (commands == limits::kCommandsPerReadMax) {
      more_input_ = true;
      break;
    }
    if (input_.size() < needed_bytes_) break;
    const ParseStatus status = parser_.Parse(input_.Readable(), command_);
    if (status == ParseStatus::kNeedMore) {
      needed_bytes_ = parser_.needed_bytes();
      break;
    }
    if (status == ParseStatus::kError) {
      parse_error = parser_.error();
      break;
    }
    needed_bytes_ = 0;
    if (!command_.argv.empty()) {
      const std::size_t outputs_before = fx.outputs.size();
      const std::size_t end_before = outputs_before == 0 ? 0 : fx.outputs.back().end;
      server_.node.Step(now, ClientCommand{id_, command_.argv}, fx);
      // A held reply holds every later one, so the last command's tells the state.
      if (replicated) held_ = !RepliedTo(fx, id_, outputs_before, end_before);
      if (timed) {
        const std::uint64_t ticks_after = CycleClock::Now();
        server_.node.CommandTook(CycleClock::ToNs(ticks_after - ticks_before));
        ticks_before = ticks_after;
      }
      ++commands;
      if (fx.shutdown || (!fx.closes.empty() && fx.closes.back() == id_)) {
        // QUIT or SHUTDOWN: nothing this client sent after it is executed.
        if (fx.shutdown) close_requested_ = true;
        input_.Consume(command_.consumed);
        break;
      }
      if (fx.bytes.size() + output_.size() + writing_.size() > output_bytes_max) {
        Abort("output buffer limit reached within one batch");
        input_.Consume(command_.consumed);
        break;
      }
    }
    input_.Consume(command_.consumed);  // only moves an offset; argv stayed valid for Step
  }
  server_.node.Flush(now, fx);  // cluster mode: this batch's replication leaves together
  server_.Route(fx, this);
  if (!parse_error.empty()) FailInput(parse_error);
  input_.Compact();
  if (needed_bytes_ > input_.capacity() && needed_bytes_ <= server_.options.input_bytes_max) {
    input_.Reserve(needed_bytes_);  // one allocation for a large frame, not log2(n) copies
  }
}

void Connection::FailInput(std::string_view error) {
  if (dead_) return;
  Log(LogLevel::kInfo, "closing client id=" + std::to_string(id_) + " addr=" + address_ +
                           ": bad input: " + std::string(error));
  std::string reply;
  reply.reserve(error.size() + 3);
  reply.push_back('-');
  reply.append(error);
  reply.append("\r\n");
  Enqueue(reply);
  close_requested_ = true;
  more_input_ = false;
}

void Server::Impl::Route(Effects& fx, Connection* current) {
  for (const std::string& line : fx.logs) Log(LogLevel::kInfo, line);
  if (fx.persist && !options.voter_state_path.empty()) {
    // Raft's rule (etcd's Ready contract): durable before the messages that depend on it leave.
    const std::string error =
        WriteFileDurably(options.voter_state_path, cluster::EncodeVoterState(*fx.persist));
    if (!error.empty()) {
      Log(LogLevel::kError, "cluster: cannot persist the voter state (" + error +
                                "); exiting: a voter that cannot keep its term and vote must not "
                                "send them");
      std::_Exit(1);
    }
  }
  if (!fx.sends.empty()) {
    SHOAL_ASSERT_MSG(links != nullptr, "peer messages from a single-node server");
    for (const Effects::Send& send : fx.sends) links->Send(send.to, send.envelope);
  }
  const bool single_whole =
      fx.outputs.size() == 1 && fx.outputs[0].begin == 0 && fx.outputs[0].end == fx.bytes.size();
  for (const Effects::Output& out : fx.outputs) {
    Connection* target =
        (current != nullptr && current->id() == out.client) ? current : Find(out.client);
    if (target == nullptr) continue;  // the client left meanwhile
    if (single_whole) {
      target->Adopt(fx.bytes);  // the common case: no copy at all
    } else {
      target->Enqueue(std::string_view(fx.bytes).substr(out.begin, out.end - out.begin));
    }
    if (target != current) {
      target->ReleasedHeld();
      target->Wake();
    }
  }
  for (ClientId client : fx.closes) {
    Connection* target = (current != nullptr && current->id() == client) ? current : Find(client);
    if (target == nullptr) continue;
    target->RequestClose();
    if (target != current) target->Wake();
  }
  if (fx.shutdown) BeginShutdown("SHUTDOWN command");
  Release(fx.bytes);
}

void Server::Impl::Unregister(Connection& connection) {
  const auto erased = connections.erase(connection.id());
  SHOAL_ASSERT(erased == 1);
  effects.Clear();
  node.Step(NowMs(), ClientDisconnected{connection.id()}, effects);
  Route(effects, nullptr);
  if (LogEnabled(LogLevel::kDebug)) {
    Log(LogLevel::kDebug, "client id=" + std::to_string(connection.id()) + " disconnected");
  }
  MaybeFinish();
}

Task<> Server::Impl::AcceptLoop() {
  Timer retry_timer(io.get_executor());
  while (!draining) {
    error_code ec;
    Socket socket = co_await acceptor.async_accept(asio::redirect_error(kAwait, ec));
    if (draining) break;
    if (ec) {
      if (ec == asio::error::operation_aborted) break;
      Log(LogLevel::kWarning, "accept failed: " + ec.message() + "; retrying");
      // Out of descriptors (or similar): back off instead of spinning on the same error.
      retry_timer.expires_after(std::chrono::milliseconds(limits::kAcceptRetryMs));
      co_await retry_timer.async_wait(asio::redirect_error(kAwait, ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    socket.non_blocking(true, ec);  // lets Connection::SendNow try a plain send(2) first
    std::string address;
    std::optional<asio::ip::address> peer;
    if (tcp::endpoint remote = socket.remote_endpoint(ec); !ec) {
      address = EndpointText(remote);
      peer = remote.address();
    }
    if (ProtectedModeRefuses(options.protected_mode, !node.config().requirepass.empty(), peer)) {
      Refuse(socket, address);
      continue;
    }
    const ClientId id = client_id_next++;
    auto connection = std::make_shared<Connection>(*this, std::move(socket), id, address);
    connections.emplace(id, connection.get());
    if (LogEnabled(LogLevel::kDebug)) {
      Log(LogLevel::kDebug, "client id=" + std::to_string(id) + " connected from " + address);
    }
    effects.Clear();
    node.Step(NowMs(), ClientConnected{id, address}, effects);
    Route(effects, connection.get());  // e.g. "max number of clients reached" + close
    asio::co_spawn(io.get_executor(), Connection::Run(std::move(connection)),
                   [](std::exception_ptr e) { LogEscapedException("connection", e); });
  }
}

Task<> Server::Impl::TickLoop() {
  const auto period = std::chrono::milliseconds(limits::kTickIntervalMs);
  auto next = std::chrono::steady_clock::now() + period;
  while (!draining) {
    tick_timer.expires_at(next);
    error_code ec;
    co_await tick_timer.async_wait(asio::redirect_error(kAwait, ec));
    if (ec || draining) break;
    next += period;
    effects.Clear();
    const NodeTime now = NowMs();
    clock_ms = now.mono;
    node.Tick(now, effects);
    node.Flush(now, effects);
    Route(effects, nullptr);
    Observe(now);
    if (options.idle_timeout_ms > 0 && now.mono >= idle_check_next_ms) CloseIdle(now.mono);
  }
}

void Server::Impl::Refuse(Socket& socket, const std::string& address) {
  // One write, as Redis does: a fresh socket's send buffer takes the whole reply.
  error_code ec;
  socket.write_some(asio::buffer(kProtectedModeDenied.data(), kProtectedModeDenied.size()), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
  if (std::string line = refusals.Refused(NowMs().mono, address); !line.empty()) {
    Log(LogLevel::kWarning, line);
  }
}

void Server::Impl::CloseIdle(std::int64_t now_ms) {
  idle_check_next_ms = now_ms + limits::kIdleCheckIntervalMs;
  std::size_t closed = 0;
  // Abort only closes the socket; each coroutine unregisters itself later, so the map holds.
  for (auto& [id, connection] : connections) {
    if (connection->IdleMs(now_ms) > options.idle_timeout_ms) {
      connection->Abort("idle (--timeout)", LogLevel::kDebug);
      ++closed;
    }
  }
  if (closed > 0) {
    Log(LogLevel::kInfo, "closed " + std::to_string(closed) + " idle client(s) (--timeout " +
                             std::to_string(options.idle_timeout_ms / 1000) + ")");
  }
}

void Server::Impl::Observe(NodeTime now, bool publish) {
  node.SetProcessUsage(ReadProcessUsage());
  if (metrics == nullptr || !(publish || metrics->SnapshotWanted())) return;
  // Reuse a snapshot no scrape holds any more: its buffers are already allocated and touched, so
  // the copy is a few memcpy's (a fresh one would map and fault in ~9 KiB per command each tick).
  std::shared_ptr<MetricsSnapshot> snapshot;
  for (std::shared_ptr<MetricsSnapshot>& spare : snapshot_pool) {
    if (spare.use_count() == 1) {
      std::atomic_thread_fence(std::memory_order_acquire);  // the scrape's reads are done
      snapshot = spare;
      break;
    }
  }
  if (snapshot == nullptr) {
    snapshot = std::make_shared<MetricsSnapshot>();
    if (snapshot_pool.size() < kSnapshotPoolMax) snapshot_pool.push_back(snapshot);
  }
  node.SnapshotMetrics(now.wall, *snapshot);
  metrics->Publish(std::move(snapshot));
}

Task<> Server::Impl::ShutdownPipeLoop() {
  char byte = 0;
  error_code ec;
  co_await shutdown_pipe.async_read_some(asio::buffer(&byte, 1), asio::redirect_error(kAwait, ec));
  if (!ec) BeginShutdown("requested");
}

void Server::Impl::BeginShutdown(std::string_view reason) {
  if (draining) return;
  draining = true;
  Log(LogLevel::kInfo, "shutdown (" + std::string(reason) + "): draining " +
                           std::to_string(connections.size()) + " client(s)");
  error_code ec;
  acceptor.close(ec);
  tick_timer.cancel();
  if (links != nullptr) links->Stop();
  for (auto& [id, connection] : connections) connection->Wake();
  drain_timer.expires_after(std::chrono::milliseconds(options.drain_timeout_ms));
  drain_timer.async_wait([this](const error_code& ec) {
    if (ec || finished) return;
    Log(LogLevel::kWarning,
        "shutdown: drain timeout, cutting " + std::to_string(connections.size()) + " client(s)");
    // Abort closes sockets; each coroutine then unregisters itself, which finishes the loop.
    for (auto& [id, connection] : connections) connection->Abort("drain timeout");
  });
  MaybeFinish();
}

void Server::Impl::MaybeFinish() {
  if (!draining || finished || !connections.empty()) return;
  finished = true;
  Log(LogLevel::kInfo, "shutdown complete");
  error_code ec;
  drain_timer.cancel();
  signals.cancel(ec);
  shutdown_pipe.cancel(ec);
  io.stop();
}

Server::Server(const NodeConfig& node_config, const ServerOptions& options)
    : impl_(std::make_unique<Impl>(node_config, options)) {
  CycleClock::Init();  // idempotent; shoald's main has done it already
  if (options.metrics) impl_->metrics = std::make_unique<MetricsServer>(*options.metrics);
  int fds[2];
  SHOAL_ASSERT_MSG(::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0, "pipe2 failed");
  impl_->shutdown_pipe.assign(fds[0]);
  impl_->shutdown_pipe_write = fds[1];
}

Server::~Server() {
  if (impl_->shutdown_pipe_write >= 0) ::close(impl_->shutdown_pipe_write);
}

ListenResult Server::Listen() {
  Impl& s = *impl_;
  const ListenResult bound = BindAndListen(s.acceptor, s.options.bind, s.options.port, "");
  if (!bound) return bound;
  if (s.links != nullptr) {
    if (std::string error = s.links->Listen(); !error.empty()) return error;
  }
  if (s.metrics != nullptr) {
    const ListenResult metrics = s.metrics->Listen();
    if (!metrics) return metrics.error();
    s.metrics_port = metrics.value();
  }
  s.listening = true;
  return bound;
}

std::optional<std::uint16_t> Server::metrics_port() const { return impl_->metrics_port; }

void Server::Run() {
  Impl& s = *impl_;
  SHOAL_ASSERT_MSG(s.listening, "Server::Run before a successful Listen");
  s.clock_ms = NowMs().mono;
  s.idle_check_next_ms = s.clock_ms + limits::kIdleCheckIntervalMs;
  asio::co_spawn(s.io.get_executor(), s.AcceptLoop(),
                 [](std::exception_ptr e) { LogEscapedException("accept loop", e); });
  if (s.links != nullptr) s.links->Start();
  asio::co_spawn(s.io.get_executor(), s.TickLoop(),
                 [](std::exception_ptr e) { LogEscapedException("tick loop", e); });
  asio::co_spawn(s.io.get_executor(), s.ShutdownPipeLoop(),
                 [](std::exception_ptr e) { LogEscapedException("shutdown pipe", e); });
  if (s.options.handle_signals) {
    s.signals.add(SIGINT);
    s.signals.add(SIGTERM);
    s.signals.async_wait([&s](const error_code& ec, int signal) {
      if (ec) return;
      s.BeginShutdown(signal == SIGINT ? "SIGINT" : "SIGTERM");
    });
  }
  if (s.metrics != nullptr) {
    s.Observe(NowMs(), true);  // a first snapshot, for a scrape whose wait times out
    s.metrics->Start();
  }
  s.io.run();
  if (s.metrics != nullptr) s.metrics->Stop();
}

void Server::RequestShutdown() {
  // The loop runs unlocked, so no other thread may post to it: a byte in a pipe is the one
  // thread-safe (and async-signal-safe) way in.
  const char byte = 1;
  [[maybe_unused]] const ssize_t n = ::write(impl_->shutdown_pipe_write, &byte, 1);
}

}  // namespace shoal::net
