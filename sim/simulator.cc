#include "sim/simulator.h"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "client/state/operation.h"
#include "client/state/reply_parser.h"
#include "client/state/router.h"
#include "core/cluster/placement.h"
#include "core/limits.h"
#include "core/node.h"
#include "core/result.h"
#include "core/slot.h"
#include "sim/checker.h"
#include "sim/event_queue.h"
#include "sim/network.h"
#include "sim/prng.h"
#include "sim/trace_hash.h"

namespace shoal::sim {
namespace {

// A connection id (the ClientId a node sees) carries the client index in its low bits.
constexpr int kClientBits = 8;
static_assert(kClientsMax <= (1u << kClientBits));
constexpr std::uint32_t kNoPayload = UINT32_MAX;
constexpr std::uint32_t kAnyIncarnation = 0;  // incarnations start at 1

enum class Ev : std::uint8_t {
  kTick,           // a: node; incarnation
  kPeer,           // a: from node, b: to node, payload: message; incarnation: of `to` at send
  kRequest,        // a: client, b: node, payload: argv; tag: connection; incarnation of node
  kClose,          // a: client, b: node; tag: connection; incarnation of node
  kReply,          // a: client, b: node, payload: bytes; tag: connection
  kClientWake,     // a: client; tag: timer generation
  kClientTimeout,  // a: client; tag: timer generation
  kFaultStart,     // a: fault index
  kFaultEnd,       // a: fault index
  kQuiet,          // the quiet phase begins
  kStop,           // ScenarioOptions::stop_at
};

const char* EvName(Ev kind) {
  switch (kind) {
    case Ev::kTick:
      return "tick";
    case Ev::kPeer:
      return "peer";
    case Ev::kRequest:
      return "request";
    case Ev::kClose:
      return "close";
    case Ev::kReply:
      return "reply";
    case Ev::kClientWake:
      return "wake";
    case Ev::kClientTimeout:
      return "timeout";
    case Ev::kFaultStart:
      return "fault";
    case Ev::kFaultEnd:
      return "heal";
    case Ev::kQuiet:
      return "quiet";
    case Ev::kStop:
      return "stop";
  }
  return "?";
}

struct Event {
  TimeMs at = 0;
  std::uint64_t seq = 0;
  std::uint64_t tag = 0;
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  std::uint32_t payload = kNoPayload;
  std::uint32_t incarnation = 0;
  Ev kind = Ev::kTick;
};

// One line of a node's timeline, stored compactly and formatted only when reported.
struct TimelineEntry {
  enum class Kind : std::uint8_t {
    kPeerIn,
    kRequest,
    kReply,
    kCrash,
    kRestart,
    kPause,
    kResume,
    kFault,
    kHeal
  };
  TimeMs at = 0;
  TimeMs node_at = 0;
  Kind kind = Kind::kPeerIn;
  std::uint32_t other = 0;
  std::uint64_t number = 0;  // request id, connection, fault index
  std::uint64_t epoch = 0;
  std::uint32_t count = 0;
  std::uint8_t sub = 0;  // message kind
  char text[30] = {};    // command + key / reply prefix / first entry key
};

class Timeline {
 public:
  TimelineEntry& Add() {
    TimelineEntry& e = ring_[next_];
    e = TimelineEntry{};
    next_ = (next_ + 1) % ring_.size();
    if (count_ < ring_.size()) count_++;
    return e;
  }
  template <class F>
  void ForEach(F&& f) const {
    const std::size_t start = (next_ + ring_.size() - count_) % ring_.size();
    for (std::size_t i = 0; i < count_; ++i) f(ring_[(start + i) % ring_.size()]);
  }

 private:
  std::array<TimelineEntry, kTimelineEntriesMax> ring_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
};

void CopyText(char (&dst)[30], std::string_view a, std::string_view b = {}) {
  std::size_t n = 0;
  auto put = [&](std::string_view s) {
    for (char c : s) {
      if (n + 1 >= sizeof(dst)) return;
      dst[n++] = (c >= 32 && c < 127) ? c : '.';
    }
  };
  put(a);
  if (!b.empty()) {
    put(" ");
    put(b);
  }
  dst[n] = 0;
}

struct SimNode {
  std::unique_ptr<Node> node;
  bool up = true;
  bool paused = false;
  std::uint32_t incarnation = 1;
  TimeMs offset_ms = 0;
  std::int32_t drift_ppm = 0;
  absl::flat_hash_set<ClientId> sessions;  // lookups only, never iterated
  std::vector<Event> stash;                // deliveries held while paused
  Timeline timeline;
};

struct SimClient {
  explicit SimClient(std::vector<std::string> addresses, const client::RetryPolicy& policy,
                     std::uint32_t node_count)
      : router(std::move(addresses)), op(policy), conn(node_count, 0), parsers(node_count) {}
  client::SlotRouter router;
  client::Operation op;
  std::vector<ClientId> conn;  // per node; 0: no connection
  std::vector<client::ReplyParser> parsers;
  std::size_t history_index = 0;
  std::uint32_t ops_left = 0;
  std::uint64_t timer_gen = 0;
  std::uint64_t conn_serial = 0;
  std::uint32_t sweep_next = 0;
  bool sweeping = false;
  bool running = false;  // an operation is in progress
  bool finished = false;
  client::Reply reply;  // reused
};

// Placements are immutable and a pure function of (nodes, R): build each shape once per process
// (a sequential cache; shoal-sim is single-threaded) instead of once per scenario.
std::shared_ptr<const cluster::Placement> SharedPlacement(std::uint32_t nodes, std::uint32_t r) {
  static std::vector<std::shared_ptr<const cluster::Placement>> cache;
  for (const auto& p : cache) {
    if (p->node_count() == nodes && p->replication_factor() == r) return p;
  }
  cluster::PlacementOptions options;
  options.node_count = nodes;
  options.replication_factor = r;
  cache.push_back(std::make_shared<const cluster::Placement>(options));
  return cache.back();
}

std::string NodeAddress(std::uint32_t node) {
  return "10.0.0." + std::to_string(node + 1) + ":7379";
}

class Sim {
 public:
  explicit Sim(const ScenarioOptions& options);
  ScenarioResult Run();
  std::string FormatTimelines() const;

