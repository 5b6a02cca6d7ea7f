#include "core/cluster/config_member.h"

#include <algorithm>
#include <bit>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/limits.h"
#include "core/result.h"

namespace shoal::cluster {
namespace {

NodeMask VotersOf(std::uint32_t node_count) {
  static_assert(limits::kConfigVotersMax < 64);
  return Bit(std::min(node_count, limits::kConfigVotersMax)) - 1;
}

// A cluster may have 64 members (limits::kClusterNodesMax), one per bit of the mask.
NodeMask MembersOf(std::uint32_t node_count) {
  return node_count >= 64 ? ~NodeMask{0} : (Bit(node_count) - 1);
}

}  // namespace

ConfigMember::ConfigMember(NodeState& state)
    : state_(state),
      configuration_(state.placement, LostSlotPolicy::kBringBackEmpty),
      heard_mono_(state.node_count(), 0),
      heard_incarnation_(state.node_count(), 0),
      reported_(state.node_count()),
      missing_checked_(state.node_count(), 0),
      missing_(state.node_count(), false) {}

void ConfigMember::Start(TimeMs mono, const VoterState* restored, std::uint64_t seed,
                         Effects& effects) {
  SHOAL_ASSERT(!started());
  const NodeMask voters = VotersOf(state_.node_count());
  ConfigLogTimings timings;
  // PLANTED BUG kLongLease: a lease that outlives the leader's failure detection.
  if (state_.bug(PlantedBug::kLongLease)) timings.lease_ms = 4 * limits::kMemberDownAfterMs;
  ConfigLog::Options options{
      .self = state_.self,
      .voters = voters,
      .learners = MembersOf(state_.node_count()) & ~voters,
      .timings = timings,
      .seed = seed,
      .bug = state_.bug(PlantedBug::kGrantTwoVotes) ? ConsensusBug::kGrantTwoVotesInOneTerm
                                                    : ConsensusBug::kNone,
      // A peer's entry must be a change we can decode and its snapshot a configuration of this
      // cluster's shape: what Drain applies never fails to decode.
      .entry_valid = [](std::string_view data) { return DecodeChange(data).has_value(); },
      .snapshot_valid =
          [placement = state_.placement](std::string_view data) {
            return Configuration::Decode(data, placement).has_value();
          },
  };
  first_life_ = restored == nullptr;
  log_.emplace(options, restored != nullptr ? *restored : VoterState{}, mono);
  std::fill(heard_mono_.begin(), heard_mono_.end(), mono);
  state_.config_epoch = configuration_.epoch();
  // The constructor's first output (the restored snapshot) comes with the next call.
  restoring_ = true;
  log_->Tick(mono, out_);
  Drain(mono, effects);
  // A first life persists at once, so that every later life finds state on its disk and knows
  // it is not the first (MarkUp::first_life).
  if (first_life_ && !effects.persist) effects.persist = log_->DurableState();
  restoring_ = false;
}

bool ConfigMember::Handles(const Body& body) {
  return std::holds_alternative<VoteRequest>(body) || std::holds_alternative<VoteReply>(body) ||
         std::holds_alternative<AppendEntries>(body) || std::holds_alternative<AppendReply>(body) ||
         std::holds_alternative<InstallSnapshot>(body);
}

void ConfigMember::OnMessage(TimeMs mono, NodeId from, const Body& body, Effects& effects) {
  SHOAL_ASSERT(started());
  log_->Step(mono, from, body, out_);
  Drain(mono, effects);
}

void ConfigMember::HeardFrom(TimeMs mono, NodeId from, Incarnation incarnation) {
  if (from >= heard_mono_.size()) return;
  heard_mono_[from] = std::max(heard_mono_[from], mono);
  heard_incarnation_[from] = std::max(heard_incarnation_[from], incarnation);
}

void ConfigMember::OnStatus(NodeId from, Incarnation incarnation, const MemberStatus& status) {
  if (from >= reported_.size() || incarnation < reported_[from].incarnation) return;
  reported_[from] = ReportedStatus{.incarnation = incarnation, .status = status};
}

void ConfigMember::Tick(TimeMs mono, bool serving, Effects& effects) {
  SHOAL_ASSERT(started());
  serving_ = serving;
  log_->Tick(mono, out_);
  Drain(mono, effects);
  Detect(mono, effects);
  SendStatus(mono, effects);
  if (log_->refused_messages() != refused_logged_) {  // at most one line per tick
    effects.logs.push_back("cluster: refused " +
                           std::to_string(log_->refused_messages() - refused_logged_) +
                           " malformed configuration message(s) from peers");
    refused_logged_ = log_->refused_messages();
  }
}

void ConfigMember::NoticeLeadership(TimeMs mono) {
  if (!log_->is_leader()) {
    proposal_.reset();  // what we proposed commits or not without us
    return;
  }
  if (led_term_ == log_->term()) return;
  led_term_ = log_->term();
  proposal_.reset();
  state_.counters.probes.Hit(Probe::kElectionWon);
  // A new leader knows nothing of how recently the others were heard: it gives each the whole
  // detection time before judging (down members are judged by their answers to its heartbeats).
  std::fill(heard_mono_.begin(), heard_mono_.end(), mono);
}

void ConfigMember::Drain(TimeMs mono, Effects& effects) {
  // Compaction comes first, through what earlier calls applied (the configuration as it is now,
  // before this call's entries): every committed entry stays in the log for at least the whole
  // step that applied it, where the cluster-wide checks compare it across nodes; compacted in the
  // same step, it would never be compared. A snapshot this call installs is past applied_, so
  // it is never compacted over.
  const LogIndex snapshot = log_->snapshot().last_index;
  if (applied_ > snapshot && applied_ - snapshot >= state_.knobs().config_compact_every) {
    log_->Compact(applied_, configuration_.Encode(), out_);  // merges into this call's output
  }
  if (out_.persist) effects.persist = log_->DurableState();
  for (ConfigLogOutput::Send& send : out_.sends) {
    state_.Send(effects, send.to, std::move(send.message));
  }
  if (out_.install) {
    Result<Configuration> installed = Configuration::Decode(out_.install->data, state_.placement);
    // A peer's snapshot was checked on arrival (snapshot_valid) and our own restored one is the
    // encoding Compact wrote: one that does not decode here is a bug.
    SHOAL_ASSERT_MSG(installed.has_value(), "a configuration snapshot does not decode");
    configuration_ = std::move(installed).value();
    if (!restoring_) state_.counters.probes.Hit(Probe::kConfigSnapshotInstalled);
  }
  for (std::size_t i = 0; i < out_.committed.size(); ++i) {
    Apply(out_.committed_first + i, out_.committed[i], effects);
  }
  out_.Clear();
  state_.config_epoch = configuration_.epoch();
  applied_ = log_->applied_index();
  NoticeLeadership(mono);
}

void ConfigMember::Apply(LogIndex index, const LogEntry& entry, Effects& effects) {
  const bool ours = proposal_ && *proposal_ == index;
  if (ours) proposal_.reset();
  if (entry.data.empty()) return;                          // a new leader's no-op
  Result<ConfigChange> change = DecodeChange(entry.data);  // checked on arrival (entry_valid)
  SHOAL_ASSERT_MSG(change.has_value(), "a committed configuration change does not decode");
  const auto* up = std::get_if<MarkUp>(&change.value());
  const bool restart_leaves =  // a MarkUp of a member that restarted unnoticed
      up != nullptr && up->node < state_.node_count() && configuration_.MarkUpLeavesInSync(*up);
  const Result<Epoch> applied = configuration_.Apply(change.value());
  if (!applied.has_value()) {
    effects.logs.push_back("cluster: configuration change " + DescribeChange(change.value()) +
                           " at index " + std::to_string(index) + " does not apply");
    return;
  }
  if (!ours) return;
  effects.logs.push_back("cluster: epoch " + std::to_string(applied.value()) + ": " +
                         DescribeChange(change.value()));
  if (std::holds_alternative<MarkDown>(change.value())) {
    state_.counters.probes.Hit(Probe::kMemberMarkedDown);
  } else if (std::holds_alternative<MarkUp>(change.value())) {
    state_.counters.probes.Hit(restart_leaves ? Probe::kRestartLeftInSync : Probe::kMemberMarkedUp);
  } else if (std::holds_alternative<GrowInSync>(change.value())) {
    state_.counters.probes.Hit(Probe::kInSyncGrown);
  }
}

bool ConfigMember::MissingInSync(NodeId m) {
  if (missing_checked_[m] != configuration_.epoch()) {
    missing_checked_[m] = configuration_.epoch();
    missing_[m] = configuration_.MissingInSync(m);
  }
  return missing_[m];
}

std::optional<ConfigChange> ConfigMember::LifeChange(NodeId m, Incarnation life, bool first_life,
                                                     bool serving) {
  if (configuration_.incarnation(m) != life) {
    return MarkUp{.node = m, .incarnation = life, .first_life = first_life};
  }
  if (serving && MissingInSync(m)) {
    return GrowInSync{.node = m,
                      .incarnation = life,
                      .first_slot = 0,
                      .last_slot = static_cast<std::uint16_t>(limits::kSlotCount - 1)};
  }
  return std::nullopt;
}

void ConfigMember::Detect(TimeMs mono, Effects& effects) {
  if (!log_->is_leader() || proposal_ || log_->commit_index() < log_->last_index()) return;
  std::optional<ConfigChange> change;
  for (NodeId m = 0; m < state_.node_count() && !change; ++m) {
    const bool up = configuration_.up(m);
    if (m == state_.self) {  // we lead, so we are alive
      change = up ? LifeChange(m, state_.incarnation, first_life_, serving_)
                  : MarkUp{.node = m, .incarnation = state_.incarnation, .first_life = first_life_};
    } else if (up && mono - heard_mono_[m] >= limits::kMemberDownAfterMs) {
      change = MarkDown{.node = m};
    } else if (!up && log_->AnsweredSentAt(m) != 0 &&
               mono - log_->AnsweredSentAt(m) < limits::kMemberUpHeardWithinMs) {
      // It answered one of our recent heartbeats: alive now, not just a late message of a life
      // that has since died (the simulator delivers those; a MarkUp of a dead member would bring
      // slots back empty on it). Down members are in no in-sync set: whether this life is its
      // first does not matter.
      change = MarkUp{.node = m, .incarnation = heard_incarnation_[m]};
    } else if (up && reported_[m].incarnation != 0 &&
               reported_[m].incarnation == heard_incarnation_[m]) {
      const MemberStatus& status = reported_[m].status;
      change = LifeChange(m, reported_[m].incarnation, status.first_life, status.serving);
    }
  }
  if (!change) return;
  proposal_ = log_->Propose(mono, EncodeChange(*change), out_);
  Drain(mono, effects);
}

void ConfigMember::SendStatus(TimeMs mono, Effects& effects) {
  const std::optional<NodeId> leader = log_->leader();
  if (!leader || *leader == state_.self) return;
  const NodeId self = state_.self;
  const bool due =
      configuration_.incarnation(self) != state_.incarnation || (serving_ && MissingInSync(self));
  if (!due || (status_sent_mono_ && mono - *status_sent_mono_ < limits::kConfigHeartbeatMs)) return;
  status_sent_mono_ = mono;
  state_.Send(effects, *leader, MemberStatus{.first_life = first_life_, .serving = serving_});
}

void ConfigMember::CheckInvariants(bool expensive) const {
  if (!started()) return;
  log_->CheckInvariants();
  if (expensive) configuration_.CheckInvariants();  // O(slots)
  SHOAL_ASSERT(state_.config_epoch == configuration_.epoch());
  SHOAL_ASSERT(applied_ == log_->applied_index() && log_->snapshot().last_index <= applied_);
  if (proposal_) {
    SHOAL_ASSERT(log_->is_leader());
    SHOAL_ASSERT(*proposal_ > log_->commit_index() && *proposal_ <= log_->last_index());
  }
}

}  // namespace shoal::cluster
