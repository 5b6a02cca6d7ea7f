// Sim: the state and machinery of one simulated run, shared by the files that implement it (not
// a public interface: sim/simulator.h is). One class, split by responsibility:
//   simulator.cc      construction from the drawn scenario, the event loop, the public functions
//   sim_nodes.cc      hosting nodes: clocks, Step/Tick, effects, the peer network (codec bytes),
//                     crash / restart / pause, invariants after every step
//   sim_clients.cc    the workload: pipelined clients running client::Operation, checked and
//                     mutating operations, replies and timeouts
//   sim_faults.cc     fault injection: links, stale queues, clock steps, bursts, the quiet phase
//   sim_consensus.cc  cluster-wide checks of the configuration log after every step: one leader
//                     per term, committed entries never change, one configuration per epoch;
//                     the per-node disk; the configuration settled after the quiet phase
//   sim_audits.cc     replica audits: agreement while running, lost copies at a crash, identical
//                     copies after the quiet phase
//   sim_report.cc     per-node timelines, the final check (history, liveness, audits) and report
//
// Thread safety: none; a Sim is one single-threaded run.
// Invariants:
//   1. Nothing reads a real clock, a real random source, or iterates a hash container in an order
//      that reaches the trace or a report.
//   2. Events run in (time, insertion sequence) order; payloads are referenced by pool index.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "client/state/operation.h"
#include "client/state/reply_parser.h"
#include "client/state/router.h"
#include "core/cluster/cluster_config.h"
#include "core/cluster/configuration.h"
#include "core/cluster/placement.h"
#include "core/cluster/probes.h"
#include "core/effects.h"
#include "core/node.h"
#include "sim/event_queue.h"
#include "sim/history.h"
#include "sim/network.h"
#include "sim/prng.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "sim/trace_hash.h"

