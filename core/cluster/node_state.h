// NodeState: what the parts of a node's cluster layer share (core/cluster/cluster_node.h composes
// them): its identity and current incarnation, the largest incarnation seen of every peer, the
// placement, the store and the versions held in it, the configuration epoch it applied, counters,
// and how to address a message.
// Plain state with small helpers; no protocol logic.
//
// Thread safety: none; owned by one ClusterNode.
// Invariants: peer_incarnation.size() == node_count; incarnation != 0 once started.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cluster/cluster_config.h"
#include "core/cluster/ids.h"
#include "core/cluster/key_versions.h"
#include "core/cluster/messages.h"
#include "core/cluster/placement.h"
#include "core/cluster/probes.h"
#include "core/effects.h"
#include "core/store/store.h"

namespace shoal::cluster {

struct ClusterCounters {
  std::uint64_t writes_committed = 0;  // client writes acknowledged by every backup
  std::uint64_t writes_rejected = 0;   // -TRYAGAIN: too many writes in flight
  std::uint64_t replicate_messages = 0;
  std::uint64_t replicate_mutations = 0;  // mutations carried by them (re-sends included)
  std::uint64_t ack_messages = 0;
  std::uint64_t resends = 0;            // streams rewound after a timeout
  std::uint64_t mutations_applied = 0;  // as a backup, in stream order
  std::uint64_t keys_ignored = 0;       // not newer than what was held
  std::uint64_t keys_lost = 0;          // newer, but the store refused it
  std::uint64_t stale_messages = 0;     // from or to an older incarnation
  std::uint64_t sync_requests_served = 0;
  std::uint64_t sync_entries_merged = 0;  // entries that were newer during recovery
  std::uint64_t repairs = 0;              // entries pushed to backups at the end of a recovery
  std::uint64_t recoveries = 0;           // completed recoveries (1 after a normal start)
  std::uint64_t recovery_restarts = 0;    // tombstone overflow or incarnation too old
  std::uint64_t moved = 0;
  std::uint64_t loading = 0;
  std::uint64_t crossslot = 0;
  ProbeCounts probes;  // rare paths reached (probes.h)
};

struct NodeState {
  NodeState(const ClusterConfig& cluster_config, std::shared_ptr<const Placement> shared_placement,
            Store& node_store)
      : config(cluster_config),
        placement(std::move(shared_placement)),
        self(cluster_config.node_id),
        store(node_store),
        versions(node_store, cluster_config.knobs, cluster_config.bug == PlantedBug::kIgnoreTtl),
        peer_incarnation(cluster_config.node_count, 0) {}

  bool bug(PlantedBug b) const { return config.bug == b; }
  std::uint32_t node_count() const { return config.node_count; }
  const ReplicationKnobs& knobs() const { return config.knobs; }

  void Send(Effects& effects, NodeId to, Body body) const {
    effects.sends.push_back({to, Envelope{.from = self,
                                          .incarnation = incarnation,
                                          .config_epoch = config_epoch,
                                          .body = std::move(body)}});
  }

  // The backups of `slot` (its preference list after the primary).
  NodeMask BackupsOf(std::uint16_t slot) const {
    NodeMask mask = 0;
    for (NodeId node : placement->Replicas(slot).subspan(1)) mask |= Bit(node);
    return mask;
  }

  const ClusterConfig& config;
  std::shared_ptr<const Placement> placement;
  const NodeId self;
  Store& store;
  KeyVersions versions;
  Incarnation incarnation = 0;
  Epoch config_epoch = 0;  // of the configuration this node applied (config_member.h)
  std::vector<Incarnation> peer_incarnation;  // largest seen per node (0: none yet)
  Version max_version_seen = 0;
  ClusterCounters counters;
};

}  // namespace shoal::cluster
