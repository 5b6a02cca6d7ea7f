// Connection: one pipelined RESP2 connection from the client library to one node. Requests are
// queued, written in batches (everything queued by the time the event loop gets to the write),
// and matched to replies in order, as RESP guarantees. The request's waiter learns the fate of
// its attempt from Request::state: replied, never sent (safe to retry anything), or lost after
// sending (the command may have executed).
//
// Who may call: the client's Impl and its coroutines, on the client's executor only.
// Thread safety: none.
// Invariants:
//   1. pending_ holds the requests awaiting a reply in send order: the sent ones first, then the
//      last unsent_ ones, not yet handed to the socket.
//   2. A request leaves pending_ exactly once: replied (in order), withdrawn before it was sent,
//      or failed (kNotSent / kLost) when the connection closes; its signal is cancelled then.
//   3. Once closed, a connection never opens again (the pool makes a new one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/src/asio.h"
#include "client/state/reply_parser.h"
#include "shoal/stats.h"

namespace shoal::client_impl {

// One attempt of one operation on one connection.
struct Request {
  explicit Request(const asio::any_io_executor& executor) : signal(executor) {}

  enum class State : std::uint8_t {
    kQueued,   // in the connection's queue, no byte handed to the socket
    kSent,     // handed to the socket, awaiting the reply
    kReplied,  // `reply` holds the reply
    kNotSent,  // never handed to the socket (connection failed or full): it had no effect
    kLost,     // the connection broke after sending: it may have executed
  };
  bool pending() const { return state == State::kQueued || state == State::kSent; }

  // The waiter waits on it until the attempt's deadline; cancelled when the state turns final.
  asio::steady_timer signal;
  State state = State::kQueued;
  bool asking = false;     // preceded by ASKING, whose +OK is dropped
  bool abandoned = false;  // sent, but the waiter gave up: the reply is dropped when it comes
  bool withdrawn = false;  // queued, and the waiter gave up: it is never sent
  Clock::time_point sent_at{};
  std::string encoded;  // the RESP bytes of the command (and ASKING before it)
  client::Reply reply;
  std::string error;              // kNotSent / kLost: why
  std::function<void()> on_sent;  // called once when the request is handed to the socket
};

struct ConnectionOptions {
  std::chrono::milliseconds connect_timeout{1000};
  std::string password;  // AUTH on connect when not empty
  std::size_t requests_max = 64 * 1024;
  client::ReplyLimits reply_limits;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::any_io_executor executor, std::string address, ConnectionOptions options,
             std::shared_ptr<ClientStats> stats);

  // Starts connecting (requests submitted meanwhile wait in the queue).
  void Start();
  // Queues `argv` for sending. If the connection is closed or full, the request is final
  // (kNotSent) on return.
  void Submit(const std::shared_ptr<Request>& request, const std::vector<std::string>& argv);
  // The waiter of `request` stops waiting (its attempt timed out). A queued request is withdrawn
  // (never sent; returns true); a sent one is abandoned, and if nothing at all was read since it
  // was sent the connection is presumed dead and closed (returns false).
  bool GiveUp(Request& request);
  // Fails every pending request and closes the socket. Idempotent. `lost`: counted in
  // ClientStats::connections_lost (false when the client closes on purpose).
  void Close(std::string_view why, bool lost = true);

  bool closed() const { return state_ == State::kClosed; }
  std::size_t in_flight() const { return pending_.size(); }
  const std::string& address() const { return address_; }

 private:
  enum class State : std::uint8_t { kConnecting, kOpen, kClosed };

  asio::awaitable<void> Run();
  asio::awaitable<bool> Connect();
  void ScheduleFlush();
  void Flush();
  void OnWritten(const error_code& ec);
  bool Deliver(client::Reply& reply);  // false: a reply nobody asked for

  asio::any_io_executor executor_;
  std::string address_;
  ConnectionOptions options_;
  std::shared_ptr<ClientStats> stats_;
  tcp::socket socket_;
  tcp::resolver resolver_;
  asio::steady_timer connect_timer_;
  State state_ = State::kConnecting;
  client::ReplyParser parser_;
  std::deque<std::shared_ptr<Request>> pending_;
  std::size_t unsent_ = 0;
  std::string out_;  // bytes of the write in progress
  bool writing_ = false;
  bool flush_scheduled_ = false;
  Clock::time_point last_read_{};
};

// RESP2 encoding of a command: *N\r\n then $len\r\narg\r\n per argument.
void AppendCommand(std::string& out, const std::vector<std::string>& argv);

// Splits "host:port" at its last ':' (IPv6 hosts keep their colons). False if malformed.
bool SplitAddress(std::string_view address, std::string& host, std::uint16_t& port);

}  // namespace shoal::client_impl