namespace shoal::sim {

// A connection id (the ClientId a node sees) carries the client index in its low bits.
inline constexpr int kClientBits = 8;
static_assert(kClientsMax <= (1u << kClientBits));
inline constexpr std::uint32_t kNoPayload = UINT32_MAX;
inline constexpr std::uint32_t kAnyIncarnation = 0;  // incarnations start at 1
inline constexpr std::size_t kNoHistory = SIZE_MAX;
// Keys of its own each client mutates (one hash tag, so MSET stays in one slot).
inline constexpr std::uint32_t kOwnKeysPerClient = 4;
// Longest value APPEND may grow an own key to before the workload resets it.
inline constexpr std::size_t kOwnValueBytesMax = 64;
// After every client is done, the run waits at most this long for replication to settle.
inline constexpr TimeMs kDrainMaxMs = 30'000;

enum class Ev : std::uint8_t {
  kTick,           // a: node; incarnation
  kPeer,           // a: from node, b: to node, payload: frame bytes; incarnation: of `to` at send
  kRequest,        // a: client, b: node, payload: argv; tag: connection; incarnation of node
  kClose,          // a: client, b: node; tag: connection; incarnation of node
  kReply,          // a: client, b: node, payload: bytes; tag: connection
  kClientWake,     // a: client, b: lane; tag: timer generation
  kClientTimeout,  // a: client, b: lane; tag: timer generation
  kFaultStart,     // a: fault index
  kFaultEnd,       // a: fault index
  kQuiet,          // the quiet phase begins
  kAudit,          // the replica audit
  kStop,           // ScenarioOptions::stop_at
};
const char* EvName(Ev kind);

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
  std::uint64_t number = 0;  // connection, fault index, or the message's stream position
  std::uint64_t epoch = 0;   // the sender's incarnation
  std::uint32_t count = 0;
  // Command + key / reply prefix / message kind: raw bytes (text_len of them), made printable
  // only when a report formats them (PrintableText).
  char text[30] = {};
  std::uint8_t text_len = 0;
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

// Stores `a` (and " " + `b` when b is non-empty) in t.text, cut to fit.
void CopyText(TimelineEntry& t, std::string_view a, std::string_view b = {});
// t.text with every byte outside printable ASCII shown as '.'.
std::string PrintableText(const TimelineEntry& t);

struct SimNode {
  std::unique_ptr<Node> node;
  std::shared_ptr<const cluster::ClusterConfig> cluster;  // null on a single node
  bool up = true;
  bool paused = false;
  std::uint32_t incarnation = 1;
  TimeMs offset_ms = 0;
  std::int32_t drift_ppm = 0;
  TimeMs wall_step_ms = 0;     // sum of the clock steps so far
  TimeMs wall_high_ms = 0;     // the wall clock's reading just before its last backward step
  TimeMs mono_base = 0;        // the monotonic clock's origin in this life
  TimeMs life_started = 0;     // true time of the last (re)start
  bool flush_pending = false;  // listed in Sim::flushes_due_
  absl::flat_hash_set<ClientId> sessions;         // lookups only, never iterated
  absl::flat_hash_set<std::string> evicted_keys;  // in this life; lookups only
  // Client connections whose replies stopped: one was lost, and on a stream (TCP) nothing after a
  // lost segment arrives, so every later reply on it is lost too. Lookups only.
  absl::flat_hash_set<ClientId> stalled_replies;
  std::vector<Event> stash;  // deliveries held while paused
  Timeline timeline;
  // Replication counters of earlier lives, so the run's totals survive crashes.
  std::uint64_t replication_messages = 0;
  std::uint64_t writes_committed = 0;
  cluster::ProbeCounts probes;
  // The node's disk: what its configuration log persisted (it survives crashes), and, under the
  // planted driver bug kSendBeforePersist, the write not yet synced (lost at a crash).
  std::shared_ptr<const cluster::VoterState> disk;
  std::optional<cluster::VoterState> unsynced;
  bool unsynced_told = false;  // configuration log messages left while `unsynced` was pending
  // Cluster-wide checks (sim_consensus.cc): this life's committed entries checked through this
  // index, and the last configuration epoch compared.
  cluster::LogIndex commit_checked = 0;
  cluster::Epoch epoch_checked = 0;
  std::uint64_t conflicts_reported = 0;
};

// One operation at a time of a client; a client runs `pipeline` lanes at once.
struct Lane {
  explicit Lane(const client::RetryPolicy& policy) : op(policy) {}
  client::Operation op;
  bool running = false;
  bool sweeping = false;
  bool finished = false;
  bool idle = false;  // pipelined: waiting for the client's other lanes (the next burst)
  std::size_t history_index = kNoHistory;   // the checked operation, if it is one
  std::size_t mutation_index = kNoHistory;  // else the own-key operation (mutation_ops_)
  std::uint32_t own_key = 0;                // which own key it works on (APPEND growth)
  std::uint64_t timer_gen = 0;
};

struct SimClient {
  SimClient(std::vector<std::string> addresses, const client::RetryPolicy& policy,
            std::uint32_t node_count, std::uint32_t lanes)
      : router(std::move(addresses)),
        conn(node_count, 0),
        parsers(node_count),
        waiting(node_count),
        stalled(node_count, false) {
    for (std::uint32_t i = 0; i < lanes; ++i) this->lanes.emplace_back(policy);
  }
  client::SlotRouter router;
  std::vector<ClientId> conn;  // per node; 0: no connection
  std::vector<client::ReplyParser> parsers;
  std::vector<std::deque<std::uint32_t>> waiting;  // per node: lanes awaiting replies, in order
  std::vector<bool> stalled;  // per node: a request on the connection was lost (TCP stalls)
  std::vector<Lane> lanes;
  std::uint32_t ops_left = 0;
  std::uint64_t conn_serial = 0;
  std::uint32_t sweep_next = 0;
  std::uint32_t lanes_finished = 0;
  std::uint32_t lanes_idle = 0;
  bool finished = false;
  std::array<std::string, kOwnKeysPerClient> own_values;  // what APPEND last reported (length)
  client::Reply reply;                                    // reused
};

// An operation on a client's own keys (not in the history; counted and judged for liveness).
struct MutationOp {
  TimeMs invoke_at = 0;
  TimeMs complete_at = 0;
  std::uint32_t client = 0;
  client::OpOutcome outcome = client::OpOutcome::kUnknown;
  bool done = false;
  // The server answered it (kOk, or an error reply such as INCR on a non-number, which is the
  // command's own semantics, not a failure to serve).
  bool answered = false;
  std::string text;  // the command, for reports
};

class Sim {
 public:
  Sim(const ScenarioOptions& options, PlacementCache* cache);
  ScenarioResult Run();
  std::string FormatTimelines() const;

