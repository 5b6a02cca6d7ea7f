// TestCluster: a tiny in-test driver for N replicated Nodes. It carries peer envelopes through a
// FIFO "network" (each one round-tripped through the codec, as the simulator does; optionally
// dropping, duplicating or delaying them with a seeded generator), ticks every node every
// limits::kTickIntervalMs, collects each client's reply bytes, and can "crash" a node (destroy
// it, construct a fresh one). Both clocks advance together: mono = now, wall = kWallEpochMs + now.
// Deterministic; single-threaded.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/cluster_config.h"
#include "core/cluster/cluster_node.h"
#include "core/cluster/codec.h"
#include "core/cluster/messages.h"
#include "core/cluster/placement.h"
#include "core/effects.h"
#include "core/limits.h"
#include "core/node.h"
#include "core/slot.h"
#include "gtest/gtest.h"

namespace shoal::cluster::testing {

inline constexpr TimeMs kWallEpochMs = 1'700'000'000'000;

struct InFlightMessage {
  NodeId to = 0;
  Envelope envelope;
};

struct Faults {
  int drop_percent = 0;       // each delivery: dropped with this chance
  int duplicate_percent = 0;  // each delivery: also re-queued at the back with this chance
  int delay_percent = 0;      // each delivery: moved to the back instead (reordering)
};

class TestCluster {
 public:
  TestCluster(std::uint32_t node_count, std::uint32_t replication_factor,
              PlantedBug bug = PlantedBug::kNone, std::uint64_t seed = 1,
              const ReplicationKnobs& knobs = {}, const StoreOptions& store = {})
      : rng_(seed * 0x9E3779B97F4A7C15ULL + 1), store_(store) {
    placement_ = std::make_shared<const Placement>(PlacementOptions{
        .node_count = node_count, .replication_factor = replication_factor, .vnodes_per_node = 64});
    for (NodeId n = 0; n < node_count; ++n) {
      auto config = std::make_shared<ClusterConfig>();
      config->node_id = n;
      config->node_count = node_count;
      config->replication_factor = replication_factor;
      config->vnodes_per_node = 64;
      config->placement = placement_;
      config->bug = bug;
      config->knobs = knobs;
      for (NodeId i = 0; i < node_count; ++i)
        config->node_addresses.push_back("n" + std::to_string(i));
      configs_.push_back(std::move(config));
    }
    nodes_.resize(node_count);
    disks_.resize(node_count);
    lives_.assign(node_count, 0);
    for (NodeId n = 0; n < node_count; ++n) nodes_[n] = std::make_unique<Node>(Config(n));
    down_.assign(node_count, false);
  }

  NodeConfig Config(NodeId n) {
    NodeConfig config;
    config.cluster = configs_[n];
    config.voter_state = disks_[n];
    config.election_seed = rng_ ^ (std::uint64_t{n} << 40) ^ ++lives_[n];
    config.store = store_;
    return config;
  }

  const Placement& placement() const { return *placement_; }
  Node& node(NodeId n) { return *nodes_[n]; }
  const ClusterNode& cluster(NodeId n) { return *nodes_[n]->cluster(); }
  TimeMs now() const { return now_; }
  TimeMs wall() const { return kWallEpochMs + now_; }
  NodeTime time() const { return NodeTime{.mono = now_, .wall = wall()}; }
  std::deque<InFlightMessage>& network() { return network_; }
  Faults& faults() { return faults_; }

  // What node `n` stores for `key`, expired or not.
  std::optional<ItemView> Item(NodeId n, std::string_view key) {
    return nodes_[n]->store().PeekIncludingExpired(key);
  }
  std::optional<std::string> Value(NodeId n, std::string_view key) {
    auto item = nodes_[n]->store().Peek(key, wall());
    if (!item) return std::nullopt;
    return std::string(item->value);
  }

  // A key whose preference list starts with `primary` (and, if given, continues with `backup`).
  std::string KeyWithPrimary(NodeId primary, int backup = -1, int skip = 0,
                             const std::string& prefix = "key") const {
    for (int i = 0;; ++i) {
      std::string key = prefix + std::to_string(i);
      auto replicas = placement_->Replicas(KeySlot(key));
      if (replicas[0] != primary) continue;
      if (backup >= 0 && (replicas.size() < 2 || replicas[1] != static_cast<NodeId>(backup))) {
        continue;
      }
      if (skip-- > 0) continue;
      return key;
    }
  }

  void Connect(NodeId n, ClientId client) {
    client_node_[client] = n;
    Step(n, ClientConnected{client, "test"});
  }
  void Disconnect(ClientId client) { Step(client_node_.at(client), ClientDisconnected{client}); }

  // Sends a command; the reply (if any yet) accumulates in Reply(client).
  void Send(ClientId client, std::vector<std::string> argv) {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    Step(client_node_.at(client), ClientCommand{client, views});
  }

  std::string& Reply(ClientId client) { return replies_[client]; }
  std::string TakeReply(ClientId client) {
    std::string r = std::move(replies_[client]);
    replies_[client].clear();
    return r;
  }

  // Sends, then runs the cluster until the client has a reply (or `steps_max` steps pass).
  std::string Call(ClientId client, std::vector<std::string> argv, int steps_max = 100000) {
    TakeReply(client);
    Send(client, std::move(argv));
    RunUntil([&] { return !replies_[client].empty(); }, steps_max);
    return TakeReply(client);
  }

