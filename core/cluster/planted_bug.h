// Bugs the simulator can plant in nodes under test to prove the consistency checker catches them
// (tests/sim/planted_bugs_test.cc requires, for each, the violation kind it must cause). The
// production server never sets one (no flag reaches it). Each is a small switch in the real code
// path of core/cluster/ (search for the enumerator):
//   kStaleRead               reads of a key whose write just committed keep returning the value
//                            it had before that write until the next Tick (a "read cache"
//                            refreshed by a timer), after the writer was acknowledged.
//   kAckBeforeReplicate      the primary answers a write before any backup has it; replication
//                            continues in the background. A crash in that window loses an
//                            acknowledged write (recovery brings back the older copy).
//   kIgnoreTtl               applying an entry drops its expiry, so reads return values past
//                            their TTL.
//   kAcceptOldIncarnation    incarnation checks are skipped: messages from an earlier life of
//                            the sender or addressed to an earlier life of this node are used, so
//                            a restarted node can finish recovery on a stale snapshot.
//   kGrantTwoVotes           a configuration-log follower forgets the vote it gave in its term
//                            and grants the next candidate too (config_log.h's
//                            ConsensusBug::kGrantTwoVotesInOneTerm): two leaders in one term.
//   kSendBeforePersist       a driver bug, planted in the simulator's driver: the step's messages
//                            leave before its Effects::persist is durable (the disk syncs only at
//                            the next tick), so a crash in between makes a voter forget a vote or
//                            an entry it acknowledged.
//   kLongLease               read leases last 4 x limits::kMemberDownAfterMs instead of
//                            kReadLeaseMs, so a member cut off from the leader still holds one
//                            after the others applied its MarkDown (and promoted its slots).
// Thread safety: pure functions and constants.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace shoal::cluster {

enum class PlantedBug : std::uint8_t {
  kNone,
  kStaleRead,             // serve reads from state that lags the latest acknowledged write
  kAckBeforeReplicate,    // acknowledge a write before every backup applied it
  kIgnoreTtl,             // return values whose expiry has passed
  kAcceptOldIncarnation,  // act on messages from a stale incarnation
  kGrantTwoVotes,         // a voter grants two candidates in one term
  kSendBeforePersist,     // the driver sends a step's messages before persisting its voter state
  kLongLease,             // read leases outlive the leader's failure detection
};

// Every bug but kNone, in declaration order (what `shoal-sim --list-bugs` prints).
std::span<const PlantedBug> AllPlantedBugs();

// "none", "stale-read", "ack-before-replicate", "ignore-ttl", "accept-old-incarnation",
// "grant-two-votes", "send-before-persist", "long-lease".
std::string_view PlantedBugName(PlantedBug bug);
// Inverse of PlantedBugName (exact, lower case); nullopt for anything else.
std::optional<PlantedBug> ParsePlantedBug(std::string_view name);

}  // namespace shoal::cluster
