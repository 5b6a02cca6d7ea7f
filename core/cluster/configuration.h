// Configuration: the cluster's configuration as the configuration log (config_log.h) commits it,
// and the changes that move it from one epoch to the next (architecture.md §3). Every member
// applies the same committed changes in the same order to the same starting point, so every
// member computes the same configuration at each epoch: Apply is a pure, deterministic function
// of (configuration, change), and a change that no longer fits (a stale proposal) is applied as a
// no-op on the slots it does not fit, never differently on different members.
//
//   members  up or down, and the incarnation (life) each is known to run (0: its first life, not
//            reported yet); tokens, joins and leaves are cluster core part 3 (placement is today's
//            consistent hashing over node ids, core/cluster/placement.h)
//   slots    per slot: primary, in-sync set, the epoch of its last change, and the data epoch
//            (copies of the slot written under an earlier epoch are void: the slot came back
//            empty then). A change to one slot's in-sync set bumps that slot's epoch only.
//
// Changes (ConfigChange):
//   MarkDown     a member stopped answering: it leaves every in-sync set, and each slot it was
//                primary of is promoted, in the same change, to the first replica of its
//                preference list that is in the slot's in-sync set (never one outside it). A slot
//                with no in-sync replica left follows the LostSlotPolicy: kBringBackEmpty makes
//                the first live replica its primary with an empty slot under the new epoch
//                (every older copy void); kKeepUnavailable leaves it without a primary.
//   MarkUp       a member runs as `incarnation`: it answers again after being marked down, or it
//                restarted (lost its memory) before anyone marked it down, which makes it leave
//                every in-sync set as MarkDown does (its primaries promoted) while it stays up.
//                Only a member whose recorded incarnation is 0 and that says this is its first
//                life (`first_life`: it has no earlier state on its disk) keeps its in-sync sets:
//                in the configuration of epoch 1 everybody is in sync and empty. A restarted
//                member is in no in-sync set until it caught up (GrowInSync). A slot left
//                without any live replica under kBringBackEmpty comes back empty on it.
//   ShrinkInSync a backup stopped acknowledging a slot's writes: it leaves the in-sync sets of
//                slots [first, last] (not where it is primary: that is MarkDown's job).
//   GrowInSync   a backup caught up by state transfer: it joins the in-sync sets of [first, last]
//                where it is a live replica and the slot has a primary, but only while the
//                configuration still records the life that caught up (`incarnation`): a report
//                from a life that has since died adds nobody.
//   ResetSlots   the operator brings slots [first, last] that have no primary back empty on
//                their first live replica (the way out of kKeepUnavailable).
// Every applied change advances the epoch by one.
//
// Who calls it: the cluster layer applying committed log entries (and proposing changes), the
// simulator's cluster-wide checks, tests. Thread safety: a value; none.
// Invariants (CheckInvariants, and Decode refuses encodings that break them): a slot's in-sync
// set holds only live replicas of the slot; a slot with a primary has it in its in-sync set; a
// slot without one has an empty in-sync set; slot epochs and data epochs are at most the epoch,
// and a data epoch at most its slot's epoch; the count of slots without a primary (which lets
// MarkUp skip its walk when every slot has one) is exact; every up member missing from a served
// slot's in-sync set is in maybe_missing_.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/cluster/config_log.h"
#include "core/cluster/ids.h"
#include "core/cluster/placement.h"
#include "core/limits.h"
#include "core/result.h"

namespace shoal::cluster {

enum class MemberState : std::uint8_t { kUp = 0, kDown = 1 };
enum class LostSlotPolicy : std::uint8_t { kBringBackEmpty = 0, kKeepUnavailable = 1 };

struct SlotConfig {
  NodeId primary = kNoNode;  // kNoNode: nobody may serve the slot
  NodeMask in_sync = 0;      // replicas holding every acknowledged write; includes the primary
  Epoch epoch = 0;           // of the slot's last change
  Epoch data_epoch = 0;      // copies written before this epoch are void

