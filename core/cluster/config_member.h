// ConfigMember: one node's part in the cluster configuration (architecture.md §3). It runs the
// node's instance of the configuration log (config_log.h), applies what the log commits to the
// node's Configuration (configuration.h), compacts the log into snapshots of that configuration,
// and, while this node leads the log, detects failures:
//   down  a member the leader has heard nothing from (any peer message counts, and every member
//         answers the leader's heartbeats) for limits::kMemberDownAfterMs of its monotonic clock
//         is proposed down (MarkDown); a new leader first gives every member that long
//   up    a down member that answered a heartbeat the leader sent within the last
//         limits::kMemberUpHeardWithinMs is proposed up (MarkUp); merely hearing from it is not
//         enough, since a message of a dead life may arrive late
//   life  a member whose MemberStatus names a life the configuration does not record is proposed
//         up as that life (MarkUp): unless it is the member's first life, it restarted (lost its
//         memory) and leaves every in-sync set
//   in sync  a member that reports it serves (its recovery finished, so it holds every committed
//         write of its slots) under the recorded life, but is missing from an in-sync set it
//         could be in, is proposed back into them (GrowInSync over every slot)
// One change is in flight at a time (the next is proposed once the last committed).
// Every member sends the leader a MemberStatus (at most once per limits::kConfigHeartbeatMs)
// while the configuration does not yet show its life, or shows it serving but out of sync.
// `first_life`: Start found no earlier voter state, and Start persists one at once, so a later
// life of this node always finds one (the driver completes the persist before the first send).
//
// Scope today (cluster core part 2, third step): every node agrees on the configuration,
// follows its epochs and holds read leases (HoldsLease), and the in-sync sets say which
// replicas hold every committed write (the simulator's in_sync_behind audit); routing and
// replication still follow the static placement (ClusterNode). Acting on the configuration
// (promotion, in-sync commit, serving reads only under a lease) is the next step.
//
// Voters are the first min(node_count, kConfigVotersMax) node ids; the other members are
// learners. What a peer sends is checked before the log accepts it (an entry must decode as a
// change, a snapshot as a configuration of this cluster's shape); a malformed message is
// dropped, counted by the log and logged at the next tick, and never crashes the node.
// Effects: the log's messages go to Effects::sends, and whenever a call changed the
// voter state, Effects::persist holds the whole state to make durable before those sends.
//
// Who calls it: ClusterNode (its owner), and the simulator's cluster-wide checks (read only).
// Thread safety: none.
// Invariants (CheckInvariants): the log's and the configuration's own; once started, the node's
// NodeState::config_epoch equals the configuration's epoch; the configuration holds exactly what
// the log applied (compaction takes only what an earlier call applied, so every committed entry
// stays in the log through the step that applied it); a proposal in flight is at an index
// in the log, after the commit index.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/cluster/config_log.h"
#include "core/cluster/configuration.h"
#include "core/cluster/node_state.h"
#include "core/cluster/voter_state.h"
#include "core/effects.h"
#include "core/time.h"

namespace shoal::cluster {

class ConfigMember {
 public:
  explicit ConfigMember(NodeState& state);

  // The first input of a life: builds the log from `restored` (null: a new member) and installs
  // its snapshot, if any. REQUIRES: not started (asserted).
  void Start(TimeMs mono, const VoterState* restored, std::uint64_t seed, Effects& effects);
  bool started() const { return log_.has_value(); }

  // Whether `body` is one of the configuration log's messages (they go to OnMessage).
  static bool Handles(const Body& body);
  void OnMessage(TimeMs mono, NodeId from, const Body& body, Effects& effects);
  // Any message from `from` (of its current incarnation, `incarnation`) arrived: it is alive.
  void HeardFrom(TimeMs mono, NodeId from, Incarnation incarnation);
  // `from`, running `incarnation`, reports its status (kept for failure detection while leading).
  void OnStatus(NodeId from, Incarnation incarnation, const MemberStatus& status);
  // The log's timers, then failure detection while leading, then this node's MemberStatus if it
  // is due. `serving`: this node's recovery finished.
  void Tick(TimeMs mono, bool serving, Effects& effects);
  bool first_life() const { return first_life_; }

  // REQUIRES: started.
  const ConfigLog& log() const { return *log_; }
  const Configuration& configuration() const { return configuration_; }
  // Whether this node holds a read lease at `mono` (config_log.h: no other node can have been
  // promoted over its slots before it expires).
  bool HoldsLease(TimeMs mono) const { return log_->HoldsLease(mono); }

  // `expensive` adds the configuration's own O(slots) check.
  void CheckInvariants(bool expensive) const;

 private:
  // Compacts when due (through the entries earlier calls applied), then hands out what the last
  // log call produced: persist, sends, install, committed entries.
  void Drain(TimeMs mono, Effects& effects);
  void Apply(LogIndex index, const LogEntry& entry, Effects& effects);
  void NoticeLeadership(TimeMs mono);
  void Detect(TimeMs mono, Effects& effects);
  // The change member `m`'s reported life or status calls for, if any.
  std::optional<ConfigChange> LifeChange(NodeId m, Incarnation life, bool first_life, bool serving);
  // Configuration::MissingInSync, remembered per member until the epoch changes.
  bool MissingInSync(NodeId m);
  void SendStatus(TimeMs mono, Effects& effects);

  struct ReportedStatus {
    Incarnation incarnation = 0;  // 0: none heard
    MemberStatus status;
  };

  NodeState& state_;
  Configuration configuration_;
  std::optional<ConfigLog> log_;
  ConfigLogOutput out_;
  LogIndex applied_ = 0;    // configuration_ holds every entry through this index
  bool restoring_ = false;  // the snapshot installed during Start is our own, not a catch-up
  std::uint64_t refused_logged_ = 0;            // the log's refused_messages() when we last said so
  Term led_term_ = 0;                           // the last term this node led
  std::vector<TimeMs> heard_mono_;              // per node: when we last heard from it
  std::vector<Incarnation> heard_incarnation_;  // per node: the latest life we heard from
  std::vector<ReportedStatus> reported_;        // per node: its last MemberStatus
  std::vector<Epoch> missing_checked_;          // per node: the epoch MissingInSync was computed at
  std::vector<bool> missing_;                   // per node: its result then
  bool first_life_ = false;
  bool serving_ = false;                    // as of the last Tick
  std::optional<TimeMs> status_sent_mono_;  // our last MemberStatus
  std::optional<LogIndex> proposal_;        // our change in flight, while leading
};

}  // namespace shoal::cluster
