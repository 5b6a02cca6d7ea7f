// Client::Impl: the driver that runs client/state/'s Operation state machine over real
// connections. It owns the topology (a SlotRouter fed by CLUSTER SLOTS and redirects), a small
// pool of pipelined Connections per node, request coalescing for Gets, and the translation of
// an operation's outcome into the public Errc (docs/client.md, "Errors and retries").
//
// Who may call: Client and BlockingClient, on the client's executor only. Thread safety: none.
// Invariants:
//   1. pools_.size() <= router_.node_count(); pools_[i] connects to router_.address(i).
//   2. At most one discovery (CLUSTER SLOTS round) runs at a time.
//   3. flights_ holds, per key, the newest coalescing Get; only an unsent one accepts joiners.
//   4. Once closed_, no connection is opened and every call ends with Errc::kClosed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/src/asio.h"
#include "client/src/connection.h"
#include "client/src/wait_list.h"
#include "client/state/operation.h"
#include "client/state/router.h"
#include "shoal/client.h"

namespace shoal {

namespace asio = boost::asio;
using client_impl::error_code;

struct Client::Impl : std::enable_shared_from_this<Client::Impl> {
  template <class T>
  using Task = asio::awaitable<T>;
  using Clock = client_impl::Clock;

  // The end of one operation: the state machine's result, or closed.
  struct Outcome {
    client::OpResult result;
    bool closed = false;
  };

  Impl(asio::any_io_executor executor, ClientOptions options);

  // Runs one operation to its end. `on_sent` (optional) is called when an attempt's request is
  // handed to a socket.
  Task<Outcome> Execute(client::OpSpec spec, Clock::time_point deadline,
                        std::function<void()> on_sent = {});
  // Runs several operations concurrently; results in the same order.
  Task<std::vector<Outcome>> ExecuteAll(std::vector<client::OpSpec> specs,
                                        Clock::time_point deadline);
  // Get with coalescing (ClientOptions::coalesce_gets).
  Task<Result<std::string>> Get(std::string key, Clock::time_point deadline);

  // True unless the topology is known to be a single standalone server: multi-key calls are then
  // split by slot. Discovers the topology first if needed.
  Task<bool> SplitBySlot(Clock::time_point deadline);

  Clock::time_point Deadline(std::chrono::milliseconds requested) const;
  void Close();

  asio::any_io_executor executor;
  ClientOptions options;
  std::shared_ptr<ClientStats> stats;

 private:
  enum class Mode : std::uint8_t { kUnknown, kStandalone, kCluster };

  // One coalesced Get: open while no byte of its request has reached a socket.
  struct Flight {
    bool open = true;
    Clock::time_point deadline;
    std::optional<Result<std::string>> result;
    client_impl::WaitList waiters;
  };

  TimeMs Now() const;
  Clock::time_point ToTime(TimeMs t) const;
  std::shared_ptr<client_impl::Connection> PickConnection(client::NodeIndex node);
  Task<void> EnsureTopology(Clock::time_point deadline);
  void StartDiscovery();
  Task<void> Discover();
  void RequestRefresh();
  // One request outside any operation (CLUSTER SLOTS); the reply if one came.
  Task<std::optional<client::Reply>> RoundTrip(client::NodeIndex node,
                                               std::vector<std::string> argv,
                                               Clock::time_point deadline);
  Task<Result<std::string>> FetchGet(std::string key, Clock::time_point deadline,
                                     std::function<void()> on_sent);

  Clock::time_point epoch_;
  client::RetryPolicy policy_;
  client_impl::ConnectionOptions connection_options_;
  client::SlotRouter router_;
  struct Pool {
    std::vector<std::shared_ptr<client_impl::Connection>> connections;
  };
  std::vector<Pool> pools_;
  Mode mode_ = Mode::kUnknown;
  bool discovering_ = false;
  Clock::time_point last_discovery_{};
  std::uint32_t discovery_rotation_ = 0;
  client_impl::WaitList topology_waiters_;
  client_impl::WaitList sleepers_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
  bool closed_ = false;
};

// Maps the end of an operation to the public error (docs/client.md, "Errors and retries").
// `unsafe_write`: a write that is not safe to repeat.
Error OperationError(const client::OpResult& result, bool unsafe_write);
// The public form of a reply.
Reply PublicReply(client::Reply&& reply);

}  // namespace shoal
