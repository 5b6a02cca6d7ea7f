#include "net/peer_links.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "net/log.h"

namespace shoal::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct PeerLinks::Out {
  Out(asio::io_context& io, cluster::NodeId id, tcp::endpoint endpoint)
      : id(id), endpoint(endpoint), socket(io.get_executor()), wake(io.get_executor()) {}
  cluster::NodeId id;
  tcp::endpoint endpoint;
  Socket socket;
  Timer wake;           // the writer waits on it while the queue is empty; Send cancels it
  std::string queue;    // frames not yet handed to the socket
  std::string writing;  // frames being written (swapped with queue, never copied)
  bool connected = false;
  bool waiting = false;
  bool dropping = false;  // logged the current run of drops
};

PeerLinks::PeerLinks(asio::io_context& io, PeerLinksOptions options, Deliver deliver,
                     BatchDone batch_done)
    : io_(io),
      options_(std::move(options)),
      deliver_(std::move(deliver)),
      batch_done_(std::move(batch_done)),
      acceptor_(io.get_executor()) {
  SHOAL_ASSERT(options_.self < options_.members.size());
  for (cluster::NodeId id = 0; id < options_.members.size(); ++id) {
    out_.push_back(id == options_.self ? nullptr
                                       : std::make_unique<Out>(io, id, options_.members[id]));
  }
}

PeerLinks::~PeerLinks() = default;

