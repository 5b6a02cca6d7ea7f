// The client library against a real shoald: every call of the blocking and the asynchronous API,
// pipelining of concurrent calls on one connection, request coalescing and GetOrLoad.
#include "shoal/client.h"

// clang-format off
#include <utility>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
// clang-format on
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "shoal/blocking_client.h"
#include "tests/integration/client/test_servers.h"

namespace shoal {
namespace {

namespace asio = boost::asio;
using testing::FakeAction;
using testing::FakeServer;
using testing::ShoalServer;
using namespace std::chrono_literals;

// Tasks spawned on `io` that `Wait` awaits (the event loop runs until the client is closed, so
// each async test ends its work with client.Close()).
class Join {
 public:
  explicit Join(asio::io_context& io) : io_(io), done_(io) {}
  void Spawn(std::function<asio::awaitable<void>()> task) {
    running_++;
    asio::co_spawn(
        io_,
        [this, task = std::move(task)]() -> asio::awaitable<void> {
          co_await task();
          if (--running_ == 0) done_.cancel();
        },
        asio::detached);
  }
  asio::awaitable<void> Wait() {
    while (running_ > 0) {
      done_.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await done_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

 private:
  asio::io_context& io_;
  asio::steady_timer done_;
  int running_ = 0;
};

// Runs `body` on `io`, then closes the client so that io.run() returns.
void RunThenClose(asio::io_context& io, Client& client,
                  std::function<asio::awaitable<void>()> body) {
  asio::co_spawn(
      io,
      [&, body = std::move(body)]() -> asio::awaitable<void> {
        co_await body();
        client.Close();
      },
      asio::detached);
  io.run();
}

class ShoaldTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(server_.port(), 0) << "shoald did not start"; }
  ClientOptions Options() {
    ClientOptions options;
    options.seeds = {server_.address()};
    return options;
  }
  ShoalServer server_;
};

TEST_F(ShoaldTest, SetsGetsAndDeletesAKey) {
  BlockingClient client(Options());
  ASSERT_TRUE(client.Set("greeting", "hello"));
  Result<std::string> got = client.Get("greeting");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got.value(), "hello");
  ASSERT_TRUE(client.Delete("greeting"));
  Result<std::string> gone = client.Get("greeting");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::kNotFound);
  EXPECT_TRUE(client.Delete("greeting"));  // deleting a missing key is fine
  EXPECT_FALSE(client.stats().cluster);
}

TEST_F(ShoaldTest, ExpiryCalls) {
  BlockingClient client(Options());
  ASSERT_TRUE(client.Set("t", "v", 60s));
  Result<std::optional<std::chrono::milliseconds>> ttl = client.Ttl("t");
  ASSERT_TRUE(ttl);
  ASSERT_TRUE(ttl.value().has_value());
  EXPECT_GT(*ttl.value(), 50s);
  EXPECT_LE(*ttl.value(), 60s);
  ASSERT_TRUE(client.Expire("t", 5s));
  EXPECT_LE(*client.Ttl("t").value(), 5s);
  ASSERT_TRUE(client.ExpireAt("t", std::chrono::system_clock::now() + 100s));
  EXPECT_GT(*client.Ttl("t").value(), 90s);
  ASSERT_TRUE(client.Set("forever", "v"));
  EXPECT_FALSE(client.Ttl("forever").value().has_value());
  EXPECT_EQ(client.Ttl("missing").error().code, Errc::kNotFound);
  EXPECT_EQ(client.Expire("missing", 1s).error().code, Errc::kNotFound);
  ASSERT_TRUE(client.Set("short", "v", 50ms));
  std::this_thread::sleep_for(120ms);
  EXPECT_EQ(client.Get("short").error().code, Errc::kNotFound);
}

