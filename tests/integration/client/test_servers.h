// Servers for the client library's tests: a real shoald, a real 3-node Redis Cluster, and a
// scripted fake RESP server (to make a node drop a connection, hang, or refuse on cue).
//
// Each test process starts what it needs (ctest runs every test case in its own process); every
// child dies with the test process (PR_SET_PDEATHSIG) and is killed by its destructor.
// Thread safety: FakeServer runs its own I/O thread; its handler runs there, and its counters
// are atomics. The others are used from the test thread only.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace shoal::testing {

// A child process with its stdout and stderr in a file; SIGKILLed on destruction, and when the
// thread that started it ends (PR_SET_PDEATHSIG is per thread): start children on a thread that
// outlives them.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  // Waits up to timeout_ms for `text` to appear in the log; the log's content then, else "".
  std::string WaitForLog(const std::string& text, int timeout_ms) const;
  // SIGTERM, then waits for the exit status (SIGKILL after timeout_ms). -1 if killed.
  int Stop(int timeout_ms = 10000);
  void Kill();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// Runs argv to completion; its exit status (-1 if it could not run). Output goes to log_path.
int RunCommand(const std::vector<std::string>& argv, const std::string& log_path, int timeout_ms);

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// shoald on 127.0.0.1 and a free port (SHOAL_SHOALD_PATH, set by CMake).
class ShoalServer {
 public:
  explicit ShoalServer(std::vector<std::string> flags = {});
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  ChildProcess& process() { return process_; }

 private:
  TempDir dir_;
  ChildProcess process_;
  int port_ = 0;
};

// A standalone redis-server 7.0 on 127.0.0.1 and a free port (no persistence). port() is 0 if
// it did not start.
class RedisServer {
 public:
  RedisServer();
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  TempDir dir_;
  ChildProcess process_;
  int port_ = 0;
};

// A Shoal cluster of `nodes` shoald processes on 127.0.0.1 (--cluster yes, fixed members, peer
// ports 10000 above the client ports, --copies `copies`), as tests/integration/cluster_test.py
// starts one. ok() is false if a node did not start serving.
class ShoalCluster {
 public:
  explicit ShoalCluster(int nodes = 3, int copies = 2);
  bool ok() const { return ok_; }
  int size() const { return static_cast<int>(ports_.size()); }
  std::vector<std::string> addresses() const;
  int port(int node) const { return ports_[node]; }
  // SIGKILL: the node's memory is gone.
  void Kill(int node);
  // Starts a killed node again (same flags); true once it logs "; serving".
  bool Restart(int node);
  // The node whose client port serves `key` now (a plain GET to node 0, following one -MOVED).
  int NodeOfKey(const std::string& key) const;
  // redis-cli -p port(node) args... (no -c: redirects come back as text); its stdout.
  std::string Cli(int node, const std::vector<std::string>& args) const;

 private:
  ChildProcess StartNode(int node, const std::string& log_path) const;

  TempDir dir_;
  std::vector<int> ports_;
  std::string members_;
  int copies_ = 2;
  std::vector<ChildProcess> processes_;
  std::vector<int> starts_;  // per node, how many times it was started (names its log)
  bool ok_ = false;
};

// Three redis-server processes with cluster-enabled yes, joined by redis-cli --cluster create
// (no replicas): slots 0-5460, 5461-10922, 10923-16383. ok() is false if Redis could not start.
class RedisCluster {
 public:
  RedisCluster();
  ~RedisCluster();
  bool ok() const { return ok_; }
  std::vector<std::string> addresses() const;
  int port(int node) const { return ports_[node]; }
  // redis-cli -p port(node) args...; its stdout.
  std::string Cli(int node, const std::vector<std::string>& args) const;
  // The node index whose primary serves `slot` now.
  int NodeOfSlot(int slot) const;
  const std::string& node_id(int node) const { return ids_[node]; }

 private:
  TempDir dir_;
  std::vector<int> ports_;
  std::vector<std::string> ids_;
  std::vector<ChildProcess> processes_;
  bool ok_ = false;
};

// What FakeServer does with one command.
struct FakeAction {
  enum class Kind { kReply, kClose, kHang };
  Kind kind = Kind::kReply;
  std::string bytes;  // kReply: raw RESP bytes, e.g. "+OK\r\n"
  int delay_ms = 0;   // kReply: sent after this long
  static FakeAction Reply(std::string bytes, int delay_ms = 0) {
    return FakeAction{Kind::kReply, std::move(bytes), delay_ms};
  }
  static FakeAction Close() { return FakeAction{Kind::kClose, "", 0}; }
  static FakeAction Hang() { return FakeAction{Kind::kHang, "", 0}; }
};

// A RESP server on 127.0.0.1 and a free port that answers each command with handler(argv, n),
// n counting the commands of that name received so far (1 for the first GET, ...). An empty kReply
// to CLUSTER SLOTS is sent as "-ERR This instance has cluster support disabled", to ASKING as
// "+OK", to PING as "+PONG".
class FakeServer {
 public:
  using Handler = std::function<FakeAction(const std::vector<std::string>& argv, int n)>;
  explicit FakeServer(Handler handler);
  ~FakeServer();
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Commands received whose name is `name` (case-sensitive as sent; the client sends upper case).
  int Count(const std::string& name) const;
  int connections() const { return connections_.load(); }

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> connections_{0};
};

}  // namespace shoal::testing
