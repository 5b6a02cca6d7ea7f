// ConfigLog: consensus on the cluster configuration, one instance per member (architecture.md
// §3). Raft (Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014)
// with the two additions of Ongaro's thesis §9.6 that etcd-raft also runs:
//   pre-vote      a node whose election timer fires first asks the voters whether they would vote
//                 for it in term + 1, without anyone changing term; only with a majority of yeses
//                 does it stand for election. A node cut off from the others can never win a
//                 pre-vote, so when it returns it cannot depose a healthy leader with a high term.
//   check-quorum  a leader that has heard from no majority of voters for the minimum election
//                 timeout steps down; and a voter that heard from a leader within that timeout
//                 ignores vote requests (leader stickiness), so a live leader is never interrupted.
// Entries are opaque bytes (the layer that applies the log encodes its changes, as etcd-raft's
// Entry.Data); an empty entry is the no-op a new leader appends so that it can commit its
// predecessors' entries (Raft §5.4.2). Learners (non-voting members) follow the log.
//
// Read leases. Every AppendReply carries the follower's monotonic send time; the leader echoes the
// latest one it received from that follower in each AppendEntries to it. A follower holds a lease
// until echo + timings.lease_ms on its own clock: the leader heard from it at or after the echoed
// time, so it will not judge it silent (limits::kMemberDownAfterMs on the leader's clock) before
// the lease ran out, even at the worst drift (limits.h states the assumption). A leader echoes
// only once it committed an entry of its own term (its log then holds every change an earlier
// leader committed), and only in a message that carries its log through the last entry; the
// lease counts once the follower applied that whole log. So no change proposed before the echo
// (marking this member down, say) is news to a member holding a lease, and one proposed after
// needs kMemberDownAfterMs of silence first. A
// leader holds a lease once it committed an entry of its own term (so it applied every change
// committed before it), for timings.lease_ms from the send time of the latest AppendEntries that
// a majority of voters answered (each echoes it back): none of them votes for another candidate
// within the election timeout of receiving it, and a new leader first waits kMemberDownAfterMs,
// so a leader paused or cut off loses its lease before anyone can take its slots. Only durations of
// one node's monotonic clock are compared, never two nodes' readings, and the wall clock plays no
// part.
//
// Purity: time is the driver's monotonic clock (ms), passed in; the randomised election timeouts
// come from a small generator seeded by the driver (Options::seed: the simulator's seeded PRNG, a
// random number in the server). No I/O: the results of a call are a ConfigLogOutput, which the
// driver MUST handle in this order (etcd-raft's Ready contract):
//   1. make `persist` durable (the simulator's per-node disk, the server's file),
//   2. then send `sends`, and apply `install` and `committed` to the configuration.
// A voter restarted after a crash is built from the durable VoterState; if step 2 ever ran before
// step 1 finished, a crash in between could make a voter forget its vote and vote twice in a term.
//
// Who calls it: the cluster layer (ClusterNode) of each member, and tests. Thread safety: none.
// Invariants (CheckInvariants): applied <= commit <= last index; the snapshot covers only applied
// entries; log terms never decrease, are at least the snapshot's term and at most the current
// term; a candidate or leader voted for itself in its term; only voters campaign or lead; a
// leader's match index for a peer is below its next index and at most its own last index.
// Cluster-wide (checked by tests and the simulator across instances): at most one leader per
// term, and an entry once committed never changes at its index.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/ids.h"
#include "core/cluster/messages.h"
#include "core/cluster/voter_state.h"
#include "core/limits.h"
#include "core/time.h"

namespace shoal::cluster {

// The part of the VoterState one call changed; the driver applies it to its durable copy with
// ApplyPersist. Term and vote are always carried; the snapshot and the entries only when changed
// (the configuration log is small and compacted, so the entries are rewritten whole).
struct PersistRequest {
  Term term = 0;
  NodeId vote = kNoNode;
  std::optional<LogSnapshot> snapshot;
  std::optional<std::vector<LogEntry>> entries;  // every entry after the snapshot
};
void ApplyPersist(VoterState& disk, const PersistRequest& request);

struct ConfigLogTimings {
  TimeMs heartbeat_ms = limits::kConfigHeartbeatMs;
  TimeMs election_min_ms = limits::kConfigElectionTimeoutMinMs;
  TimeMs election_max_ms = limits::kConfigElectionTimeoutMaxMs;
  TimeMs lease_ms = limits::kReadLeaseMs;

