// LogGroup: a test harness that runs several ConfigLog instances (core/cluster/config_log.h)
// over a hostile in-memory network — messages delivered in any order, dropped, duplicated,
// partitions, crashes that keep only each voter's durable disk — and checks, after every
// action, the cluster-wide properties that no single instance can see:
//   - at most one leader per term (over the whole run, not only at one instant);
//   - an entry once committed never changes at its index, and every applier that reaches an
//     index holds the same state there (snapshots included);
//   - each instance's invariants, and (when the driver keeps the Ready contract) disk == the
//     instance's DurableState() after every output.
// Driver faults can be planted: `send_before_persist` sends a step's messages at once and
// completes its Persist only at the instance's next call, so a crash in between loses it.
//
// Used by config_log_test.cc (unit cases and planted bugs) and config_log_property_test.cc
// (RapidCheck schedules). Test-only; single-threaded; deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/cluster/config_log.h"

namespace shoal::cluster::logtest {

struct InFlight {
  NodeId from;
  NodeId to;
  Body message;
};

class LogGroup {
 public:
  struct Options {
    std::uint32_t voters = 3;
    std::uint32_t learners = 0;  // members after the voters
    std::uint64_t seed = 1;
    ConsensusBug bug = ConsensusBug::kNone;
    bool send_before_persist = false;  // planted driver bug
  };

  explicit LogGroup(const Options& options) : options_(options) {
    const std::uint32_t n = options.voters + options.learners;
    members_.resize(n);
    for (NodeId i = 0; i < n; ++i) Start(i);
  }

  std::uint32_t size() const { return static_cast<std::uint32_t>(members_.size()); }
  TimeMs now() const { return now_; }
  bool alive(NodeId n) const { return members_[n].log != nullptr; }
  const ConfigLog& log(NodeId n) const { return *members_[n].log; }
  std::vector<InFlight>& network() { return network_; }
  const std::optional<std::string>& violation() const { return violation_; }
  std::uint64_t state_at(NodeId n) const { return members_[n].state; }
  LogIndex applied(NodeId n) const { return members_[n].applied; }
  // How much happened (a schedule that elects nobody or commits nothing proves nothing).
  std::size_t terms_with_leader() const { return leaders_.size(); }
  std::size_t entries_committed() const { return committed_.size(); }

  // --- Actions -------------------------------------------------------------------------------
  void Deliver(std::size_t i) {
    if (network_.empty()) return;
    i %= network_.size();
    InFlight m = std::move(network_[i]);
    network_.erase(network_.begin() + static_cast<std::ptrdiff_t>(i));
    DeliverMessage(m);
  }
  void Duplicate(std::size_t i) {
    if (network_.empty()) return;
    DeliverMessage(network_[i % network_.size()]);
  }
  // Every message now in flight, starting at `first` and wrapping around.
  void DeliverAll(std::size_t first) {
    std::vector<InFlight> batch;
    batch.swap(network_);
    for (std::size_t k = 0; k < batch.size(); ++k)
      DeliverMessage(batch[(first + k) % batch.size()]);
  }
  void Drop(std::size_t i) {
    if (network_.empty()) return;
    network_.erase(network_.begin() + static_cast<std::ptrdiff_t>(i % network_.size()));
  }
  void Advance(TimeMs ms) {
    now_ += ms;
    for (NodeId n = 0; n < size(); ++n) {
      if (!alive(n)) continue;
      ConfigLogOutput out;
      members_[n].log->Tick(now_, out);
      Handle(n, out);
    }
  }
  void Crash(NodeId n) {
    if (!alive(n)) return;
    members_[n].log.reset();
    members_[n].unsynced.reset();  // what the disk had not made durable is gone
    std::erase_if(network_, [n](const InFlight& m) { return m.to == n; });
  }
  void Restart(NodeId n) {
    if (!alive(n)) Start(n);
  }
  // Cuts `n` off (every message to or from it is lost) or heals it.
  void SetIsolated(NodeId n, bool isolated) { members_[n].isolated = isolated; }
  std::optional<LogIndex> Propose(NodeId n) {
    if (!alive(n)) return std::nullopt;
    ConfigLogOutput out;
    const std::optional<LogIndex> index =
        members_[n].log->Propose(now_, "change-" + std::to_string(next_change_++), out);
    Handle(n, out);
    return index;
  }
  void Compact(NodeId n) {
    if (!alive(n)) return;
    const ConfigLog& log = *members_[n].log;
    if (members_[n].applied <= log.snapshot().last_index) return;
    ConfigLogOutput out;
    members_[n].log->Compact(members_[n].applied, std::to_string(members_[n].state), out);
    Handle(n, out);
  }

