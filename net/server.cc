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

#include "core/cluster/voter_state.h"
#include "core/result.h"
#include "net/cycle_clock.h"
#include "net/listen.h"
#include "net/process_usage.h"
#include "net/server_impl.h"
#include "net/state_file.h"

namespace shoal::net {

using asio::ip::tcp;

namespace {

// A reply string that grew past this (one big GET) is released after it is written, so an idle
// connection does not pin megabytes; below it, capacity is kept and reused (no allocation).
constexpr std::size_t kOutputKeepBytes = 4 * limits::kReadChunkBytes;

}  // namespace

// (Re-reading the wall clock only when the monotonic millisecond moved let it lag by up to 1 ms,
// so PTTL after a PXAT could exceed what was asked: commands_test caught it.)
NodeTime NowMs() {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return NodeTime{
      .mono =
          duration_cast<milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count(),
      .wall =
          duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()};
}

void Release(std::string& bytes) {
  bytes.clear();
  if (bytes.capacity() > kOutputKeepBytes) std::string().swap(bytes);
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