  bool Valid() const {
    return heartbeat_ms >= 1 && election_min_ms > 2 * heartbeat_ms &&
           election_max_ms > election_min_ms && lease_ms >= 0;
  }
};

// Bugs a test can plant to prove that the cluster-wide checks catch them (to be joined to
// core/cluster/planted_bug.h once the simulator drives the configuration log).
enum class ConsensusBug : std::uint8_t {
  kNone,
  kGrantTwoVotesInOneTerm,  // a follower grants every candidate of its term with a current log
};

struct ConfigLogOutput {
  struct Send {
    NodeId to;
    Body message;  // a VoteRequest, VoteReply, AppendEntries, AppendReply or InstallSnapshot
  };
  std::optional<PersistRequest> persist;
  std::vector<Send> sends;
  std::optional<LogSnapshot> install;  // replace the applied state with this one, then...
  LogIndex committed_first = 0;        // ...apply `committed`: entries committed_first, +1, ...
  std::vector<LogEntry> committed;

  void Clear() {
    persist.reset();
    sends.clear();
    install.reset();
    committed_first = 0;
    committed.clear();
  }
};

class ConfigLog {
 public:
  enum class Role : std::uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };

  struct Options {
    NodeId self = 0;
    NodeMask voters = 0;    // at most limits::kConfigVotersMax; may or may not include self
    NodeMask learners = 0;  // members that follow without voting (disjoint from voters)
    ConfigLogTimings timings;
    std::uint64_t seed = 0;  // for the election timeouts
    ConsensusBug bug = ConsensusBug::kNone;
    // What a peer sends is checked before it is accepted: the layer that applies the log says
    // which bytes a non-empty entry and a snapshot may hold (what it can decode). A message that
    // carries one that fails, or whose terms are impossible (an entry newer than the message's
    // term, terms that decrease), is dropped whole and counted (refused_messages). Null: any
    // bytes are accepted (tests whose entries are opaque).
    std::function<bool(std::string_view)> entry_valid;
    std::function<bool(std::string_view)> snapshot_valid;
  };

  // `restored`: the durable state of an earlier life (empty for a new member). REQUIRES: self is
  // a voter or a learner, 1..kConfigVotersMax voters, timings valid (asserted). The first output
  // installs the restored snapshot, if any.
  ConfigLog(const Options& options, VoterState restored, TimeMs now);

  // Timers: a follower or candidate whose election timeout passed starts a pre-vote; a leader
  // sends heartbeats and checks its quorum.
  void Tick(TimeMs now, ConfigLogOutput& out);
  // A consensus message (one of the five kinds in messages.h) from `from`; other kinds and
  // senders that are not members are ignored.
  void Step(TimeMs now, NodeId from, const Body& message, ConfigLogOutput& out);
  // The leader appends `data` (at most limits::kConfigEntryBytesMax, asserted) and returns its
  // index; it commits once a majority of voters holds it. nullopt: not the leader, or the log has
  // more than limits::kConfigLogUncompactedMax entries since the snapshot (compact first).
  std::optional<LogIndex> Propose(TimeMs now, std::string data, ConfigLogOutput& out);
  // The applier's state after applying every entry through `through` becomes the snapshot, and
  // those entries are dropped. REQUIRES: snapshot index < through <= applied (asserted).
  void Compact(LogIndex through, std::string data, ConfigLogOutput& out);

  Role role() const { return role_; }
  bool is_leader() const { return role_ == Role::kLeader; }
  Term term() const { return term_; }
  std::optional<NodeId> leader() const;  // as far as this node knows
  LogIndex commit_index() const { return commit_; }
  LogIndex applied_index() const { return applied_; }
  LogIndex last_index() const { return snapshot_.last_index + log_.size(); }
  const LogSnapshot& snapshot() const { return snapshot_; }
  // The entry at `index`, or nullptr when it is compacted or beyond the log.
  const LogEntry* EntryAt(LogIndex index) const;
  // What a restart must restore: equal to the driver's durable copy after every output.
  VoterState DurableState() const;
  const Options& options() const { return options_; }
  // Leader: the send time (this node's monotonic clock) of the latest heartbeat of this term that
  // `member` answered (0: none). Proof that the member was alive after then, which a message of
  // a dead life delivered late can never give (it echoes an older heartbeat, or none).
  TimeMs AnsweredSentAt(NodeId member) const { return acked_sent_[member]; }
  // Whether this member holds a read lease at `now` (its monotonic clock; see the top).
  bool HoldsLease(TimeMs now) const;
  TimeMs lease_until() const { return lease_until_; }  // a follower's; 0: none yet
  // Appends refused because they contradicted a committed entry (0 unless Raft's guarantees were
  // broken: a planted bug, or a voter restarted without its persisted state).
  std::uint64_t committed_conflicts() const { return committed_conflicts_; }
  // Peer messages dropped as malformed (Options::entry_valid and snapshot_valid).
  std::uint64_t refused_messages() const { return refused_messages_; }

