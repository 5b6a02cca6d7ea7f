#include "client/src/client_impl.h"

#include <algorithm>

#include "client/state/slot_map.h"
#include "core/slot.h"

namespace shoal {

using client::NodeIndex;
using client::OpEnd;
using client::OpOutcome;
using Kind = client::Operation::Action::Kind;
using client_impl::Await;
using client_impl::Connection;
using client_impl::Request;

namespace {

std::vector<std::string> Seeds(const ClientOptions& options) {
  std::vector<std::string> seeds;
  for (const std::string& seed : options.seeds) {
    if (!seed.empty() && std::find(seeds.begin(), seeds.end(), seed) == seeds.end()) {
      seeds.push_back(seed);
    }
  }
  if (seeds.empty()) seeds.push_back("127.0.0.1:7379");
  return seeds;
}

std::string HostOf(const std::string& address) {
  std::string host;
  std::uint16_t port = 0;
  return client_impl::SplitAddress(address, host, port) ? host : std::string();
}

// Exceptions stop at the spawn edge of the library's own coroutines.
void IgnoreException(std::exception_ptr) {}

}  // namespace

Error OperationError(const client::OpResult& result, bool unsafe_write) {
  switch (result.end) {
    case OpEnd::kTimeout:
    case OpEnd::kConnectionLost:
      if (unsafe_write) {
        return Error{Errc::kUnknownOutcome, result.error + " after the write was sent"};
      }
      return Error{Errc::kTimedOut, "deadline passed (last attempt: " + result.error + ")"};
    case OpEnd::kRefused:
    case OpEnd::kRedirectFailed:
      return Error{Errc::kClusterUnavailable, result.error};
    case OpEnd::kErrorReply:
      return Error{Errc::kServerError, result.error};
    case OpEnd::kReply:
      break;
  }
  return Error{Errc::kProtocolError, result.error.empty() ? "unexpected reply" : result.error};
}

Reply PublicReply(client::Reply&& reply) {
  Reply out;
  out.type = static_cast<Reply::Type>(reply.type);
  out.text = std::move(reply.text);
  out.integer = reply.integer;
  out.elements.reserve(reply.elements.size());
  for (client::Reply& element : reply.elements)
    out.elements.push_back(PublicReply(std::move(element)));
  return out;
}

static_assert(
    static_cast<int>(Reply::Type::kDouble) == static_cast<int>(client::Reply::Type::kDouble) &&
    static_cast<int>(Reply::Type::kArray) == static_cast<int>(client::Reply::Type::kArray) &&
    static_cast<int>(Reply::Type::kError) == static_cast<int>(client::Reply::Type::kError));

Client::Impl::Impl(asio::any_io_executor executor_in, ClientOptions options_in)
    : executor(std::move(executor_in)),
      options(std::move(options_in)),
      stats(std::make_shared<ClientStats>()),
      epoch_(Clock::now()),
      router_(Seeds(options)) {
  options.connections_per_node =
      std::clamp<std::size_t>(options.connections_per_node, 1, kConnectionsPerNodeMax);
  policy_.attempts_max = std::max<std::uint32_t>(options.attempts_max, 1);
  policy_.backoff_initial_ms = std::max<TimeMs>(options.backoff_initial.count(), 1);
  policy_.backoff_max_ms =
      std::max<TimeMs>(options.backoff_max.count(), policy_.backoff_initial_ms);
  policy_.attempt_timeout_ms = std::max<TimeMs>(options.attempt_timeout.count(), 1);
  // The library's rules: reads and repeatable writes survive timeouts and broken connections;
  // nodes are learned from redirects.
  policy_.retry_after_timeout = true;
  policy_.learn_addresses = true;
  connection_options_.connect_timeout = options.connect_timeout;
  connection_options_.password = options.password;
  connection_options_.requests_max = kRequestsPerConnectionMax;
  connection_options_.reply_limits.bulk_bytes_max = kReplyBulkBytesMax;
  connection_options_.reply_limits.array_len_max = kReplyArrayLenMax;
}

TimeMs Client::Impl::Now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - epoch_).count();
}

