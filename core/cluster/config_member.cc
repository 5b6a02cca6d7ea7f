#include "core/cluster/config_member.h"

#include <algorithm>
#include <bit>
#include <string>
#include <utility>
#include <variant>

#include "core/limits.h"
#include "core/result.h"

namespace shoal::cluster {
namespace {

NodeMask VotersOf(std::uint32_t node_count) {
  const std::uint32_t voters = std::min(node_count, limits::kConfigVotersMax);
  return voters >= 64 ? ~NodeMask{0} : (Bit(voters) - 1);
}

NodeMask MembersOf(std::uint32_t node_count) {
  return node_count >= 64 ? ~NodeMask{0} : (Bit(node_count) - 1);
}

}  // namespace

ConfigMember::ConfigMember(NodeState& state)
    : state_(state),
      configuration_(state.placement, LostSlotPolicy::kBringBackEmpty),
      heard_mono_(state.node_count(), 0) {}

void ConfigMember::Start(TimeMs mono, const VoterState* restored, std::uint64_t seed,
                         Effects& effects) {
  SHOAL_ASSERT(!started());
  const NodeMask voters = VotersOf(state_.node_count());
  ConfigLog::Options options{
      .self = state_.self,
      .voters = voters,
      .learners = MembersOf(state_.node_count()) & ~voters,
      .seed = seed,
      .bug = state_.bug(PlantedBug::kGrantTwoVotes) ? ConsensusBug::kGrantTwoVotesInOneTerm
                                                    : ConsensusBug::kNone,
  };
  log_.emplace(options, restored != nullptr ? *restored : VoterState{}, mono);
  std::fill(heard_mono_.begin(), heard_mono_.end(), mono);
  state_.config_epoch = configuration_.epoch();
  // The constructor's first output (the restored snapshot) comes with the next call.
  restoring_ = true;
  log_->Tick(mono, out_);
  Drain(mono, effects);
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

void ConfigMember::HeardFrom(TimeMs mono, NodeId from) {
  if (from < heard_mono_.size()) heard_mono_[from] = std::max(heard_mono_[from], mono);
}

void ConfigMember::Tick(TimeMs mono, Effects& effects) {
  SHOAL_ASSERT(started());
  log_->Tick(mono, out_);
  Drain(mono, effects);
  Detect(mono, effects);
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
  // detection time before judging.
  std::fill(heard_mono_.begin(), heard_mono_.end(), mono);
}

void ConfigMember::Drain(TimeMs mono, Effects& effects) {
  bool persist = false;
  for (;;) {
    persist = persist || out_.persist.has_value();
    for (ConfigLogOutput::Send& send : out_.sends) {
      state_.Send(effects, send.to, std::move(send.message));
    }
    if (out_.install) {
      Result<Configuration> installed = Configuration::Decode(out_.install->data, state_.placement);
      // A snapshot is only ever the encoding of a configuration (Compact, below) by a member
      // running this code; one that does not decode is a bug, not an input to tolerate.
      SHOAL_ASSERT_MSG(installed.has_value(), "a configuration snapshot does not decode");
      configuration_ = std::move(installed).value();
      if (!restoring_) state_.counters.probes.Hit(Probe::kConfigSnapshotInstalled);
    }
    for (std::size_t i = 0; i < out_.committed.size(); ++i) {
      Apply(out_.committed_first + i, out_.committed[i], effects);
    }
    out_.Clear();
    state_.config_epoch = configuration_.epoch();
    const LogIndex applied = log_->applied_index();
    if (applied - log_->snapshot().last_index < state_.knobs().config_compact_every) break;
    log_->Compact(applied, configuration_.Encode(), out_);
  }
  if (persist) effects.persist = log_->DurableState();
  NoticeLeadership(mono);
}

void ConfigMember::Apply(LogIndex index, const LogEntry& entry, Effects& effects) {
  const bool ours = proposal_ && *proposal_ == index;
  if (ours) proposal_.reset();
  if (entry.data.empty()) return;  // a new leader's no-op
  Result<ConfigChange> change = DecodeChange(entry.data);
  SHOAL_ASSERT_MSG(change.has_value(), "a committed configuration change does not decode");
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
    state_.counters.probes.Hit(Probe::kMemberMarkedUp);
  }
}

void ConfigMember::Detect(TimeMs mono, Effects& effects) {
  if (!log_->is_leader() || proposal_ || log_->commit_index() < log_->last_index()) return;
  std::optional<ConfigChange> change;
  for (NodeId m = 0; m < state_.node_count() && !change; ++m) {
    const bool up = configuration_.up(m);
    if (m == state_.self) {
      if (!up) change = MarkUp{.node = m};  // we lead, so we are alive
    } else if (up && mono - heard_mono_[m] >= limits::kMemberDownAfterMs) {
      change = MarkDown{.node = m};
    } else if (!up && mono - heard_mono_[m] < limits::kMemberUpHeardWithinMs) {
      change = MarkUp{.node = m};
    }
  }
  if (!change) return;
  proposal_ = log_->Propose(mono, EncodeChange(*change), out_);
  Drain(mono, effects);
}

void ConfigMember::CheckInvariants(bool expensive) const {
  if (!started()) return;
  log_->CheckInvariants();
  if (expensive) configuration_.CheckInvariants();  // O(slots)
  SHOAL_ASSERT(state_.config_epoch == configuration_.epoch());
  if (proposal_) {
    SHOAL_ASSERT(log_->is_leader());
    SHOAL_ASSERT(*proposal_ > log_->commit_index() && *proposal_ <= log_->last_index());
  }
}

}  // namespace shoal::cluster