 private:
  TimeMs NodeNow(std::uint32_t n) const {
    const SimNode& node = nodes_[n];
    return kNodeEpochMs + now_ + node.offset_ms + node.drift_ppm * now_ / 1'000'000;
  }
  void Push(Event e) { queue_.Push(e); }
  void Process(const Event& e);
  void OnTick(const Event& e);
  void OnPeer(const Event& e);
  void OnRequest(const Event& e);
  void OnClose(const Event& e);
  void OnReply(const Event& e);
  void OnClientWake(const Event& e);
  void OnClientTimeout(const Event& e);
  void OnFault(std::uint32_t index, bool start);
  void OnQuiet();
  void HandleEffects(std::uint32_t n);
  void SendPeer(std::uint32_t from, std::uint32_t to, cluster::Message&& message);
  void HandleAction(std::uint32_t c, const client::Operation::Action& action);
  void StartNextOp(std::uint32_t c);
  void ScheduleNext(std::uint32_t c);
  void CompleteOp(std::uint32_t c);
  void DropConnection(std::uint32_t c, std::uint32_t n);
  void Crash(std::uint32_t n);
  void Restart(std::uint32_t n);
  void Pause(std::uint32_t n);
  void Resume(std::uint32_t n);
  void ApplyLinks(const Fault& f, bool block);
  void HoldStaleCopies(std::uint32_t from, std::uint32_t to, const cluster::Message& message);
  void ReleaseStaleQueue(std::uint32_t index);
  enum class Fate : std::uint8_t { kDeliver, kDropped, kStashed };
  Fate Deliverable(std::uint32_t n, const Event& e);
  NodeConfig MakeConfig(std::uint32_t n) const;
  bool FaultDropped(std::uint32_t index) const {
    return std::binary_search(options_.drop_faults.begin(), options_.drop_faults.end(), index);
  }
  void Check(ScenarioResult& result);

  std::uint32_t AllocMessage(cluster::Message&& m);
  std::uint32_t AllocBytes(std::string_view bytes);
  std::uint32_t AllocArgv(const std::vector<std::string>& argv);
  void FreeMessage(std::uint32_t i) { free_messages_.push_back(i); }
  void FreeBytes(std::uint32_t i) { free_bytes_.push_back(i); }
  void FreeArgv(std::uint32_t i) { free_argv_.push_back(i); }

