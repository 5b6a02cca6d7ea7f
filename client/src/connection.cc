#include "client/src/connection.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace shoal::client_impl {

namespace {

// Bytes read from the socket in one read.
constexpr std::size_t kReadChunkBytes = 16 * 1024;
// A write buffer that grew past this (a big MSET) is released after the write.
constexpr std::size_t kOutputKeepBytes = 256 * 1024;

void AppendBulk(std::string& out, std::string_view arg) {
  out += '$';
  out += std::to_string(arg.size());
  out += "\r\n";
  out += arg;
  out += "\r\n";
}

}  // namespace

void AppendCommand(std::string& out, const std::vector<std::string>& argv) {
  out += '*';
  out += std::to_string(argv.size());
  out += "\r\n";
  for (const std::string& arg : argv) AppendBulk(out, arg);
}

bool SplitAddress(std::string_view address, std::string& host, std::uint16_t& port) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size()) return false;
  const std::string_view port_text = address.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
      value > 65535) {
    return false;
  }
  host.assign(address.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  port = static_cast<std::uint16_t>(value);
  return true;
}

Connection::Connection(asio::any_io_executor executor, std::string address,
                       ConnectionOptions options, std::shared_ptr<ClientStats> stats)
    : executor_(executor),
      address_(std::move(address)),
      options_(std::move(options)),
      stats_(std::move(stats)),
      socket_(executor),
      resolver_(executor),
      connect_timer_(executor),
      parser_(options_.reply_limits) {}

void Connection::Start() {
  // Exceptions stop at the spawn edge: a coroutine that escapes with one closes the connection.
  asio::co_spawn(executor_, Run(), [self = shared_from_this()](std::exception_ptr error) {
    if (error) self->Close("internal error in the connection");
  });
}

void Connection::Submit(const std::shared_ptr<Request>& request,
                        const std::vector<std::string>& argv) {
  if (state_ == State::kClosed || pending_.size() >= options_.requests_max) {
    request->state = Request::State::kNotSent;
    request->error = state_ == State::kClosed ? "connection closed" : "connection full";
    return;
  }
  request->encoded.clear();
  if (request->asking) request->encoded = "*1\r\n$6\r\nASKING\r\n";
  AppendCommand(request->encoded, argv);
  request->state = Request::State::kQueued;
  pending_.push_back(request);
  unsent_++;
  ScheduleFlush();
}

void Connection::ScheduleFlush() {
  if (state_ != State::kOpen || writing_ || flush_scheduled_ || unsent_ == 0) return;
  // Post rather than write now: every request queued in this turn of the event loop goes out in
  // the same write.
  flush_scheduled_ = true;
  asio::post(executor_, [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->Flush();
  });
}

void Connection::Flush() {
  if (state_ != State::kOpen || writing_ || unsent_ == 0) return;
  const Clock::time_point now = Clock::now();
  out_.clear();
  for (auto it = pending_.end() - static_cast<std::ptrdiff_t>(unsent_); it != pending_.end();
       ++it) {
    Request& request = **it;
    out_ += request.encoded;
    request.state = Request::State::kSent;
    request.sent_at = now;
    if (request.on_sent) request.on_sent();
  }
  unsent_ = 0;
  if (out_.empty()) return;
  writing_ = true;
  asio::async_write(
      socket_, asio::buffer(out_),
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->OnWritten(ec); });
}

void Connection::OnWritten(const error_code& ec) {
  writing_ = false;
  if (out_.capacity() > kOutputKeepBytes) std::string().swap(out_);
  if (ec) {
    Close("write failed: " + ec.message());
    return;
  }
  Flush();
}

bool Connection::GiveUp(Request& request) {
  if (request.state == Request::State::kQueued) {
    request.withdrawn = true;
    if (std::erase_if(pending_,
                      [&](const std::shared_ptr<Request>& r) { return r.get() == &request; }) > 0) {
      unsent_--;
    }
    return true;
  }
  request.abandoned = true;
  if (last_read_ < request.sent_at) Close("no reply within the attempt timeout");
  return false;
}

