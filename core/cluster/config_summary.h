// ConfigSummary: what the committed configuration (configuration.h) and this node's part in the
// configuration log (config_log.h) say, reduced to the numbers an operator reads: INFO's Cluster
// section, CLUSTER INFO and the cluster metrics (docs/operations.md). Counting the slot table is
// O(slots), so it is computed on demand (when a client asks), never per command.
//
// Until routing follows the configuration (cluster core part 2, the promotion step), the slots a
// node serves are the placement's (shoal_cluster_slots); the configuration's primaries and in-sync
// sets are what failure detection decided, shown here so that a down member, a degraded slot or a
// slot without a primary is visible.
//
// Who calls it: ClusterNode (Summary), which the commands and the metrics snapshot read.
// Thread safety: pure functions over values.
// Invariants (checked by SummarizeSlots' callers in tests): slots_primary <= slots_in_sync;
// slots_in_sync + slots_out_of_sync = the slots this node is a replica of; every count <= the
// slot count; members_up <= members.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/cluster/config_log.h"
#include "core/cluster/configuration.h"
#include "core/cluster/ids.h"

namespace shoal::cluster {

struct SlotSummary {
  std::uint32_t members = 0;
  std::uint32_t members_up = 0;
  std::uint32_t slots_primary = 0;      // slots the configuration names this node primary of
  std::uint32_t slots_in_sync = 0;      // slots whose in-sync set holds this node (primaries too)
  std::uint32_t slots_out_of_sync = 0;  // slots this node is a replica of, outside the in-sync set
  std::uint32_t slots_degraded = 0;  // served slots whose in-sync set lacks one of their replicas
  std::uint32_t slots_unavailable = 0;  // slots without a primary (kKeepUnavailable, or none left)

  friend bool operator==(const SlotSummary&, const SlotSummary&) = default;
};

struct ConfigSummary {
  Epoch epoch = 0;
  Term term = 0;
  std::string_view role;         // "leader", "follower", "candidate", "pre-candidate", "learner"
  std::optional<NodeId> leader;  // as far as this node knows
  SlotSummary slots;
};

// One walk of the slot table, from `self`'s point of view.
SlotSummary SummarizeSlots(const Configuration& configuration, NodeId self);
// The log's role as INFO spells it ("learner" for a non-voter, whatever its follower state).
std::string_view RoleName(const ConfigLog& log);
ConfigSummary Summarize(const ConfigLog& log, const Configuration& configuration, NodeId self);
// INFO-style lines ("shoal_config_epoch:7\r\n", ...), as INFO's Cluster section and CLUSTER INFO
// print them; the leader is -1 while unknown.
std::string SummaryFields(const ConfigSummary& summary);

}  // namespace shoal::cluster
