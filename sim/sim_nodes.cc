// Hosting the nodes of a simulated run: their clocks, Step/Tick, what their effects do (replies
// to clients, peer messages as codec frames on the simulated network, evictions recorded for the
// checker), crashes, restarts and pauses, and the invariant checks after every step.
#include <cinttypes>
#include <cstdio>

#include "core/cluster/cluster_node.h"
#include "core/cluster/codec.h"
#include "core/limits.h"
#include "core/result.h"
#include "sim/sim_world.h"

namespace shoal::sim {

void Sim::StepWallClock(std::uint32_t n, TimeMs step_ms) {
  SimNode& node = nodes_[n];
  node.wall_high_ms = std::max(node.wall_high_ms, NodeNow(n).wall);
  node.wall_step_ms += step_ms;
}

TimeMs Sim::WallHighWater(std::uint32_t n) const {
  return std::max(nodes_[n].wall_high_ms, NodeNow(n).wall);
}

NodeTime Sim::NodeNow(std::uint32_t n) const {
  const SimNode& node = nodes_[n];
  const TimeMs drift = node.drift_ppm * now_ / 1'000'000;
  return NodeTime{.mono = node.mono_base + now_ + drift,
                  .wall = kNodeEpochMs + now_ + node.offset_ms + drift + node.wall_step_ms};
}

NodeConfig Sim::MakeConfig(std::uint32_t n) const {
  NodeConfig config;
  config.cluster = nodes_[n].cluster;
  config.store.maxmemory_bytes = scenario_.maxmemory_bytes;
  config.store.eviction = scenario_.eviction;
  config.report_evictions = true;
  config.voter_state = nodes_[n].disk;
  // Per node and life, from the seed alone (no draw from a stream, so no other draw moves).
  config.election_seed =
      options_.seed * 0x9E3779B97F4A7C15ULL ^ (std::uint64_t{n} << 32) ^ nodes_[n].incarnation;
  config.bind = "10.0.0." + std::to_string(n + 1);
  config.port = 7379;
  return config;
}

void Sim::AfterStep(std::uint32_t n) {
  steps_++;
  SimNode& node = nodes_[n];
  const bool expensive = options_.check_expensive || steps_ % kExpensiveCheckEvery == 0;
  node.node->CheckInvariants(expensive);
  CheckConsensus(n, expensive);
  // The node's inputs of this millisecond leave together, as a server flushes after a read.
  if (!node.flush_pending && node.cluster != nullptr) {
    node.flush_pending = true;
    flushes_due_.push_back(DueFlush{.node = n, .incarnation = node.incarnation});
  }
}

void Sim::RunDueFlushes() {
  std::vector<DueFlush> due;
  due.swap(flushes_due_);
  for (const DueFlush& f : due) {
    SimNode& node = nodes_[f.node];
    if (!node.up || node.incarnation != f.incarnation) continue;
    node.flush_pending = false;
    trace_.Fold(0xF1054ULL ^ f.node);
    if (node.paused) continue;
    node.node->Flush(NodeNow(f.node), effects_);
    HandleEffects(f.node);
  }
  due.clear();
  if (flushes_due_.empty()) flushes_due_.swap(due);  // keep the capacity
}

void Sim::OnTick(const Event& e) {
  SimNode& node = nodes_[e.a];
  if (!node.up || node.incarnation != e.incarnation) return;  // a chain of a dead incarnation
  if (!node.paused) {
    SyncDisk(e.a);
    node.node->Tick(NodeNow(e.a), effects_);
    AfterStep(e.a);
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
    if (fate == Fate::kDropped) FreeBytes(e.payload);
    return;
  }
  // What arrives is the codec's frame, as on a real socket.
  const Result<cluster::Envelope> decoded = cluster::Decode(bytes_pool_[e.payload]);
  SHOAL_ASSERT_MSG(decoded.has_value(), "a frame the codec wrote does not decode");
  const cluster::Envelope& envelope = decoded.value();
  trace_.FoldBytes(bytes_pool_[e.payload]);
  FreeBytes(e.payload);
  messages_++;
  SimNode& node = nodes_[e.b];
  TimelineEntry& t = node.timeline.Add();
  t.at = now_;
  t.node_at = NodeNow(e.b).wall;
  t.kind = TimelineEntry::Kind::kPeerIn;
  t.other = e.a;
  t.epoch = envelope.incarnation;
  if (const auto* r = std::get_if<cluster::Replicate>(&envelope.body)) {
    t.number = r->first_seq;
    t.count = static_cast<std::uint32_t>(r->mutations.size());
  } else if (const auto* a = std::get_if<cluster::ReplicateAck>(&envelope.body)) {
    t.number = a->applied_through;
  } else if (const auto* s = std::get_if<cluster::SyncReply>(&envelope.body)) {
    t.number = s->chunk;
    t.count = static_cast<std::uint32_t>(s->entries.size());
  } else if (const auto* q = std::get_if<cluster::SyncRequest>(&envelope.body)) {
    t.number = q->chunk;
  }
  CopyText(t, cluster::BodyName(envelope.body));
  Verbose(e, "n%u -> n%u %s incarnation=%" PRIu64 " number=%" PRIu64 " count=%u", e.a, e.b,
          cluster::BodyName(envelope.body), envelope.incarnation, t.number, t.count);
  node.node->Step(NodeNow(e.b), PeerMessage{&envelope}, effects_);
  AfterStep(e.b);
  HandleEffects(e.b);
}

void Sim::OnRequest(const Event& e) {
  const std::uint32_t c = e.a;
  const std::uint32_t n = e.b;
  if (const Fate fate = Deliverable(n, e); fate != Fate::kDeliver) {
    if (fate == Fate::kDropped) {
      FreeArgv(e.payload);
      // Nobody listens there (crashed, or a new process): the connection is reset, and the client
      // learns it (every request waiting on it ends unknown).
      if (clients_[c].conn[n] == e.tag) DropConnection(c, n);
    }
    return;
  }
  SimNode& node = nodes_[n];
  const ClientId conn = e.tag;
  if (!node.sessions.contains(conn)) {
    node.sessions.insert(conn);
    const std::string address = "10.1.0." + std::to_string(c + 1) + ":" +
                                std::to_string(10000 + (conn >> kClientBits) % 50000);
    node.node->Step(NodeNow(n), ClientConnected{conn, address}, effects_);
    AfterStep(n);
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
  t.node_at = NodeNow(n).wall;
  t.kind = TimelineEntry::Kind::kRequest;
  t.other = c;
  t.number = conn;
  CopyText(t, argv[0], argv.size() > 1 ? std::string_view(argv[1]) : std::string_view());
  if (options_.verbose) {
    std::string line;
    for (const std::string& arg : argv) line += arg + " ";
    Verbose(e, "c%u -> n%u conn=%" PRIu64 " %s", c, n, conn, line.c_str());
  }
  node.node->Step(NodeNow(n), ClientCommand{conn, std::span<const std::string_view>(argv_views_)},
                  effects_);
  FreeArgv(e.payload);
  AfterStep(n);
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
  AfterStep(n);
  HandleEffects(n);
}

void Sim::HandleEffects(std::uint32_t n) {
  SimNode& node = nodes_[n];
  // Durable before any of the step's messages leave (config_log.h's Ready contract).
  if (effects_.persist) Persist(n, std::move(*effects_.persist));
  if (node.unsynced && !node.unsynced_told) {  // kSendBeforePersist: peers hear of it anyway
    for (const Effects::Send& send : effects_.sends) {
      node.unsynced_told = node.unsynced_told || cluster::ConfigMember::Handles(send.envelope.body);
    }
  }
  for (const Effects::Output& out : effects_.outputs) {
    const std::string_view bytes =
        std::string_view(effects_.bytes).substr(out.begin, out.end - out.begin);
    const std::uint32_t c = static_cast<std::uint32_t>(out.client & ((1u << kClientBits) - 1));
    SHOAL_ASSERT(c < client_count_);
    TimelineEntry& t = node.timeline.Add();
    t.at = now_;
    t.node_at = NodeNow(n).wall;
    t.kind = TimelineEntry::Kind::kReply;
    t.other = c;
    t.number = out.client;
    CopyText(t, bytes.substr(0, 28));
    // A lost reply stalls the connection (a stream): every later reply on it is lost too.
    Delivery d;
    if (!node.stalled_replies.contains(out.client)) {
      d = network_->Send(now_, n, network_->ClientEndpoint(c), net_prng_);
    }
    if (!d.delivered) {
      node.stalled_replies.insert(out.client);
      if (options_.verbose) {
        std::printf("%8lldms lost    n%u -> c%u conn=%llu (the connection stalls)\n",
                    static_cast<long long>(now_), n, c,
                    static_cast<unsigned long long>(out.client));
      }
    }
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
    if (clients_[c].conn[n] == id) DropConnection(c, n);
  }
  for (const std::string& key : effects_.evicted) {
    evictions_++;
    node.evicted_keys.insert(key);
    WorldEvent w;
    w.kind = WorldEvent::Kind::kEvicted;
    w.at = now_;
    w.node = n;
    w.key = key;
    trace_.FoldBytes(key);
    history_.world.push_back(std::move(w));
  }
  if (options_.verbose) {
    for (const std::string& log : effects_.logs) {
      std::printf("           n%u log: %s\n", n, log.c_str());
    }
  }
  for (const Effects::Send& send : effects_.sends) SendPeer(n, send.to, send.envelope);
  effects_.Clear();
}

void Sim::SendPeer(std::uint32_t from, std::uint32_t to, const cluster::Envelope& envelope) {
  SHOAL_ASSERT(to < node_count_ && to != from);
  std::string& frame = frame_scratch_;  // reused: no allocation per message once warm
  frame.clear();
  cluster::EncodeTo(envelope, frame);
  if (!stale_active_.empty()) HoldStaleCopies(from, to, frame);
  Delivery d = network_->Send(now_, from, to, net_prng_);
  if (slow_sync_ms_[to] > 0 && std::holds_alternative<cluster::SyncReply>(envelope.body)) {
    d.at += slow_sync_ms_[to];
    d.duplicate_at += slow_sync_ms_[to];
  }
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
    held.payload = AllocBytes(frame);
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
  e.at = d.at;
  e.payload = AllocBytes(frame);
  if (d.duplicated) {
    Event dup = e;
    dup.at = d.duplicate_at;
    dup.payload = AllocBytes(frame);
    Push(e);
    Push(dup);
    return;
  }
  Push(e);
}

void Sim::Crash(std::uint32_t n) {
  SimNode& node = nodes_[n];
  SHOAL_ASSERT(node.up);
  CheckLostCopies(n);
  WorldEvent w;
  w.kind = WorldEvent::Kind::kCrash;
  w.at = now_;
  w.node = n;
  history_.world.push_back(std::move(w));
  if (const cluster::ClusterNode* cluster = node.node->cluster()) {
    node.replication_messages +=
        cluster->counters().replicate_messages + cluster->counters().ack_messages;
    node.writes_committed += cluster->counters().writes_committed;
    node.probes.Add(cluster->counters().probes);
  }
  node.node.reset();
  node.up = false;
  node.paused = false;
  node.flush_pending = false;
  node.incarnation++;
  node.sessions.clear();
  node.evicted_keys.clear();
  node.stalled_replies.clear();
  CheckDiskAtCrash(n);  // what the disk had not synced dies with the process
  for (const Event& held : node.stash) {
    if (held.kind == Ev::kPeer || held.kind == Ev::kReply) FreeBytes(held.payload);
    if (held.kind == Ev::kRequest) FreeArgv(held.payload);
  }
  node.stash.clear();
  network_->ResetEndpoint(n);
  // The clients' connections to it are gone: their requests in flight will never be answered.
  for (std::uint32_t c = 0; c < client_count_; ++c) {
    if (clients_[c].conn[n] != 0) DropConnection(c, n);
  }
  TimelineEntry& t = node.timeline.Add();
  t.at = now_;
  t.kind = TimelineEntry::Kind::kCrash;
}

void Sim::Restart(std::uint32_t n, TimeMs clock_step_ms) {
  SimNode& node = nodes_[n];
  SHOAL_ASSERT(!node.up);
  StepWallClock(n, clock_step_ms);
  // A new process: its monotonic clock starts from an arbitrary origin.
  node.mono_base = static_cast<TimeMs>(net_prng_.Range(1'000'000, 1'000'000'000));
  node.life_started = now_;
  node.up = true;
  node.incarnation++;
  node.commit_checked = 0;
  node.epoch_checked = 0;
  node.conflicts_reported = 0;
  node.node = std::make_unique<Node>(MakeConfig(n));
  WorldEvent w;
  w.kind = WorldEvent::Kind::kRestart;
  w.at = now_;
  w.node = n;
  history_.world.push_back(std::move(w));
  TimelineEntry& t = node.timeline.Add();
  t.at = now_;
  t.node_at = NodeNow(n).wall;
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

}  // namespace shoal::sim
