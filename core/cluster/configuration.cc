// Configuration and its changes (see configuration.h).
#include "core/cluster/configuration.h"

#include <algorithm>
#include <bit>

#include "core/cluster/wire.h"

namespace shoal::cluster {
namespace {

using wire::Reader;
using wire::Writer;

enum class ChangeKind : std::uint8_t {
  kMarkDown = 0,
  kMarkUp = 1,
  kShrinkInSync = 2,
  kGrowInSync = 3,
  kResetSlots = 4,
};
constexpr std::uint8_t kChangeKinds = 5;
static_assert(std::variant_size_v<ConfigChange> == kChangeKinds);
constexpr std::uint8_t kSnapshotVersion = 2;  // 2: members' incarnations

void PutRange(Writer& w, std::uint16_t first, std::uint16_t last) {
  w.Var(first);
  w.Var(last);
}
void GetRange(Reader& r, std::uint16_t& first, std::uint16_t& last) {
  const std::uint64_t f = r.Var();
  const std::uint64_t l = r.Var();
  if (f > l || l >= limits::kSlotCount) r.Fail(Error::kProtocol);
  first = static_cast<std::uint16_t>(f);
  last = static_cast<std::uint16_t>(l);
}
NodeId GetNode(Reader& r) {
  const std::uint64_t n = r.Var();
  if (n >= limits::kClusterNodesMax) r.Fail(Error::kProtocol);
  return static_cast<NodeId>(n);
}

}  // namespace

NodeId NodeOf(const ConfigChange& change) {
  return std::visit(
      [](const auto& c) -> NodeId {
        if constexpr (requires { c.node; }) {
          return c.node;
        } else {
          return 0;
        }
      },
      change);
}

std::string EncodeChange(const ConfigChange& change) {
  std::string out;
  Writer w(out);
  w.U8(static_cast<std::uint8_t>(change.index()));
  std::visit(
      [&](const auto& c) {
        if constexpr (requires { c.node; }) w.Var(c.node);
        if constexpr (requires { c.incarnation; }) w.Var(c.incarnation);
        if constexpr (requires { c.first_life; }) w.U8(c.first_life ? 1 : 0);
        if constexpr (requires { c.first_slot; }) PutRange(w, c.first_slot, c.last_slot);
      },
      change);
  return out;
}

Result<ConfigChange> DecodeChange(std::string_view bytes) {
  const CodecLimits limits;
  Reader r(bytes, limits);
  const std::uint8_t kind = r.U8();
  if (!r.ok() || kind >= kChangeKinds) return make_error_code(Error::kProtocol);
  ConfigChange change;
  switch (static_cast<ChangeKind>(kind)) {
    case ChangeKind::kMarkDown:
      change = MarkDown{.node = GetNode(r)};
      break;
    case ChangeKind::kMarkUp: {
      MarkUp c{.node = GetNode(r)};
      c.incarnation = r.Var();
      const std::uint8_t first = r.U8();
      if (first > 1) r.Fail(Error::kProtocol);
      c.first_life = first == 1;
      change = c;
      break;
    }
    case ChangeKind::kShrinkInSync: {
      ShrinkInSync c{.node = GetNode(r)};
      GetRange(r, c.first_slot, c.last_slot);
      change = c;
      break;
    }
    case ChangeKind::kGrowInSync: {
      GrowInSync c{.node = GetNode(r)};
      c.incarnation = r.Var();
      GetRange(r, c.first_slot, c.last_slot);
      change = c;
      break;
    }
    case ChangeKind::kResetSlots: {
      ResetSlots c;
      GetRange(r, c.first_slot, c.last_slot);
      change = c;
      break;
    }
  }
  if (r.ok() && !r.AtEnd()) r.Fail(Error::kProtocol);
  if (!r.ok()) return make_error_code(r.error());
  return change;
}

std::string DescribeChange(const ConfigChange& change) {
  static constexpr const char* kNames[] = {"mark_down", "mark_up", "shrink_in_sync", "grow_in_sync",
                                           "reset_slots"};
  std::string out = kNames[change.index()];
  std::visit(
      [&](const auto& c) {
        if constexpr (requires { c.node; }) out += " " + std::to_string(c.node);
        if constexpr (requires { c.incarnation; }) {
          out += " life " + std::to_string(c.incarnation);
        }
        if constexpr (requires { c.first_life; }) {
          if (c.first_life) out += " (first)";
        }
        if constexpr (requires { c.first_slot; }) {
          out += " " + std::to_string(c.first_slot) + ".." + std::to_string(c.last_slot);
        }
      },
      change);
  return out;
}

Configuration::Configuration(std::shared_ptr<const Placement> placement, LostSlotPolicy policy)
    : placement_(std::move(placement)), policy_(policy) {
  SHOAL_ASSERT(placement_ != nullptr);
  members_.assign(placement_->node_count(), MemberState::kUp);
  incarnations_.assign(placement_->node_count(), 0);
  // Every node builds this at every start (and the fuzz targets at every input): plain indexed
  // writes over the placement's tables, no per-slot calls.
  slots_.resize(limits::kSlotCount);
  const std::span<const NodeId> primaries = placement_->Primaries();
  const std::span<const NodeMask> masks = placement_->ReplicaMasks();
  for (std::uint32_t s = 0; s < limits::kSlotCount; ++s) {
    SlotConfig& c = slots_[s];
    c.primary = primaries[s];
    c.in_sync = masks[s];
    c.epoch = epoch_;
    c.data_epoch = epoch_;
  }
}

NodeId Configuration::FirstLive(std::uint16_t slot, NodeMask among) const {
  for (const NodeId n : placement_->Replicas(slot)) {
    if ((among & Bit(n)) != 0 && up(n)) return n;
  }
  return kNoNode;
}

void Configuration::BringBackEmpty(std::uint16_t slot, NodeId on, Epoch epoch) {
  SlotConfig& c = slots_[slot];
  if (c.primary == kNoNode) unserved_slots_--;
  if (on == kNoNode) unserved_slots_++;
  c.primary = on;
  c.in_sync = on == kNoNode ? 0 : Bit(on);
  maybe_missing_ |= placement_->ReplicaMask(slot) & ~c.in_sync;
  c.epoch = epoch;
  if (on != kNoNode) c.data_epoch = epoch;  // every copy written before now is void
}

std::span<const std::uint16_t> Configuration::SlotsOfIn(NodeId node, std::uint16_t first,
                                                        std::uint16_t last) const {
  const std::span<const std::uint16_t> all = placement_->SlotsOf(node);
  const auto begin = std::lower_bound(all.begin(), all.end(), first);
  const auto end = std::upper_bound(begin, all.end(), last);
  return {begin, end};
}

bool Configuration::MissingInSync(NodeId node) const {
  if (!up(node) || (maybe_missing_ & Bit(node)) == 0) return false;
  for (const std::uint16_t slot : placement_->SlotsOf(node)) {
    const SlotConfig& c = slots_[slot];
    if (c.primary != kNoNode && (c.in_sync & Bit(node)) == 0) return true;
  }
  maybe_missing_ &= ~Bit(node);  // in every in-sync set it can be in, until it leaves one
  return false;
}

void Configuration::LeaveInSync(NodeId node, Epoch epoch) {
  maybe_missing_ |= Bit(node);
  for (const std::uint16_t slot : placement_->SlotsOf(node)) {
    SlotConfig& c = slots_[slot];
    if ((c.in_sync & Bit(node)) == 0) continue;
    c.in_sync &= ~Bit(node);
    c.epoch = epoch;
    if (c.primary != node) continue;
    const NodeId successor = FirstLive(slot, c.in_sync);
    if (successor != kNoNode) {
      c.primary = successor;  // an in-sync replica holds every acknowledged write
    } else if (policy_ == LostSlotPolicy::kBringBackEmpty) {
      BringBackEmpty(slot, FirstLive(slot, ~NodeMask{0}), epoch);
    } else {
      c.primary = kNoNode;
      c.in_sync = 0;
      unserved_slots_++;
    }
  }
}

void Configuration::OnMarkDown(NodeId node, Epoch epoch) {
  members_[node] = MemberState::kDown;
  LeaveInSync(node, epoch);
}

bool Configuration::MarkUpLeavesInSync(const MarkUp& change) const {
  const Incarnation recorded = incarnations_[change.node];
  return up(change.node) && recorded != change.incarnation && !(recorded == 0 && change.first_life);
}

void Configuration::OnMarkUp(const MarkUp& change, Epoch epoch) {
  const NodeId node = change.node;
  const bool leaves = MarkUpLeavesInSync(change);
  incarnations_[node] = change.incarnation;
  members_[node] = MemberState::kUp;
  // It restarted before anyone marked it down: whatever it held is gone.
  if (leaves) LeaveInSync(node, epoch);
  // Nearly always every slot has a primary: then there is nothing to bring back.
  if (policy_ != LostSlotPolicy::kBringBackEmpty || unserved_slots_ == 0) return;
  for (const std::uint16_t slot : placement_->SlotsOf(node)) {
    if (slots_[slot].primary == kNoNode) BringBackEmpty(slot, node, epoch);
  }
}

Result<Epoch> Configuration::Apply(const ConfigChange& change) {
  if (NodeOf(change) >= node_count()) return make_error_code(Error::kInvalidChange);
  const Epoch epoch = epoch_ + 1;
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, MarkDown>) {
          OnMarkDown(c.node, epoch);
        } else if constexpr (std::is_same_v<T, MarkUp>) {
          OnMarkUp(c, epoch);
        } else if constexpr (std::is_same_v<T, ShrinkInSync>) {
          maybe_missing_ |= Bit(c.node);
          // Only the node's own slots can hold it in sync: walk those, not the whole range.
          for (const std::uint16_t slot : SlotsOfIn(c.node, c.first_slot, c.last_slot)) {
            SlotConfig& sc = slots_[slot];
            if (sc.primary == c.node || (sc.in_sync & Bit(c.node)) == 0) continue;
            sc.in_sync &= ~Bit(c.node);
            sc.epoch = epoch;
          }
        } else if constexpr (std::is_same_v<T, GrowInSync>) {
          if (!up(c.node) || incarnations_[c.node] != c.incarnation) return;
          for (const std::uint16_t slot : SlotsOfIn(c.node, c.first_slot, c.last_slot)) {
            SlotConfig& sc = slots_[slot];
            if (sc.primary == kNoNode || (sc.in_sync & Bit(c.node)) != 0) continue;
            sc.in_sync |= Bit(c.node);
            sc.epoch = epoch;
          }
        } else {
          static_assert(std::is_same_v<T, ResetSlots>);
          for (std::uint32_t s = c.first_slot; s <= c.last_slot; ++s) {
            const auto slot = static_cast<std::uint16_t>(s);
            if (slots_[s].primary == kNoNode) {
              BringBackEmpty(slot, FirstLive(slot, ~NodeMask{0}), epoch);
            }
          }
        }
      },
      change);
  epoch_ = epoch;
  return epoch_;
}

