// MetricsServer tests over real sockets: /metrics answers the latest published snapshot in the
// text format (503 before the first), a scrape asks for a fresh snapshot and is answered with it,
// keep-alive, HEAD, 404/405/400, the connection cap; and a Server with metrics on answers a scrape
// with the commands it executed before it, while a metrics client that never sends a byte does
// not hold up RESP clients.
//
// No timed assertions: receive timeouts only turn a hang into a failure; "eventually" checks poll
// for at most a few seconds (a tick is 100 ms).
#include "net/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/limits.h"
#include "gtest/gtest.h"
#include "net/server.h"

namespace shoal::net {
namespace {

int Connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{.tv_sec = 20, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
      << std::strerror(errno);
  return fd;
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Reads one HTTP response (headers, then a Content-Length body unless it answers a HEAD); empty if
// the peer closed first.
std::string ReadResponse(int fd, bool head_only = false) {
  std::string data;
  char buf[65536];
  for (;;) {
    const std::size_t head_end = data.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const std::string headers = data.substr(0, head_end);
      std::size_t length = 0;
      const std::size_t at = headers.find("Content-Length: ");
      if (at != std::string::npos) length = std::stoul(headers.substr(at + 16));
      if (head_only || data.size() >= head_end + 4 + length) return data;
    }
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return data;
    data.append(buf, static_cast<std::size_t>(n));
  }
}

std::string Body(const std::string& response) {
  return response.substr(response.find("\r\n\r\n") + 4);
}

std::string Get(std::uint16_t port, std::string_view path) {
  const int fd = Connect(port);
  SendAll(fd, "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string response = ReadResponse(fd);
  ::close(fd);
  return response;
}

std::shared_ptr<const MetricsSnapshot> Snapshot(std::uint64_t hits) {
  auto s = std::make_shared<MetricsSnapshot>();
  s->version = "test";
  s->keyspace_hits = hits;
  return s;
}

class RunningMetrics {
 public:
  RunningMetrics() : server_(MetricsOptions{.bind = "127.0.0.1", .port = 0}) {
    const ListenResult listened = server_.Listen();
    EXPECT_TRUE(listened.has_value());
    port_ = listened ? listened.value() : 0;
    server_.Start();
  }
  MetricsServer& server() { return server_; }
  std::uint16_t port() const { return port_; }

 private:
  MetricsServer server_;
  std::uint16_t port_ = 0;
};

TEST(MetricsServer, ServesTheLatestSnapshot) {
  RunningMetrics m;
  EXPECT_EQ(Get(m.port(), "/metrics").substr(0, 12), "HTTP/1.1 503");
  const auto first = Snapshot(5);
  m.server().Publish(first);
  std::string response = Get(m.port(), "/metrics");
  EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(response.find("Content-Type: text/plain; version=0.0.4; charset=utf-8"),
            std::string::npos);
  EXPECT_EQ(Body(response), FormatMetrics(*first));
  m.server().Publish(Snapshot(9));
  EXPECT_NE(Get(m.port(), "/metrics?x=1").find("shoal_keyspace_hits_total 9\n"), std::string::npos);
}

TEST(MetricsServer, AScrapeAsksForAFreshSnapshotAndGetsIt) {
  RunningMetrics m;
  m.server().Publish(Snapshot(1));
  EXPECT_FALSE(m.server().SnapshotWanted());
  std::string response;
  std::thread scrape([&] { response = Get(m.port(), "/metrics"); });
  // The scrape raises the flag and waits; the "loop" (this thread) sees it and publishes.
  bool wanted = false;
  for (int i = 0; i < 2000 && !wanted; ++i) {
    wanted = m.server().SnapshotWanted();
    if (!wanted) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  if (wanted) m.server().Publish(Snapshot(2));
  scrape.join();
  EXPECT_TRUE(wanted);
  EXPECT_FALSE(m.server().SnapshotWanted());  // cleared by the first call
  EXPECT_NE(Body(response).find("shoal_keyspace_hits_total 2\n"), std::string::npos) << response;
}

TEST(MetricsServer, KeepAliveHeadAndErrors) {
  RunningMetrics m;
  m.server().Publish(Snapshot(1));
  const int fd = Connect(m.port());
  for (int i = 0; i < 3; ++i) {  // three requests on one connection
    SendAll(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string response = ReadResponse(fd);
    EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK") << i;
    EXPECT_NE(Body(response).find("shoal_keyspace_hits_total 1\n"), std::string::npos);
  }
  SendAll(fd, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string head = ReadResponse(fd, true);
  EXPECT_EQ(head.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(head.find("Content-Length: " + std::to_string(FormatMetrics(*Snapshot(1)).size())),
            std::string::npos);
  EXPECT_EQ(Body(head), "");
  ::close(fd);
  EXPECT_EQ(Get(m.port(), "/").substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(Get(m.port(), "/nope").substr(0, 12), "HTTP/1.1 404");
  const int post = Connect(m.port());
  SendAll(post, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(ReadResponse(post).substr(0, 12), "HTTP/1.1 405");
  ::close(post);
  const int bad = Connect(m.port());
  SendAll(bad, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(ReadResponse(bad).substr(0, 12), "HTTP/1.1 400");
  ::close(bad);
}

TEST(MetricsServer, CapsConnections) {
  RunningMetrics m;
  m.server().Publish(Snapshot(1));
  std::vector<int> idle;
  for (std::size_t i = 0; i < limits::kMetricsConnectionsMax; ++i)
    idle.push_back(Connect(m.port()));
  // Make sure every idle connection has been accepted: each answers a request.
  for (int fd : idle) {
    SendAll(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(ReadResponse(fd).substr(0, 15), "HTTP/1.1 200 OK");
  }
  const int extra = Connect(m.port());
  char byte;
  EXPECT_EQ(::recv(extra, &byte, 1, 0), 0);  // closed at once
  ::close(extra);
  for (int fd : idle) ::close(fd);
  // Slots come back once the idle connections are gone.
  std::string response;
  for (int attempt = 0; attempt < 100 && response.substr(0, 15) != "HTTP/1.1 200 OK"; ++attempt) {
    response = Get(m.port(), "/metrics");
    if (response.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK");
}

TEST(MetricsServer, ServerPublishesWhatItExecutes) {
  ServerOptions options;
  options.port = 0;
  options.handle_signals = false;
  options.metrics = MetricsOptions{.bind = "127.0.0.1", .port = 0};
  Server server(NodeConfig{}, options);
  const ListenResult listened = server.Listen();
  ASSERT_TRUE(listened.has_value());
  ASSERT_TRUE(server.metrics_port().has_value());
  std::thread loop([&] { server.Run(); });
  // A metrics client that connects and never sends holds no one up.
  const int silent = Connect(*server.metrics_port());
  const int client = Connect(listened.value());
  SendAll(client, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
  std::string replies;
  char buf[256];
  while (replies.size() < 12) {
    const ssize_t n = ::recv(client, buf, sizeof(buf), 0);
    ASSERT_GT(n, 0);
    replies.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_EQ(replies, "+OK\r\n$1\r\nv\r\n");
  // One scrape: it asks the loop for a snapshot taken after it arrived, so it sees both commands.
  const std::string body = Body(Get(*server.metrics_port(), "/metrics"));
  EXPECT_NE(body.find("shoal_keyspace_hits_total 1\n"), std::string::npos) << body;
  EXPECT_NE(body.find("shoal_commands_total{cmd=\"set\"} 1\n"), std::string::npos);
  EXPECT_NE(body.find("shoal_command_duration_seconds_count{cmd=\"get\"} 1\n"), std::string::npos);
  ::close(client);
  ::close(silent);
  server.RequestShutdown();
  loop.join();
}

}  // namespace
}  // namespace shoal::net