Client::Impl::Clock::time_point Client::Impl::ToTime(TimeMs t) const {
  return epoch_ + std::chrono::milliseconds(t);
}

Client::Impl::Clock::time_point Client::Impl::Deadline(std::chrono::milliseconds requested) const {
  std::chrono::milliseconds d = requested.count() > 0 ? requested : options.deadline;
  if (d.count() <= 0) d = kDeadlineDefault;
  return Clock::now() + std::min(d, kDeadlineMax);
}

void Client::Impl::Close() {
  if (closed_) return;
  closed_ = true;
  for (Pool& pool : pools_) {
    for (const auto& connection : pool.connections) connection->Close("client closed", false);
    pool.connections.clear();
  }
  topology_waiters_.NotifyAll();
  sleepers_.NotifyAll();
}

std::shared_ptr<Connection> Client::Impl::PickConnection(NodeIndex node) {
  if (pools_.size() < router_.node_count()) pools_.resize(router_.node_count());
  auto& connections = pools_[node].connections;
  // The least busy open connection; an idle one ends the search.
  std::size_t best = connections.size();
  bool any_closed = false;
  for (std::size_t i = 0; i < connections.size(); ++i) {
    if (connections[i]->closed()) {
      any_closed = true;
    } else if (best == connections.size() ||
               connections[i]->in_flight() < connections[best]->in_flight()) {
      best = i;
      if (connections[i]->in_flight() == 0) break;
    }
  }
  std::shared_ptr<Connection> chosen = best < connections.size() ? connections[best] : nullptr;
  if (any_closed) std::erase_if(connections, [](const auto& c) { return c->closed(); });
  // A new connection when there is none, or when every one is busy and the pool has room.
  if (!chosen || (chosen->in_flight() > 0 && connections.size() < options.connections_per_node)) {
    chosen =
        std::make_shared<Connection>(executor, router_.address(node), connection_options_, stats);
    connections.push_back(chosen);
    chosen->Start();
  }
  return chosen;
}

Client::Impl::Task<std::optional<client::Reply>> Client::Impl::RoundTrip(
    NodeIndex node, std::vector<std::string> argv, Clock::time_point deadline) {
  auto request = std::make_shared<Request>(executor);
  request->signal.expires_at(deadline);
  const std::shared_ptr<Connection> connection = PickConnection(node);
  connection->Submit(request, argv);
  if (request->pending()) {
    error_code ec;
    co_await request->signal.async_wait(Await(ec));
  }
  if (request->state == Request::State::kReplied) co_return std::move(request->reply);
  if (request->pending()) connection->GiveUp(*request);
  co_return std::nullopt;
}

void Client::Impl::StartDiscovery() {
  if (discovering_ || closed_) return;
  discovering_ = true;
  asio::co_spawn(
      executor, [self = shared_from_this()]() { return self->Discover(); }, IgnoreException);
}

Client::Impl::Task<void> Client::Impl::Discover() {
  // Asks the known nodes in turn (starting where the last round stopped) until one answers.
  const std::uint32_t count = router_.node_count();
  for (std::uint32_t i = 0; i < count && !closed_; ++i) {
    const NodeIndex node = (discovery_rotation_ + i) % count;
    // Named: g++ 12 miscompiles a braced list inside a co_await expression.
    std::vector<std::string> argv{"CLUSTER", "SLOTS"};
    std::optional<client::Reply> reply =
        co_await RoundTrip(node, std::move(argv),
                           Clock::now() + std::chrono::milliseconds(policy_.attempt_timeout_ms));
    if (!reply) continue;
    if (reply->IsError()) {
      if (mode_ == Mode::kCluster) continue;  // a node that lost its cluster state: ask another
      // No cluster support (Redis or Shoal standalone): that node holds every key.
      client::OwnAllSlots(router_, node);
      mode_ = Mode::kStandalone;
      break;
    }
    std::vector<client::SlotRange> ranges;
    if (!client::ParseClusterSlots(*reply, HostOf(router_.address(node)), ranges)) continue;
    client::ApplySlotMap(ranges, router_);
    mode_ = Mode::kCluster;
    stats->cluster = true;
    stats->slot_map_refreshes++;
    discovery_rotation_ = node;
    break;
  }
  discovering_ = false;
  last_discovery_ = Clock::now();
  topology_waiters_.NotifyAll();
}