TEST_F(ShoaldTest, MultiKeyIncrAndRawCommands) {
  BlockingClient client(Options());
  ASSERT_TRUE(client.MSet({{"a", "1"}, {"b", "2"}, {"{t}c", "3"}}));
  Result<std::vector<std::optional<std::string>>> values = client.MGet({"a", "missing", "{t}c"});
  ASSERT_TRUE(values);
  ASSERT_EQ(values.value().size(), 3u);
  EXPECT_EQ(values.value()[0], "1");
  EXPECT_FALSE(values.value()[1].has_value());
  EXPECT_EQ(values.value()[2], "3");
  EXPECT_TRUE(client.MGet({}).value().empty());
  EXPECT_EQ(client.Incr("n").value(), 1);
  EXPECT_EQ(client.Incr("n", 41).value(), 42);
  EXPECT_EQ(client.Incr("a", -3).value(), -2);
  ASSERT_TRUE(client.Set("s", "text"));
  Result<std::int64_t> not_int = client.Incr("s");
  ASSERT_FALSE(not_int);
  EXPECT_EQ(not_int.error().code, Errc::kServerError);
  Result<Reply> pong = client.Command({"PING"});
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong.value().type, Reply::Type::kSimple);
  EXPECT_EQ(pong.value().text, "PONG");
  Result<Reply> strlen = client.Command({"STRLEN", "s"});
  ASSERT_TRUE(strlen);
  EXPECT_EQ(strlen.value().integer, 4);
  Result<Reply> unknown = client.Command({"NOSUCHCOMMAND"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kServerError);
  EXPECT_EQ(client.Command({}).error().code, Errc::kInvalidArgument);
}

TEST_F(ShoaldTest, GetOrLoadWritesWithNxAndAConcurrentWriterWins) {
  BlockingClient client(Options());
  int loads = 0;
  Result<std::string> first = client.GetOrLoad(
      "user:1",
      [&]() -> Result<std::string> {
        loads++;
        return std::string("from-db");
      },
      60s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first.value(), "from-db");
  Result<std::string> second =
      client.GetOrLoad("user:1", [&]() -> Result<std::string> { return std::string("x"); });
  EXPECT_EQ(second.value(), "from-db");  // cached: no load
  EXPECT_EQ(loads, 1);
  EXPECT_GT(*client.Ttl("user:1").value(), 50s);
  // A writer that lands between our miss and our SET NX wins.
  Result<std::string> raced = client.GetOrLoad("user:2", [&]() -> Result<std::string> {
    EXPECT_TRUE(client.Set("user:2", "writer"));
    return std::string("stale-db-value");
  });
  EXPECT_EQ(raced.value(), "writer");
  EXPECT_EQ(client.Get("user:2").value(), "writer");
  Result<std::string> failed = client.GetOrLoad("user:3", [&]() -> Result<std::string> {
    return Error{Errc::kServerError, "database down"};
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "database down");
  EXPECT_TRUE(client.SetIfAbsent("nx", "1").value());
  EXPECT_FALSE(client.SetIfAbsent("nx", "2").value());
  EXPECT_EQ(client.Get("nx").value(), "1");
}

TEST_F(ShoaldTest, PasswordIsSentWithAuth) {
  ShoalServer locked({"--requirepass", "pw"});
  ASSERT_NE(locked.port(), 0);
  ClientOptions options;
  options.seeds = {locked.address()};
  options.password = "pw";
  BlockingClient client(options);
  ASSERT_TRUE(client.Set("k", "v"));
  EXPECT_EQ(client.Get("k").value(), "v");
  options.password.clear();
  BlockingClient anonymous(options);
  Result<std::string> refused = anonymous.Get("k");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kServerError);
}

TEST_F(ShoaldTest, ConcurrentAsyncCallsArePipelinedOnOneConnection) {
  asio::io_context io;
  ClientOptions options = Options();
  options.connections_per_node = 1;
  options.coalesce_gets = false;
  Client client(io.get_executor(), options);
  constexpr int kCalls = 2000;
  int ok = 0;
  Join join(io);
  RunThenClose(io, client, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < kCalls; ++i) {
      join.Spawn([&, i]() -> asio::awaitable<void> {
        const std::string key = "p" + std::to_string(i);
        if (!co_await client.Set(key, std::to_string(i))) co_return;
        Result<std::string> v = co_await client.Get(key);
        if (v && v.value() == std::to_string(i)) ok++;
      });
    }
    co_await join.Wait();
  });
  EXPECT_EQ(ok, kCalls);
  const ClientStats stats = client.stats();
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.calls, 2u * kCalls);
  EXPECT_EQ(stats.attempts, 2u * kCalls);
}