  friend bool operator==(const SlotConfig&, const SlotConfig&) = default;
};

struct MarkDown {
  NodeId node = 0;
  friend bool operator==(const MarkDown&, const MarkDown&) = default;
};
struct MarkUp {
  NodeId node = 0;
  Incarnation incarnation = 0;
  bool first_life = false;
  friend bool operator==(const MarkUp&, const MarkUp&) = default;
};
struct ShrinkInSync {
  NodeId node = 0;
  std::uint16_t first_slot = 0;
  std::uint16_t last_slot = 0;
  friend bool operator==(const ShrinkInSync&, const ShrinkInSync&) = default;
};
struct GrowInSync {
  NodeId node = 0;
  Incarnation incarnation = 0;
  std::uint16_t first_slot = 0;
  std::uint16_t last_slot = 0;
  friend bool operator==(const GrowInSync&, const GrowInSync&) = default;
};
struct ResetSlots {
  std::uint16_t first_slot = 0;
  std::uint16_t last_slot = 0;
  friend bool operator==(const ResetSlots&, const ResetSlots&) = default;
};
using ConfigChange = std::variant<MarkDown, MarkUp, ShrinkInSync, GrowInSync, ResetSlots>;

// A change as a log entry's bytes, and back. Decode errors: Error::kProtocol (malformed,
// unknown kind, trailing bytes, a slot range out of order or beyond the slots).
std::string EncodeChange(const ConfigChange& change);
Result<ConfigChange> DecodeChange(std::string_view bytes);
// The member a change names (0 for ResetSlots, which names none).
NodeId NodeOf(const ConfigChange& change);
// "mark_down 3", "grow_in_sync 1 0..5460", ... (logs, timelines).
std::string DescribeChange(const ConfigChange& change);

class Configuration {
 public:
  // Epoch 1: every member up, every slot's whole preference list in sync, its first replica
  // primary. REQUIRES: a placement (asserted).
  Configuration(std::shared_ptr<const Placement> placement, LostSlotPolicy policy);

  // Applies `change` as the next epoch. Error::kInvalidChange (and nothing changes) when it
  // names a node that is not a member; a change that fits only some slots changes those.
  Result<Epoch> Apply(const ConfigChange& change);

  Epoch epoch() const { return epoch_; }
  LostSlotPolicy policy() const { return policy_; }
  const Placement& placement() const { return *placement_; }
  std::uint32_t node_count() const { return placement_->node_count(); }
  MemberState member(NodeId node) const { return members_[node]; }
  bool up(NodeId node) const { return members_[node] == MemberState::kUp; }
  // The life `node` is recorded to run (0: its first, not reported yet).
  Incarnation incarnation(NodeId node) const { return incarnations_[node]; }
  // Whether applying `change` takes its member out of every in-sync set: it is up under another
  // recorded life (it restarted unnoticed), unless that record is 0 and this is its first life.
  bool MarkUpLeavesInSync(const MarkUp& change) const;
  // Whether `node` is up and a live replica of some slot with a primary whose in-sync set lacks
  // it (what a GrowInSync over every slot would add it to). O(1) for a member known to be in
  // every in-sync set it can be in (the usual case), else O(slots of the node).
  bool MissingInSync(NodeId node) const;
  const SlotConfig& slot(std::uint16_t slot) const { return slots_[slot]; }
  std::span<const NodeId> replicas(std::uint16_t slot) const { return placement_->Replicas(slot); }

  // The snapshot a compaction keeps: epoch, policy, members and their incarnations, slots
  // (run-length over slots). The placement is named by its options and must match on decode.
  std::string Encode() const;
  static Result<Configuration> Decode(std::string_view bytes,
                                      std::shared_ptr<const Placement> placement);

  void CheckInvariants() const;
  // Same epoch, policy, members, incarnations and slots (the placement is not compared).
  friend bool operator==(const Configuration& a, const Configuration& b) {
    return a.epoch_ == b.epoch_ && a.policy_ == b.policy_ && a.members_ == b.members_ &&
           a.incarnations_ == b.incarnations_ && a.slots_ == b.slots_;
  }

 private:
  bool ValidSlots() const;  // the invariants, as a test (Decode)
  // The first live replica of `slot` in preference order that is in `among` (kNoNode: none).
  NodeId FirstLive(std::uint16_t slot, NodeMask among) const;
  void BringBackEmpty(std::uint16_t slot, NodeId on, Epoch epoch);
  // The slots of `node`'s preference lists within [first, last], ascending.
  std::span<const std::uint16_t> SlotsOfIn(NodeId node, std::uint16_t first,
                                           std::uint16_t last) const;
  // `node` leaves every in-sync set; each slot it was primary of is promoted (or follows the
  // policy). REQUIRES: members_[node] already says whether it stays up.
  void LeaveInSync(NodeId node, Epoch epoch);
  void OnMarkDown(NodeId node, Epoch epoch);
  void OnMarkUp(const MarkUp& change, Epoch epoch);

  std::shared_ptr<const Placement> placement_;
  LostSlotPolicy policy_;
  Epoch epoch_ = 1;
  std::vector<MemberState> members_;
  std::vector<Incarnation> incarnations_;  // per member: the life it is recorded to run
  std::vector<SlotConfig> slots_;          // limits::kSlotCount
  std::uint32_t unserved_slots_ = 0;       // slots without a primary
  // Members that may be missing from some served slot's in-sync set: set whenever one leaves an
  // in-sync set, cleared by a MissingInSync that found none (a cache; == ignores it).
  mutable NodeMask maybe_missing_ = 0;
};

}  // namespace shoal::cluster
