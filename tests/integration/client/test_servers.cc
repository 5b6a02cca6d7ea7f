#include "tests/integration/client/test_servers.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

// clang-format off
#include <utility>
#include <boost/asio.hpp>
// clang-format on
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>

#include "client/state/reply_parser.h"

namespace shoal::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: die with the test, write to the log, exec.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
  const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

bool PortFree(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return free;
}

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// redis-cli -p port args... with its stdout in a file under `dir`; that stdout.
std::string RedisCli(int port, const std::vector<std::string>& args, const std::string& dir) {
  std::vector<std::string> argv = {"redis-cli", "-p", std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out = dir + "/cli.out";
  RunCommand(argv, out, 10000);
  return ReadFile(out);
}

// A cluster's bus (Redis) or peer (Shoal) port is its client port + 10000.
constexpr int kPeerPortOffset = 10000;
// A cluster node has this long to start serving.
constexpr int kServeTimeoutMs = 20000;

// `count` consecutive client ports in 20000..28999 whose peer ports are free too; empty if none.
std::vector<int> FreeClusterPorts(int count) {
  std::mt19937 random(
      static_cast<unsigned>(getpid()) ^
      static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  for (int tries = 0; tries < 50; ++tries) {
    const int base = 20000 + static_cast<int>(random() % 9000);
    bool free = true;
    for (int i = 0; i < count && free; ++i) {
      free = PortFree(base + i) && PortFree(base + i + kPeerPortOffset);
    }
    if (!free) continue;
    std::vector<int> ports;
    for (int i = 0; i < count; ++i) ports.push_back(base + i);
    return ports;
  }
  return {};
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_path)
    : pid_(Spawn(argv, log_path)), log_path_(log_path) {}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), log_path_(std::move(other.log_path_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  Kill();
  pid_ = std::exchange(other.pid_, -1);
  log_path_ = std::move(other.log_path_);
  return *this;
}

ChildProcess::~ChildProcess() { Kill(); }

std::string ChildProcess::WaitForLog(const std::string& text, int timeout_ms) const {
  for (int waited = 0; waited <= timeout_ms; waited += 10) {
    std::string log = ReadFile(log_path_);
    if (log.find(text) != std::string::npos) return log;
    SleepMs(10);
  }
  return "";
}

int ChildProcess::Stop(int timeout_ms) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  for (int waited = 0; waited <= timeout_ms; waited += 10) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    SleepMs(10);
  }
  Kill();
  return -1;
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int RunCommand(const std::vector<std::string>& argv, const std::string& log_path, int timeout_ms) {
  const pid_t pid = Spawn(argv, log_path);
  for (int waited = 0; waited <= timeout_ms; waited += 5) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    SleepMs(5);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "shoal-client-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) std::abort();
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ShoalServer::ShoalServer(std::vector<std::string> flags) {
  std::vector<std::string> argv = {SHOAL_SHOALD_PATH, "--port", "0"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  process_ = ChildProcess(argv, dir_.path() + "/shoald.log");
  const std::string log = process_.WaitForLog("shoald listening on 127.0.0.1:", 15000);
  const std::size_t at = log.find("shoald listening on 127.0.0.1:");
  if (at != std::string::npos) port_ = std::atoi(log.c_str() + at + 30);
}

RedisServer::RedisServer() {
  const std::vector<int> ports = FreeClusterPorts(1);
  if (ports.empty()) return;
  const std::string port = std::to_string(ports[0]);
  process_ = ChildProcess({"redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "no", "--dir", dir_.path()},
                          dir_.path() + "/redis.log");
  if (!process_.WaitForLog("Ready to accept connections", 10000).empty()) port_ = ports[0];
}

ShoalCluster::ShoalCluster(int nodes, int copies) : copies_(copies) {
  ports_ = FreeClusterPorts(nodes);
  if (ports_.empty()) return;
  for (int port : ports_) {
    members_ += (members_.empty() ? "" : ",") + std::string("127.0.0.1:") +
                std::to_string(port + kPeerPortOffset);
  }
  starts_.assign(ports_.size(), 0);
  for (int node = 0; node < size(); ++node) {
    processes_.push_back(StartNode(node, dir_.path() + "/node" + std::to_string(node) + "-0.log"));
  }
  for (ChildProcess& p : processes_) {
    if (p.WaitForLog("; serving", kServeTimeoutMs).empty()) return;
  }
  ok_ = true;
}

ChildProcess ShoalCluster::StartNode(int node, const std::string& log_path) const {
  return ChildProcess(
      {SHOAL_SHOALD_PATH, "--bind", "127.0.0.1", "--port", std::to_string(ports_[node]),
       "--cluster", "yes", "--cluster-members", members_, "--copies", std::to_string(copies_)},
      log_path);
}

std::vector<std::string> ShoalCluster::addresses() const {
  std::vector<std::string> out;
  for (int port : ports_) out.push_back("127.0.0.1:" + std::to_string(port));
  return out;
}

void ShoalCluster::Kill(int node) { processes_[node].Kill(); }

bool ShoalCluster::Restart(int node) {
  const std::string log =
      dir_.path() + "/node" + std::to_string(node) + "-" + std::to_string(++starts_[node]) + ".log";
  processes_[node] = StartNode(node, log);
  return !processes_[node].WaitForLog("; serving", kServeTimeoutMs).empty();
}

std::string ShoalCluster::Cli(int node, const std::vector<std::string>& args) const {
  return RedisCli(ports_[node], args, dir_.path());
}

int ShoalCluster::NodeOfKey(const std::string& key) const {
  // "MOVED <slot> 127.0.0.1:<port>" from a node that does not own the key's slot.
  const std::string reply = Cli(0, {"get", key});
  if (reply.rfind("MOVED ", 0) != 0) return 0;
  const int port = std::atoi(reply.c_str() + reply.rfind(':') + 1);
  for (int node = 0; node < size(); ++node) {
    if (ports_[node] == port) return node;
  }
  return -1;
}

RedisCluster::RedisCluster() {
  ports_ = FreeClusterPorts(3);
  if (ports_.empty()) return;
  for (int port : ports_) {
    const std::string p = std::to_string(port);
    processes_.emplace_back(
        std::vector<std::string>{"redis-server", "--port", p, "--bind", "127.0.0.1",
                                 "--cluster-enabled", "yes", "--cluster-config-file",
                                 "nodes-" + p + ".conf", "--cluster-node-timeout", "5000", "--save",
                                 "", "--appendonly", "no", "--dir", dir_.path()},
        dir_.path() + "/redis-" + p + ".log");
  }
  for (ChildProcess& p : processes_) {
    if (p.WaitForLog("Ready to accept connections", 10000).empty()) return;
  }
  std::vector<std::string> create = {"redis-cli", "--cluster", "create"};
  for (int port : ports_) create.push_back("127.0.0.1:" + std::to_string(port));
  create.insert(create.end(), {"--cluster-replicas", "0", "--cluster-yes"});
  if (RunCommand(create, dir_.path() + "/create.log", 60000) != 0) return;
  // Every node must agree that the cluster is up with all three primaries.
  for (int node = 0; node < 3; ++node) {
    bool up = false;
    for (int waited = 0; waited < 10000 && !up; waited += 50) {
      up = Cli(node, {"cluster", "info"}).find("cluster_state:ok") != std::string::npos &&
           Cli(node, {"cluster", "info"}).find("cluster_known_nodes:3") != std::string::npos;
      if (!up) SleepMs(50);
    }
    if (!up) return;
    std::string id = Cli(node, {"cluster", "myid"});
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
    ids_.push_back(id);
  }
  ok_ = true;
}

RedisCluster::~RedisCluster() {
  for (ChildProcess& p : processes_) p.Kill();
}

std::vector<std::string> RedisCluster::addresses() const {
  std::vector<std::string> out;
  for (int port : ports_) out.push_back("127.0.0.1:" + std::to_string(port));
  return out;
}

std::string RedisCluster::Cli(int node, const std::vector<std::string>& args) const {
  return RedisCli(ports_[node], args, dir_.path());
}

int RedisCluster::NodeOfSlot(int slot) const {
  // CLUSTER SLOTS through redis-cli prints first, last, host, port, id per range.
  std::stringstream lines(Cli(0, {"cluster", "slots"}));
  std::vector<std::string> words;
  for (std::string w; std::getline(lines, w);) words.push_back(w);
  for (std::size_t i = 0; i + 3 < words.size(); ++i) {
    if (words[i + 2] != "127.0.0.1") continue;
    const int first = std::atoi(words[i].c_str());
    const int last = std::atoi(words[i + 1].c_str());
    const int port = std::atoi(words[i + 3].c_str());
    if (slot < first || slot > last) continue;
    for (int node = 0; node < 3; ++node) {
      if (ports_[node] == port) return node;
    }
  }
  return -1;
}

struct FakeServer::State {
  explicit State(Handler h) : handler(std::move(h)) {}
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  Handler handler;
  std::mutex mutex;
  std::map<std::string, int> counts;

  int Bump(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex);
    return ++counts[name];
  }

  asio::awaitable<void> Serve(tcp::socket socket, std::atomic<int>* connections) {
    connections->fetch_add(1);
    client::ReplyParser parser;
    std::array<char, 4096> buffer;
    bool hung = false;
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = co_await socket.async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      if (hung) continue;  // read and drop everything
      parser.Append(std::string_view(buffer.data(), n));
      client::Reply command;
      while (!hung && parser.Next(command) == client::ReplyStatus::kOk) {
        std::vector<std::string> argv;
        for (const client::Reply& arg : command.elements) argv.push_back(arg.text);
        if (argv.empty()) continue;
        const std::string name =
            argv.size() > 1 && argv[0] == "CLUSTER" ? "CLUSTER " + argv[1] : argv[0];
        const int count = Bump(name);
        FakeAction action = handler(argv, count);
        if (name == "CLUSTER SLOTS" && action.kind == FakeAction::Kind::kReply &&
            action.bytes.empty()) {
          action.bytes = "-ERR This instance has cluster support disabled\r\n";
        }
        if (name == "ASKING" && action.bytes.empty()) action.bytes = "+OK\r\n";
        if (name == "PING" && action.bytes.empty()) action.bytes = "+PONG\r\n";
        switch (action.kind) {
          case FakeAction::Kind::kReply: {
            if (action.delay_ms > 0) {
              asio::steady_timer timer(io, std::chrono::milliseconds(action.delay_ms));
              co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
            co_await asio::async_write(socket, asio::buffer(action.bytes),
                                       asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            break;
          }
          case FakeAction::Kind::kClose:
            socket.close(ec);
            co_return;
          case FakeAction::Kind::kHang:
            hung = true;
            break;
        }
      }
    }
  }

  asio::awaitable<void> Accept(std::atomic<int>* connections) {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io, Serve(std::move(socket), connections), asio::detached);
    }
  }
};

FakeServer::FakeServer(Handler handler) : state_(std::make_shared<State>(std::move(handler))) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  asio::co_spawn(state_->io, state_->Accept(&connections_), asio::detached);
  thread_ = std::thread([state = state_] { state->io.run(); });
}

FakeServer::~FakeServer() {
  state_->io.stop();
  thread_.join();
}

int FakeServer::Count(const std::string& name) const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  const auto it = state_->counts.find(name);
  return it == state_->counts.end() ? 0 : it->second;
}

}  // namespace shoal::testing