  // Heals everything, restarts the dead, and runs a fair network (every message delivered,
  // 5 ms of time per round) until `done` holds or `limit_ms` of time passed. True if it held.
  template <class Done>
  bool RunFairly(TimeMs limit_ms, Done done) {
    for (NodeId n = 0; n < size(); ++n) {
      SetIsolated(n, false);
      Restart(n);
    }
    const TimeMs end = now_ + limit_ms;
    while (now_ < end) {
      if (done()) return true;
      DeliverAll(0);
      Advance(5);
    }
    return done();
  }
  // A leader that every live member follows in its term (a deposed leader that has not heard of
  // the new term yet is a leader too, but a proposal to it is lost: wait for this instead).
  std::optional<NodeId> StableLeader() const {
    const std::optional<NodeId> leader = Leader();
    if (!leader) return std::nullopt;
    for (NodeId n = 0; n < size(); ++n) {
      if (!alive(n)) continue;
      const ConfigLog& log = *members_[n].log;
      if (log.term() != members_[*leader].log->term() || log.leader() != leader) {
        return std::nullopt;
      }
    }
    return leader;
  }
  std::optional<NodeId> Leader() const {
    for (NodeId n = 0; n < size(); ++n) {
      if (alive(n) && members_[n].log->is_leader()) return n;
    }
    return std::nullopt;
  }

 private:
  struct Member {
    std::unique_ptr<ConfigLog> log;
    VoterState disk;
    std::optional<PersistRequest> unsynced;  // send_before_persist: written, not yet durable
    bool isolated = false;
    LogIndex applied = 0;     // the applier's state: through this index...
    std::uint64_t state = 0;  // ...this fold of every applied entry
  };

  void Start(NodeId n) {
    Member& m = members_[n];
    ConfigLog::Options o;
    o.self = n;
    o.voters = (NodeMask{1} << options_.voters) - 1;
    o.learners = ((NodeMask{1} << size()) - 1) & ~o.voters;
    o.seed = options_.seed * 1000 + restarts_++;
    o.bug = options_.bug;
    m.log = std::make_unique<ConfigLog>(o, m.disk, now_);
    m.applied = 0;
    m.state = 0;
    ConfigLogOutput out;
    m.log->Tick(now_, out);  // hands out the restored snapshot
    Handle(n, out);
  }

  void DeliverMessage(const InFlight& m) {
    if (!alive(m.to) || members_[m.to].isolated || members_[m.from].isolated) return;
    ConfigLogOutput out;
    members_[m.to].log->Step(now_, m.from, m.message, out);
    Handle(m.to, out);
  }