void Connection::Close(std::string_view why, bool lost) {
  if (state_ == State::kClosed) return;
  if (state_ == State::kOpen && lost) stats_->connections_lost++;
  state_ = State::kClosed;
  error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  connect_timer_.cancel();
  std::deque<std::shared_ptr<Request>> pending;
  pending.swap(pending_);
  unsent_ = 0;
  for (const std::shared_ptr<Request>& request : pending) {
    if (request->abandoned || request->withdrawn) continue;
    request->state =
        request->state == Request::State::kSent ? Request::State::kLost : Request::State::kNotSent;
    request->error.assign(why);
    request->signal.cancel();
  }
}

bool Connection::Deliver(client::Reply& reply) {
  if (pending_.empty() || pending_.front()->state != Request::State::kSent) return false;
  Request& front = *pending_.front();
  if (front.asking) {  // ASKING's +OK; its reply is not the command's
    front.asking = false;
    return true;
  }
  std::shared_ptr<Request> request = std::move(pending_.front());
  pending_.pop_front();
  if (request->abandoned) return true;
  request->reply = std::move(reply);
  request->state = Request::State::kReplied;
  request->signal.cancel();
  return true;
}

asio::awaitable<bool> Connection::Connect() {
  std::string host;
  std::uint16_t port = 0;
  if (!SplitAddress(address_, host, port)) {
    Close("bad node address '" + address_ + "'");
    co_return false;
  }
  // The timer closes the socket (and cancels the resolver) if connecting takes too long.
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (!ec && self->state_ == State::kConnecting) self->Close("connect timed out");
  });
  error_code ec;
  const asio::ip::address ip = asio::ip::make_address(host, ec);
  if (!ec) {
    co_await socket_.async_connect(tcp::endpoint(ip, port), Await(ec));
  } else {
    const tcp::resolver::results_type endpoints =
        co_await resolver_.async_resolve(host, std::to_string(port), Await(ec));
    if (!ec && state_ == State::kConnecting) {
      co_await asio::async_connect(socket_, endpoints, Await(ec));
    }
  }
  if (state_ == State::kClosed) co_return false;  // timed out or closed meanwhile
  if (ec) {
    Close("connect to " + address_ + " failed: " + ec.message());
    co_return false;
  }
  socket_.set_option(tcp::no_delay(true), ec);
  if (!options_.password.empty()) {
    std::string auth;
    AppendCommand(auth, {"AUTH", options_.password});
    co_await asio::async_write(socket_, asio::buffer(auth), Await(ec));
    client::Reply reply;
    std::array<char, 1024> buffer;
    client::ReplyStatus status = client::ReplyStatus::kNeedMore;
    while (!ec && status == client::ReplyStatus::kNeedMore && state_ != State::kClosed) {
      const std::size_t n = co_await socket_.async_read_some(asio::buffer(buffer), Await(ec));
      if (ec) break;
      parser_.Append(std::string_view(buffer.data(), n));
      status = parser_.Next(reply);
    }
    if (state_ == State::kClosed) co_return false;
    if (ec || status != client::ReplyStatus::kOk || reply.IsError()) {
      Close(ec ? "AUTH failed: " + ec.message()
               : "AUTH failed: " + (reply.IsError() ? reply.text : std::string("bad reply")));
      co_return false;
    }
  }
  connect_timer_.cancel();
  state_ = State::kOpen;
  stats_->connections_opened++;
  co_return true;
}

asio::awaitable<void> Connection::Run() {
  if (!co_await Connect()) {
    stats_->connect_failures++;
    co_return;
  }
  ScheduleFlush();
  std::array<char, kReadChunkBytes> buffer;
  client::Reply reply;
  for (;;) {
    error_code ec;
    const std::size_t n = co_await socket_.async_read_some(asio::buffer(buffer), Await(ec));
    if (state_ == State::kClosed) co_return;
    if (ec) {
      Close(ec == asio::error::eof ? "connection closed by the server" : ec.message());
      co_return;
    }
    last_read_ = Clock::now();
    parser_.Append(std::string_view(buffer.data(), n));
    for (;;) {
      const client::ReplyStatus status = parser_.Next(reply);
      if (status == client::ReplyStatus::kNeedMore) break;
      if (status == client::ReplyStatus::kError) {
        Close("malformed reply");
        co_return;
      }
      if (!Deliver(reply)) {
        Close("a reply nobody asked for");
        co_return;
      }
    }
  }
}

}  // namespace shoal::client_impl
