// The simulator's construction and event loop (see sim/sim_world.h for how the Sim is split).
#include "sim/simulator.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "core/cluster/cluster_node.h"
#include "core/cluster/planted_bug.h"
#include "core/limits.h"
#include "core/result.h"
#include "sim/sim_world.h"

namespace shoal::sim {

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
    case Ev::kAudit:
      return "audit";
    case Ev::kStop:
      return "stop";
  }
  return "?";
}

void CopyText(TimelineEntry& t, std::string_view a, std::string_view b) {
  std::size_t n = 0;
  auto put = [&](std::string_view s) {
    const std::size_t take = std::min(s.size(), sizeof(t.text) - 1 - n);
    std::memcpy(t.text + n, s.data(), take);
    n += take;
  };
  put(a);
  if (!b.empty()) {
    put(" ");
    put(b);
  }
  t.text_len = static_cast<std::uint8_t>(n);
}

std::string PrintableText(const TimelineEntry& t) {
  std::string out(t.text, t.text_len);
  for (char& c : out) {
    if (c < 32 || c >= 127) c = '.';
  }
  return out;
}

namespace {

std::string NodeAddress(std::uint32_t node) {
  return "10.0.0." + std::to_string(node + 1) + ":7379";
}

}  // namespace

std::shared_ptr<const cluster::Placement> PlacementCache::Get(std::uint32_t nodes,
                                                              std::uint32_t r) {
  for (const auto& p : built_) {
    if (p->node_count() == nodes && p->replication_factor() == r) return p;
  }
  built_.push_back(std::make_shared<const cluster::Placement>(
      cluster::PlacementOptions{.node_count = nodes, .replication_factor = r}));
  return built_.back();
}

Sim::Sim(const ScenarioOptions& options, PlacementCache* cache)
    : options_(options), net_prng_(0), workload_prng_(0) {
  std::sort(options_.drop_faults.begin(), options_.drop_faults.end());
  Prng root(options.seed);
  scenario_ = DrawScenario(options_, root);
  net_prng_ = root.Fork();
  workload_prng_ = root.Fork();
  node_count_ = scenario_.nodes;
  client_count_ = scenario_.clients;
  const FaultPlan& plan = scenario_.plan;
  fault_applied_.assign(plan.faults.size(), false);
  slow_sync_ms_.assign(node_count_, 0);
  stale_held_.resize(plan.faults.size());
  network_ = std::make_unique<Network>(node_count_, client_count_, plan.network);
  for (std::uint32_t n = 0; n < node_count_; ++n) addresses_.push_back(NodeAddress(n));
  PlacementCache local;
  placement_ = (cache != nullptr ? cache : &local)->Get(node_count_, scenario_.replication_factor);

  TimeMs skew_bound = 0;
  nodes_.resize(node_count_);
  mark_downs_.resize(node_count_);
  for (std::uint32_t n = 0; n < node_count_; ++n) {
    SimNode& node = nodes_[n];
    node.offset_ms = plan.clock_offset_ms[n];
    node.drift_ppm = plan.drift_ppm[n];
    const TimeMs drift_max =
        (node.drift_ppm < 0 ? -node.drift_ppm : node.drift_ppm) * scenario_.hard_end / 1'000'000 +
        1;
    skew_bound = std::max(skew_bound, (node.offset_ms < 0 ? -node.offset_ms : node.offset_ms) +
                                          drift_max + plan.clock_step_bound_ms[n]);
    if (node_count_ > 1) {
      auto cluster = std::make_shared<cluster::ClusterConfig>();
      cluster->node_id = n;
      cluster->node_count = node_count_;
      cluster->replication_factor = scenario_.replication_factor;
      cluster->node_addresses = addresses_;
      cluster->placement = placement_;
      cluster->knobs = scenario_.knobs;
      cluster->bug = options_.bug;
      node.cluster = std::move(cluster);
    }
    node.mono_base = 1'000'000 + static_cast<TimeMs>(n) * 7'919;
    node.node = std::make_unique<Node>(MakeConfig(n));
  }
  history_.clock_skew_bound_ms = skew_bound;

  client::RetryPolicy policy;
  clients_.reserve(client_count_);
  own_keys_.reserve(static_cast<std::size_t>(client_count_) * kOwnKeysPerClient);
  for (std::uint32_t c = 0; c < client_count_; ++c) {
    for (std::uint32_t i = 0; i < kOwnKeysPerClient; ++i) {
      own_keys_.push_back("{m" + std::to_string(c) + "}" + std::to_string(i));
    }
  }
  // Clients route by the same placement function as the nodes (primary of the key's slot).
  const std::span<const client::NodeIndex> primaries = placement_->Primaries();
  for (std::uint32_t c = 0; c < client_count_; ++c) {
    clients_.emplace_back(addresses_, policy, node_count_, scenario_.pipeline);
    clients_.back().router.SetOwners(primaries);
    clients_.back().ops_left =
        scenario_.ops_total / client_count_ + (c < scenario_.ops_total % client_count_ ? 1 : 0);
  }
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

bool Sim::Drained() const {
  for (const SimNode& node : nodes_) {
    if (!node.up) return false;
    const cluster::ClusterNode* cluster = node.node->cluster();
    if (cluster == nullptr) continue;
    if (!cluster->serving() || cluster->replication().writes_in_flight() > 0) return false;
  }
  return true;
}

ScenarioResult Sim::Run() {
  // Initial agenda: node ticks (random phase), client starts, faults, the quiet phase, audits.
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
    for (std::uint32_t lane = 0; lane < client.lanes.size(); ++lane) {
      Event e;
      e.kind = Ev::kClientWake;
      e.a = c;
      e.b = lane;
      e.tag = ++client.lanes[lane].timer_gen;
      e.at = workload_prng_.Range(0, scenario_.think_mean_ms);
      Push(e);
    }
  }
  const FaultPlan& plan = scenario_.plan;
  for (std::uint32_t i = 0; i < plan.faults.size(); ++i) {
    if (FaultDropped(i)) continue;
    Event e;
    e.kind = Ev::kFaultStart;
    e.a = i;
    e.at = plan.faults[i].at;
    Push(e);
  }
  {
    Event e;
    e.kind = Ev::kQuiet;
    e.at = scenario_.fault_end;
    Push(e);
  }
  if (node_count_ > 1) {
    Event e;
    e.kind = Ev::kAudit;
    e.at = kAuditIntervalMs;
    Push(e);
  }
  if (options_.stop_at > 0) {
    Event e;
    e.kind = Ev::kStop;
    e.at = options_.stop_at;
    Push(e);
  }

  while (!stopped_) {
    if (!flushes_due_.empty() && (queue_.empty() || queue_.next_time() > now_)) {
      RunDueFlushes();  // may queue deliveries at now_: they run before time moves on
      continue;
    }
    if (queue_.empty() || queue_.next_time() > scenario_.hard_end) break;
    if (clients_finished_ == client_count_) {
      // Every client is done: let replication settle (bounded), then compare the copies.
      if (clients_done_at_ == 0) clients_done_at_ = std::max<TimeMs>(now_, 1);
      if (Drained() || now_ - clients_done_at_ > kDrainMaxMs) break;
    }
    const Event e = queue_.Pop();
    SHOAL_ASSERT(e.at >= now_);
    now_ = e.at;
    events_++;
    trace_.Fold((static_cast<std::uint64_t>(e.kind) << 56) ^
                (static_cast<std::uint64_t>(e.a) << 32) ^ e.b);
    trace_.Fold(static_cast<std::uint64_t>(now_));
    Process(e);
  }
  if (options_.stop_at == 0 && clients_finished_ == client_count_ && node_count_ > 1) {
    CheckFinalCopies();
  }
  return Summarize();
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
    case Ev::kAudit: {
      OnAudit();
      Event next = e;
      next.at = now_ + kAuditIntervalMs;
      Push(next);
      break;
    }

    case Ev::kStop:
      stopped_ = true;
      break;
  }
}