  void CheckInvariants() const;

 private:
  bool IsVoter(NodeId n) const { return (options_.voters & Bit(n)) != 0; }
  bool IsMember(NodeId n) const { return ((options_.voters | options_.learners) & Bit(n)) != 0; }
  std::size_t Majority() const;
  Term TermAt(LogIndex index) const;  // REQUIRES: snapshot index <= index <= last index
  Term LastTerm() const { return TermAt(last_index()); }
  bool InLease(TimeMs now) const;
  bool LogUpToDate(LogIndex last_index, Term last_term) const;
  // The commit index holds an entry of the current term (a leader that committed one applied
  // every change committed before it).
  bool CommittedInTerm() const { return commit_ > 0 && TermAt(commit_) == term_; }
  void ResetElectionTimer(TimeMs now);
  void BecomeFollower(TimeMs now, Term term, NodeId leader);
  void StartPreVote(TimeMs now, ConfigLogOutput& out);
  void StartElection(TimeMs now, ConfigLogOutput& out);
  void RequestVotes(Term term, bool pre_vote, ConfigLogOutput& out);  // to every other voter
  void BecomeLeader(TimeMs now, ConfigLogOutput& out);
  void Append(LogEntry entry);
  void TruncateFrom(LogIndex index);
  void SendAppend(NodeId to, ConfigLogOutput& out);
  void BroadcastAppend(ConfigLogOutput& out);
  bool MaybeCommit();  // the leader: advances the commit index; true if it moved
  void OnVoteRequest(TimeMs now, NodeId from, const VoteRequest& m, ConfigLogOutput& out);
  void OnVoteReply(TimeMs now, NodeId from, const VoteReply& m, ConfigLogOutput& out);
  void OnAppendEntries(TimeMs now, NodeId from, const AppendEntries& m, ConfigLogOutput& out);
  void OnAppendReply(TimeMs now, NodeId from, const AppendReply& m, ConfigLogOutput& out);
  void OnInstallSnapshot(TimeMs now, NodeId from, const InstallSnapshot& m, ConfigLogOutput& out);
  bool WellFormed(const AppendEntries& m) const;
  bool WellFormed(const InstallSnapshot& m) const;
  void Reply(NodeId to, Body message, ConfigLogOutput& out) {
    out.sends.push_back({to, std::move(message)});
  }
  // Ends every public call: hands out newly committed entries and what must be persisted.
  void Finish(ConfigLogOutput& out);
  std::uint64_t NextRandom();

  Options options_;
  // Durable (VoterState).
  Term term_ = 0;
  NodeId vote_ = kNoNode;
  LogSnapshot snapshot_;
  std::vector<LogEntry> log_;
  // Volatile.
  Role role_ = Role::kFollower;
  NodeId leader_ = kNoNode;
  LogIndex commit_ = 0;
  LogIndex applied_ = 0;  // handed out through this index
  bool install_pending_ = false;
  TimeMs election_deadline_ = 0;
  TimeMs leader_heard_at_ = 0;  // follower: the last message from the leader of this term
  TimeMs became_leader_at_ = 0;
  TimeMs heartbeat_due_ = 0;
  NodeMask votes_ = 0;  // pre-candidate or candidate: who said yes
  std::array<LogIndex, limits::kClusterNodesMax> next_{};
  std::array<LogIndex, limits::kClusterNodesMax> match_{};
  std::array<TimeMs, limits::kClusterNodesMax> heard_at_{};  // leader: a reply in this term
  std::array<TimeMs, limits::kClusterNodesMax> echo_{};      // leader: latest sent_ms, this term
  TimeMs lease_until_ = 0;                                   // follower: latest echo + lease_ms
  TimeMs life_start_ = 0;      // when this instance was built: echoes from before are not ours
  LogIndex lease_commit_ = 0;  // follower: the leader's last index with the latest echo
  std::array<TimeMs, limits::kClusterNodesMax> acked_sent_{};  // leader: our sent_ms they echoed
  // Leader: when a member behind the snapshot may be sent it again, and the current backoff.
  std::array<TimeMs, limits::kClusterNodesMax> snapshot_resend_at_{};
  std::array<TimeMs, limits::kClusterNodesMax> snapshot_backoff_{};
  TimeMs clock_ = 0;  // `now` of the current public call (the send time of its AppendEntries)
  std::uint64_t committed_conflicts_ = 0;
  std::uint64_t refused_messages_ = 0;
  bool hard_dirty_ = false;
  bool snapshot_dirty_ = false;
  bool log_dirty_ = false;
  std::uint64_t rng_;
};

const char* RoleName(ConfigLog::Role role);

}  // namespace shoal::cluster