Client::Impl::Task<void> Client::Impl::EnsureTopology(Clock::time_point deadline) {
  if (mode_ != Mode::kUnknown || closed_) co_return;
  if (!discovering_) {
    // After a failed round, calls route by rotation over the known nodes until the next one.
    if (last_discovery_ != Clock::time_point{} &&
        Clock::now() - last_discovery_ < kSlotMapRefreshIntervalMin) {
      co_return;
    }
    StartDiscovery();
  }
  co_await topology_waiters_.Wait(executor, deadline);
}

Client::Impl::Task<bool> Client::Impl::SplitBySlot(Clock::time_point deadline) {
  co_await EnsureTopology(deadline);
  co_return mode_ != Mode::kStandalone;
}

void Client::Impl::RequestRefresh() {
  if (mode_ != Mode::kCluster || discovering_ || closed_) return;
  if (Clock::now() - last_discovery_ < kSlotMapRefreshIntervalMin) return;
  StartDiscovery();
}

Client::Impl::Task<Client::Impl::Outcome> Client::Impl::Execute(client::OpSpec spec,
                                                                Clock::time_point deadline,
                                                                std::function<void()> on_sent) {
  const auto self = shared_from_this();  // a Client destroyed meanwhile ends this with kClosed
  Outcome outcome;
  if (closed_) {
    outcome.closed = true;
    co_return outcome;
  }
  stats->calls++;
  if (mode_ == Mode::kUnknown) co_await EnsureTopology(deadline);
  client::RetryPolicy policy = policy_;
  policy.op_deadline_ms = std::max<TimeMs>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
  client::Operation op(policy);
  client::Operation::Action action = op.Start(Now(), std::move(spec), router_);
  std::uint32_t moved_seen = 0;
  std::uint32_t redirects_seen = 0;
  std::string transport_error;  // why the last attempt was not sent or was lost
  while (action.kind != Kind::kDone) {
    if (closed_) {
      outcome.closed = true;
      co_return outcome;
    }
    if (action.kind == Kind::kSleep) {
      co_await sleepers_.Wait(executor, ToTime(action.at));
      stats->retries++;
      action = op.OnWake(Now(), router_);
      continue;
    }
    stats->attempts++;
    const std::shared_ptr<Connection> connection = PickConnection(action.node);
    auto request = std::make_shared<Request>(executor);
    request->asking = action.asking;
    request->on_sent = on_sent;
    request->signal.expires_at(std::min(ToTime(op.attempt_deadline()), deadline));
    connection->Submit(request, op.argv());
    if (request->pending()) {
      error_code ec;
      co_await request->signal.async_wait(Await(ec));
    }
    if (closed_) {
      outcome.closed = true;
      co_return outcome;
    }
    switch (request->state) {
      case Request::State::kReplied: {
        action = op.OnReply(Now(), request->reply, router_);
        const client::OpResult& r = op.result();
        if (r.moved > moved_seen) {
          stats->redirects_moved += r.moved - moved_seen;
          RequestRefresh();
        }
        stats->redirects_ask += (r.redirects - redirects_seen) - (r.moved - moved_seen);
        moved_seen = r.moved;
        redirects_seen = r.redirects;
        break;
      }
      case Request::State::kNotSent:
        transport_error = std::move(request->error);
        action = op.OnNotSent(Now());
        RequestRefresh();
        break;
      case Request::State::kLost:
        transport_error = std::move(request->error);
        action = op.OnConnectionLost(Now());
        RequestRefresh();
        break;
      case Request::State::kQueued:  // timed out before the connection could send it
        connection->GiveUp(*request);
        action = op.OnNotSent(Now());
        break;
      case Request::State::kSent:  // timed out awaiting the reply
        stats->timeouts++;
        connection->GiveUp(*request);
        action = op.OnTimeout(Now());
        RequestRefresh();
        break;
    }
  }
  outcome.result = op.result();
  const OpEnd end = outcome.result.end;
  if ((end == OpEnd::kRefused || end == OpEnd::kConnectionLost) && !transport_error.empty() &&
      (outcome.result.error == "not sent" || outcome.result.error == "connection lost")) {
    outcome.result.error += ": " + transport_error;
  }
  co_return outcome;
}

