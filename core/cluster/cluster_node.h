// ClusterNode: the replicated mode of a Node (NodeConfig::cluster set), composing the protocol's
// parts (core/cluster/node_state.h, slot_replication.h, state_transfer.h, key_versions.h) and
// joining the Node's one command path as its CommandGate:
//
//   command table -> Admit (this gate) -> handler -> FinishCommand -> reply held until committed
//
// Protocol (static membership, fixed primary per slot, no failover yet; design.md §8):
//   Configuration every node runs its part of the configuration log (config_member.h): the nodes
//                agree on a configuration (members up or down and the life each runs, per-slot
//                primaries and in-sync sets) and the leader detects failures, restarts and
//                recoveries (each node reports its life and whether it serves: MemberStatus);
//                routing and replication do not act on it yet (the next step of cluster core
//                part 2).
//   Placement    key -> KeySlot -> preference list of R nodes (core/cluster/placement.h); the first
//                is the primary. Keyed commands elsewhere get -MOVED <slot> <address>; the keys of
//                one command must share a slot (-CROSSSLOT otherwise, as Redis Cluster answers).
//   Writes       execute at the primary, record their effect as a Mutation (key_writes.h), and
//                replicate on the streams to every backup; a reply that depends on an
//                uncommitted write is held (slot_replication.h). -TRYAGAIN before executing when
//                too many writes are in flight (definitely not applied).
//   Recovery     every start: pull, merge, repair, then serve; -LOADING until then
//                (state_transfer.h).
//   Incarnations a node picks incarnation = its wall clock at start (bumped above any larger one
//                a peer reports: IncarnationTooOld); messages from an older incarnation of their
//                sender are dropped; when a peer's incarnation grows, what its old life
//                acknowledged is void (streams start over, its sync answers are asked again).
//
// Thread safety: none; owned by one Node, called on its thread.
// Invariants: see CheckInvariants (each part's, plus: the node serves only after a recovery).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/cluster/cluster_config.h"
#include "core/cluster/config_member.h"
#include "core/cluster/node_state.h"
#include "core/cluster/slot_replication.h"
#include "core/cluster/state_transfer.h"
#include "core/commands/command_gate.h"
#include "core/commands/command_table.h"
#include "core/effects.h"
#include "core/store/store.h"

namespace shoal::cluster {

class ClusterNode final : public CommandGate {
 public:
  // REQUIRES: the ClusterConfig invariants (asserted). `store` outlives the ClusterNode.
  // `voter_state`: what an earlier life persisted (null: a new member); `election_seed` seeds the
  // configuration log's election timeouts.
  ClusterNode(const ClusterConfig& config, Store& store,
              std::shared_ptr<const VoterState> voter_state = nullptr,
              std::uint64_t election_seed = 0);
  ~ClusterNode();
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // The first input of a life: picks the incarnation and starts the recovery. Idempotent.
  void EnsureStarted(NodeTime now, Effects& effects);

  // --- CommandGate ----------------------------------------------------------------------------
  bool Admit(CommandContext& ctx, const CommandSpec& spec, CommandArgs argv) override;
  std::uint64_t OwnedKeys() const override;
  bool OwnsSlot(std::uint16_t slot) const override;
  void FlushOwned(CommandContext& ctx) override;
  ClusterView View() const override;

  // After ExecuteCommand: replicates the command's mutation (if it wrote anything) and returns
  // the write its reply must wait for (0: none: reply now, in connection order).
  WriteId FinishCommand(Mutation& mutation);
  bool Committed(WriteId id) const { return replication_.Committed(id); }
  void AddWaiter(WriteId id, ClientId client) { replication_.AddWaiter(id, client); }
  // Clients whose held replies may be releasable now (cleared by the call).
  std::vector<ClientId> TakeWoken();

  void OnMessage(NodeTime now, const Envelope& envelope, Effects& effects);
  void Tick(NodeTime now, Effects& effects);
  // Ends every step and tick: restarts an overflowed recovery (a new incarnation, keeping the
  // data) and moves repairs along.
  void AfterStep(NodeTime now, Effects& effects);
  // Sends what the replication streams allow (batches, piggybacked acknowledgements).
  void Flush(NodeTime now, Effects& effects);
  void OnEvicted(std::string_view key, Version version) { state_.versions.OnEvicted(key, version); }
  // The store removed `key` because it expired. The primary of its slot replicates the deletion
  // (inside the current write command's mutation when that command touches the key, else as a
  // mutation of its own after the command or tick), so that a copy holding an older version than
  // the expired one cannot outlive it (a recovering backup would merge that older version).
  void OnExpired(std::string_view key);

  // --- Inspection (INFO, tests, the simulator) ------------------------------------------------
  bool serving() const { return transfer_.serving(); }
  bool recovering() const { return !transfer_.serving(); }
  StateTransfer::Phase phase() const { return transfer_.phase(); }
  Incarnation incarnation() const { return state_.incarnation; }
  const Placement& placement() const { return *state_.placement; }
  const ClusterCounters& counters() const { return state_.counters; }
  const SlotReplication& replication() const { return replication_; }
  // The configuration log and the configuration it committed. REQUIRES: started.
  const ConfigMember& config_member() const { return member_; }
  bool started() const { return started_; }
  // The version this node holds for `key` (store item, tombstone or flush watermark).
  Version HeldVersion(std::string_view key) const;
  std::size_t tombstones() const { return state_.versions.tombstones(); }

  // Aborts if an invariant does not hold. `expensive` adds the O(writes in flight x streams)
  // stream checks (tests and the simulator's sampled mode).
  void CheckInvariants(bool expensive) const;

 private:
  struct Current {  // the command between Admit and FinishCommand
    bool keyed = false;
    bool write = false;
    std::uint16_t slot = 0;
    Version version = 0;
    std::vector<std::string_view> keys;  // views into the command's argv (valid until Finish)
  };
  struct StaleCopy {                   // PlantedBug::kStaleRead
    std::optional<std::string> value;  // what the key held before the write
    WriteId write = 0;                 // the latest write it lags
    bool committed_seen = false;
  };

  Version NextVersion();
  std::string AddressOf(NodeId node) const;
  void Restart(NodeTime now, Incarnation incarnation, const char* why, Effects& effects);
  void SubmitExpired();
  void Refuse(CommandContext& ctx, std::string_view error);

  const ClusterConfig& config_;
  NodeState state_;
  SlotReplication replication_;
  StateTransfer transfer_;
  ConfigMember member_;
  std::shared_ptr<const VoterState> voter_state_;  // until Start: then the log holds it
  std::uint64_t election_seed_;
  bool started_ = false;
  Version next_version_ = 1;
  Current current_;
  std::vector<Mutation> flushes_;     // FLUSHALL's per-slot flushes, submitted by FinishCommand
  std::vector<std::string> expired_;  // keys of our primary slots that expired, not yet replicated
  std::span<const std::uint16_t> primary_slots_;       // the placement's table (state_ holds it)
  absl::flat_hash_map<std::string, StaleCopy> stale_;  // kStaleRead only; lookups only
};

}  // namespace shoal::cluster
