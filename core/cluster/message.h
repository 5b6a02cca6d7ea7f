// Peer messages between Shoal nodes: replication of versioned writes and state transfer during
// recovery. Plain, copyable data: the simulator carries them as values; the Asio driver will
// encode them with versioned, bounds-checked binary framing. The protocol that uses them is
// described in core/cluster/replica.h.
//
// Every message carries the sender's incarnation in `epoch` (a node picks a new, larger one each
// time it starts, since a restart loses its memory); receivers ignore messages from an older
// incarnation of the sender (except SyncRequest, answered with kFlagStaleIncarnation).
//
// Thread safety: plain data. Invariants: a Replicate carries exactly one entry; a SyncReply at most
// limits::kSyncEntriesPerReplyMax entries and (beyond its first entry) limits::kSyncReplyBytesMax
// bytes of keys and values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"

namespace shoal::cluster {

using NodeId = std::uint32_t;

enum class MessageKind : std::uint8_t {
  kReplicate,     // primary -> backup: apply this versioned write (entries[0]) if newer
  kReplicateAck,  // backup -> primary: I hold request_id (the version) or newer for that key
  kSyncRequest,   // recovering node -> replica: send your entries of our shared slots after cursor
  kSyncReply,     // replica -> recovering node: entries, the next cursor, done flag
};

// One versioned key state. A tombstone (deleted) keeps the version of a DEL, or of a value that
// expired or was evicted, so that an older copy elsewhere can never win a merge.
struct Entry {
  std::string key;
  std::string value;          // empty for a tombstone
  std::uint64_t version = 0;  // per key, issued by the key's primary; larger is newer
  TimeMs expire_at = kNoExpiry;
  bool deleted = false;
};

// Where a state transfer resumes: after (slot, key) in (slot, key byte order); unset: at the start.
struct SyncCursor {
  bool set = false;
  std::uint16_t slot = 0;
  std::string key;
};

inline constexpr std::uint8_t kFlagDone = 1;              // SyncReply: no entries after this
inline constexpr std::uint8_t kFlagStaleIncarnation = 2;  // SyncReply: you reused an incarnation

struct Message {
  MessageKind kind = MessageKind::kReplicate;
  std::uint64_t epoch = 0;  // the sender's incarnation
  // Replicate / ReplicateAck: the write's version. SyncRequest / SyncReply: the recovering node's
  // incarnation (a reply is used only by the incarnation that asked).
  std::uint64_t request_id = 0;
  // SyncRequest / SyncReply: index of the chunk within the transfer (a reply must match the chunk
  // asked for). With kFlagStaleIncarnation: the largest incarnation of the requester seen so far.
  std::uint64_t sequence = 0;
  std::uint8_t flags = 0;
  SyncCursor cursor;  // SyncRequest: resume point. SyncReply: the next resume point
  std::vector<Entry> entries;
};

// A stable 64-bit hash (FNV-1a over every field, integers as little-endian bytes, strings with
// their length): the same value on every build, for the simulator's trace hash.
std::uint64_t HashMessage(const Message& message);

}  // namespace shoal::cluster
