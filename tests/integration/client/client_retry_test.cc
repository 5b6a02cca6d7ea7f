// The client library's retry rules (docs/client.md, "Errors and retries") against a scripted
// fake server that drops connections, hangs or refuses on cue: what is retried, what is not, and
// which Errc each ending gives.
#include <chrono>
#include <string>

#include "gtest/gtest.h"
#include "shoal/blocking_client.h"
#include "tests/integration/client/test_servers.h"

namespace shoal {
namespace {

using testing::FakeAction;
using testing::FakeServer;
using namespace std::chrono_literals;

ClientOptions Options(const FakeServer& server) {
  ClientOptions options;
  options.seeds = {server.address()};
  options.deadline = 2000ms;
  options.attempt_timeout = 200ms;
  options.connect_timeout = 200ms;
  return options;
}

// Answers every `name` command with `action`, everything else with the default reply.
FakeServer::Handler On(std::string name, FakeAction action) {
  return [name = std::move(name), action = std::move(action)](const std::vector<std::string>& argv,
                                                              int) {
    return argv[0] == name ? action : FakeAction::Reply("");
  };
}

FakeAction Value(const std::string& v) {
  return FakeAction::Reply("$" + std::to_string(v.size()) + "\r\n" + v + "\r\n");
}

TEST(ClientRetryTest, StandaloneServerGetsEveryKey) {
  FakeServer server([](const std::vector<std::string>& argv, int) {
    return argv[0] == "GET" ? Value("v:" + argv[1]) : FakeAction::Reply("");
  });
  BlockingClient client(Options(server));
  for (const char* key : {"a", "b", "{x}c", "zzz"}) {
    Result<std::string> r = client.Get(key);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r.value(), std::string("v:") + key);
  }
  EXPECT_EQ(server.Count("CLUSTER SLOTS"), 1);
  EXPECT_FALSE(client.stats().cluster);
}

TEST(ClientRetryTest, ReadIsRetriedAfterABrokenConnection) {
  FakeServer server([](const std::vector<std::string>& argv, int n) {
    if (argv[0] != "GET") return FakeAction::Reply("");
    return n == 1 ? FakeAction::Close() : Value("v");
  });
  BlockingClient client(Options(server));
  Result<std::string> r = client.Get("k");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r.value(), "v");
  EXPECT_EQ(server.Count("GET"), 2);
  EXPECT_GE(client.stats().retries, 1u);
}

TEST(ClientRetryTest, ReadIsRetriedAfterATimeout) {
  FakeServer server([](const std::vector<std::string>& argv, int n) {
    if (argv[0] != "GET") return FakeAction::Reply("");
    return n == 1 ? FakeAction::Hang() : Value("v");
  });
  BlockingClient client(Options(server));
  Result<std::string> r = client.Get("k");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(server.Count("GET"), 2);
  EXPECT_EQ(client.stats().timeouts, 1u);
}

TEST(ClientRetryTest, RepeatableWritesAreRetriedAfterTimeoutsAndBrokenConnections) {
  FakeServer server([](const std::vector<std::string>& argv, int n) {
    if (argv[0] == "SET") return n == 1 ? FakeAction::Hang() : FakeAction::Reply("+OK\r\n");
    if (argv[0] == "DEL") return n == 1 ? FakeAction::Close() : FakeAction::Reply(":1\r\n");
    if (argv[0] == "PEXPIREAT") return n == 1 ? FakeAction::Close() : FakeAction::Reply(":1\r\n");
    return FakeAction::Reply("");
  });
  BlockingClient client(Options(server));
  Result<void> set = client.Set("k", "v", 10s);
  EXPECT_TRUE(set) << set.error().message;
  Result<void> del = client.Delete("k");
  EXPECT_TRUE(del) << del.error().message;
  Result<void> at = client.ExpireAt("k", std::chrono::system_clock::now() + 10s);
  EXPECT_TRUE(at) << at.error().message;
  EXPECT_EQ(server.Count("SET"), 2);
  EXPECT_EQ(server.Count("DEL"), 2);
  EXPECT_EQ(server.Count("PEXPIREAT"), 2);
}

TEST(ClientRetryTest, NonRepeatableWritesEndAsUnknownOutcomeAndAreSentOnce) {
  FakeServer server([](const std::vector<std::string>& argv, int) {
    if (argv[0] == "INCRBY") return FakeAction::Close();
    if (argv[0] == "PEXPIRE") return FakeAction::Hang();
    return FakeAction::Reply("");
  });
  BlockingClient client(Options(server));
  Result<std::int64_t> incr = client.Incr("n");
  ASSERT_FALSE(incr);
  EXPECT_EQ(incr.error().code, Errc::kUnknownOutcome) << incr.error().message;
  Result<void> expire = client.Expire("n", 5s);
  ASSERT_FALSE(expire);
  EXPECT_EQ(expire.error().code, Errc::kUnknownOutcome) << expire.error().message;
  Result<Reply> append = client.Command({"APPEND", "n", "x"});
  ASSERT_FALSE(append);
  EXPECT_EQ(append.error().code, Errc::kUnknownOutcome);
  EXPECT_EQ(server.Count("INCRBY"), 1);
  EXPECT_EQ(server.Count("PEXPIRE"), 1);
  EXPECT_EQ(server.Count("APPEND"), 1);
}