std::string PeerLinks::Listen() {
  error_code ec;
  const asio::ip::address address = asio::ip::make_address(options_.bind, ec);
  if (ec) return "bad peer bind address '" + options_.bind + "': " + ec.message();
  const tcp::endpoint endpoint(address, options_.peer_port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return "cannot listen on peer port " + EndpointText(endpoint) + ": " + ec.message();
  return {};
}

void PeerLinks::Start() {
  asio::co_spawn(io_.get_executor(), AcceptLoop(),
                 [](std::exception_ptr e) { LogEscapedException("peer accept loop", e); });
  for (auto& out : out_) {
    if (out == nullptr) continue;
    asio::co_spawn(io_.get_executor(), WriteLoop(*out),
                   [](std::exception_ptr e) { LogEscapedException("peer writer", e); });
  }
}

void PeerLinks::Stop() {
  stopped_ = true;
  error_code ec;
  acceptor_.close(ec);
  for (auto& out : out_) {
    if (out == nullptr) continue;
    out->socket.close(ec);
    out->wake.cancel();
  }
  for (auto& weak : incoming_) {
    if (auto socket = weak.lock()) socket->close(ec);
  }
  incoming_.clear();
}

std::uint32_t PeerLinks::connected() const {
  std::uint32_t n = 0;
  for (const auto& out : out_) n += (out != nullptr && out->connected) ? 1 : 0;
  return n;
}

void PeerLinks::Send(cluster::NodeId to, const cluster::Envelope& envelope) {
  SHOAL_ASSERT(to < out_.size() && out_[to] != nullptr);
  Out& out = *out_[to];
  const std::size_t before = out.queue.size();
  cluster::EncodeTo(envelope, out.queue);
  if (out.queue.size() + out.writing.size() > options_.queue_bytes_max) {
    out.queue.resize(before);  // invariant 1: the frame is dropped, as a lossy link would
    counters_.frames_dropped++;
    if (!out.dropping) {
      out.dropping = true;
      Log(LogLevel::kWarning, "peer n" + std::to_string(to) + " (" + EndpointText(out.endpoint) +
                                  "): queue full, dropping frames until it drains");
    }
    return;
  }
  counters_.frames_sent++;
  if (out.waiting) out.wake.cancel();
}

Task<> PeerLinks::WriteLoop(Out& out) {
  std::int64_t backoff_ms = limits::kPeerReconnectMinMs;
  bool logged_failure = false;
  while (!stopped_) {
    error_code ec;
    // A closed socket is opened again by async_connect.
    co_await out.socket.async_connect(out.endpoint, asio::redirect_error(kAwait, ec));
    if (stopped_) break;
    if (ec) {
      error_code ignored;
      out.socket.close(ignored);  // a failed connect leaves the socket open: start afresh
      if (!logged_failure) {
        Log(LogLevel::kInfo, "peer n" + std::to_string(out.id) + " (" + EndpointText(out.endpoint) +
                                 "): cannot connect (" + ec.message() + "); retrying");
        logged_failure = true;
      }
      out.wake.expires_after(std::chrono::milliseconds(backoff_ms));
      co_await out.wake.async_wait(asio::redirect_error(kAwait, ec));
      backoff_ms = std::min(2 * backoff_ms, limits::kPeerReconnectMaxMs);
      continue;
    }
    out.socket.set_option(tcp::no_delay(true), ec);
    out.connected = true;
    counters_.connects++;
    backoff_ms = limits::kPeerReconnectMinMs;
    logged_failure = false;
    Log(LogLevel::kInfo,
        "peer n" + std::to_string(out.id) + " (" + EndpointText(out.endpoint) + "): connected");
    while (!stopped_) {
      if (out.queue.empty()) {
        out.waiting = true;
        out.wake.expires_at(Timer::time_point::max());
        co_await out.wake.async_wait(asio::redirect_error(kAwait, ec));
        out.waiting = false;
        continue;
      }
      out.writing.swap(out.queue);
      co_await asio::async_write(out.socket, asio::buffer(out.writing),
                                 asio::redirect_error(kAwait, ec));
      out.writing.clear();
      out.dropping = false;
      if (ec) break;
    }
    out.connected = false;
    out.socket.close(ec);
    if (!stopped_) {
      Log(LogLevel::kInfo, "peer n" + std::to_string(out.id) + " (" + EndpointText(out.endpoint) +
                               "): link lost; reconnecting");
    }
  }
}

Task<> PeerLinks::AcceptLoop() {
  while (!stopped_) {
    error_code ec;
    Socket socket = co_await acceptor_.async_accept(asio::redirect_error(kAwait, ec));
    if (stopped_ || ec == asio::error::operation_aborted) break;
    if (ec) {
      Log(LogLevel::kWarning, "peer accept failed: " + ec.message());
      Timer retry(io_.get_executor());
      retry.expires_after(std::chrono::milliseconds(limits::kPeerReconnectMinMs));
      co_await retry.async_wait(asio::redirect_error(kAwait, ec));
      continue;
    }
    std::string from;
    if (tcp::endpoint remote = socket.remote_endpoint(ec); !ec) from = EndpointText(remote);
    auto shared = std::make_shared<Socket>(std::move(socket));
    std::erase_if(incoming_, [](const std::weak_ptr<Socket>& w) { return w.expired(); });
    incoming_.push_back(shared);
    asio::co_spawn(io_.get_executor(), ReadLoop(std::move(shared), std::move(from)),
                   [](std::exception_ptr e) { LogEscapedException("peer reader", e); });
  }
}

Task<> PeerLinks::ReadLoop(std::shared_ptr<Socket> socket, std::string from) {
  std::string buffer;
  std::string why;
  while (!stopped_) {
    // Every complete frame at the front of the buffer, then one batch_done for them all.
    std::size_t consumed = 0;
    std::size_t delivered = 0;
    for (;;) {
      const std::string_view rest = std::string_view(buffer).substr(consumed);
      std::size_t frame_bytes = 0;
      const cluster::FrameStatus status = cluster::PeekFrame(rest, frame_bytes, options_.codec);
      if (status == cluster::FrameStatus::kNeedMore) break;
      if (status == cluster::FrameStatus::kTooLarge) {
        why = "a frame over the limit";
        break;
      }
      const Result<cluster::Envelope> envelope =
          cluster::Decode(rest.substr(0, frame_bytes), options_.codec);
      if (!envelope) {
        why = "a frame that does not decode (garbage or another protocol version)";
        break;
      }
      consumed += frame_bytes;
      counters_.frames_received++;
      delivered++;
      deliver_(envelope.value());
      if (stopped_) co_return;
    }
    if (delivered > 0) batch_done_();
    if (!why.empty()) break;
    buffer.erase(0, consumed);
    if (buffer.empty() && buffer.capacity() > 4 * limits::kPeerReadChunkBytes) {
      std::string().swap(buffer);  // one large frame passed: do not keep its memory
    }
    const std::size_t old = buffer.size();
    buffer.resize(old + limits::kPeerReadChunkBytes);
    error_code ec;
    const std::size_t n = co_await socket->async_read_some(
        asio::buffer(buffer.data() + old, limits::kPeerReadChunkBytes),
        asio::redirect_error(kAwait, ec));
    buffer.resize(old + n);
    if (ec) break;
  }
  if (!why.empty()) {
    counters_.bad_frames++;
    Log(LogLevel::kWarning, "peer connection from " + from + " closed: " + why);
  }
  error_code ec;
  socket->close(ec);
}

}  // namespace shoal::net
