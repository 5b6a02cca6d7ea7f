// The configuration log as the whole simulated cluster runs it: each node's disk (what its log
// persisted survives its crashes; the planted driver bug kSendBeforePersist syncs it only at the
// next tick, so a crash can lose a write whose messages already left), and the cluster-wide
// checks no history can show, run after every step over the node that stepped:
//   two_leaders_in_term       a node leads a term another node already led
//   committed_entry_changed   an entry at a committed index differs from the one first seen
//                             committed there (or a snapshot's term from that entry's)
//   configuration_divergence  a node's configuration at an epoch differs from another node's at
//                             the same epoch (sampled: at the steps that run the expensive
//                             invariant checks, each node's current epoch)
// and, after the quiet phase, that the configuration settled (Sim::ConfigurationUnsettled).
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "core/cluster/cluster_node.h"
#include "core/cluster/configuration.h"
#include "core/result.h"
#include "sim/sim_world.h"

namespace shoal::sim {

void Sim::Persist(std::uint32_t n, cluster::VoterState state) {
  SimNode& node = nodes_[n];
  trace_.Fold(0xD15CULL ^ state.term ^ (state.entries.size() << 20));
  if (options_.bug == cluster::PlantedBug::kSendBeforePersist) {
    // PLANTED BUG kSendBeforePersist: the write waits for the next tick's sync, while the step's
    // messages leave now.
    node.unsynced = std::move(state);
    return;
  }
  node.unsynced.reset();
  node.unsynced_told = false;
  node.disk = std::make_shared<const cluster::VoterState>(std::move(state));
}

void Sim::SyncDisk(std::uint32_t n) {
  SimNode& node = nodes_[n];
  if (!node.unsynced) return;
  node.disk = std::make_shared<const cluster::VoterState>(std::move(*node.unsynced));
  node.unsynced.reset();
  node.unsynced_told = false;
}

void Sim::CheckDiskAtCrash(std::uint32_t n) {
  SimNode& node = nodes_[n];
  const cluster::VoterState none;
  const cluster::VoterState& disk = node.disk != nullptr ? *node.disk : none;
  // A write the peers were told of but the disk lacks. Only what peers learn counts: a lost
  // compaction (the same entries, split differently between snapshot and log) loses nothing.
  const auto same_to_peers = [](const cluster::VoterState& a, const cluster::VoterState& b) {
    const cluster::LogIndex a_last = a.snapshot.last_index + a.entries.size();
    const cluster::LogIndex b_last = b.snapshot.last_index + b.entries.size();
    if (a.term != b.term || a.vote != b.vote || a_last != b_last) return false;
    const cluster::LogIndex from = std::max(a.snapshot.last_index, b.snapshot.last_index);
    for (cluster::LogIndex i = from + 1; i <= a_last; ++i) {
      if (a.entries[i - a.snapshot.last_index - 1] != b.entries[i - b.snapshot.last_index - 1]) {
        return false;
      }
    }
    return true;
  };
  if (node.unsynced && node.unsynced_told && !same_to_peers(*node.unsynced, disk)) {
    const auto describe = [](const cluster::VoterState& v) {
      const cluster::Term last_term =
          v.entries.empty() ? v.snapshot.last_term : v.entries.back().term;
      char out[160];
      std::snprintf(out, sizeof(out),
                    "term %" PRIu64 ", vote %d, snapshot through %" PRIu64 ", log through %" PRIu64
                    " (last term %" PRIu64 ")",
                    v.term, v.vote == cluster::kNoNode ? -1 : static_cast<int>(v.vote),
                    v.snapshot.last_index, v.snapshot.last_index + v.entries.size(), last_term);
      return std::string(out);
    };
    const std::string what = "n" + std::to_string(n) + " crashed after telling peers of " +
                             describe(*node.unsynced) + "; its disk holds " + describe(disk);
    AuditViolation(kViolationVoterStateLost, what);
  }
  node.unsynced.reset();  // what the disk had not synced dies with the process
  node.unsynced_told = false;
}

void Sim::CheckLease(std::uint32_t x, cluster::LogIndex index) {
  const SimNode& node = nodes_[x];
  const cluster::ClusterNode* cluster = node.up ? node.node->cluster() : nullptr;
  if (cluster == nullptr || !cluster->started()) return;
  const cluster::ConfigLog& log = cluster->config_member().log();
  const TimeMs mono = NodeNow(x).mono;
  if (log.applied_index() >= index || !cluster->config_member().HoldsLease(mono)) return;
  char buf[320];
  std::snprintf(
      buf, sizeof(buf),
      "n%u holds a read lease (%s, until %" PRId64 " on its clock, now %" PRId64
      ") though index %" PRIu64 " marking it down was applied (it applied through %" PRIu64 ")",
      x, log.is_leader() ? "leader" : "echoed", static_cast<std::int64_t>(log.lease_until()),
      static_cast<std::int64_t>(mono), index, log.applied_index());
  AuditViolation(kViolationLeaseAfterMarkDown, buf);
}

void Sim::CheckConsensus(std::uint32_t n, bool expensive) {
  SimNode& node = nodes_[n];
  const cluster::ClusterNode* cluster = node.node->cluster();
  if (cluster == nullptr || !cluster->started()) return;
  const cluster::ConfigMember& member = cluster->config_member();
  const cluster::ConfigLog& log = member.log();
  char buf[320];
  if (log.is_leader()) {
    const auto [it, inserted] = leader_of_term_.try_emplace(log.term(), n);
    if (!inserted && it->second != n) {
      std::snprintf(buf, sizeof(buf), "n%u and n%u both led term %" PRIu64, it->second, n,
                    log.term());
      AuditViolation(kViolationTwoLeaders, buf);
    }
  }
  if (log.committed_conflicts() > node.conflicts_reported) {
    node.conflicts_reported = log.committed_conflicts();
    std::snprintf(buf, sizeof(buf),
                  "n%u was sent entries that contradict its committed log (commit index %" PRIu64
                  ", term %" PRIu64 ")",
                  n, log.commit_index(), log.term());
    AuditViolation(kViolationCommittedChanged, buf);
  }
  // Every index this life has seen committed, once: the first node to commit it fixes the entry.
  const cluster::LogSnapshot& snapshot = log.snapshot();
  if (snapshot.last_index > 0 && snapshot.last_index <= committed_entries_.size() &&
      committed_entries_[snapshot.last_index - 1].term != snapshot.last_term) {
    std::snprintf(buf, sizeof(buf),
                  "n%u's snapshot through index %" PRIu64 " has term %" PRIu64
                  ", but the entry committed there had term %" PRIu64,
                  n, snapshot.last_index, snapshot.last_term,
                  committed_entries_[snapshot.last_index - 1].term);
    AuditViolation(kViolationCommittedChanged, buf);
  }
  node.commit_checked = std::max(node.commit_checked, snapshot.last_index);
  for (cluster::LogIndex i = node.commit_checked + 1; i <= log.commit_index(); ++i) {
    const cluster::LogEntry* entry = log.EntryAt(i);
    if (entry == nullptr) continue;  // compacted meanwhile
    // No gap: a node commits its indices in order, and ConfigMember keeps every committed entry
    // in the log through the step that applied it, so index i - 1 was recorded (here, by some
    // node) no later than i is seen.
    SHOAL_ASSERT_MSG(i <= committed_entries_.size() + 1, "a committed index was never checked");
    if (i == committed_entries_.size() + 1) {
      committed_entries_.push_back(*entry);
      if (!entry->data.empty()) {
        const Result<cluster::ConfigChange> change = cluster::DecodeChange(entry->data);
        if (change.has_value()) {
          if (const auto* down = std::get_if<cluster::MarkDown>(&change.value())) {
            if (down->node < mark_downs_.size()) mark_downs_[down->node].push_back(i);
          }
        }
      }
    } else if (i <= committed_entries_.size() && committed_entries_[i - 1] != *entry) {
      std::snprintf(buf, sizeof(buf),
                    "n%u has committed index %" PRIu64 " as term %" PRIu64
                    " (%zu bytes), but term %" PRIu64 " (%zu bytes) was committed there",
                    n, i, entry->term, entry->data.size(), committed_entries_[i - 1].term,
                    committed_entries_[i - 1].data.size());
      AuditViolation(kViolationCommittedChanged, buf);
    }
  }
  node.commit_checked = std::max(node.commit_checked, log.commit_index());
  // Read leases: a node that has not applied a MarkDown of itself that some node applied holds
  // no lease. This node now, and every node whose MarkDown this step applied for the first time.
  const cluster::LogIndex applied_before = applied_anywhere_;
  applied_anywhere_ = std::max(applied_anywhere_, log.applied_index());
  const std::vector<cluster::LogIndex>& mine = mark_downs_[n];
  const auto next_down = std::upper_bound(mine.begin(), mine.end(), log.applied_index());
  if (next_down != mine.end() && *next_down <= applied_anywhere_) CheckLease(n, *next_down);
  if (applied_anywhere_ > applied_before) {
    for (std::uint32_t x = 0; x < node_count_; ++x) {
      const std::vector<cluster::LogIndex>& downs = mark_downs_[x];
      const auto first = std::upper_bound(downs.begin(), downs.end(), applied_before);
      if (x != n && first != downs.end() && *first <= applied_anywhere_) CheckLease(x, *first);
    }
  }
  const cluster::Configuration& config = member.configuration();
  if (expensive && config.epoch() != node.epoch_checked) {
    // Sampled with the expensive checks (O(slots)): a copy per epoch, compared whole.
    node.epoch_checked = config.epoch();
    const auto [it, inserted] = configuration_at_.try_emplace(config.epoch(), config);
    if (!inserted && !(it->second == config)) {
      std::snprintf(buf, sizeof(buf), "n%u's configuration at epoch %" PRIu64 " differs", n,
                    config.epoch());
      AuditViolation(kViolationConfigDivergence, buf);
    }
  }
}

std::string Sim::ConfigurationUnsettled() const {
  std::optional<std::uint32_t> leader;
  for (std::uint32_t n = 0; n < node_count_; ++n) {
    const SimNode& node = nodes_[n];
    if (!node.up || node.node->cluster() == nullptr || !node.node->cluster()->started()) continue;
    if (node.node->cluster()->config_member().log().is_leader()) leader = n;
  }
  if (!leader) return "no node leads the configuration log";
  const cluster::ConfigMember& lead = nodes_[*leader].node->cluster()->config_member();
  char buf[256];
  for (std::uint32_t n = 0; n < node_count_; ++n) {
    const SimNode& node = nodes_[n];
    if (!node.up) return "n" + std::to_string(n) + " is down";
    if (!node.node->cluster()->started()) return "n" + std::to_string(n) + " never started";
    const cluster::ConfigMember& member = node.node->cluster()->config_member();
    if (member.log().leader() != leader) {
      std::snprintf(buf, sizeof(buf), "n%u does not follow the leader n%u (term %" PRIu64 ")", n,
                    *leader, lead.log().term());
      return buf;
    }
    if (!lead.configuration().up(n)) {
      std::snprintf(buf, sizeof(buf), "n%u is up, but marked down at epoch %" PRIu64, n,
                    lead.configuration().epoch());
      return buf;
    }
    if (member.configuration().epoch() != lead.configuration().epoch()) {
      std::snprintf(buf, sizeof(buf), "n%u is at epoch %" PRIu64 ", the leader n%u at %" PRIu64, n,
                    member.configuration().epoch(), *leader, lead.configuration().epoch());
      return buf;
    }
    const cluster::Configuration& config = lead.configuration();
    if (config.incarnation(n) != node.node->cluster()->incarnation()) {
      std::snprintf(buf, sizeof(buf),
                    "n%u runs life %" PRIu64 ", but epoch %" PRIu64 " records life %" PRIu64, n,
                    node.node->cluster()->incarnation(), config.epoch(), config.incarnation(n));
      return buf;
    }
    // In-sync sets that only ever shrink would pass every safety check too.
    if (config.MissingInSync(n)) {
      std::snprintf(buf, sizeof(buf), "n%u is missing from an in-sync set at epoch %" PRIu64, n,
                    config.epoch());
      return buf;
    }
    // A lease protocol that never grants one would pass every safety check.
    if (!member.HoldsLease(NodeNow(n).mono))
      return "n" + std::to_string(n) + " holds no read lease";
  }
  return "";
}

}  // namespace shoal::sim