ScenarioResult Sim::Summarize() {
  ScenarioResult result;
  result.seed = options_.seed;
  result.mix = scenario_.plan.mix_name;
  result.nodes = node_count_;
  result.clients = client_count_;
  result.keys = static_cast<std::uint32_t>(scenario_.keys.size());
  result.faults = faults_applied_;
  result.messages = messages_;
  result.events = events_;
  result.end_at = now_;
  result.think_mean_ms = scenario_.think_mean_ms;
  result.fault_schedule = scenario_.plan.faults;
  result.pipeline = scenario_.pipeline;
  result.maxmemory = scenario_.maxmemory_bytes;
  result.small_knobs = scenario_.small_knobs;
  result.evictions = evictions_;
  result.audits = audits_;
  for (std::uint32_t i = 0; i < scenario_.plan.faults.size(); ++i) {
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
  for (const MutationOp& m : mutation_ops_) {
    result.mutation_ops++;
    if (m.done && m.answered) result.mutation_ops_answered++;
  }
  for (const SimNode& node : nodes_) {
    result.replication_messages += node.replication_messages;
    result.writes_committed += node.writes_committed;
    result.probes.Add(node.probes);
    if (node.up && node.node->cluster() != nullptr) {
      const cluster::ClusterCounters& k = node.node->cluster()->counters();
      result.replication_messages += k.replicate_messages + k.ack_messages;
      result.writes_committed += k.writes_committed;
      result.probes.Add(k.probes);
    }
  }
  result.ops = history_.ops.size();
  result.trace = trace_.value();
  if (scenario_.measure_failover) {
    result.failover_windows = MeasureFailover(failover_starts_, history_, now_);
  }
  if (options_.stop_at > 0) {
    result.timeline = FormatTimelines();
  } else {
    Check(result);
  }
  result.history = std::move(history_);
  return result;
}

std::vector<cluster::PlantedBug> DetectableBugs() {
  const auto bugs = cluster::AllPlantedBugs();
  return {bugs.begin(), bugs.end()};
}

ScenarioResult RunScenario(const ScenarioOptions& options, PlacementCache* cache) {
  Sim sim(options, cache);
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
  if (o.pipeline) cmd += " --pipeline " + std::to_string(*o.pipeline);
  if (o.maxmemory) cmd += " --maxmemory " + std::to_string(*o.maxmemory);
  if (o.check_expensive) cmd += " --check-expensive";
  if (o.failover_bound_ms) cmd += " --failover-bound-ms " + std::to_string(*o.failover_bound_ms);
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