bool Configuration::ValidSlots() const {
  if (members_.size() != node_count() || incarnations_.size() != node_count() ||
      slots_.size() != limits::kSlotCount)
    return false;
  std::uint32_t unserved = 0;
  NodeMask up_members = 0;
  for (NodeId n = 0; n < node_count(); ++n) {
    if (up(n)) up_members |= Bit(n);
  }
  for (std::uint32_t s = 0; s < limits::kSlotCount; ++s) {
    const SlotConfig& c = slots_[s];
    const NodeMask live_replicas =
        placement_->ReplicaMask(static_cast<std::uint16_t>(s)) & up_members;
    if ((c.in_sync & ~live_replicas) != 0) return false;
    if (c.primary == kNoNode ? c.in_sync != 0 : (c.in_sync & Bit(c.primary)) == 0) return false;
    if (c.epoch > epoch_ || c.data_epoch > c.epoch) return false;
    if (c.primary == kNoNode) unserved++;
    // A replica missing from a served slot's in-sync set must have its maybe_missing_ bit.
    const NodeMask missing = c.primary == kNoNode ? 0 : live_replicas & ~c.in_sync;
    if ((missing & ~maybe_missing_) != 0) return false;
  }
  return unserved == unserved_slots_;
}

void Configuration::CheckInvariants() const {
  SHOAL_ASSERT_MSG(ValidSlots(), "configuration invariants broken");
}

