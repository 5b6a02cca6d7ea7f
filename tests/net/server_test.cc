// In-process tests of the Asio driver (net/server.h): a real Server on 127.0.0.1:<any port> in a
// background thread, driven by blocking POSIX sockets. They check what only the driver does:
// pipelining across the per-batch cap, frames split across reads, bad input answered with an
// error and a close, every client-controlled limit, one slow client not blocking another, routed
// closes (QUIT, max clients), the graceful drain, and an idle timeout that spares a client still
// being written to. The full command set is tested in core/ and by tests/integration/ (redis-py,
// redis-cli).
//
// No timed assertions: a receive timeout (SO_RCVTIMEO) only turns a hang into a failure (the idle
// timeout test sleeps, but asserts only what arrives).
#include "net/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace shoal::net {
namespace {

// A Server running on its own thread for the lifetime of the object.
class RunningServer {
 public:
  explicit RunningServer(ServerOptions options = {}, NodeConfig node_config = {}) {
    options.port = 0;
    options.handle_signals = false;
    server_ = std::make_unique<Server>(node_config, options);
    ListenResult listened = server_->Listen();
    EXPECT_TRUE(listened.has_value()) << (listened ? "" : listened.error());
    port_ = listened ? listened.value() : 0;
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~RunningServer() {
    server_->RequestShutdown();
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// A blocking client socket.
class Client {
 public:
  explicit Client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd_, 0);
    timeval timeout{.tv_sec = 20, .tv_usec = 0};  // a hang becomes a failure, not a stuck CI
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
        << std::strerror(errno);
  }
  ~Client() { ::close(fd_); }

  void Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;  // the server may have closed on us; reads will tell
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Reads exactly `bytes` bytes, or fewer if the connection ends first.
  std::string Read(std::size_t bytes) {
    std::string out;
    while (out.size() < bytes) {
      char chunk[65536];
      const ssize_t n = ::recv(fd_, chunk, std::min(sizeof(chunk), bytes - out.size()), 0);
      if (n <= 0) break;
      out.append(chunk, static_cast<std::size_t>(n));
    }
    return out;
  }
  // Reads until the server closes the connection (EOF or reset); false on timeout.
  bool ReadUntilClosed(std::string* out = nullptr) {
    for (;;) {
      char chunk[65536];
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
      if (out != nullptr) out->append(chunk, static_cast<std::size_t>(n));
    }
  }
  std::string Command(std::string_view request, std::size_t reply_bytes) {
    Send(request);
    return Read(reply_bytes);
  }

 private:
  int fd_ = -1;
};

std::string Repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

TEST(ServerTest, PingBothForms) {
  RunningServer server;
  Client client(server.port());
  EXPECT_EQ(client.Command("PING\r\n", 7), "+PONG\r\n");
  EXPECT_EQ(client.Command("*1\r\n$4\r\nPING\r\n", 7), "+PONG\r\n");
}

// The driver times every command (Node::CommandTook) unless --latency-tracking no: LATENCY
// HISTOGRAM then has the calls, or nothing at all.
TEST(ServerTest, LatencyTrackingTimesEveryCommandUnlessOff) {
  for (const bool tracking : {true, false}) {
    NodeConfig config;
    config.latency_tracking = tracking;
    RunningServer server({}, config);
    Client client(server.port());
    EXPECT_EQ(client.Command("PING\r\nPING\r\n", 14), "+PONG\r\n+PONG\r\n");
    const std::string timed = "*2\r\n$4\r\nping\r\n*4\r\n$5\r\ncalls\r\n:2\r\n";
    const std::string untimed = "*0\r\n";
    client.Send("LATENCY HISTOGRAM ping\r\n");
    EXPECT_EQ(client.Read(tracking ? timed.size() : untimed.size()), tracking ? timed : untimed);
  }
}

TEST(ServerTest, PipelineBeyondOneBatchKeepsOrder) {
  RunningServer server;
  Client client(server.port());
  // 3 * kCommandsPerReadMax + 7 commands in one write: several batches, with yields between.
  const std::size_t n = 3 * limits::kCommandsPerReadMax + 7;
  std::string request;
  std::string expected;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string value = std::to_string(i);
    request += "*2\r\n$4\r\nECHO\r\n" + Bulk(value);
    expected += Bulk(value);
  }
  client.Send(request);
  EXPECT_EQ(client.Read(expected.size()), expected);
}

TEST(ServerTest, FramesSplitAcrossReads) {
  RunningServer server;
  Client client(server.port());
  const std::string set = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n" + Bulk("hello world");
  for (char c : set) client.Send(std::string_view(&c, 1));
  EXPECT_EQ(client.Read(5), "+OK\r\n");
  EXPECT_EQ(client.Command("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n", 18), Bulk("hello world"));
}

TEST(ServerTest, LargeValueRoundTrips) {
  RunningServer server;
  Client client(server.port());
  std::string value(3 * 1024 * 1024 + 17, 'v');
  for (std::size_t i = 0; i < value.size(); i += 4099) value[i] = static_cast<char>('a' + i % 26);
  client.Send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n" + Bulk(value));
  EXPECT_EQ(client.Read(5), "+OK\r\n");
  const std::string reply = Bulk(value);
  EXPECT_TRUE(client.Command("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", reply.size()) == reply);
}

TEST(ServerTest, ProtocolErrorRepliesClosesAndSparesOthers) {
  RunningServer server;
  Client bad(server.port());
  Client good(server.port());
  bad.Send("*1\r\n$x\r\n");
  std::string reply;
  EXPECT_TRUE(bad.ReadUntilClosed(&reply));
  EXPECT_EQ(reply.rfind("-ERR Protocol error", 0), 0u) << reply;
  EXPECT_EQ(good.Command("PING\r\n", 7), "+PONG\r\n");
}

TEST(ServerTest, RepliesBeforeTheBadFrameAreDelivered) {
  RunningServer server;
  Client client(server.port());
  client.Send("PING\r\nPING\r\n*2\r\n$-7\r\n");
  std::string reply;
  EXPECT_TRUE(client.ReadUntilClosed(&reply));
  EXPECT_EQ(reply.rfind("+PONG\r\n+PONG\r\n-ERR Protocol error", 0), 0u) << reply;
}

TEST(ServerTest, HugeBulkHeaderFailsWithoutWaitingForTheBody) {
  RunningServer server;
  Client client(server.port());
  client.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2147483648\r\n");
  std::string reply;
  EXPECT_TRUE(client.ReadUntilClosed(&reply));  // would time out if the server waited for 2 GB
  EXPECT_EQ(reply.rfind("-ERR Protocol error", 0), 0u) << reply;
}

TEST(ServerTest, PendingInputLimitClosesTheConnection) {
  ServerOptions options;
  options.parser.bulk_bytes_max = 1024 * 1024;
  options.input_bytes_max = 64 * 1024;  // below one allowed bulk: the pending limit decides
  RunningServer server(options);
  Client client(server.port());
  client.Send("*2\r\n$4\r\nECHO\r\n$900000\r\n" + std::string(100 * 1024, 'x'));
  std::string reply;
  EXPECT_TRUE(client.ReadUntilClosed(&reply));
  EXPECT_EQ(reply.rfind("-ERR Protocol error", 0), 0u) << reply;
  Client other(server.port());
  EXPECT_EQ(other.Command("PING\r\n", 7), "+PONG\r\n");
}

TEST(ServerTest, UnterminatedFrameWaitsWithoutBlockingOthers) {
  RunningServer server;
  Client slow(server.port());
  Client fast(server.port());
  slow.Send("*2\r\n$4\r\nECHO\r\n$10\r\nabc");
  EXPECT_EQ(fast.Command("PING\r\n", 7), "+PONG\r\n");
  slow.Send("defghij\r\n");
  EXPECT_EQ(slow.Read(17), Bulk("abcdefghij"));
}

TEST(ServerTest, UnknownCommandIsAnErrorButNotAClose) {
  RunningServer server;
  Client client(server.port());
  client.Send("garbage\r\n");
  std::string line;
  while (line.size() < 2 || line.substr(line.size() - 2) != "\r\n") line += client.Read(1);
  EXPECT_EQ(line.rfind("-ERR", 0), 0u) << line;
  EXPECT_EQ(client.Command("PING\r\n", 7), "+PONG\r\n");
}

TEST(ServerTest, QuitRepliesThenCloses) {
  RunningServer server;
  Client client(server.port());
  client.Send("QUIT\r\nPING\r\n");  // nothing after QUIT runs
  std::string reply;
  EXPECT_TRUE(client.ReadUntilClosed(&reply));
  EXPECT_EQ(reply, "+OK\r\n");
}

TEST(ServerTest, MaxClientsRefusesTheExtraClient) {
  NodeConfig node_config;
  node_config.clients_max = 1;
  RunningServer server(ServerOptions{}, node_config);
  Client first(server.port());
  EXPECT_EQ(first.Command("PING\r\n", 7), "+PONG\r\n");
  Client second(server.port());
  std::string reply;
  EXPECT_TRUE(second.ReadUntilClosed(&reply));
  EXPECT_EQ(reply, "-ERR max number of clients reached\r\n");
  EXPECT_EQ(first.Command("PING\r\n", 7), "+PONG\r\n");
}

TEST(ServerTest, OutputLimitClosesAClientThatDoesNotRead) {
  ServerOptions options;
  options.output_bytes_max = 64 * 1024;
  RunningServer server(options);
  Client hog(server.port());
  EXPECT_EQ(hog.Command("*3\r\n$3\r\nSET\r\n$1\r\nv\r\n" + Bulk(std::string(10000, 'o')), 5),
            "+OK\r\n");
  // While a client does not read, its write blocks and the driver stops reading it (TCP pushes
  // back). What one batch can queue is the limit's business: 200 GETs of 10 KB in one 4 KB read.
  const std::string get = "*2\r\n$3\r\nGET\r\n$1\r\nv\r\n";
  hog.Send(Repeat(get, 200));
  std::string reply;
  EXPECT_TRUE(hog.ReadUntilClosed(&reply));
  EXPECT_LT(reply.size(), options.output_bytes_max);  // dropped, not delivered
  Client other(server.port());
  EXPECT_EQ(other.Command("PING\r\n", 7), "+PONG\r\n");
}

TEST(ServerTest, ShutdownCommandStopsTheServer) {
  ServerOptions options;
  options.port = 0;
  options.handle_signals = false;
  Server server(NodeConfig{}, options);
  const ListenResult listened = server.Listen();
  ASSERT_TRUE(listened.has_value());
  std::thread loop([&server] { server.Run(); });
  Client client(listened.value());
  Client bystander(listened.value());
  EXPECT_EQ(bystander.Command("PING\r\n", 7), "+PONG\r\n");
  client.Send("SHUTDOWN NOSAVE\r\n");
  loop.join();  // Run returns: the SHUTDOWN effect drained and stopped the loop
  EXPECT_TRUE(client.ReadUntilClosed());
  EXPECT_TRUE(bystander.ReadUntilClosed());
}

TEST(ServerTest, ShutdownExecutesWhatWasSentBeforeIt) {
  auto server = std::make_unique<RunningServer>();
  Client client(server->port());
  Client idle(server->port());
  EXPECT_EQ(client.Command("PING\r\n", 7), "+PONG\r\n");
  // 1000 commands (6 KB) sit in the server's socket buffer once send() returns on loopback;
  // the drain reads and executes them before closing.
  client.Send(Repeat("PING\r\n", 1000));
  server.reset();  // RequestShutdown + join: returns only once every connection is closed
  std::string replies;
  EXPECT_TRUE(client.ReadUntilClosed(&replies));
  EXPECT_EQ(replies, Repeat("+PONG\r\n", 1000));
  EXPECT_TRUE(idle.ReadUntilClosed());
}

TEST(ServerTest, DrainTimeoutCutsAClientThatDoesNotRead) {
  ServerOptions options;
  options.drain_timeout_ms = 50;
  auto server = std::make_unique<RunningServer>(options);
  Client hog(server->port());
  EXPECT_EQ(hog.Command("*3\r\n$3\r\nSET\r\n$1\r\nv\r\n" + Bulk(std::string(100000, 'o')), 5),
            "+OK\r\n");
  // 300 GETs of 100 KB (30 MB of replies, under the output limit) that the client never reads:
  // the server ends up waiting in a write that cannot finish.
  hog.Send(Repeat("*2\r\n$3\r\nGET\r\n$1\r\nv\r\n", 300));
  Client probe(server->port());
  EXPECT_EQ(probe.Command("PING\r\n", 7), "+PONG\r\n");  // the stuck writer blocks no one
  server.reset();  // returns only because the drain timeout cuts the hog
  EXPECT_TRUE(hog.ReadUntilClosed());
}

TEST(ServerTest, IdleTimeoutSparesAClientWhoseRepliesAreStillBeingWritten) {
  ServerOptions options;
  options.idle_timeout_ms = 1000;  // --timeout 1
  RunningServer server(options);
  Client reader(server.port());
  const std::string value(100000, 'o');
  EXPECT_EQ(reader.Command("*3\r\n$3\r\nSET\r\n$1\r\nv\r\n" + Bulk(value), 5), "+OK\r\n");
  // 100 GETs of 100 KB (10 MB of replies) that the client does not read for a while: the server
  // waits in a write that cannot finish, which is not idleness.
  reader.Send(Repeat("*2\r\n$3\r\nGET\r\n$1\r\nv\r\n", 100));
  Client idle(server.port());
  EXPECT_EQ(idle.Command("PING\r\n", 7), "+PONG\r\n");
  EXPECT_TRUE(idle.ReadUntilClosed());  // closed after 1-2 s without a byte
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // a further idle check or more
  const std::string expected = Repeat(Bulk(value), 100);
  EXPECT_EQ(reader.Read(expected.size()), expected);
  EXPECT_EQ(reader.Command("PING\r\n", 7), "+PONG\r\n");
}

}  // namespace
}  // namespace shoal::net
