// Peer messages between Shoal nodes (architecture.md §9): an Envelope{from, incarnation,
// config_epoch, body} whose body is one struct per message kind, each field meaning one thing.
// Plain, copyable data. The simulator carries every message through the codec
// (core/cluster/codec.h), so the bytes the real server sends are the bytes the simulator tests.
// The protocol that uses them is described in core/cluster/cluster_node.h.
//
//   Replicate             primary -> backup: mutations on their stream, in stream order (and,
//                         piggybacked, the ack of the stream the other way)
//   ReplicateAck          backup -> primary: every stream position up to applied_through applied
//   SyncRequest           recovering node -> replica: the next chunk of our shared slots
//   SyncReply             replica -> recovering node: that chunk, the next cursor, done
//   IncarnationTooOld     reply to a SyncRequest from an incarnation older than one already seen
//   VoteRequest           configuration log candidate -> voters: vote for me (or, pre_vote, would
//                         you?) in `term` (core/cluster/config_log.h)
//   VoteReply             voter -> candidate: granted or not
//   AppendEntries         configuration log leader -> followers: entries after (prev_index,
//                         prev_term), the leader's commit index; empty: a heartbeat
//   AppendReply           follower -> leader: matched through match_index, or rejected
//   InstallSnapshot       leader -> a follower behind its compacted log: the snapshot
//
// Thread safety: plain data. Invariants (the codec enforces them on decode, the senders assert
// them): every KeyState key is at most limits::kKeyBytesMax bytes; a flush Mutation has no keys,
// a key Mutation at least one, all in its slot; a Replicate carries at least one mutation.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/cluster/ids.h"
#include "core/time.h"

namespace shoal::cluster {

// One key's state after a write.
struct KeyState {
  std::string key;
  std::string value;             // empty for a tombstone
  TimeMs expire_at = kNoExpiry;  // absolute, on the wall clock; kNoExpiry for a tombstone
  bool deleted = false;

  friend bool operator==(const KeyState&, const KeyState&) = default;
};

// The effect of one write on one slot (architecture.md §4), applied atomically by each replica,
// or one versioned entry of a state transfer. A flush is a per-slot watermark: every copy of a key
// of the slot older than `version` is dead (FLUSHALL).
struct Mutation {
  std::uint16_t slot = 0;
  Version version = 0;
  bool flush = false;
  std::vector<KeyState> keys;  // !flush: the keys written (each once), each now at `version`

  friend bool operator==(const Mutation&, const Mutation&) = default;
};

struct ReplicateAck {
  Incarnation to_incarnation = 0;     // the primary's life whose stream is acknowledged
  std::uint64_t applied_through = 0;  // every position <= this one is applied

  friend bool operator==(const ReplicateAck&, const ReplicateAck&) = default;
};

struct Replicate {
  Incarnation to_incarnation = 0;  // the backup's life this stream is addressed to
  std::uint64_t first_seq = 0;     // stream position of mutations[0]; positions start at 1
  std::vector<Mutation> mutations;
  // Also, piggybacked: the sender's acknowledgement of the stream the other way (the receiver
  // primary of some slots the sender backs up); to_incarnation 0: none.
  ReplicateAck ack;

  friend bool operator==(const Replicate&, const Replicate&) = default;
};

// Where a state transfer resumes: phase 0 walks the store by key hash, phase 1 the tombstone
// table by sequence, phase 2 the flush watermarks by slot; `position` is the first one not sent.
struct SyncCursor {
  std::uint8_t phase = 0;
  std::uint64_t position = 0;

  friend bool operator==(const SyncCursor&, const SyncCursor&) = default;
};
inline constexpr std::uint8_t kSyncPhases = 3;

struct SyncRequest {
  std::uint64_t chunk = 0;  // index of the chunk within this incarnation's transfer
  SyncCursor cursor;

  friend bool operator==(const SyncRequest&, const SyncRequest&) = default;
};

struct SyncReply {
  Incarnation to_incarnation = 0;  // the requester's life that asked
  std::uint64_t chunk = 0;         // the chunk answered
  SyncCursor next;                 // where the next chunk starts
  bool done = false;               // nothing after this chunk
  std::vector<Mutation> entries;   // versioned states of shared slots (one key, or a flush)