std::string Configuration::Encode() const {
  std::string out;
  Writer w(out);
  w.U8(kSnapshotVersion);
  const PlacementOptions& p = placement_->options();
  w.Var(p.node_count);
  w.Var(p.replication_factor);
  w.Var(p.vnodes_per_node);
  w.U8(static_cast<std::uint8_t>(policy_));
  w.Var(epoch_);
  for (const MemberState m : members_) w.U8(static_cast<std::uint8_t>(m));
  for (const Incarnation i : incarnations_) w.Var(i);
  // Runs of equal slots: run length, then the slot's fields.
  for (std::uint32_t s = 0; s < limits::kSlotCount;) {
    std::uint32_t end = s + 1;
    while (end < limits::kSlotCount && slots_[end] == slots_[s]) ++end;
    const SlotConfig& c = slots_[s];
    w.Var(end - s);
    w.Var(c.primary == kNoNode ? 0 : std::uint64_t{c.primary} + 1);
    w.Var(c.in_sync);
    w.Var(c.epoch);
    w.Var(c.data_epoch);
    s = end;
  }
  return out;
}

Result<Configuration> Configuration::Decode(std::string_view bytes,
                                            std::shared_ptr<const Placement> placement) {
  SHOAL_ASSERT(placement != nullptr);
  const CodecLimits limits;
  Reader r(bytes, limits);
  if (r.U8() != kSnapshotVersion) return make_error_code(Error::kProtocol);
  const PlacementOptions& p = placement->options();
  if (r.Var() != p.node_count || r.Var() != p.replication_factor || r.Var() != p.vnodes_per_node) {
    return make_error_code(Error::kProtocol);  // a snapshot of another cluster's shape
  }
  const std::uint8_t policy = r.U8();
  if (policy > 1) r.Fail(Error::kProtocol);
  Configuration c(std::move(placement), static_cast<LostSlotPolicy>(policy));
  c.epoch_ = r.Var();
  for (MemberState& m : c.members_) {
    const std::uint8_t v = r.U8();
    if (v > 1) r.Fail(Error::kProtocol);
    m = static_cast<MemberState>(v);
  }
  for (Incarnation& i : c.incarnations_) i = r.Var();
  for (std::uint32_t s = 0; s < limits::kSlotCount && r.ok();) {
    const std::uint64_t run = r.Var();
    SlotConfig sc;
    const std::uint64_t primary = r.Var();
    sc.primary = primary == 0 ? kNoNode : static_cast<NodeId>(primary - 1);
    sc.in_sync = r.Var();
    sc.epoch = r.Var();
    sc.data_epoch = r.Var();
    if (run == 0 || run > limits::kSlotCount - s ||
        (primary != 0 && primary - 1 >= c.node_count())) {
      r.Fail(Error::kProtocol);
      break;
    }
    for (std::uint64_t i = 0; i < run; ++i) c.slots_[s++] = sc;
    if (sc.primary == kNoNode) c.unserved_slots_ += static_cast<std::uint32_t>(run);
  }
  if (r.ok() && !r.AtEnd()) r.Fail(Error::kProtocol);
  if (!r.ok()) return make_error_code(r.error());
  c.maybe_missing_ = ~NodeMask{0};  // not known yet: the first MissingInSync walks
  if (!c.ValidSlots()) return make_error_code(Error::kProtocol);
  return c;
}

}  // namespace shoal::cluster