 private:
  // simulator.cc
  void Process(const Event& e);
  void Push(Event e) { queue_.Push(e); }
  bool Drained() const;
  ScenarioResult Summarize();

  // sim_nodes.cc
  NodeTime NodeNow(std::uint32_t n) const;
  NodeConfig MakeConfig(std::uint32_t n) const;
  void OnTick(const Event& e);
  // The nodes' inputs of this millisecond leave together, as a server flushes after a read: the
  // nodes that stepped at now_ flush once no event of now_ is left (no queue traffic per step).
  void RunDueFlushes();
  void OnPeer(const Event& e);
  void OnRequest(const Event& e);
  void OnClose(const Event& e);
  void HandleEffects(std::uint32_t n);
  void SendPeer(std::uint32_t from, std::uint32_t to, const cluster::Envelope& envelope);
  void AfterStep(std::uint32_t n);
  void Crash(std::uint32_t n);
  void Restart(std::uint32_t n, TimeMs clock_step_ms);
  void Pause(std::uint32_t n);
  void Resume(std::uint32_t n);
  enum class Fate : std::uint8_t { kDeliver, kDropped, kStashed };
  Fate Deliverable(std::uint32_t n, const Event& e);

  // sim_clients.cc
  void OnReply(const Event& e);
  void OnClientWake(const Event& e);
  void OnClientTimeout(const Event& e);
  // An event from client c to node n on their current connection (kClose, kRequest).
  Event ConnectionEvent(Ev kind, TimeMs at, std::uint32_t c, std::uint32_t n) const;
  void DropConnection(std::uint32_t c, std::uint32_t n);
  void HandleAction(std::uint32_t c, std::uint32_t lane, const client::Operation::Action& action);
  void StartNextOp(std::uint32_t c, std::uint32_t lane);
  void ScheduleNext(std::uint32_t c, std::uint32_t lane);
  // Pipelined clients move in bursts: once every unfinished lane is idle, all wake at `at`.
  void ReleaseBurst(std::uint32_t c, TimeMs at);
  void CompleteOp(std::uint32_t c, std::uint32_t lane);
  client::OpSpec DrawCheckedOp(std::uint32_t c, std::uint64_t id, Operation& op);
  client::OpSpec DrawMutationOp(std::uint32_t c);
  // Client c's i-th own key ("{mC}I": one slot per client), built once per scenario.
  const std::string& OwnKey(std::uint32_t c, std::uint32_t i) const {
    return own_keys_[static_cast<std::size_t>(c) * kOwnKeysPerClient + i];
  }
  // Advances `next` to the next key the final sweep reads; false when there is none.
  bool NextSweepKey(std::uint32_t& next) const;
  bool OnlySweeperLeft() const;  // every lane but the sweeping one has finished

  // sim_faults.cc
  void OnFault(std::uint32_t index, bool start);
  // The workload keys whose primary `node` is now (sim/failover.h), timed now.
  FailoverStart PrimaryKeysOf(std::uint32_t node) const;
  void OnQuiet();
  void ApplyLinks(const Fault& f, bool block);
  void HoldStaleCopies(std::uint32_t from, std::uint32_t to, std::string_view frame);
  void ReleaseStaleQueue(std::uint32_t index);
  bool FaultDropped(std::uint32_t index) const;

  // sim_audits.cc
  void OnAudit();
  // Returns false when the key cannot be judged yet (its primary has a write to it in flight).
  bool AuditKey(std::string_view key);
  // The configuration of the running node with the highest epoch (null: none started).
  const cluster::Configuration* NewestConfiguration() const;
  void MarkDirty(const std::string& key);
  // Steps node n's wall clock (an NTP step), remembering how far it had got.
  void StepWallClock(std::uint32_t n, TimeMs step_ms);
  // The latest wall time node n's clock has shown: an item it saw expire stays expired for it
  // after its clock steps back (the store removed it).
  TimeMs WallHighWater(std::uint32_t n) const;
  // The latest of the slot's live replicas' WallHighWater.
  TimeMs SlotWallHighWater(std::uint16_t slot) const;
  bool OverlappedByEarlierWrite(std::string_view key, const Operation& write) const;
  void CheckLostCopies(std::uint32_t n);
  void CheckFinalCopies();
  bool EvictedOn(std::uint32_t n, std::string_view key) const;
  void AuditViolation(const char* kind, std::string text);

