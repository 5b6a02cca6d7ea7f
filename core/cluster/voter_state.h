// VoterState: what Raft requires a configuration-log voter to keep across a crash (current term,
// vote, and the log: a snapshot of its compacted prefix, then the entries after it). The
// configuration log (core/cluster/config_log.h) hands it to its driver through Effects::persist,
// which the driver makes durable before it sends the step's messages (the simulator's per-node
// disk, the server's state file), and a restarted node is built from it (NodeConfig).
//
// Plain data. Invariant (ConfigLog asserts it when built from one; DecodeVoterState refuses an
// encoding that breaks it): entry terms never decrease, start at or above the snapshot's term,
// and end at or below `term`.
//
// EncodeVoterState / DecodeVoterState: the bytes a driver keeps on disk (the server's state file
// under --dir): a magic "SHOALVS1", the fields in the peer codec's encoding (core/cluster/wire.h),
// then a 64-bit FNV-1a checksum of everything before it, so a torn or damaged file is refused
// (Error::kProtocol) instead of restoring a voter that forgot what it promised.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/ids.h"
#include "core/cluster/messages.h"
#include "core/result.h"

namespace shoal::cluster {

inline constexpr NodeId kNoNode = ~NodeId{0};

struct VoterState {
  Term term = 0;
  NodeId vote = kNoNode;  // voted for in `term`
  LogSnapshot snapshot;
  std::vector<LogEntry> entries;  // entries[i] has index snapshot.last_index + 1 + i

  friend bool operator==(const VoterState&, const VoterState&) = default;
};

// The first bytes of an encoded voter state.
inline constexpr std::string_view kVoterStateMagic = "SHOALVS1";

std::string EncodeVoterState(const VoterState& state);
// Error::kProtocol: not a voter state, damaged (checksum), or breaking the invariant above;
// Error::kLimitExceeded: past limits::kVoterStateBytesMax or kVoterStateEntriesMax.
Result<VoterState> DecodeVoterState(std::string_view bytes);

}  // namespace shoal::cluster