// The protocol is RESP: the same calls against a standalone redis-server.
TEST(RedisServerTest, TheSameCallsWorkAgainstRedis) {
  testing::RedisServer redis;
  ASSERT_NE(redis.port(), 0) << "redis-server did not start";
  ClientOptions options;
  options.seeds = {redis.address()};
  BlockingClient client(options);
  ASSERT_TRUE(client.Set("k", "v", 60s));
  EXPECT_EQ(client.Get("k").value(), "v");
  EXPECT_GT(*client.Ttl("k").value(), 50s);
  ASSERT_TRUE(client.MSet({{"a", "1"}, {"b", "2"}}));
  Result<std::vector<std::optional<std::string>>> values = client.MGet({"a", "nope", "b"});
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_EQ(values.value()[0], "1");
  EXPECT_FALSE(values.value()[1].has_value());
  EXPECT_EQ(values.value()[2], "2");
  EXPECT_EQ(client.Incr("n", 2).value(), 2);
  ASSERT_TRUE(client.Delete("k"));
  EXPECT_EQ(client.Get("k").error().code, Errc::kNotFound);
  EXPECT_FALSE(client.stats().cluster);  // "cluster support disabled": standalone mode
}

// Concurrent Gets of one key share one request only if it was not sent when they were called.
TEST(CoalescingTest, GetsJoinOnlyARequestNotSentYet) {
  FakeServer server([](const std::vector<std::string>& argv, int n) {
    if (argv[0] != "GET") return FakeAction::Reply("");
    const std::string v = "v" + std::to_string(n);
    return FakeAction::Reply("$" + std::to_string(v.size()) + "\r\n" + v + "\r\n", 100);
  });
  asio::io_context io;
  ClientOptions options;
  options.seeds = {server.address()};
  Client client(io.get_executor(), options);
  std::vector<std::string> early, late;
  Join join(io);
  auto get = [&](std::vector<std::string>* into) {
    return [&, into]() -> asio::awaitable<void> {
      Result<std::string> r = co_await client.Get("hot");
      into->push_back(r ? r.value() : "error");
    };
  };
  RunThenClose(io, client, [&]() -> asio::awaitable<void> {
    // Warm up the topology and the connection, so "sent" is decided by the write alone.
    std::vector<std::string> ping = {"PING"};  // named: see docs/client.md on g++ 12
    co_await client.Command(std::move(ping));
    for (int i = 0; i < 10; ++i) join.Spawn(get(&early));
    // After 30 ms the first request is on the wire (its reply comes after 100 ms): these Gets,
    // called later, must not take its answer.
    asio::steady_timer t(io, 30ms);
    co_await t.async_wait(asio::use_awaitable);
    for (int i = 0; i < 5; ++i) join.Spawn(get(&late));
    co_await join.Wait();
  });
  ASSERT_EQ(early.size(), 10u);
  ASSERT_EQ(late.size(), 5u);
  for (const std::string& v : early) EXPECT_EQ(v, "v1");
  for (const std::string& v : late) EXPECT_EQ(v, "v2");
  EXPECT_EQ(server.Count("GET"), 2);
  EXPECT_EQ(client.stats().coalesced_gets, 13u);
}

TEST(CoalescingTest, CanBeTurnedOff) {
  FakeServer server([](const std::vector<std::string>& argv, int) {
    return argv[0] == "GET" ? FakeAction::Reply("$1\r\nv\r\n") : FakeAction::Reply("");
  });
  asio::io_context io;
  ClientOptions options;
  options.seeds = {server.address()};
  options.coalesce_gets = false;
  Client client(io.get_executor(), options);
  int done = 0;
  Join join(io);
  RunThenClose(io, client, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      join.Spawn([&]() -> asio::awaitable<void> {
        if (co_await client.Get("hot")) done++;
      });
    }
    co_await join.Wait();
  });
  EXPECT_EQ(done, 5);
  EXPECT_EQ(server.Count("GET"), 5);
}

TEST(ClientLifetimeTest, CloseEndsCallsInFlight) {
  FakeServer server([](const std::vector<std::string>& argv, int) {
    return argv[0] == "GET" ? FakeAction::Hang() : FakeAction::Reply("");
  });
  asio::io_context io;
  ClientOptions options;
  options.seeds = {server.address()};
  Client client(io.get_executor(), options);
  std::optional<Errc> code;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        Result<std::string> r = co_await client.Get("k");
        code = r ? Errc{} : r.error().code;
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(io, 100ms);
        co_await t.async_wait(asio::use_awaitable);
        client.Close();
      },
      asio::detached);
  const auto start = std::chrono::steady_clock::now();
  io.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(code, Errc::kClosed);
}

}  // namespace
}  // namespace shoal