  void Verbose(const Event& e, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

  ScenarioOptions options_;
  Prng workload_prng_;
  Prng net_prng_;
  std::uint32_t node_count_ = 0;
  std::uint32_t client_count_ = 0;
  std::uint32_t replication_factor_ = 0;
  std::uint32_t ops_total_ = 0;
  TimeMs think_mean_ms_ = 0;
  TimeMs fault_end_ = 0;
  TimeMs liveness_start_ = 0;
  TimeMs hard_end_ = 0;
  bool quiet_ = false;
  bool stopped_ = false;
  TimeMs now_ = 0;
  std::vector<std::string> keys_;
  std::vector<std::string> addresses_;
  std::shared_ptr<const cluster::Placement> placement_;
  FaultPlan plan_;
  std::vector<bool> fault_applied_;
  // Stale queues (FaultKind::kStaleQueue): the active ones, and per fault index the held copies.
  struct HeldMessage {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    std::uint32_t payload = kNoPayload;
  };
  std::vector<std::uint32_t> stale_active_;
  std::vector<std::vector<HeldMessage>> stale_held_;
  std::uint64_t faults_applied_ = 0;
  std::unique_ptr<Network> network_;
  std::vector<SimNode> nodes_;
  std::vector<SimClient> clients_;
  std::uint32_t clients_finished_ = 0;
  EventQueue<Event> queue_;
  Effects effects_;
  TraceHash trace_;
  History history_;
  std::uint64_t messages_ = 0;
  std::uint64_t events_ = 0;

  std::vector<cluster::Message> messages_pool_;
  std::vector<std::uint32_t> free_messages_;
  std::vector<std::string> bytes_pool_;
  std::vector<std::uint32_t> free_bytes_;
  std::vector<std::vector<std::string>> argv_pool_;
  std::vector<std::uint32_t> free_argv_;
  std::vector<std::string_view> argv_views_;
};

Sim::Sim(const ScenarioOptions& options) : options_(options), workload_prng_(0), net_prng_(0) {
  std::sort(options_.drop_faults.begin(), options_.drop_faults.end());
  // Independent sub-streams, drawn in a fixed order, so an override of one knob (say --ops)
  // does not change the draws of another (say the fault plan).
  Prng root(options.seed);
  Prng scenario_prng = root.Fork();
  Prng fault_prng = root.Fork();
  net_prng_ = root.Fork();
  workload_prng_ = root.Fork();

  node_count_ = options.nodes.value_or(5);
  const std::uint32_t clients_drawn = static_cast<std::uint32_t>(scenario_prng.Range(4, 8));
  const std::uint32_t keys_drawn = static_cast<std::uint32_t>(scenario_prng.Range(8, 32));
  const FaultMix& mix_drawn = DrawFaultMix(scenario_prng);
  client_count_ = options.clients.value_or(clients_drawn);
  const std::uint32_t key_count = options.keys.value_or(keys_drawn);
  ops_total_ = options.ops.value_or(2000);
  const FaultMix* mix = &mix_drawn;
  if (options.faults) {
    mix = FindFaultMix(*options.faults);
    SHOAL_ASSERT_MSG(mix != nullptr, "unknown fault mix");
  }
  SHOAL_ASSERT(node_count_ >= 1 && node_count_ <= kNodesMax);
  SHOAL_ASSERT(client_count_ >= 1 && client_count_ <= kClientsMax);
  SHOAL_ASSERT(key_count >= 1);
  SHOAL_ASSERT(options.duration_ms >= 4 * kLivenessBoundMs / 3);
  replication_factor_ = std::min(options.replication_factor, node_count_);

  fault_end_ = options.duration_ms * 3 / 4;
  liveness_start_ = fault_end_ + kLivenessBoundMs;
  hard_end_ = options.duration_ms + 120'000;
  think_mean_ms_ = options.think_ms.value_or(std::max<TimeMs>(
      1, options.duration_ms * client_count_ / std::max<std::uint32_t>(1, ops_total_)));
  SHOAL_ASSERT(think_mean_ms_ >= 1);

  for (std::uint32_t k = 0; k < key_count; ++k) keys_.push_back("k" + std::to_string(k));
  plan_ = DrawFaultPlan(*mix, node_count_, client_count_, fault_end_, fault_prng);
  fault_applied_.assign(plan_.faults.size(), false);
  stale_held_.resize(plan_.faults.size());
  network_ = std::make_unique<Network>(node_count_, client_count_, plan_.network);

  for (std::uint32_t n = 0; n < node_count_; ++n) addresses_.push_back(NodeAddress(n));
  placement_ = SharedPlacement(node_count_, replication_factor_);

  TimeMs skew_bound = 0;
  nodes_.resize(node_count_);
  for (std::uint32_t n = 0; n < node_count_; ++n) {
    SimNode& node = nodes_[n];
    node.offset_ms = plan_.clock_offset_ms[n];
    node.drift_ppm = plan_.drift_ppm[n];
    const TimeMs drift_max =
        (node.drift_ppm < 0 ? -node.drift_ppm : node.drift_ppm) * hard_end_ / 1'000'000 + 1;
    skew_bound =
        std::max(skew_bound, (node.offset_ms < 0 ? -node.offset_ms : node.offset_ms) + drift_max);
    node.node = std::make_unique<Node>(MakeConfig(n));
  }
  history_.clock_skew_bound_ms = skew_bound;

  client::RetryPolicy policy;
  clients_.reserve(client_count_);
  for (std::uint32_t c = 0; c < client_count_; ++c) {
    clients_.emplace_back(addresses_, policy, node_count_);
    // Clients route by the same placement function as the nodes (primary of the key's slot).
    for (std::size_t slot = 0; slot < limits::kSlotCount; ++slot) {
      const auto s16 = static_cast<std::uint16_t>(slot);
      clients_.back().router.SetOwner(s16, placement_->Primary(s16));
    }
    clients_.back().ops_left =
        ops_total_ / client_count_ + (c < ops_total_ % client_count_ ? 1 : 0);
  }
}

NodeConfig Sim::MakeConfig(std::uint32_t n) const {
  NodeConfig config;
  config.cluster.node_id = n;
  config.cluster.node_count = node_count_;
  config.cluster.replication_factor = replication_factor_;
  config.cluster.bug = options_.bug;
  config.cluster.node_addresses = addresses_;
  config.cluster.placement = placement_;
  config.bind = "10.0.0." + std::to_string(n + 1);
  config.port = 7379;
  return config;
}

std::uint32_t Sim::AllocMessage(cluster::Message&& m) {
  if (!free_messages_.empty()) {
    const std::uint32_t i = free_messages_.back();
    free_messages_.pop_back();
    messages_pool_[i] = std::move(m);
    return i;
  }
  messages_pool_.push_back(std::move(m));
  return static_cast<std::uint32_t>(messages_pool_.size() - 1);
}

std::uint32_t Sim::AllocBytes(std::string_view bytes) {
  if (!free_bytes_.empty()) {
    const std::uint32_t i = free_bytes_.back();
    free_bytes_.pop_back();
    bytes_pool_[i].assign(bytes);
    return i;
  }
  bytes_pool_.emplace_back(bytes);
  return static_cast<std::uint32_t>(bytes_pool_.size() - 1);
}

std::uint32_t Sim::AllocArgv(const std::vector<std::string>& argv) {
  if (!free_argv_.empty()) {
    const std::uint32_t i = free_argv_.back();
    free_argv_.pop_back();
    argv_pool_[i] = argv;
    return i;
  }
  argv_pool_.push_back(argv);
  return static_cast<std::uint32_t>(argv_pool_.size() - 1);
}

void Sim::Verbose(const Event& e, const char* fmt, ...) {
  if (!options_.verbose) return;
  std::printf("%8" PRId64 "ms %-7s ", static_cast<std::int64_t>(now_), EvName(e.kind));
  va_list args;
  va_start(args, fmt);
  std::vprintf(fmt, args);
  va_end(args);
  std::printf("\n");
}

ScenarioResult Sim::Run() {
  // Initial agenda: node ticks (random phase), client starts, faults, the quiet phase.
  for (std::uint32_t n = 0; n < node_count_; ++n) {
    Event e;
    e.kind = Ev::kTick;
    e.a = n;
    e.incarnation = nodes_[n].incarnation;
    e.at = net_prng_.Range(0, limits::kTickIntervalMs - 1);
    Push(e);
  }
  for (std::uint32_t c = 0; c < client_count_; ++c) {
    SimClient& client = clients_[c];
    Event e;
    e.kind = Ev::kClientWake;
    e.a = c;
    e.tag = ++client.timer_gen;
    e.at = workload_prng_.Range(0, think_mean_ms_);
    Push(e);
  }
  for (std::uint32_t i = 0; i < plan_.faults.size(); ++i) {
    if (FaultDropped(i)) continue;
    Event e;
    e.kind = Ev::kFaultStart;
    e.a = i;
    e.at = plan_.faults[i].at;
    Push(e);
  }
  {
    Event e;
    e.kind = Ev::kQuiet;
    e.at = fault_end_;
    Push(e);
  }
  if (options_.stop_at > 0) {
    Event e;
    e.kind = Ev::kStop;
    e.at = options_.stop_at;
    Push(e);
  }

  while (!queue_.empty() && !stopped_ && clients_finished_ < client_count_) {
    if (queue_.next_time() > hard_end_) break;
    const Event e = queue_.Pop();
    SHOAL_ASSERT(e.at >= now_);
    now_ = e.at;
    events_++;
    trace_.Fold((static_cast<std::uint64_t>(e.kind) << 56) ^
                (static_cast<std::uint64_t>(e.a) << 32) ^ e.b);
    trace_.Fold(static_cast<std::uint64_t>(now_));
    Process(e);
  }

  ScenarioResult result;
  result.seed = options_.seed;
  result.mix = plan_.mix_name;
  result.nodes = node_count_;
  result.clients = client_count_;
  result.keys = static_cast<std::uint32_t>(keys_.size());
  result.faults = faults_applied_;
  result.messages = messages_;
  result.events = events_;
  result.end_at = now_;
  result.think_mean_ms = think_mean_ms_;
  result.fault_schedule = plan_.faults;
  for (std::uint32_t i = 0; i < plan_.faults.size(); ++i) {
    if (!FaultDropped(i)) result.faults_planned++;
  }
  for (const Operation& op : history_.ops) {
    switch (op.outcome) {
      case OpOutcome::kOk:
        result.ops_ok++;
        break;
      case OpOutcome::kFail:
        result.ops_fail++;
        break;
      default:
        result.ops_unknown++;
        break;
    }
  }
  result.ops = history_.ops.size();
  result.trace = trace_.value();
  if (options_.stop_at > 0) {
    result.timeline = FormatTimelines();
  } else {
    Check(result);
  }
  result.history = std::move(history_);
  return result;
}

void Sim::Process(const Event& e) {
  switch (e.kind) {
    case Ev::kTick:
      OnTick(e);
      break;
    case Ev::kPeer:
      OnPeer(e);
      break;
    case Ev::kRequest:
      OnRequest(e);
      break;
    case Ev::kClose:
      OnClose(e);
      break;
    case Ev::kReply:
      OnReply(e);
      break;
    case Ev::kClientWake:
      OnClientWake(e);
      break;
    case Ev::kClientTimeout:
      OnClientTimeout(e);
      break;
    case Ev::kFaultStart:
      OnFault(e.a, true);
      break;
    case Ev::kFaultEnd:
      OnFault(e.a, false);
      break;
    case Ev::kQuiet:
      OnQuiet();
      break;
    case Ev::kStop:
      stopped_ = true;
      break;
  }
}

void Sim::OnTick(const Event& e) {
  SimNode& node = nodes_[e.a];
  if (!node.up || node.incarnation != e.incarnation) return;  // a chain of a dead incarnation
  if (!node.paused) {
    node.node->Tick(NodeNow(e.a), effects_);
    HandleEffects(e.a);
  }
  Event next = e;
  next.at = now_ + limits::kTickIntervalMs;
  Push(next);
}

Sim::Fate Sim::Deliverable(std::uint32_t n, const Event& e) {
  SimNode& node = nodes_[n];
  if (!node.up || (e.incarnation != kAnyIncarnation && node.incarnation != e.incarnation)) {
    trace_.Fold(0xD0D0);  // dropped: the connection died with the incarnation
    return Fate::kDropped;
  }
  if (node.paused) {
    node.stash.push_back(e);
    return Fate::kStashed;
  }
  return Fate::kDeliver;
}

void Sim::OnPeer(const Event& e) {
  if (const Fate fate = Deliverable(e.b, e); fate != Fate::kDeliver) {
    if (fate == Fate::kDropped) FreeMessage(e.payload);
    return;
  }
  const cluster::Message& message = messages_pool_[e.payload];
  trace_.Fold(cluster::HashMessage(message));
  messages_++;
  SimNode& node = nodes_[e.b];
  TimelineEntry& t = node.timeline.Add();
  t.at = now_;
  t.node_at = NodeNow(e.b);
  t.kind = TimelineEntry::Kind::kPeerIn;
  t.other = e.a;
  t.sub = static_cast<std::uint8_t>(message.kind);
  t.number = message.request_id;
  t.epoch = message.epoch;
  t.count = static_cast<std::uint32_t>(message.entries.size());
  if (!message.entries.empty()) CopyText(t.text, message.entries.front().key);
  Verbose(e, "n%u -> n%u kind=%u epoch=%" PRIu64 " req=%" PRIu64 " entries=%zu", e.a, e.b,
          static_cast<unsigned>(message.kind), message.epoch, message.request_id,
          message.entries.size());
  node.node->Step(NodeNow(e.b), PeerMessage{e.a, &message}, effects_);
  FreeMessage(e.payload);
  HandleEffects(e.b);
}

void Sim::OnRequest(const Event& e) {
  const std::uint32_t c = e.a;
  const std::uint32_t n = e.b;
  if (const Fate fate = Deliverable(n, e); fate != Fate::kDeliver) {
    if (fate == Fate::kDropped) FreeArgv(e.payload);
    return;
  }
  SimNode& node = nodes_[n];
  const ClientId conn = e.tag;
  if (!node.sessions.contains(conn)) {
    node.sessions.insert(conn);
    const std::string address = "10.1.0." + std::to_string(c + 1) + ":" +
                                std::to_string(10000 + (conn >> kClientBits) % 50000);
    node.node->Step(NodeNow(n), ClientConnected{conn, address}, effects_);
    HandleEffects(n);
  }
  const std::vector<std::string>& argv = argv_pool_[e.payload];
  argv_views_.clear();
  for (const std::string& arg : argv) {
    argv_views_.push_back(arg);
    trace_.FoldBytes(arg);
  }
  TimelineEntry& t = node.timeline.Add();
  t.at = now_;
  t.node_at = NodeNow(n);
  t.kind = TimelineEntry::Kind::kRequest;
  t.other = c;
  t.number = conn;
  CopyText(t.text, argv[0], argv.size() > 1 ? std::string_view(argv[1]) : std::string_view());
  if (options_.verbose) {
    std::string line;
    for (const std::string& arg : argv) line += arg + " ";
    Verbose(e, "c%u -> n%u conn=%" PRIu64 " %s", c, n, conn, line.c_str());
  }
  node.node->Step(NodeNow(n), ClientCommand{conn, std::span<const std::string_view>(argv_views_)},
                  effects_);
  FreeArgv(e.payload);
  HandleEffects(n);
}

void Sim::OnClose(const Event& e) {
  const std::uint32_t n = e.b;
  if (Deliverable(n, e) != Fate::kDeliver) return;
  SimNode& node = nodes_[n];
  if (!node.sessions.contains(e.tag)) return;
  node.sessions.erase(e.tag);
  Verbose(e, "c%u x n%u conn=%" PRIu64, e.a, n, e.tag);
  node.node->Step(NodeNow(n), ClientDisconnected{e.tag}, effects_);
  HandleEffects(n);
}

void Sim::HandleEffects(std::uint32_t n) {
  SimNode& node = nodes_[n];
  for (const Effects::Output& out : effects_.outputs) {
    const std::string_view bytes =
        std::string_view(effects_.bytes).substr(out.begin, out.end - out.begin);
    const std::uint32_t c = static_cast<std::uint32_t>(out.client & ((1u << kClientBits) - 1));
    SHOAL_ASSERT(c < client_count_);
    TimelineEntry& t = node.timeline.Add();
    t.at = now_;
    t.node_at = NodeNow(n);
    t.kind = TimelineEntry::Kind::kReply;
    t.other = c;
    t.number = out.client;
    CopyText(t.text, bytes.substr(0, 28));
    const Delivery d = network_->Send(now_, n, network_->ClientEndpoint(c), net_prng_);
    trace_.Fold(d.delivered ? static_cast<std::uint64_t>(d.at) : 0xDEAD);
    if (!d.delivered) continue;
    Event e;
    e.kind = Ev::kReply;
    e.at = d.at;
    e.a = c;
    e.b = n;
    e.tag = out.client;
    e.payload = AllocBytes(bytes);
    Push(e);
  }
  for (const ClientId id : effects_.closes) {
    // The server closes the socket: the node hears ClientDisconnected, the client loses it.
    const std::uint32_t c = static_cast<std::uint32_t>(id & ((1u << kClientBits) - 1));
    Event e;
    e.kind = Ev::kClose;
    e.at = now_;
    e.a = c;
    e.b = n;
    e.tag = id;
    e.incarnation = node.incarnation;
    Push(e);
    if (clients_[c].conn[n] == id) {
      clients_[c].conn[n] = 0;
      clients_[c].parsers[n].Reset();
    }
  }
  if (options_.verbose) {
    for (const std::string& log : effects_.logs)
      std::printf("           n%u log: %s\n", n, log.c_str());
  }
  for (Effects::Send& send : effects_.sends) SendPeer(n, send.to, std::move(send.message));
  effects_.Clear();
}

void Sim::SendPeer(std::uint32_t from, std::uint32_t to, cluster::Message&& message) {
  SHOAL_ASSERT(to < node_count_ && to != from);
  if (!stale_active_.empty()) HoldStaleCopies(from, to, message);
  const Delivery d = network_->Send(now_, from, to, net_prng_);
  trace_.Fold(d.delivered ? static_cast<std::uint64_t>(d.at) : 0xDEAD);
  if (d.stale) {
    // A copy held back in the network: it reaches whoever runs at the address when it arrives.
    trace_.Fold(0x57A1E000ULL ^ static_cast<std::uint64_t>(d.stale_at));
    Event held;
    held.kind = Ev::kPeer;
    held.a = from;
    held.b = to;
    held.incarnation = kAnyIncarnation;
    held.at = d.stale_at;
    cluster::Message copy = message;
    held.payload = AllocMessage(std::move(copy));
    Push(held);
  }
  if (!d.delivered) return;
  Event e;
  e.kind = Ev::kPeer;
  e.a = from;
  e.b = to;
  // Stream-like peer links die with the receiving process; datagram-like ones (while reordering
  // is on) deliver to whoever runs at the address then, so a restarted node may receive messages
  // meant for its previous life (what incarnation checks are for).
  e.incarnation = network_->options().reorder_ppm > 0 ? kAnyIncarnation : nodes_[to].incarnation;
  if (d.duplicated) {
    Event dup = e;
    dup.at = d.duplicate_at;
    cluster::Message copy = message;
    dup.payload = AllocMessage(std::move(copy));
    e.at = d.at;
    e.payload = AllocMessage(std::move(message));
    Push(e);
    Push(dup);
    return;
  }
  e.at = d.at;
  e.payload = AllocMessage(std::move(message));
  Push(e);
}

void Sim::HoldStaleCopies(std::uint32_t from, std::uint32_t to, const cluster::Message& message) {
  if (network_->Blocked(from, to)) return;  // it never left the sender
  for (const std::uint32_t index : stale_active_) {
    const Fault& f = plan_.faults[index];
    std::vector<HeldMessage>& held = stale_held_[index];
    if ((f.node != from && f.node != to) || held.size() >= kStaleQueueMessagesMax) continue;
    cluster::Message copy = message;
    held.push_back({from, to, AllocMessage(std::move(copy))});
    trace_.Fold(0x57A1E000ULL ^ index);
  }
}

void Sim::ReleaseStaleQueue(std::uint32_t index) {
  stale_active_.erase(std::find(stale_active_.begin(), stale_active_.end(), index));
  // Delivered in the order they were sent, to whatever runs at the address now (any
  // incarnation), whatever partitions hold by now: the router flushes its queue.
  const NetworkOptions& n = network_->options();
  TimeMs at = now_;
  for (const HeldMessage& h : stale_held_[index]) {
    at = std::max(at, now_ + net_prng_.Range(n.latency_min_ms, n.latency_max_ms));
    Event e;
    e.kind = Ev::kPeer;
    e.a = h.from;
    e.b = h.to;
    e.incarnation = kAnyIncarnation;
    e.payload = h.payload;
    e.at = at;
    trace_.Fold(static_cast<std::uint64_t>(at));
    Push(e);
  }
  stale_held_[index].clear();
}

void Sim::OnReply(const Event& e) {
  const std::uint32_t c = e.a;
  const std::uint32_t n = e.b;
  SimClient& client = clients_[c];
  const std::string& bytes = bytes_pool_[e.payload];
  trace_.FoldBytes(bytes);
  if (client.conn[n] != e.tag) {  // a connection the client already gave up
    FreeBytes(e.payload);
    return;
  }
  Verbose(e, "n%u -> c%u %.*s", n, c,
          static_cast<int>(std::min<std::size_t>(bytes.size(), 60) -
                           (bytes.size() >= 2 && bytes.size() <= 60 ? 2 : 0)),
          bytes.c_str());
  client.parsers[n].Append(bytes);
  FreeBytes(e.payload);
  for (;;) {
    const client::ReplyStatus status = client.parsers[n].Next(client.reply);
    if (status == client::ReplyStatus::kNeedMore) break;
    if (status == client::ReplyStatus::kError) {
      DropConnection(c, n);  // the in-flight attempt (if any) will time out
      break;
    }
    if (client.running && client.op.in_flight() && client.op.target() == n) {
      HandleAction(c, client.op.OnReply(now_, client.reply, client.router));
    }
  }
}

void Sim::DropConnection(std::uint32_t c, std::uint32_t n) {
  SimClient& client = clients_[c];
  if (client.conn[n] == 0) return;
  const Delivery d = network_->Send(now_, network_->ClientEndpoint(c), n, net_prng_);
  if (d.delivered) {
    Event e;
    e.kind = Ev::kClose;
    e.at = d.at;
    e.a = c;
    e.b = n;
    e.tag = client.conn[n];
    e.incarnation = nodes_[n].incarnation;
    Push(e);
  }
  client.conn[n] = 0;
  client.parsers[n].Reset();
}

void Sim::HandleAction(std::uint32_t c, const client::Operation::Action& action) {
  SimClient& client = clients_[c];
  using Kind = client::Operation::Action::Kind;
  switch (action.kind) {
    case Kind::kSend: {
      const std::uint32_t n = action.node;
      SHOAL_ASSERT(n < node_count_);
      if (client.conn[n] == 0) {
        client.conn[n] = (++client.conn_serial << kClientBits) | c;
        client.parsers[n].Reset();
      }
      const Delivery d = network_->Send(now_, network_->ClientEndpoint(c), n, net_prng_);
      trace_.Fold(d.delivered ? static_cast<std::uint64_t>(d.at) : 0xDEAD);
      if (d.delivered) {
        Event e;
        e.kind = Ev::kRequest;
        e.at = d.at;
        e.a = c;
        e.b = n;
        e.tag = client.conn[n];
        e.incarnation = nodes_[n].incarnation;
        e.payload = AllocArgv(client.op.argv());
        Push(e);
      }
      Event timeout;
      timeout.kind = Ev::kClientTimeout;
      timeout.a = c;
      timeout.tag = ++client.timer_gen;
      timeout.at = client.op.attempt_deadline();
      Push(timeout);
      break;
    }
    case Kind::kSleep: {
      Event wake;
      wake.kind = Ev::kClientWake;
      wake.a = c;
      wake.tag = ++client.timer_gen;
      wake.at = std::max(action.at, now_);
      Push(wake);
      break;
    }
    case Kind::kDone:
      client.timer_gen++;  // cancels the attempt's timeout
      CompleteOp(c);
      ScheduleNext(c);
      break;
  }
}

void Sim::CompleteOp(std::uint32_t c) {
  SimClient& client = clients_[c];
  client.running = false;
  const client::OpResult& r = client.op.result();
  Operation& op = history_.ops[client.history_index];
  op.complete_at = now_;
  op.node = static_cast<std::int32_t>(client.op.target());
  switch (r.outcome) {
    case client::OpOutcome::kOk:
      op.outcome = OpOutcome::kOk;
      break;
    case client::OpOutcome::kFail:
      op.outcome = OpOutcome::kFail;
      break;
    case client::OpOutcome::kUnknown:
      op.outcome = OpOutcome::kUnknown;
      break;
  }
  if (op.kind == OpKind::kGet && op.outcome == OpOutcome::kOk) {
    op.found = r.found;
    op.value = r.value;
  }
  trace_.Fold(op.id);
  trace_.Fold(static_cast<std::uint64_t>(op.outcome) | (op.found ? 0x100 : 0));
  if (op.found) trace_.FoldBytes(op.value);
  if (options_.verbose) {
    std::printf("%8" PRId64 "ms done    c%u op#%" PRIu64 " %s %s -> %s%s%s%s%s\n",
                static_cast<std::int64_t>(now_), c, op.id,
                client::OpTypeName(client.op.spec().type), op.key.c_str(),
                client::OpOutcomeName(r.outcome), op.found ? " value=" : "",
                op.found ? op.value.c_str() : "", r.error.empty() ? "" : " err=", r.error.c_str());
  }
}

void Sim::ScheduleNext(std::uint32_t c) {
  SimClient& client = clients_[c];
  TimeMs at = 0;
  if (client.ops_left > 0) {
    at = now_ + 1 + workload_prng_.Exponential(think_mean_ms_);
  } else if (c == 0 && client.sweep_next < keys_.size()) {
    client.sweeping = true;
    at = std::max(now_ + 1, liveness_start_);
  } else {
    client.finished = true;
    clients_finished_++;
    return;
  }
  Event wake;
  wake.kind = Ev::kClientWake;
  wake.a = c;
  wake.tag = ++client.timer_gen;
  wake.at = at;
  Push(wake);
}

void Sim::OnClientWake(const Event& e) {
  SimClient& client = clients_[e.a];
  if (e.tag != client.timer_gen || client.finished) return;
  if (client.running) {
    Verbose(e, "c%u retry", e.a);
    HandleAction(e.a, client.op.OnWake(now_, client.router));
  } else if (client.ops_left == 0 && !client.sweeping) {
    ScheduleNext(e.a);  // a client given no operations (--ops < --clients): sweep or finish
  } else {
    StartNextOp(e.a);
  }
}

void Sim::OnClientTimeout(const Event& e) {
  SimClient& client = clients_[e.a];
  if (e.tag != client.timer_gen || !client.running || !client.op.in_flight()) return;
  Verbose(e, "c%u attempt to n%u timed out", e.a, client.op.target());
  const std::uint32_t target = client.op.target();
  const client::Operation::Action action = client.op.OnTimeout(now_);
  DropConnection(e.a, target);
  HandleAction(e.a, action);
}

void Sim::StartNextOp(std::uint32_t c) {
  SimClient& client = clients_[c];
  client::OpSpec spec;
  const std::uint64_t id = history_.ops.size();
  if (client.ops_left > 0) {
    client.ops_left--;
    spec.key = keys_[workload_prng_.Below(keys_.size())];
    const std::uint64_t r = workload_prng_.Below(100);
    if (r < 50) {
      spec.type = client::OpType::kGet;
    } else if (r < 88) {
      spec.type = client::OpType::kSet;
      spec.value = "v" + std::to_string(id) + "c" + std::to_string(c);
      if (workload_prng_.Chance(1, 4)) spec.ttl_ms = workload_prng_.Range(50, 4000);
    } else {
      spec.type = client::OpType::kDel;
    }
  } else {
    SHOAL_ASSERT(client.sweeping);
    spec.type = client::OpType::kGet;
    spec.key = keys_[client.sweep_next++];
  }
  Operation op;
  op.id = id;
  op.client = c;
  op.kind = spec.type == client::OpType::kGet   ? OpKind::kGet
            : spec.type == client::OpType::kSet ? OpKind::kSet
                                                : OpKind::kDel;
  op.key = spec.key;
  op.value = spec.value;
  op.ttl_ms = spec.ttl_ms;
  op.invoke_at = now_;
  history_.ops.push_back(std::move(op));
  client.history_index = history_.ops.size() - 1;
  client.running = true;
  trace_.Fold(id);
  trace_.Fold(static_cast<std::uint64_t>(spec.type) |
              (static_cast<std::uint64_t>(spec.ttl_ms) << 8));
  trace_.FoldBytes(spec.key);
  trace_.FoldBytes(spec.value);
  HandleAction(c, client.op.Start(now_, std::move(spec), client.router));
}

void Sim::Crash(std::uint32_t n) {
  SimNode& node = nodes_[n];
  SHOAL_ASSERT(node.up);
  // Which written values die with this node? Those no other live node's store holds.
  Store& store = const_cast<Store&>(node.node->store());  // Peek only drops expired items
  for (const std::string& key : keys_) {
    const std::optional<ItemView> mine = store.Peek(key, NodeNow(n));
    if (!mine) continue;
    bool held_elsewhere = false;
    for (std::uint32_t m = 0; m < node_count_ && !held_elsewhere; ++m) {
      if (m == n || !nodes_[m].up) continue;
      Store& other = const_cast<Store&>(nodes_[m].node->store());
      const std::optional<ItemView> theirs = other.Peek(key, NodeNow(m));
      held_elsewhere = theirs && theirs->value == mine->value;
    }
    if (!held_elsewhere) {
      WorldEvent w;
      w.kind = WorldEvent::Kind::kAllCopiesLost;
      w.at = now_;
      w.node = n;
      w.key = key;
      w.value = std::string(mine->value);
      trace_.FoldBytes(w.value);
      history_.world.push_back(std::move(w));
    }
  }
  WorldEvent w;
  w.kind = WorldEvent::Kind::kCrash;
  w.at = now_;
  w.node = n;
  history_.world.push_back(std::move(w));
  node.node.reset();
  node.up = false;
  node.paused = false;
  node.incarnation++;
  node.sessions.clear();
  for (const Event& held : node.stash) {
    if (held.kind == Ev::kPeer) FreeMessage(held.payload);
    if (held.kind == Ev::kRequest) FreeArgv(held.payload);
  }
  node.stash.clear();
  network_->ResetEndpoint(n);
  TimelineEntry& t = node.timeline.Add();
  t.at = now_;
  t.kind = TimelineEntry::Kind::kCrash;
}

void Sim::Restart(std::uint32_t n) {
  SimNode& node = nodes_[n];
  SHOAL_ASSERT(!node.up);
  node.node = std::make_unique<Node>(MakeConfig(n));
  node.up = true;
  node.incarnation++;
  WorldEvent w;
  w.kind = WorldEvent::Kind::kRestart;
  w.at = now_;
  w.node = n;
  history_.world.push_back(std::move(w));
  TimelineEntry& t = node.timeline.Add();
  t.at = now_;
  t.node_at = NodeNow(n);
  t.kind = TimelineEntry::Kind::kRestart;
  Event tick;
  tick.kind = Ev::kTick;
  tick.a = n;
  tick.incarnation = node.incarnation;
  tick.at = now_;  // a fresh process starts its timers at once
  Push(tick);
}

void Sim::Pause(std::uint32_t n) {
  SimNode& node = nodes_[n];
  node.paused = true;
  TimelineEntry& t = node.timeline.Add();
  t.at = now_;
  t.kind = TimelineEntry::Kind::kPause;
}

void Sim::Resume(std::uint32_t n) {
  SimNode& node = nodes_[n];
  node.paused = false;
  TimelineEntry& t = node.timeline.Add();
  t.at = now_;
  t.kind = TimelineEntry::Kind::kResume;
  // Everything that queued up arrives at once, in its original order.
  for (Event held : node.stash) {
    held.at = now_;
    Push(held);
  }
  node.stash.clear();
}

void Sim::ApplyLinks(const Fault& f, bool block) {
  auto set = [&](std::uint32_t from, std::uint32_t to) {
    if (block) {
      network_->Block(from, to);
    } else {
      network_->Unblock(from, to);
    }
  };
  const std::uint32_t endpoints = network_->endpoint_count();
  switch (f.kind) {
    case FaultKind::kPartition:
      for (std::uint32_t x = 0; x < endpoints; ++x) {
        for (std::uint32_t y = 0; y < endpoints; ++y) {
          if (x == y || (x >= node_count_ && y >= node_count_)) continue;
          const bool x_in = (f.side_mask >> x) & 1;
          const bool y_in = (f.side_mask >> y) & 1;
          if (x_in != y_in) set(x, y);
        }
      }
      break;
    case FaultKind::kOneWay:
      for (std::uint32_t x = 0; x < node_count_; ++x) {
        for (std::uint32_t y = 0; y < node_count_; ++y) {
          if (((f.side_mask >> x) & 1) && !((f.side_mask >> y) & 1)) set(x, y);
        }
      }
      break;
    case FaultKind::kIsolate:
      for (std::uint32_t y = 0; y < endpoints; ++y) {
        if (y == f.node) continue;
        set(f.node, y);
        set(y, f.node);
      }
      break;
    case FaultKind::kIsolatePeers:
      for (std::uint32_t y = 0; y < node_count_; ++y) {
        if (y == f.node) continue;
        set(f.node, y);
        set(y, f.node);
      }
      break;
    case FaultKind::kClientCut:
      set(network_->ClientEndpoint(f.other), f.node);
      set(f.node, network_->ClientEndpoint(f.other));
      break;
    case FaultKind::kClog:
      if (block) {
        network_->Clog(f.node, f.other, f.delay_ms);
        network_->Clog(f.other, f.node, f.delay_ms);
      } else {
        network_->Unclog(f.node, f.other, f.delay_ms);
        network_->Unclog(f.other, f.node, f.delay_ms);
      }
      break;
    default:
      break;
  }
}

void Sim::OnFault(std::uint32_t index, bool start) {
  const Fault& f = plan_.faults[index];
  if (quiet_) return;  // the quiet phase healed everything already
  trace_.Fold(index | (start ? 0x10000u : 0u));
  if (start) {
    bool applied = true;
    switch (f.kind) {
      case FaultKind::kCrash:
        applied = nodes_[f.node].up;
        if (applied) Crash(f.node);
        break;
      case FaultKind::kPause:
        applied = nodes_[f.node].up && !nodes_[f.node].paused;
        if (applied) Pause(f.node);
        break;
      case FaultKind::kStaleQueue:
        stale_active_.push_back(index);
        break;
      default:
        ApplyLinks(f, true);
        break;
    }
    if (!applied) return;
    fault_applied_[index] = true;
    faults_applied_++;
    if (options_.verbose) {
      std::printf("%8" PRId64 "ms FAULT   %s\n", static_cast<std::int64_t>(now_),
                  DescribeFault(f, node_count_).c_str());
    }
    if (f.kind != FaultKind::kCrash && f.kind != FaultKind::kPause) {
      for (std::uint32_t n = 0; n < node_count_; ++n) {
        const bool touches = f.kind == FaultKind::kPartition || f.kind == FaultKind::kOneWay ||
                             f.kind == FaultKind::kIsolatePeers || f.node == n ||
                             (f.kind == FaultKind::kClog && f.other == n);
        if (!touches) continue;
        TimelineEntry& t = nodes_[n].timeline.Add();
        t.at = now_;
        t.kind = TimelineEntry::Kind::kFault;
        t.number = index;
        CopyText(t.text, FaultKindName(f.kind));
      }
    }
    const TimeMs end = f.at + f.duration_ms;
    if (end < fault_end_) {
      Event e;
      e.kind = Ev::kFaultEnd;
      e.a = index;
      e.at = end;
      Push(e);
    }
    return;
  }
  if (!fault_applied_[index]) return;
  fault_applied_[index] = false;
  if (options_.verbose) {
    std::printf("%8" PRId64 "ms HEAL    %s\n", static_cast<std::int64_t>(now_),
                DescribeFault(f, node_count_).c_str());
  }
  switch (f.kind) {
    case FaultKind::kCrash:
      if (!nodes_[f.node].up) Restart(f.node);
      break;
    case FaultKind::kPause:
      if (nodes_[f.node].up && nodes_[f.node].paused) Resume(f.node);
      break;
    case FaultKind::kStaleQueue:
      ReleaseStaleQueue(index);
      break;
    default:
      ApplyLinks(f, false);
      break;
  }
}

void Sim::OnQuiet() {
  quiet_ = true;
  network_->HealAll();
  while (!stale_active_.empty()) ReleaseStaleQueue(stale_active_.front());
  for (std::uint32_t n = 0; n < node_count_; ++n) {
    if (!nodes_[n].up) {
      Restart(n);
    } else if (nodes_[n].paused) {
      Resume(n);
    }
  }
  if (options_.verbose) {
    std::printf("%8" PRId64 "ms QUIET   every fault healed; liveness required from %" PRId64 "ms\n",
                static_cast<std::int64_t>(now_), static_cast<std::int64_t>(liveness_start_));
  }
}

void AddKind(ScenarioResult& result, std::string_view kind) {
  for (const std::string& k : result.violation_kinds) {
    if (k == kind) return;
  }
  result.violation_kinds.emplace_back(kind);
}

void Sim::Check(ScenarioResult& result) {
  std::string report;
  TimeMs first_at = INT64_MAX;
  const CheckResult check = CheckHistory(history_);
  if (!check.ok) {
    report += "consistency violations (" +
              std::to_string(check.violations.size() + check.violations_dropped) + "):\n";
    for (const Violation& v : check.violations) {
      AddKind(result, ViolationKindName(v.kind));
      report += FormatViolation(history_, v);
      if (!report.empty() && report.back() != '\n') report += '\n';
      if (!v.op_ids.empty() && v.op_ids.front() < history_.ops.size()) {
        first_at = std::min(first_at, history_.ops[v.op_ids.front()].invoke_at);
      }
    }
  }
  // Liveness: after the quiet phase began and the bound passed, every operation succeeds.
  std::size_t liveness_failures = 0;
  std::string liveness;
  for (const Operation& op : history_.ops) {
    if (op.invoke_at < liveness_start_ || op.outcome == OpOutcome::kOk) continue;
    liveness_failures++;
    first_at = std::min(first_at, op.invoke_at);
    if (liveness_failures <= 10) {
      char buf[256];
      std::snprintf(buf, sizeof(buf),
                    "  #%" PRIu64 " c%u %s %s invoked at %" PRId64 "ms ended %s at %" PRId64
                    "ms (node %d)\n",
                    op.id, op.client,
                    op.kind == OpKind::kGet   ? "GET"
                    : op.kind == OpKind::kSet ? "SET"
                                              : "DEL",
                    op.key.c_str(), static_cast<std::int64_t>(op.invoke_at),
                    op.outcome == OpOutcome::kFail      ? "fail"
                    : op.outcome == OpOutcome::kUnknown ? "unknown"
                                                        : "pending",
                    static_cast<std::int64_t>(op.complete_at), op.node);
      liveness += buf;
    }
  }
  if (liveness_failures > 0 || clients_finished_ < client_count_) AddKind(result, "liveness");
  if (liveness_failures > 0) {
    report += "liveness violation: " + std::to_string(liveness_failures) +
              " operation(s) invoked at or after " + std::to_string(liveness_start_) +
              "ms (quiet phase + " + std::to_string(kLivenessBoundMs) + "ms) did not succeed:\n" +
              liveness;
  }
  if (clients_finished_ < client_count_) {
    report += "liveness violation: the run hit its hard end (" + std::to_string(hard_end_) +
              "ms) with " + std::to_string(client_count_ - clients_finished_) +
              " client(s) unfinished\n";
    first_at = std::min(first_at, now_);
  }
  if (report.empty()) return;
  result.violation = true;
  result.violation_at = first_at == INT64_MAX ? now_ : first_at;
  report += "fault schedule (" + plan_.mix_name + "):\n";
  if (plan_.faults.empty()) report += "  (no timed faults)\n";
  for (std::uint32_t i = 0; i < plan_.faults.size(); ++i) {
    report += "  #" + std::to_string(i) + " " + DescribeFault(plan_.faults[i], node_count_) +
              (FaultDropped(i) ? " (dropped)\n" : "\n");
  }
  char buf[256];
  const NetworkOptions& n = plan_.network;
  std::snprintf(buf, sizeof(buf),
                "  network: latency %" PRId64 "..%" PRId64
                "ms tail %u ppm, loss %u ppm, dup %u "
                "ppm, reorder %u ppm, client loss %u ppm, stale %u ppm; quiet from %" PRId64 "ms\n",
                static_cast<std::int64_t>(n.latency_min_ms),
                static_cast<std::int64_t>(n.latency_max_ms), n.tail_ppm, n.loss_ppm,
                n.duplicate_ppm, n.reorder_ppm, n.client_loss_ppm, n.stale_ppm,
                static_cast<std::int64_t>(fault_end_));
  report += buf;
  for (std::uint32_t i = 0; i < node_count_; ++i) {
    std::snprintf(buf, sizeof(buf), "  clock n%u: offset %+" PRId64 "ms drift %+d ppm\n", i,
                  static_cast<std::int64_t>(plan_.clock_offset_ms[i]), plan_.drift_ppm[i]);
    report += buf;
  }
  result.report = std::move(report);
}

std::string Sim::FormatTimelines() const {
  std::string out;
  char buf[320];
  for (std::uint32_t n = 0; n < node_count_; ++n) {
    const SimNode& node = nodes_[n];
    std::snprintf(buf, sizeof(buf),
                  "node n%u (%s, incarnation %u), last events up to %" PRId64 "ms:\n", n,
                  !node.up      ? "down"
                  : node.paused ? "paused"
                                : "up",
                  node.incarnation, static_cast<std::int64_t>(now_));
    out += buf;
    node.timeline.ForEach([&](const TimelineEntry& t) {
      const long long at = static_cast<long long>(t.at);
      const long long node_at = static_cast<long long>(t.node_at - kNodeEpochMs);
      switch (t.kind) {
        case TimelineEntry::Kind::kPeerIn:
          std::snprintf(buf, sizeof(buf),
                        "  %8lldms (node %lld) <- n%u msg kind=%u epoch=%llu req=%llu "
                        "entries=%u %s\n",
                        at, node_at, t.other, t.sub, static_cast<unsigned long long>(t.epoch),
                        static_cast<unsigned long long>(t.number), t.count, t.text);
          break;
        case TimelineEntry::Kind::kRequest:
          std::snprintf(buf, sizeof(buf), "  %8lldms (node %lld) <- c%u %s\n", at, node_at, t.other,
                        t.text);
          break;
        case TimelineEntry::Kind::kReply:
          std::snprintf(buf, sizeof(buf), "  %8lldms (node %lld) -> c%u %s\n", at, node_at, t.other,
                        t.text);
          break;
        case TimelineEntry::Kind::kCrash:
          std::snprintf(buf, sizeof(buf), "  %8lldms CRASH (memory lost)\n", at);
          break;
        case TimelineEntry::Kind::kRestart:
          std::snprintf(buf, sizeof(buf), "  %8lldms RESTART (empty)\n", at);
          break;
        case TimelineEntry::Kind::kPause:
          std::snprintf(buf, sizeof(buf), "  %8lldms PAUSE\n", at);
          break;
        case TimelineEntry::Kind::kResume:
          std::snprintf(buf, sizeof(buf), "  %8lldms RESUME\n", at);
          break;
        case TimelineEntry::Kind::kFault:
          std::snprintf(buf, sizeof(buf), "  %8lldms FAULT #%llu %s\n", at,
                        static_cast<unsigned long long>(t.number), t.text);
          break;
        case TimelineEntry::Kind::kHeal:
          std::snprintf(buf, sizeof(buf), "  %8lldms HEAL #%llu %s\n", at,
                        static_cast<unsigned long long>(t.number), t.text);
          break;
      }
      out += buf;
    });
  }
  return out;
}

}  // namespace

std::vector<cluster::PlantedBug> DetectableBugs() {
  return {cluster::PlantedBug::kStaleRead, cluster::PlantedBug::kAckBeforeReplicate,
          cluster::PlantedBug::kIgnoreTtl, cluster::PlantedBug::kAcceptOldEpoch};
}

ScenarioResult RunScenario(const ScenarioOptions& options) {
  Sim sim(options);
  return sim.Run();
}

std::string NodeTimelines(const ScenarioOptions& options, TimeMs at) {
  ScenarioOptions replay = options;
  replay.stop_at = std::max<TimeMs>(1, at);
  replay.verbose = false;
  return RunScenario(replay).timeline;
}

std::string ReplayCommand(const ScenarioOptions& o) {
  std::string cmd = "build/bin/shoal-sim --seed " + std::to_string(o.seed);
  if (o.bug != cluster::PlantedBug::kNone) {
    cmd += " --bug " + std::string(cluster::PlantedBugName(o.bug));
  }
  if (o.nodes) cmd += " --nodes " + std::to_string(*o.nodes);
  if (o.clients) cmd += " --clients " + std::to_string(*o.clients);
  if (o.ops) cmd += " --ops " + std::to_string(*o.ops);
  if (o.keys) cmd += " --keys " + std::to_string(*o.keys);
  if (o.faults) cmd += " --faults " + *o.faults;
  if (o.replication_factor != 3) cmd += " --replication " + std::to_string(o.replication_factor);
  if (o.duration_ms != 60'000) cmd += " --duration-ms " + std::to_string(o.duration_ms);
  if (o.think_ms) cmd += " --think-ms " + std::to_string(*o.think_ms);
  if (!o.drop_faults.empty()) {
    std::vector<std::uint32_t> drop = o.drop_faults;
    std::sort(drop.begin(), drop.end());
    drop.erase(std::unique(drop.begin(), drop.end()), drop.end());
    cmd += " --drop-faults ";
    for (std::size_t i = 0; i < drop.size(); ++i) {
      if (i > 0) cmd += ",";
      cmd += std::to_string(drop[i]);
    }
  }
  return cmd;
}

}  // namespace shoal::sim