  void Handle(NodeId n, ConfigLogOutput& out) {
    Member& m = members_[n];
    if (options_.send_before_persist) {
      if (m.unsynced) ApplyPersist(m.disk, *m.unsynced);  // the previous step's write lands now
      m.unsynced = std::move(out.persist);
    } else if (out.persist) {
      ApplyPersist(m.disk, *out.persist);
    }
    for (ConfigLogOutput::Send& s : out.sends) network_.push_back({n, s.to, std::move(s.message)});
    if (out.install) {
      m.applied = out.install->last_index;
      m.state = std::stoull(out.install->data.empty() ? "0" : out.install->data);
      Record(m.applied, m.state, "installed snapshot");
    }
    for (std::size_t i = 0; i < out.committed.size(); ++i) {
      const LogIndex index = out.committed_first + i;
      if (index != m.applied + 1) Fail("entries handed out with a gap at " + std::to_string(index));
      const LogEntry& e = out.committed[i];
      const auto [it, fresh] = committed_.emplace(index, e);
      if (!fresh && !(it->second == e)) {
        Fail("committed entry " + std::to_string(index) + " changed");
      }
      m.applied = index;
      m.state = m.state * 1099511628211ULL + std::hash<std::string>{}(e.data) + e.term;
      Record(m.applied, m.state, "applied entries");
    }
    Check(n);
  }

  void Record(LogIndex index, std::uint64_t state, const char* how) {
    const auto [it, fresh] = states_.emplace(index, state);
    if (!fresh && it->second != state) {
      Fail(std::string(how) + ": state at " + std::to_string(index) + " differs");
    }
  }

  void Check(NodeId n) {
    const Member& m = members_[n];
    m.log->CheckInvariants();
    if (!options_.send_before_persist && !(m.disk == m.log->DurableState())) {
      Fail("disk differs from the durable state of node " + std::to_string(n));
    }
    for (NodeId i = 0; i < size(); ++i) {
      if (!alive(i) || !members_[i].log->is_leader()) continue;
      const auto [it, fresh] = leaders_.emplace(members_[i].log->term(), i);
      if (!fresh && it->second != i) {
        Fail("two leaders in term " + std::to_string(it->first) + ": " +
             std::to_string(it->second) + " and " + std::to_string(i));
      }
    }
  }

  void Fail(std::string what) {
    if (!violation_) violation_ = std::move(what);
  }

  Options options_;
  std::vector<Member> members_;
  std::vector<InFlight> network_;
  TimeMs now_ = 1000;
  std::uint64_t restarts_ = 0;
  std::uint64_t next_change_ = 0;
  std::map<Term, NodeId> leaders_;
  std::map<LogIndex, LogEntry> committed_;
  std::map<LogIndex, std::uint64_t> states_;
  std::optional<std::string> violation_;
};

// One step of a random schedule. `kind` picks the action (weights by range), `a` and `b` its
// arguments (taken modulo what they index).
struct Action {
  std::uint8_t kind = 0;  // 0..kActionKinds-1
  std::uint32_t a = 0;
  std::uint32_t b = 0;
};
inline constexpr std::uint8_t kActionKinds = 20;

// RapidCheck prints failing schedules with this.
inline void showValue(const Action& a, std::ostream& os) {
  os << "{" << int{a.kind} << ", " << a.a << ", " << a.b << "}";
}

inline void Apply(LogGroup& g, const Action& act) {
  const NodeId node = act.a % g.size();
  switch (act.kind % kActionKinds) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
      g.Deliver(act.b);  // any message: arbitrary reordering
      break;
    case 6:
      g.Deliver(0);  // the oldest
      break;
    case 7:
      g.DeliverAll(act.b);
      break;
    case 8:
      g.Drop(act.b);
      break;
    case 9:
      g.Duplicate(act.b);
      break;
    case 10:
    case 11:
    case 12:
    case 13:
      g.Advance(1 + act.b % 120);
      break;
    case 14:
      if (act.b % 3 == 0) g.Crash(node);
      break;
    case 15:
      g.Restart(node);
      break;
    case 16:
      g.SetIsolated(node, act.b % 2 == 0);
      break;
    case 17:
    case 18:
      if (const auto leader = g.Leader()) g.Propose(*leader);
      break;
    default:
      g.Compact(node);
      break;
  }
}

}  // namespace shoal::cluster::logtest
