#include "net/metrics_server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "core/limits.h"
#include "core/result.h"
#include "net/asio.h"
#include "net/listen.h"
#include "net/log.h"
// Beast after net/asio.h (the Boost 1.74 <utility> quirk).
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace shoal::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

http::response<http::string_body> Reply(const http::request<http::string_body>& request,
                                        http::status status, std::string_view content_type,
                                        std::string body) {
  http::response<http::string_body> response(status, request.version());
  response.set(http::field::server, "shoald");
  response.set(http::field::content_type,
               beast::string_view(content_type.data(), content_type.size()));
  response.keep_alive(request.keep_alive());
  const std::size_t length = body.size();
  if (request.method() != http::verb::head) response.body() = std::move(body);
  response.prepare_payload();
  if (request.method() == http::verb::head) response.content_length(length);
  return response;
}

}  // namespace

struct MetricsServer::Impl {
  explicit Impl(const MetricsOptions& opts) : options(opts), io(1), acceptor(io) {}

  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(tcp::socket socket);
  http::response<http::string_body> Handle(const http::request<http::string_body>& request);
  // The text of the latest snapshot, formatted once per snapshot (serving thread only).
  const std::string& Text(const std::shared_ptr<const MetricsSnapshot>& snapshot);

  MetricsOptions options;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
  bool listening = false;
  bool started = false;

  std::mutex latest_mutex;  // guards `latest` and `published` only: held for a swap or a copy
  std::condition_variable published_cv;
  std::shared_ptr<const MetricsSnapshot> latest;
  std::uint64_t published = 0;      // snapshots published so far
  std::atomic<bool> wanted{false};  // a scrape waits for a fresh snapshot

  // Serving thread only.
  std::size_t connections = 0;
  std::shared_ptr<const MetricsSnapshot> formatted_from;
  std::string formatted;
};

const std::string& MetricsServer::Impl::Text(
    const std::shared_ptr<const MetricsSnapshot>& snapshot) {
  if (snapshot != formatted_from) {
    formatted = FormatMetrics(*snapshot);
    formatted_from = snapshot;
  }
  return formatted;
}

http::response<http::string_body> MetricsServer::Impl::Handle(
    const http::request<http::string_body>& request) {
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto response = Reply(request, http::status::method_not_allowed, "text/plain",
                          "only GET and HEAD are served\n");
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }
  if (path == "/metrics") {
    std::shared_ptr<const MetricsSnapshot> snapshot;
    {
      // Ask the request loop for a snapshot taken after this request, and wait for it (at most
      // one or two ticks; this thread serves nothing but metrics).
      std::unique_lock<std::mutex> lock(latest_mutex);
      const std::uint64_t seen = published;
      wanted.store(true, std::memory_order_release);
      published_cv.wait_for(lock, std::chrono::milliseconds(limits::kMetricsSnapshotWaitMs),
                            [&] { return published != seen; });
      snapshot = latest;
    }
    if (snapshot == nullptr) {
      return Reply(request, http::status::service_unavailable, "text/plain",
                   "no metrics yet: the node has not published a snapshot\n");
    }
    return Reply(request, http::status::ok, kContentType, Text(snapshot));
  }
  if (path == "/") {
    return Reply(request, http::status::ok, "text/plain",
                 "shoald: Prometheus metrics at /metrics\n");
  }
  return Reply(request, http::status::not_found, "text/plain", "not found; try /metrics\n");
}

asio::awaitable<void> MetricsServer::Impl::Serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer(limits::kMetricsRequestBytesMax);
  const auto timeout = std::chrono::milliseconds(limits::kMetricsIdleTimeoutMs);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits::kMetricsRequestBytesMax));
    parser.body_limit(limits::kMetricsRequestBytesMax);
    stream.expires_after(timeout);
    error_code ec;
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
          ec != asio::error::connection_reset && ec != asio::error::eof) {
        // A malformed or oversized request: say so, then close.
        http::response<http::string_body> response(http::status::bad_request, 11);
        response.set(http::field::content_type, "text/plain");
        response.keep_alive(false);
        response.body() = "bad request: " + ec.message() + "\n";
        response.prepare_payload();
        stream.expires_after(timeout);
        co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
      }
      break;
    }
    http::response<http::string_body> response = Handle(parser.get());
    const bool keep_alive = response.keep_alive();
    stream.expires_after(timeout);
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> MetricsServer::Impl::AcceptLoop() {
  for (;;) {
    error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      Log(LogLevel::kWarning, "metrics: accept failed: " + ec.message());
      asio::steady_timer pause(io, std::chrono::milliseconds(limits::kAcceptRetryMs));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (connections >= limits::kMetricsConnectionsMax) {
      Log(LogLevel::kWarning, "metrics: too many connections, closing a new one");
      socket.close(ec);
      continue;
    }
    ++connections;
    asio::co_spawn(io, Serve(std::move(socket)), [this](std::exception_ptr error) {
      --connections;
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        Log(LogLevel::kWarning, std::string("metrics: connection ended by exception: ") + e.what());
      }
    });
  }
}

MetricsServer::MetricsServer(const MetricsOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}

MetricsServer::~MetricsServer() { Stop(); }

ListenResult MetricsServer::Listen() {
  Impl& s = *impl_;
  const ListenResult bound = BindAndListen(s.acceptor, s.options.bind, s.options.port, "metrics ");
  s.listening = bound.has_value();
  return bound;
}

void MetricsServer::Start() {
  Impl& s = *impl_;
  SHOAL_ASSERT_MSG(s.listening, "MetricsServer::Start before a successful Listen");
  if (s.started) return;
  s.started = true;
  asio::co_spawn(s.io, s.AcceptLoop(), [](std::exception_ptr error) {
    if (error) Log(LogLevel::kWarning, "metrics: accept loop ended by an exception");
  });
  s.thread = std::thread([&s] { s.io.run(); });
}

void MetricsServer::Stop() {
  Impl& s = *impl_;
  if (!s.started) return;
  s.started = false;
  s.io.stop();  // thread-safe; pending coroutines are destroyed with the io_context
  if (s.thread.joinable()) s.thread.join();
}

bool MetricsServer::SnapshotWanted() {
  return impl_->wanted.exchange(false, std::memory_order_acq_rel);
}

void MetricsServer::Publish(std::shared_ptr<const MetricsSnapshot> snapshot) {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.latest_mutex);
    s.latest.swap(snapshot);
    s.published++;
  }
  s.published_cv.notify_all();
  // `snapshot` now holds the previous one, released here, outside the lock.
}

}  // namespace shoal::net
