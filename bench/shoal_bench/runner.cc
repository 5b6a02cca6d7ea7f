#include "bench/shoal_bench/runner.h"

// clang-format off
#include <utility>
#include <boost/asio.hpp>
// clang-format on
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "shoal/client.h"

namespace shoal::bench {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// State shared by every thread of one run.
struct Shared {
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> tickets{0};  // requests left (--requests); unused with --duration
  bool counted = false;
  std::atomic<bool> cluster{false};
  Clock::time_point start = Clock::now();  // set again just before the threads start

  bool Take() {
    if (stop.load(std::memory_order_relaxed)) return false;
    return !counted || tickets.fetch_sub(1, std::memory_order_relaxed) > 0;
  }
};

// One load thread: an event loop, a client, a workload and a recorder.
class LoadThread {
 public:
  LoadThread(const BenchOptions& options, std::uint32_t index, std::uint32_t connections,
             Shared& shared)
      : options_(options),
        shared_(shared),
        client_(io_.get_executor(), ClientOptionsFor(options, connections)),
        connections_(connections),
        workload_(WorkloadFor(options, index)) {}

  void Start() {
    thread_ = std::thread([this] { Main(); });
  }
  void Join() { thread_.join(); }
  Recorder& recorder() { return recorder_; }
  const ClientStats& stats() const { return stats_; }
  bool done() const { return done_.load(); }

 private:
  static ClientOptions ClientOptionsFor(const BenchOptions& o, std::uint32_t connections) {
    ClientOptions c;
    c.seeds = {o.target};
    c.connections_per_node = connections;
    c.coalesce_gets = o.coalesce;
    c.password = o.password;
    c.deadline = std::chrono::milliseconds(o.deadline_ms);
    return c;
  }
  static WorkloadOptions WorkloadFor(const BenchOptions& o, std::uint32_t index) {
    WorkloadOptions w = o.workload;
    w.seed = o.workload.seed * 1000003 + index;
    return w;
  }

  void Main() {
    // Exceptions stop at the spawn edge: the thread ends its load and reports what it has.
    asio::co_spawn(io_, Body(), [this](std::exception_ptr) {
      stats_ = client_.stats();
      client_.Close();
      done_.store(true);
    });
    io_.run();
  }

  asio::awaitable<void> Body() {
    // Learn the topology before the clock starts (cluster or not), like a warm client.
    std::vector<std::string> ping = {"PING"};
    co_await client_.Command(std::move(ping));
    if (client_.stats().cluster) shared_.cluster = true;
    if (options_.rate > 0) {
      co_await OpenLoop();
    } else {
      for (std::uint32_t i = 0; i < connections_ * options_.pipeline; ++i) Spawn(ClosedWorker());
    }
    co_await WaitIdle();
  }

  void Spawn(asio::awaitable<void> task) {
    running_++;
    asio::co_spawn(io_, std::move(task), [this](std::exception_ptr) {
      if (--running_ == 0) idle_.cancel();
      if (running_ < options_.in_flight_max) room_.cancel();
    });
  }

  asio::awaitable<void> WaitIdle() {
    while (running_ > 0) {
      idle_.expires_at(Clock::time_point::max());
      boost::system::error_code ec;
      co_await idle_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // One request; its latency is measured from `intended` (open loop) or from now.
  asio::awaitable<void> OneRequest(Clock::time_point intended) {
    Workload::Op op = workload_.Next();
    std::optional<Errc> error;
    bool hit = false;
    if (op.read) {
      Result<std::string> r = co_await client_.Get(std::move(op.key));
      hit = r.has_value();
      if (!r && r.error().code != Errc::kNotFound) error = r.error().code;
    } else {
      const std::chrono::milliseconds ttl(op.with_ttl ? options_.ttl_ms : 0);
      Result<void> r = co_await client_.Set(std::move(op.key), std::string(op.value), ttl);
      if (!r) error = r.error().code;
    }
    const Clock::time_point now = Clock::now();
    const auto latency = std::chrono::duration_cast<std::chrono::nanoseconds>(now - intended);
    const auto at = std::chrono::duration_cast<std::chrono::nanoseconds>(now - shared_.start);
    recorder_.Record(static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0)),
                     static_cast<std::uint64_t>(std::max<std::int64_t>(at.count(), 0)), op.read,
                     hit, error);
  }

  asio::awaitable<void> ClosedWorker() {
    while (shared_.Take()) co_await OneRequest(Clock::now());
  }

  asio::awaitable<void> OpenLoop() {
    const double rate = options_.rate / static_cast<double>(options_.threads);
    const auto start = Clock::now();
    asio::steady_timer timer(io_);
    for (std::uint64_t i = 0;; ++i) {
      const auto intended =
          start +
          std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(i) * 1e9 / rate));
      if (intended > Clock::now()) {
        timer.expires_at(intended);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      while (running_ >= options_.in_flight_max) {  // bounded memory; latency still counts
        room_.expires_at(Clock::time_point::max());
        boost::system::error_code ec;
        co_await room_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      if (!shared_.Take()) break;
      Spawn(OneRequest(intended));
    }
  }

  const BenchOptions& options_;
  Shared& shared_;
  asio::io_context io_{1};
  Client client_;
  std::uint32_t connections_;
  Workload workload_;
  Recorder recorder_;
  asio::steady_timer idle_{io_};
  asio::steady_timer room_{io_};
  std::uint64_t running_ = 0;
  ClientStats stats_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

RunFacts Run(const BenchOptions& options, Report& report) {
  Shared shared;
  if (options.requests > 0) {
    shared.counted = true;
    shared.tickets = static_cast<std::int64_t>(options.requests);
  }
  std::vector<std::unique_ptr<LoadThread>> threads;
  for (std::uint32_t t = 0; t < options.threads; ++t) {
    const std::uint32_t share =
        options.connections / options.threads + (t < options.connections % options.threads ? 1 : 0);
    threads.push_back(std::make_unique<LoadThread>(options, t, share, shared));
  }
  shared.start = Clock::now();
  const auto start = shared.start;
  for (auto& t : threads) t->Start();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.duration_s));
  auto last = start;
  for (std::uint64_t second = 1;; ++second) {
    const auto tick = start + std::chrono::seconds(second);
    bool all_done = false;
    while (Clock::now() < tick) {
      all_done = true;
      for (auto& t : threads) all_done = all_done && t->done();
      if (all_done) break;
      if (options.duration_s > 0 && Clock::now() >= end) {
        shared.stop = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const auto now = Clock::now();
    Sample interval;
    for (auto& t : threads) interval.Merge(t->recorder().TakeInterval());
    report.AddInterval(interval, std::chrono::duration<double>(now - last).count(),
                       std::chrono::duration<double>(now - start).count());
    last = now;
    if (all_done) break;
  }
  RunFacts facts;
  facts.target = options.target;
  facts.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& t : threads) {
    t->Join();
    const ClientStats& s = t->stats();
    facts.client.redirects_moved += s.redirects_moved;
    facts.client.redirects_ask += s.redirects_ask;
    facts.client.retries += s.retries;
    facts.client.timeouts += s.timeouts;
    facts.client.connections_opened += s.connections_opened;
  }
  facts.cluster = shared.cluster;
  return facts;
}

}  // namespace shoal::bench