  friend bool operator==(const SyncReply&, const SyncReply&) = default;
};

struct IncarnationTooOld {
  Incarnation to_incarnation = 0;  // the requester's life that asked
  Incarnation largest_seen = 0;    // pick an incarnation above this one

  friend bool operator==(const IncarnationTooOld&, const IncarnationTooOld&) = default;
};

// --- Configuration log (Raft; core/cluster/config_log.h) -----------------------------------------

// One entry of the configuration log. `data` is the configuration change, encoded by the layer
// that applies it; empty: the no-op a new leader appends to commit its predecessors' entries.
struct LogEntry {
  Term term = 0;
  std::string data;

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

// The compacted prefix of the log: every entry through last_index, applied, as the applying
// layer's state (`data`). last_index 0: nothing compacted.
struct LogSnapshot {
  LogIndex last_index = 0;
  Term last_term = 0;
  std::string data;

  friend bool operator==(const LogSnapshot&, const LogSnapshot&) = default;
};

struct VoteRequest {
  Term term = 0;  // pre_vote: the term the candidate would stand in (its own term + 1)
  LogIndex last_index = 0;
  Term last_term = 0;
  bool pre_vote = false;

  friend bool operator==(const VoteRequest&, const VoteRequest&) = default;
};

struct VoteReply {
  Term term = 0;  // granted: the request's term; refused: the voter's term
  bool granted = false;
  bool pre_vote = false;

  friend bool operator==(const VoteReply&, const VoteReply&) = default;
};

struct AppendEntries {
  Term term = 0;
  LogIndex prev_index = 0;  // the entry before entries[0]
  Term prev_term = 0;
  LogIndex commit = 0;  // the leader's commit index
  std::vector<LogEntry> entries;
  // The latest AppendReply::sent_ms the leader received from this follower in its term (0:
  // none): the follower's read lease runs from it (config_log.h).
  TimeMs echo_ms = 0;
  TimeMs sent_ms = 0;  // the leader's monotonic clock when it sent this message

  friend bool operator==(const AppendEntries&, const AppendEntries&) = default;
};

struct AppendReply {
  Term term = 0;
  bool success = false;
  // success: the follower's log matches the leader's through this index. Refused: the prev_index
  // that did not match, and the follower's last index (where the leader probes next).
  LogIndex match_index = 0;
  LogIndex rejected_index = 0;
  LogIndex last_index = 0;
  TimeMs sent_ms = 0;  // the follower's monotonic clock when it sent this reply
  TimeMs echo_ms = 0;  // AppendEntries::sent_ms of the message this answers (the leader's lease)

  friend bool operator==(const AppendReply&, const AppendReply&) = default;
};

struct InstallSnapshot {
  Term term = 0;
  LogSnapshot snapshot;

  friend bool operator==(const InstallSnapshot&, const InstallSnapshot&) = default;
};

// --- Membership status (core/cluster/config_member.h)
// ---------------------------------------------

struct MemberStatus {
  bool first_life = false;  // the node found no earlier state of its own at start
  bool serving = false;     // its recovery finished: it holds every committed write of its slots

  friend bool operator==(const MemberStatus&, const MemberStatus&) = default;
};

using Body =
    std::variant<Replicate, ReplicateAck, SyncRequest, SyncReply, IncarnationTooOld, VoteRequest,
                 VoteReply, AppendEntries, AppendReply, InstallSnapshot, MemberStatus>;

struct Envelope {
  NodeId from = 0;
  Incarnation incarnation = 0;  // the sender's life
  Epoch config_epoch = 0;       // the configuration it was sent under (part 2; 0 today)
  Body body;

  friend bool operator==(const Envelope&, const Envelope&) = default;
};

// "replicate", "replicate_ack", ... (logs, timelines).
const char* BodyName(const Body& body);

}  // namespace shoal::cluster