  // Delivers the next message (with faults); returns false if the network is empty.
  bool DeliverOne() {
    if (network_.empty()) return false;
    InFlightMessage m = std::move(network_.front());
    network_.pop_front();
    if (Chance(faults_.delay_percent) && !network_.empty()) {
      network_.push_back(std::move(m));
      return true;
    }
    if (Chance(faults_.drop_percent)) return true;
    if (Chance(faults_.duplicate_percent)) network_.push_back(m);
    if (down_[m.to] || down_[m.envelope.from]) return true;  // partitioned away: lost
    delivered_++;
    // The bytes a real peer would send.
    const Result<Envelope> decoded = Decode(Encode(m.envelope));
    EXPECT_TRUE(decoded.has_value());
    const Envelope envelope = decoded.value();
    Step(m.to, PeerMessage{&envelope});
    return true;
  }

  void TickAll() {
    now_ += limits::kTickIntervalMs;
    for (NodeId n = 0; n < nodes_.size(); ++n) {
      effects_.Clear();
      nodes_[n]->Tick(time(), effects_);
      Collect(n);
    }
  }

  // One more tick of node n at the current time, as from a driver whose timer fired early.
  void TickOne(NodeId n) {
    effects_.Clear();
    nodes_[n]->Tick(time(), effects_);
    Collect(n);
  }

  // Delivers messages (ticking when the network is idle, and every 64 deliveries so retries
  // happen under loss) until `done` holds. Fails the test if it takes more than `steps_max`.
  bool RunUntil(const std::function<bool()>& done, int steps_max = 100000) {
    for (int step = 0;; ++step) {
      if (done()) return true;
      if (step >= steps_max) break;
      if (step % 64 == 63 || !DeliverOne()) TickAll();
    }
    ADD_FAILURE() << "cluster did not converge within " << steps_max << " steps";
    return false;
  }

  // Runs until the network is empty, every node serves and no write is in flight.
  bool Settle(int steps_max = 100000) {
    return RunUntil(
        [&] {
          if (!network_.empty()) return false;
          for (auto& n : nodes_) {
            if (!n->cluster()->serving() || n->cluster()->replication().writes_in_flight() > 0) {
              return false;
            }
          }
          return true;
        },
        steps_max);
  }

  // Destroys node n and constructs a fresh one (memory lost, its disk kept). Messages already in
  // the network addressed to it will reach the new one.
  void Crash(NodeId n) {
    nodes_[n] = std::make_unique<Node>(Config(n));
    for (auto& [client, node] : client_node_) {
      if (node == n) node = kDisconnected;
    }
  }

  void SetDown(NodeId n, bool down) { down_[n] = down; }
  // Delivers `envelope` to node n at once, as if a peer had sent it (forged or malformed input).
  void Inject(NodeId n, const Envelope& envelope) { Step(n, PeerMessage{&envelope}); }
  // Every log line the nodes wrote (tests look for operator-visible messages).
  const std::vector<std::string>& logs() const { return logs_; }
  // Off: only Tick and FlushAll send the replication streams (a driver batching many inputs).
  void FlushEachStep(bool on) { flush_each_step_ = on; }
  void FlushAll() {
    for (NodeId n = 0; n < nodes_.size(); ++n) {
      effects_.Clear();
      nodes_[n]->Flush(time(), effects_);
      Collect(n);
    }
  }
  void Advance(TimeMs ms) { now_ += ms; }
  std::uint64_t delivered() const { return delivered_; }

  void CheckInvariants() {
    for (auto& n : nodes_) n->CheckInvariants(/*expensive=*/true);
  }

 private:
  static constexpr NodeId kDisconnected = ~NodeId{0};

  void Step(NodeId n, const Input& input) {
    SHOAL_ASSERT(n != kDisconnected);
    effects_.Clear();
    nodes_[n]->Step(time(), input, effects_);
    if (flush_each_step_) nodes_[n]->Flush(time(), effects_);
    Collect(n);
  }

  void Collect(NodeId n) {
    // The node's disk: durable before the step's messages leave (config_log.h).
    if (effects_.persist) {
      disks_[n] = std::make_shared<const VoterState>(std::move(*effects_.persist));
    }
    logs_.insert(logs_.end(), effects_.logs.begin(), effects_.logs.end());
    for (const auto& out : effects_.outputs) {
      replies_[out.client].append(effects_.bytes, out.begin, out.end - out.begin);
    }
    for (auto& send : effects_.sends) {
      network_.push_back({send.to, std::move(send.envelope)});
    }
  }

  bool Chance(int percent) {
    if (percent <= 0) return false;
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return static_cast<int>(rng_ % 100) < percent;
  }

  std::uint64_t rng_;
  StoreOptions store_;
  std::shared_ptr<const Placement> placement_;
  std::vector<std::shared_ptr<ClusterConfig>> configs_;
  std::vector<std::shared_ptr<const VoterState>> disks_;  // what each node's log persisted
  std::vector<std::uint64_t> lives_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<bool> down_;
  std::deque<InFlightMessage> network_;
  Faults faults_;
  Effects effects_;
  std::vector<std::string> logs_;
  std::map<ClientId, std::string> replies_;
  std::map<ClientId, NodeId> client_node_;
  TimeMs now_ = 1000;
  std::uint64_t delivered_ = 0;
  bool flush_each_step_ = true;
};

inline std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline constexpr std::string_view kOk = "+OK\r\n";
inline constexpr std::string_view kNil = "$-1\r\n";
inline constexpr std::string_view kLoading = "-LOADING Shoal is loading the dataset in memory\r\n";

template <class T>
bool Holds(const InFlightMessage& m) {
  return std::holds_alternative<T>(m.envelope.body);
}

}  // namespace shoal::cluster::testing
