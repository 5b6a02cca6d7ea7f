#include "core/cluster/config_summary.h"

#include <string>

#include "core/limits.h"

namespace shoal::cluster {

SlotSummary SummarizeSlots(const Configuration& configuration, NodeId self) {
  SlotSummary s;
  s.members = configuration.node_count();
  for (NodeId n = 0; n < s.members; ++n) s.members_up += configuration.up(n) ? 1 : 0;
  const Placement& placement = configuration.placement();
  for (std::uint32_t i = 0; i < limits::kSlotCount; ++i) {
    const auto slot = static_cast<std::uint16_t>(i);
    const SlotConfig& sc = configuration.slot(slot);
    if (sc.primary == kNoNode) {
      s.slots_unavailable++;
    } else {
      NodeMask replicas = 0;
      for (NodeId r : configuration.replicas(slot)) replicas |= Bit(r);
      if ((sc.in_sync & replicas) != replicas) s.slots_degraded++;
    }
    if (sc.primary == self) s.slots_primary++;
    if (!placement.IsReplica(slot, self)) continue;
    if ((sc.in_sync & Bit(self)) != 0) {
      s.slots_in_sync++;
    } else {
      s.slots_out_of_sync++;
    }
  }
  return s;
}

std::string_view RoleName(const ConfigLog& log) {
  if ((log.options().voters & Bit(log.options().self)) == 0) return "learner";
  return RoleName(log.role());
}

ConfigSummary Summarize(const ConfigLog& log, const Configuration& configuration, NodeId self) {
  return ConfigSummary{.epoch = configuration.epoch(),
                       .term = log.term(),
                       .role = RoleName(log),
                       .leader = log.leader(),
                       .slots = SummarizeSlots(configuration, self)};
}

std::string SummaryFields(const ConfigSummary& summary) {
  std::string out;
  const auto field = [&out](std::string_view name, std::string_view value) {
    out.append(name).append(":").append(value).append("\r\n");
  };
  const auto number = [&field](std::string_view name, std::uint64_t value) {
    field(name, std::to_string(value));
  };
  const SlotSummary& s = summary.slots;
  number("shoal_config_epoch", summary.epoch);
  number("shoal_config_term", summary.term);
  field("shoal_config_role", summary.role);
  field("shoal_config_leader", summary.leader ? std::to_string(*summary.leader) : "-1");
  number("shoal_config_members", s.members);
  number("shoal_config_members_up", s.members_up);
  number("shoal_config_slots_primary", s.slots_primary);
  number("shoal_config_slots_in_sync", s.slots_in_sync);
  number("shoal_config_slots_out_of_sync", s.slots_out_of_sync);
  number("shoal_config_slots_degraded", s.slots_degraded);
  number("shoal_config_slots_unavailable", s.slots_unavailable);
  return out;
}

}  // namespace shoal::cluster
