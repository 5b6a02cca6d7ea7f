// Probes: "sometimes" assertions on the protocol's rare paths (FoundationDB's CODE_PROBE,
// Antithesis's Sometimes). Each names a path that a good test suite must reach now and then: a
// recovery that had to start over, a state transfer resumed after a peer crashed, a write refused
// with -TRYAGAIN, ... The cluster layer counts a probe each time its path runs; the simulator
// sums the counts over every node and life of a block of seeds, and `shoal-sim --seeds A..B
// --probes` prints one `probe NAME COUNT` line per probe and fails the block when one never fired,
// so a change to the fault model or the workload that stops exercising a rare path is noticed
// instead of silently testing less.
//
// Who calls it: core/cluster/ (Hit), the simulator (sums, names). Thread safety: none (counters).
// Invariant: every Probe but kCount has a name (ProbeName), and names are distinct.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace shoal::cluster {

enum class Probe : std::uint8_t {
  kRecoveryRestarted,          // a recovery started over (tombstone overflow, incarnation too old)
  kIncarnationTooOld,          // a restarted node learnt that its clock went back, and moved on
  kStaleIncarnationDropped,    // a message of a peer's earlier life was dropped
  kTransferResumedAfterCrash,  // a recovering node asked again after a peer it synced from died
  kTransferChunked,            // a state-transfer reply left more to send (a multi-chunk sync)
  kRepairPushed,               // a recovered primary pushed entries its backups lacked
  kStreamResent,               // a replication stream rewound after a timeout
  kWriteRefused,               // -TRYAGAIN: too many writes in flight (definitely not applied)
  kElectionWon,                // a node became the configuration log's leader
  kMemberMarkedDown,           // a committed change marked an unresponsive member down
  kMemberMarkedUp,             // a committed change marked a returning member up
  kConfigSnapshotInstalled,    // a member behind the leader's compacted log installed a snapshot
  kRestartLeftInSync,          // a member that restarted unnoticed left its in-sync sets
  kInSyncGrown,                // a caught-up member joined its slots' in-sync sets again
  kCount,
};
inline constexpr std::size_t kProbeCount = static_cast<std::size_t>(Probe::kCount);

// "recovery_restarted", ... (snake case, as the simulator prints them).
const char* ProbeName(Probe probe);

struct ProbeCounts {
  std::array<std::uint64_t, kProbeCount> counts{};

  void Hit(Probe probe) { counts[static_cast<std::size_t>(probe)]++; }
  std::uint64_t operator[](Probe probe) const { return counts[static_cast<std::size_t>(probe)]; }
  void Add(const ProbeCounts& other) {
    for (std::size_t i = 0; i < kProbeCount; ++i) counts[i] += other.counts[i];
  }
};

}  // namespace shoal::cluster