  // sim_consensus.cc
  // The node's step produced voter state to persist: to its disk (or, under kSendBeforePersist,
  // into the unsynced write the next tick syncs).
  void Persist(std::uint32_t n, cluster::VoterState state);
  void SyncDisk(std::uint32_t n);
  // At a crash: whether peers heard of voter state the disk lost (kViolationVoterStateLost).
  void CheckDiskAtCrash(std::uint32_t n);
  // The cluster-wide checks after node n stepped (`expensive`: the O(slots) one too).
  void CheckConsensus(std::uint32_t n, bool expensive);
  // Whether node x holds a read lease now while some node applied MarkDown(x) at `index` and x
  // has not (reported as kViolationLeaseAfterMarkDown).
  void CheckLease(std::uint32_t x, cluster::LogIndex index);
  // After the quiet phase: one leader every node follows, one epoch, every node marked up. Returns
  // the problem ("" when settled).
  std::string ConfigurationUnsettled() const;

  // sim_report.cc
  void Check(ScenarioResult& result);

  // Pools (payloads referenced by index from events).
  std::uint32_t AllocBytes(std::string_view bytes);
  std::uint32_t AllocArgv(const std::vector<std::string>& argv);
  void FreeBytes(std::uint32_t i) { free_bytes_.push_back(i); }
  void FreeArgv(std::uint32_t i) { free_argv_.push_back(i); }
  void Verbose(const Event& e, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

  ScenarioOptions options_;
  Prng net_prng_;
  Prng workload_prng_;
  Scenario scenario_;
  std::uint32_t node_count_ = 0;
  std::uint32_t client_count_ = 0;
  bool quiet_ = false;
  bool stopped_ = false;
  bool burst_ = false;
  std::vector<TimeMs> slow_sync_ms_;  // per node: extra delay of SyncReply frames to it (kSlowSync)
  TimeMs now_ = 0;
  TimeMs clients_done_at_ = 0;
  std::vector<std::string> addresses_;
  std::vector<std::string> own_keys_;  // kOwnKeysPerClient per client
  std::shared_ptr<const cluster::Placement> placement_;
  std::vector<bool> fault_applied_;
  std::vector<FailoverStart> failover_starts_;  // Scenario::measure_failover
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
  std::vector<MutationOp> mutation_ops_;
  // Per checked key, the latest SET or DEL invoked on it (a value is "not yet overwritten" while
  // its SET is that one). Lookups only.
  absl::flat_hash_map<std::string, std::uint64_t> last_write_;
  std::uint64_t messages_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t steps_ = 0;
  std::uint64_t evictions_ = 0;
  std::uint64_t audits_ = 0;
  std::size_t audit_cursor_ = 0;
  const cluster::Configuration* audit_config_ = nullptr;  // during OnAudit: NewestConfiguration
  std::vector<std::string> audit_dirty_;                  // keys written since the last audit
  absl::flat_hash_set<std::string> audit_dirty_set_;      // the same, for lookups only
  // Replica audit findings: (kind, text); the first few are reported.
  std::vector<std::pair<std::string, std::string>> audit_violations_;
  std::uint64_t audit_violations_total_ = 0;
  TimeMs audit_first_at_ = INT64_MAX;
  // Cluster-wide consensus checks (sim_consensus.cc). Lookups only.
  absl::flat_hash_map<cluster::Term, std::uint32_t> leader_of_term_;
  std::vector<cluster::LogEntry> committed_entries_;  // [i]: the entry committed at index i + 1
  absl::flat_hash_map<cluster::Epoch, cluster::Configuration> configuration_at_;
  // Read leases: per node, the log indices of committed MarkDown changes of it (ascending), and
  // the highest index any node has applied.
  std::vector<std::vector<cluster::LogIndex>> mark_downs_;
  cluster::LogIndex applied_anywhere_ = 0;

  std::vector<std::string> bytes_pool_;
  std::string frame_scratch_;  // SendPeer's encoding buffer
  struct DueFlush {
    std::uint32_t node = 0;
    std::uint32_t incarnation = 0;
  };
  std::vector<DueFlush> flushes_due_;  // in the order the nodes stepped
  std::vector<std::uint32_t> free_bytes_;
  std::vector<std::vector<std::string>> argv_pool_;
  std::vector<std::uint32_t> free_argv_;
  std::vector<std::string_view> argv_views_;
};

}  // namespace shoal::sim