TEST(ClientRetryTest, NonRepeatableWritesAreRetriedAfterRefusals) {
  FakeServer server([](const std::vector<std::string>& argv, int n) {
    if (argv[0] != "INCRBY") return FakeAction::Reply("");
    if (n == 1) return FakeAction::Reply("-LOADING Redis is loading the dataset in memory\r\n");
    if (n == 2) return FakeAction::Reply("-TRYAGAIN too many writes\r\n");
    return FakeAction::Reply(":3\r\n");
  });
  BlockingClient client(Options(server));
  Result<std::int64_t> incr = client.Incr("n", 3);
  ASSERT_TRUE(incr) << incr.error().message;
  EXPECT_EQ(incr.value(), 3);
  EXPECT_EQ(server.Count("INCRBY"), 3);
}

TEST(ClientRetryTest, ServerErrorsAreReturnedNotRetried) {
  FakeServer server([](const std::vector<std::string>& argv, int) {
    if (argv[0] == "INCRBY") {
      return FakeAction::Reply("-ERR value is not an integer or out of range\r\n");
    }
    if (argv[0] == "GET") return FakeAction::Reply("-WRONGTYPE Operation against a key\r\n");
    return FakeAction::Reply("");
  });
  BlockingClient client(Options(server));
  Result<std::int64_t> incr = client.Incr("n");
  ASSERT_FALSE(incr);
  EXPECT_EQ(incr.error().code, Errc::kServerError);
  EXPECT_EQ(incr.error().message, "ERR value is not an integer or out of range");
  Result<std::string> get = client.Get("n");
  ASSERT_FALSE(get);
  EXPECT_EQ(get.error().code, Errc::kServerError);
  EXPECT_EQ(server.Count("INCRBY"), 1);
  EXPECT_EQ(server.Count("GET"), 1);
}

TEST(ClientRetryTest, DeadlineBoundsAReadThatNeverAnswers) {
  FakeServer server(On("GET", FakeAction::Hang()));
  BlockingClient client(Options(server));
  const auto start = std::chrono::steady_clock::now();
  Result<std::string> r = client.Get("k", CallOptions{.deadline = 700ms});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kTimedOut) << r.error().message;
  EXPECT_GE(took, 650ms);
  EXPECT_LT(took, 1500ms);
  EXPECT_GE(server.Count("GET"), 2);  // 200 ms attempts, retried until the deadline
}

TEST(ClientRetryTest, ClusterDownUntilTheDeadlineIsClusterUnavailable) {
  FakeServer server(On("SET", FakeAction::Reply("-CLUSTERDOWN The cluster is down\r\n")));
  BlockingClient client(Options(server));
  Result<void> r = client.Set("k", "v", {}, CallOptions{.deadline = 300ms});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kClusterUnavailable);
  EXPECT_GE(server.Count("SET"), 3);
}

TEST(ClientRetryTest, UnreachableNodeIsClusterUnavailableEvenForWrites) {
  std::string address;
  {
    FakeServer gone([](const std::vector<std::string>&, int) { return FakeAction::Reply(""); });
    address = gone.address();
  }  // nothing listens there now
  ClientOptions options;
  options.seeds = {address};
  options.deadline = 300ms;
  BlockingClient client(options);
  Result<std::int64_t> r = client.Incr("n");
  ASSERT_FALSE(r);
  // Never sent, so certainly not applied: not "unknown outcome".
  EXPECT_EQ(r.error().code, Errc::kClusterUnavailable) << r.error().message;
  EXPECT_GE(client.stats().connect_failures, 2u);
}

TEST(ClientRetryTest, RawCommandKindsFollowTheTableUnlessOverridden) {
  FakeServer server([](const std::vector<std::string>& argv, int n) {
    if (argv[0] == "STRLEN" || argv[0] == "SETRANGE") {
      return n == 1 ? FakeAction::Close() : FakeAction::Reply(":1\r\n");
    }
    return FakeAction::Reply("");
  });
  BlockingClient client(Options(server));
  Result<Reply> strlen = client.Command({"STRLEN", "k"});  // a known read: retried
  ASSERT_TRUE(strlen) << strlen.error().message;
  EXPECT_EQ(strlen.value().integer, 1);
  Result<Reply> setrange = client.Command({"SETRANGE", "k", "0", "x"},
                                          CommandOptions{.kind = CommandKind::kRepeatableWrite});
  ASSERT_TRUE(setrange) << setrange.error().message;
  EXPECT_EQ(server.Count("STRLEN"), 2);
  EXPECT_EQ(server.Count("SETRANGE"), 2);
}

TEST(ClientRetryTest, SetWithGetIsNotRepeatable) {
  FakeServer server(On("SET", FakeAction::Close()));
  BlockingClient client(Options(server));
  Result<Reply> r = client.Command({"SET", "k", "v", "GET"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnknownOutcome);
  EXPECT_EQ(server.Count("SET"), 1);
}

TEST(ClientRetryTest, AuthIsSentOnEveryNewConnection) {
  FakeServer server([](const std::vector<std::string>& argv, int) {
    if (argv[0] == "AUTH") {
      return FakeAction::Reply(argv[1] == "secret" ? "+OK\r\n" : "-WRONGPASS invalid\r\n");
    }
    if (argv[0] == "GET") return Value("v");
    return FakeAction::Reply("");
  });
  ClientOptions options = Options(server);
  options.password = "secret";
  BlockingClient client(options);
  EXPECT_TRUE(client.Get("k"));
  EXPECT_GE(server.Count("AUTH"), 1);
  options.password = "wrong";
  options.deadline = 300ms;
  BlockingClient refused(options);
  Result<std::string> r = refused.Get("k");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kClusterUnavailable);
  EXPECT_NE(r.error().message.find("WRONGPASS"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace shoal
