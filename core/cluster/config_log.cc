// ConfigLog (see config_log.h): Raft with pre-vote and check-quorum over opaque entries.
#include "core/cluster/config_log.h"

#include <algorithm>
#include <bit>
#include <functional>

#include "core/result.h"

namespace shoal::cluster {

void ApplyPersist(VoterState& disk, const PersistRequest& request) {
  disk.term = request.term;
  disk.vote = request.vote;
  if (request.snapshot) disk.snapshot = *request.snapshot;
  if (request.entries) disk.entries = *request.entries;
}

const char* RoleName(ConfigLog::Role role) {
  switch (role) {
    case ConfigLog::Role::kFollower:
      return "follower";
    case ConfigLog::Role::kPreCandidate:
      return "pre-candidate";
    case ConfigLog::Role::kCandidate:
      return "candidate";
    case ConfigLog::Role::kLeader:
      return "leader";
  }
  return "?";
}

ConfigLog::ConfigLog(const Options& options, VoterState restored, TimeMs now)
    : options_(options),
      term_(restored.term),
      vote_(restored.vote),
      snapshot_(std::move(restored.snapshot)),
      log_(std::move(restored.entries)),
      rng_(options.seed ^ (0x9E3779B97F4A7C15ULL * (options.self + 1))) {
  SHOAL_ASSERT(options_.timings.Valid());
  SHOAL_ASSERT(options_.self < limits::kClusterNodesMax);
  SHOAL_ASSERT((options_.voters & options_.learners) == 0);
  const int voters = std::popcount(options_.voters);
  SHOAL_ASSERT(voters >= 1 && voters <= static_cast<int>(limits::kConfigVotersMax));
  SHOAL_ASSERT(IsMember(options_.self));
  commit_ = applied_ = snapshot_.last_index;
  install_pending_ = snapshot_.last_index > 0;
  life_start_ = now;
  ResetElectionTimer(now);
  CheckInvariants();  // a restored state must be one a voter could have persisted
}

std::optional<NodeId> ConfigLog::leader() const {
  if (leader_ == kNoNode) return std::nullopt;
  return leader_;
}

const LogEntry* ConfigLog::EntryAt(LogIndex index) const {
  if (index <= snapshot_.last_index || index > last_index()) return nullptr;
  return &log_[index - snapshot_.last_index - 1];
}

VoterState ConfigLog::DurableState() const {
  return VoterState{.term = term_, .vote = vote_, .snapshot = snapshot_, .entries = log_};
}

std::size_t ConfigLog::Majority() const {
  return static_cast<std::size_t>(std::popcount(options_.voters)) / 2 + 1;
}

Term ConfigLog::TermAt(LogIndex index) const {
  SHOAL_ASSERT(index >= snapshot_.last_index && index <= last_index());
  if (index == snapshot_.last_index) return snapshot_.last_term;
  return log_[index - snapshot_.last_index - 1].term;
}

bool ConfigLog::InLease(TimeMs now) const {
  if (role_ == Role::kLeader) return true;
  return leader_ != kNoNode && now - leader_heard_at_ < options_.timings.election_min_ms;
}

bool ConfigLog::HoldsLease(TimeMs now) const {
  if (role_ != Role::kLeader) return now < lease_until_ && applied_ >= lease_commit_;
  if (!CommittedInTerm()) return false;  // not caught up in its term yet
  // The send time of the latest AppendEntries a majority of voters (itself included) answered:
  // none of them votes for another candidate within the election timeout of receiving it.
  std::array<TimeMs, limits::kConfigVotersMax> acked{};
  std::size_t count = 0;
  for (NodeMask m = options_.voters; m != 0 && count < acked.size(); m &= m - 1) {
    const auto v = static_cast<NodeId>(std::countr_zero(m));
    acked[count++] = v == options_.self ? now : acked_sent_[v];
  }
  std::sort(acked.begin(), acked.begin() + count, std::greater<>());
  return now < acked[Majority() - 1] + options_.timings.lease_ms;
}

bool ConfigLog::LogUpToDate(LogIndex last_index, Term last_term) const {
  const Term mine = LastTerm();
  return last_term > mine || (last_term == mine && last_index >= this->last_index());
}

std::uint64_t ConfigLog::NextRandom() {  // splitmix64
  std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void ConfigLog::ResetElectionTimer(TimeMs now) {
  const auto& t = options_.timings;
  const auto span = static_cast<std::uint64_t>(t.election_max_ms - t.election_min_ms);
  election_deadline_ = now + t.election_min_ms + static_cast<TimeMs>(NextRandom() % span);
}

void ConfigLog::BecomeFollower(TimeMs now, Term term, NodeId leader) {
  if (term > term_) {
    term_ = term;
    vote_ = kNoNode;
    hard_dirty_ = true;
  }
  role_ = Role::kFollower;
  leader_ = leader;
  votes_ = 0;
  if (leader != kNoNode) leader_heard_at_ = now;
  ResetElectionTimer(now);
}

void ConfigLog::StartPreVote(TimeMs now, ConfigLogOutput& out) {
  role_ = Role::kPreCandidate;
  leader_ = kNoNode;
  votes_ = Bit(options_.self);
  ResetElectionTimer(now);
  if (Majority() == 1) {
    StartElection(now, out);
    return;
  }
  RequestVotes(term_ + 1, /*pre_vote=*/true, out);
}

void ConfigLog::RequestVotes(Term term, bool pre_vote, ConfigLogOutput& out) {
  const VoteRequest request{
      .term = term, .last_index = last_index(), .last_term = LastTerm(), .pre_vote = pre_vote};
  for (NodeId n = 0; n < limits::kClusterNodesMax; ++n) {
    if (n != options_.self && IsVoter(n)) Reply(n, request, out);
  }
}

void ConfigLog::StartElection(TimeMs now, ConfigLogOutput& out) {
  role_ = Role::kCandidate;
  term_ += 1;
  vote_ = options_.self;
  hard_dirty_ = true;
  leader_ = kNoNode;
  votes_ = Bit(options_.self);
  ResetElectionTimer(now);
  if (Majority() == 1) {
    BecomeLeader(now, out);
    return;
  }
  RequestVotes(term_, /*pre_vote=*/false, out);
}

void ConfigLog::BecomeLeader(TimeMs now, ConfigLogOutput& out) {
  role_ = Role::kLeader;
  leader_ = options_.self;
  votes_ = 0;
  became_leader_at_ = now;
  heartbeat_due_ = now + options_.timings.heartbeat_ms;
  for (NodeId n = 0; n < limits::kClusterNodesMax; ++n) {
    next_[n] = last_index() + 1;
    match_[n] = 0;
    heard_at_[n] = now;
    echo_[n] = 0;
    acked_sent_[n] = 0;
    snapshot_resend_at_[n] = 0;
    snapshot_backoff_[n] = 0;
  }
  Append(LogEntry{.term = term_, .data = {}});  // the no-op that commits earlier terms' entries
  MaybeCommit();
  BroadcastAppend(out);
}

void ConfigLog::Append(LogEntry entry) {
  log_.push_back(std::move(entry));
  log_dirty_ = true;
}

void ConfigLog::TruncateFrom(LogIndex index) {
  SHOAL_ASSERT(index > snapshot_.last_index && index <= last_index());
  SHOAL_ASSERT_MSG(index > commit_, "a leader's log conflicts with a committed entry");
  log_.resize(index - snapshot_.last_index - 1);
  log_dirty_ = true;
}

void ConfigLog::SendAppend(NodeId to, ConfigLogOutput& out) {
  if (next_[to] <= snapshot_.last_index) {
    if (clock_ < snapshot_resend_at_[to]) return;  // the last one may still be on its way
    Reply(to, InstallSnapshot{.term = term_, .snapshot = snapshot_}, out);
    snapshot_backoff_[to] = std::max<TimeMs>(
        options_.timings.heartbeat_ms,
        std::min<TimeMs>(2 * snapshot_backoff_[to], limits::kConfigSnapshotResendMaxMs));
    snapshot_resend_at_[to] = clock_ + snapshot_backoff_[to];
    return;
  }
  AppendEntries m{.term = term_,
                  .prev_index = next_[to] - 1,
                  .prev_term = TermAt(next_[to] - 1),
                  .commit = commit_,
                  .sent_ms = clock_};
  std::size_t bytes = 0;
  for (LogIndex i = next_[to]; i <= last_index(); ++i) {
    const LogEntry& e = log_[i - snapshot_.last_index - 1];
    if (!m.entries.empty() && (m.entries.size() >= limits::kConfigAppendEntriesMax ||
                               bytes + e.data.size() > limits::kConfigAppendBytesMax)) {
      break;
    }
    if (!m.entries.empty()) bytes += e.data.size();
    m.entries.push_back(e);
  }
  // A lease is granted (the echo) only by a leader that committed an entry of its term, so its
  // log holds every change an earlier leader committed, and only in a message that carries the
  // log through its last entry: the follower holds the lease once it applied all of it, so a
  // change already proposed (marking it down, say) is never news to a member holding a lease.
  if (CommittedInTerm() && m.prev_index + m.entries.size() == last_index()) m.echo_ms = echo_[to];
  Reply(to, std::move(m), out);
}

void ConfigLog::BroadcastAppend(ConfigLogOutput& out) {
  for (NodeId n = 0; n < limits::kClusterNodesMax; ++n) {
    if (n != options_.self && IsMember(n)) SendAppend(n, out);
  }
}

bool ConfigLog::MaybeCommit() {
  if (role_ != Role::kLeader) return false;
  std::array<LogIndex, limits::kConfigVotersMax> matched{};
  std::size_t count = 0;
  for (NodeId n = 0; n < limits::kClusterNodesMax && count < matched.size(); ++n) {
    if (!IsVoter(n)) continue;
    matched[count++] = n == options_.self ? last_index() : match_[n];
  }
  std::sort(matched.begin(), matched.begin() + count, std::greater<>());
  const LogIndex held_by_majority = matched[Majority() - 1];
  // Raft §5.4.2: only an entry of the leader's own term commits by counting replicas.
  if (held_by_majority <= commit_ || TermAt(held_by_majority) != term_) return false;
  commit_ = held_by_majority;
  return true;
}

void ConfigLog::Tick(TimeMs now, ConfigLogOutput& out) {
  clock_ = now;
  const auto& t = options_.timings;
  if (role_ == Role::kLeader) {
    if (now >= heartbeat_due_) {
      BroadcastAppend(out);
      heartbeat_due_ = now + t.heartbeat_ms;
    }
    if (now - became_leader_at_ >= t.election_min_ms) {  // check-quorum
      std::size_t live = 0;
      for (NodeId n = 0; n < limits::kClusterNodesMax; ++n) {
        if (IsVoter(n) && (n == options_.self || now - heard_at_[n] < t.election_min_ms)) ++live;
      }
      if (live < Majority()) BecomeFollower(now, term_, kNoNode);
    }
  } else if (now >= election_deadline_) {
    if (IsVoter(options_.self)) {
      StartPreVote(now, out);
    } else {
      ResetElectionTimer(now);  // learners never campaign
    }
  }
  Finish(out);
}

void ConfigLog::Step(TimeMs now, NodeId from, const Body& message, ConfigLogOutput& out) {
  clock_ = now;
  if (from < limits::kClusterNodesMax && from != options_.self && IsMember(from)) {
    if (const auto* vr = std::get_if<VoteRequest>(&message)) {
      OnVoteRequest(now, from, *vr, out);
    } else if (const auto* vp = std::get_if<VoteReply>(&message)) {
      OnVoteReply(now, from, *vp, out);
    } else if (const auto* ae = std::get_if<AppendEntries>(&message)) {
      if (WellFormed(*ae)) {
        OnAppendEntries(now, from, *ae, out);
      } else {
        refused_messages_++;
      }
    } else if (const auto* ar = std::get_if<AppendReply>(&message)) {
      OnAppendReply(now, from, *ar, out);
    } else if (const auto* is = std::get_if<InstallSnapshot>(&message)) {
      if (WellFormed(*is)) {
        OnInstallSnapshot(now, from, *is, out);
      } else {
        refused_messages_++;
      }
    }
  }
  Finish(out);
}

bool ConfigLog::WellFormed(const AppendEntries& m) const {
  // A leader sends its own log: terms never decrease from the one at prev_index, and none is
  // newer than the leader's term.
  if (m.prev_term > m.term) return false;
  Term previous = m.prev_term;
  for (const LogEntry& e : m.entries) {
    if (e.term < previous || e.term > m.term || e.data.size() > limits::kConfigEntryBytesMax) {
      return false;
    }
    if (!e.data.empty() && options_.entry_valid && !options_.entry_valid(e.data)) return false;
    previous = e.term;
  }
  return true;
}

bool ConfigLog::WellFormed(const InstallSnapshot& m) const {
  const LogSnapshot& s = m.snapshot;
  if (s.last_index == 0 || s.last_term > m.term) return false;  // a snapshot of nothing, or newer
  return !options_.snapshot_valid || options_.snapshot_valid(s.data);
}

void ConfigLog::OnVoteRequest(TimeMs now, NodeId from, const VoteRequest& m, ConfigLogOutput& out) {
  // Leader stickiness: while a leader is heard from, nobody may start a new term.
  if (m.term > term_ && InLease(now)) return;
  if (m.term < term_ || (m.pre_vote && m.term == term_)) {
    Reply(from, VoteReply{.term = term_, .granted = false, .pre_vote = m.pre_vote}, out);
    return;
  }
  if (m.pre_vote) {  // m.term > term_: would we vote? Nothing changes here.
    const bool grant = IsVoter(options_.self) && LogUpToDate(m.last_index, m.last_term);
    Reply(from, VoteReply{.term = grant ? m.term : term_, .granted = grant, .pre_vote = true}, out);
    return;
  }
  if (m.term > term_) BecomeFollower(now, m.term, kNoNode);
  // PLANTED BUG kGrantTwoVotesInOneTerm: a follower forgets the vote it already gave this term.
  const bool free =
      vote_ == kNoNode || vote_ == from ||
      (options_.bug == ConsensusBug::kGrantTwoVotesInOneTerm && role_ == Role::kFollower);
  const bool grant = IsVoter(options_.self) && free && LogUpToDate(m.last_index, m.last_term);
  if (grant) {
    if (vote_ != from) {
      vote_ = from;
      hard_dirty_ = true;
    }
    ResetElectionTimer(now);
  }
  Reply(from, VoteReply{.term = term_, .granted = grant, .pre_vote = false}, out);
}

void ConfigLog::OnVoteReply(TimeMs now, NodeId from, const VoteReply& m, ConfigLogOutput& out) {
  if (m.term > term_ && !(m.pre_vote && m.granted)) {
    BecomeFollower(now, m.term, kNoNode);
    return;
  }
  if (!m.granted || !IsVoter(from)) return;
  if (m.pre_vote && role_ == Role::kPreCandidate && m.term == term_ + 1) {
    votes_ |= Bit(from);
    if (static_cast<std::size_t>(std::popcount(votes_)) >= Majority()) StartElection(now, out);
  } else if (!m.pre_vote && role_ == Role::kCandidate && m.term == term_) {
    votes_ |= Bit(from);
    if (static_cast<std::size_t>(std::popcount(votes_)) >= Majority()) BecomeLeader(now, out);
  }
}

void ConfigLog::OnAppendEntries(TimeMs now, NodeId from, const AppendEntries& m,
                                ConfigLogOutput& out) {
  const auto refuse = [&](LogIndex rejected) {
    Reply(from,
          AppendReply{.term = term_,
                      .success = false,
                      .rejected_index = rejected,
                      .last_index = last_index(),
                      .sent_ms = now,
                      .echo_ms = m.sent_ms},
          out);
  };
  if (m.term < term_) {  // a deposed leader: our term tells it to step down
    refuse(m.prev_index);
    return;
  }
  BecomeFollower(now, m.term, from);
  // The leader heard from us at or after the echoed time: a time of ours in this life (an echo
  // of an earlier life's reply, or of a clock since reset, says nothing about now).
  if (m.echo_ms >= life_start_ && m.echo_ms <= now && m.echo_ms > 0) {
    lease_until_ = std::max(lease_until_, m.echo_ms + options_.timings.lease_ms);
    lease_commit_ = std::max(lease_commit_, m.prev_index + m.entries.size());
  }
  if (m.prev_index > last_index() ||
      (m.prev_index >= snapshot_.last_index && TermAt(m.prev_index) != m.prev_term)) {
    refuse(m.prev_index);
    return;
  }
  // Entries at or below the snapshot are committed, hence the leader's too: skip them.
  LogIndex index = m.prev_index;
  for (const LogEntry& e : m.entries) {
    ++index;
    if (index <= snapshot_.last_index) continue;
    if (index <= last_index()) {
      if (TermAt(index) == e.term) continue;  // already held (a duplicate or reordered message)
      if (index <= commit_) {
        // Only a broken leader (or a driver that lost a voter's persisted state) contradicts a
        // committed entry: keep it and ignore the message (a reply would only make the leader
        // retry at once). The cluster-wide checks report the conflict.
        committed_conflicts_++;
        return;
      }
      TruncateFrom(index);
    }
    Append(e);
  }
  const LogIndex matched = std::max(index, snapshot_.last_index);
  commit_ = std::max(commit_, std::min(m.commit, matched));
  Reply(from,
        AppendReply{.term = term_,
                    .success = true,
                    .match_index = matched,
                    .sent_ms = now,
                    .echo_ms = m.sent_ms},
        out);
}

void ConfigLog::OnAppendReply(TimeMs now, NodeId from, const AppendReply& m, ConfigLogOutput& out) {
  if (m.term > term_) {
    BecomeFollower(now, m.term, kNoNode);
    return;
  }
  if (role_ != Role::kLeader || m.term < term_) return;
  heard_at_[from] = now;
  snapshot_resend_at_[from] = snapshot_backoff_[from] = 0;  // it answers: no backoff
  // The latest reply's time, not the largest: a restarted follower's clock may read lower.
  echo_[from] = m.sent_ms;
  acked_sent_[from] = std::max(acked_sent_[from], m.echo_ms);  // our clock, this term
  if (m.success) {
    if (m.match_index > last_index()) return;  // not an answer to anything we sent
    match_[from] = std::max(match_[from], m.match_index);
    next_[from] = std::max(next_[from], match_[from] + 1);
    if (MaybeCommit()) {
      BroadcastAppend(out);  // tell everyone the new commit index now, not at the heartbeat
    } else if (next_[from] <= last_index()) {
      SendAppend(from, out);
    }
  } else if (m.rejected_index + 1 == next_[from]) {  // the answer to the latest probe
    const LogIndex next = std::max(match_[from] + 1, std::min(m.rejected_index, m.last_index + 1));
    // Probe again at once only when it moved: a follower that lost entries it had acknowledged
    // (a broken disk) would otherwise be probed at the same index in a loop; the heartbeat
    // retries.
    if (next != next_[from]) {
      next_[from] = next;
      SendAppend(from, out);
    }
  }
}

void ConfigLog::OnInstallSnapshot(TimeMs now, NodeId from, const InstallSnapshot& m,
                                  ConfigLogOutput& out) {
  const LogSnapshot& s = m.snapshot;
  if (m.term < term_) {
    Reply(from,
          AppendReply{.term = term_,
                      .success = false,
                      .rejected_index = s.last_index,
                      .last_index = last_index(),
                      .sent_ms = now},
          out);
    return;
  }
  BecomeFollower(now, m.term, from);
  if (s.last_index > commit_) {
    if (s.last_index <= last_index() && TermAt(s.last_index) == s.last_term) {
      log_.erase(log_.begin(),
                 log_.begin() + static_cast<std::ptrdiff_t>(s.last_index - snapshot_.last_index));
    } else {
      log_.clear();  // our log beyond the snapshot may conflict: the leader sends it again
    }
    snapshot_ = s;
    snapshot_dirty_ = log_dirty_ = true;
    commit_ = applied_ = s.last_index;
    install_pending_ = true;
  }
  // Everything through the snapshot is committed, so our log matches the leader's there.
  Reply(from,
        AppendReply{.term = term_, .success = true, .match_index = s.last_index, .sent_ms = now},
        out);
}

std::optional<LogIndex> ConfigLog::Propose(TimeMs now, std::string data, ConfigLogOutput& out) {
  clock_ = now;
  SHOAL_ASSERT(data.size() <= limits::kConfigEntryBytesMax);
  if (role_ != Role::kLeader || log_.size() >= limits::kConfigLogUncompactedMax) {
    Finish(out);
    return std::nullopt;
  }
  Append(LogEntry{.term = term_, .data = std::move(data)});
  const LogIndex index = last_index();
  MaybeCommit();  // a single voter commits at once
  BroadcastAppend(out);
  Finish(out);
  return index;
}

void ConfigLog::Compact(LogIndex through, std::string data, ConfigLogOutput& out) {
  SHOAL_ASSERT(through > snapshot_.last_index && through <= applied_);
  SHOAL_ASSERT(data.size() <= limits::kConfigSnapshotBytesMax);
  const Term term = TermAt(through);
  log_.erase(log_.begin(),
             log_.begin() + static_cast<std::ptrdiff_t>(through - snapshot_.last_index));
  snapshot_ = LogSnapshot{.last_index = through, .last_term = term, .data = std::move(data)};
  snapshot_dirty_ = log_dirty_ = true;
  Finish(out);
}

void ConfigLog::Finish(ConfigLogOutput& out) {
  if (install_pending_) {
    out.install = snapshot_;
    out.committed.clear();  // whatever an earlier call handed out is covered by the snapshot
    out.committed_first = snapshot_.last_index + 1;
    install_pending_ = false;
  }
  if (commit_ > applied_) {
    if (out.committed.empty()) out.committed_first = applied_ + 1;
    for (LogIndex i = applied_ + 1; i <= commit_; ++i) out.committed.push_back(*EntryAt(i));
    applied_ = commit_;
  }
  if (hard_dirty_ || snapshot_dirty_ || log_dirty_) {
    if (!out.persist) out.persist.emplace();
    out.persist->term = term_;
    out.persist->vote = vote_;
    if (snapshot_dirty_) out.persist->snapshot = snapshot_;
    if (log_dirty_ || snapshot_dirty_) out.persist->entries = log_;
    hard_dirty_ = snapshot_dirty_ = log_dirty_ = false;
  }
}

void ConfigLog::CheckInvariants() const {
  SHOAL_ASSERT(applied_ <= commit_ && commit_ <= last_index());
  SHOAL_ASSERT(snapshot_.last_index <= applied_);
  Term previous = snapshot_.last_term;
  for (const LogEntry& e : log_) {
    SHOAL_ASSERT_MSG(e.term >= previous, "log terms decrease");
    previous = e.term;
  }
  SHOAL_ASSERT(previous <= term_);
  if (role_ != Role::kFollower) SHOAL_ASSERT(IsVoter(options_.self));
  if (role_ == Role::kCandidate || role_ == Role::kLeader) SHOAL_ASSERT(vote_ == options_.self);
  SHOAL_ASSERT((votes_ & ~options_.voters) == 0);
  if (role_ == Role::kLeader) {
    SHOAL_ASSERT(leader_ == options_.self);
    // Every member but itself, lowest bit first (runs after every step: no walk of all 64 ids).
    for (NodeMask m = (options_.voters | options_.learners) & ~Bit(options_.self); m != 0;
         m &= m - 1) {
      const auto n = static_cast<NodeId>(std::countr_zero(m));
      SHOAL_ASSERT(match_[n] < next_[n] && match_[n] <= last_index());
      SHOAL_ASSERT(next_[n] <= last_index() + 1);
    }
  }
}

}  // namespace shoal::cluster
