// Peer messages between Shoal nodes (replication, state transfer). Plain, copyable data: the
// simulator carries them as values; the Asio driver will encode them with versioned,
// bounds-checked binary framing. DRAFT — owned by the replication engineer; the simulator relies
// only on: NodeId, Message being copyable, and HashMessage() (for the run's trace hash).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"

namespace shoal::cluster {

using NodeId = std::uint32_t;

enum class MessageKind : std::uint8_t {
  kReplicate,     // primary -> backup: apply this versioned write
  kReplicateAck,  // backup -> primary: applied
  kSyncRequest,   // recovering node -> replica: send me your entries for my slots
  kSyncReply,     // replica -> recovering node
};

struct Entry {
  std::string key;
  std::string value;
  std::uint64_t version = 0;
  TimeMs expire_at = kNoExpiry;
  bool deleted = false;  // tombstone
};

struct Message {
  MessageKind kind = MessageKind::kReplicate;
  std::uint64_t epoch = 0;
  std::uint64_t request_id = 0;
  std::vector<Entry> entries;
};

// A stable 64-bit hash of every field (same value on every build), for the simulator's trace.
std::uint64_t HashMessage(const Message& message);

}  // namespace shoal::cluster