Client::Impl::Task<std::vector<Client::Impl::Outcome>> Client::Impl::ExecuteAll(
    std::vector<client::OpSpec> specs, Clock::time_point deadline) {
  struct Shared {
    std::vector<Outcome> outcomes;
    std::size_t left = 0;
    client_impl::WaitList done;
  };
  auto shared = std::make_shared<Shared>();
  shared->outcomes.resize(specs.size());
  shared->left = specs.size();
  if (specs.size() == 1) {
    shared->outcomes[0] = co_await Execute(std::move(specs[0]), deadline);
    co_return std::move(shared->outcomes);
  }
  const auto self = shared_from_this();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    asio::co_spawn(executor, Execute(std::move(specs[i]), deadline),
                   [shared, i](std::exception_ptr error, Outcome outcome) {
                     if (error) {
                       outcome = Outcome{};
                       outcome.result.end = OpEnd::kReply;
                       outcome.result.error = "internal error";
                     }
                     shared->outcomes[i] = std::move(outcome);
                     if (--shared->left == 0) shared->done.NotifyAll();
                   });
  }
  // Every operation ends by its deadline, so this wait does too.
  while (shared->left > 0) {
    co_await shared->done.Wait(executor, Clock::time_point::max());
  }
  co_return std::move(shared->outcomes);
}

Client::Impl::Task<Result<std::string>> Client::Impl::FetchGet(std::string key,
                                                               Clock::time_point deadline,
                                                               std::function<void()> on_sent) {
  // Named: g++ 12 destroys an aggregate temporary inside a co_await expression twice.
  client::OpSpec spec{.type = client::OpType::kGet, .key = std::move(key)};
  Outcome o = co_await Execute(std::move(spec), deadline, std::move(on_sent));
  if (o.closed) co_return Error{Errc::kClosed, "client closed"};
  if (o.result.outcome != OpOutcome::kOk) co_return OperationError(o.result, false);
  if (!o.result.found) co_return Error{Errc::kNotFound, ""};
  co_return std::move(o.result.value);
}

Client::Impl::Task<Result<std::string>> Client::Impl::Get(std::string key,
                                                          Clock::time_point deadline) {
  if (!options.coalesce_gets)
    co_return co_await FetchGet(std::move(key), deadline, std::function<void()>());
  const auto self = shared_from_this();
  if (auto it = flights_.find(key); it != flights_.end()) {
    std::shared_ptr<Flight> flight = it->second;
    // Join only a request not sent yet (it will read the data as of after this call began) that
    // ends by our deadline.
    if (flight->open && flight->deadline <= deadline) {
      stats->coalesced_gets++;
      while (!flight->result) co_await flight->waiters.Wait(executor, Clock::time_point::max());
      co_return *flight->result;
    }
  }
  auto flight = std::make_shared<Flight>();
  flight->deadline = deadline;
  flights_[key] = flight;
  // Named: g++ 12 mishandles a capturing lambda temporary inside a co_await expression.
  std::function<void()> on_sent = [flight] { flight->open = false; };
  Result<std::string> result = co_await FetchGet(key, deadline, std::move(on_sent));
  flight->open = false;
  if (auto it = flights_.find(key); it != flights_.end() && it->second == flight)
    flights_.erase(it);
  if (!flight->waiters.empty()) {
    flight->result = result;
    flight->waiters.NotifyAll();
  }
  co_return result;
}

}  // namespace shoal
