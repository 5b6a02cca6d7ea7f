// Probe names (see probes.h).
#include "core/cluster/probes.h"

namespace shoal::cluster {

const char* ProbeName(Probe probe) {
  switch (probe) {
    case Probe::kRecoveryRestarted:
      return "recovery_restarted";
    case Probe::kIncarnationTooOld:
      return "incarnation_too_old";
    case Probe::kStaleIncarnationDropped:
      return "stale_incarnation_dropped";
    case Probe::kTransferResumedAfterCrash:
      return "transfer_resumed_after_crash";
    case Probe::kTransferChunked:
      return "transfer_chunked";
    case Probe::kRepairPushed:
      return "repair_pushed";
    case Probe::kStreamResent:
      return "stream_resent";
    case Probe::kWriteRefused:
      return "write_refused";
    case Probe::kElectionWon:
      return "election_won";
    case Probe::kMemberMarkedDown:
      return "member_marked_down";
    case Probe::kMemberMarkedUp:
      return "member_marked_up";
    case Probe::kConfigSnapshotInstalled:
      return "config_snapshot_installed";
    case Probe::kRestartLeftInSync:
      return "restart_left_in_sync";
    case Probe::kInSyncGrown:
      return "in_sync_grown";
    case Probe::kCount:
      break;
  }
  return "?";
}

}  // namespace shoal::cluster
