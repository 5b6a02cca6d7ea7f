// Slot maps from CLUSTER SLOTS: the pure half of a cluster client's topology discovery. The
// client library sends CLUSTER SLOTS to a node, parses the reply here into ranges, and applies
// them to its SlotRouter. A node without cluster support answers with an error instead ("ERR This
// instance has cluster support disabled", from Redis and from a single Shoal node); the library
// then runs in standalone mode (OwnAllSlots). No I/O.
//
// Thread safety: pure functions. Invariants of a parsed map: every range has first <= last <
// limits::kSlotCount and a non-empty "host:port" primary; at most limits::kSlotCount ranges.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/state/reply_parser.h"
#include "client/state/router.h"

namespace shoal::client {

struct SlotRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  std::string primary;  // "host:port", as the nodes write it in -MOVED
};

// Parses a CLUSTER SLOTS reply: an array of [first, last, [host, port, ...], replicas...].
// `answered_by_host` is the host of the node that answered: an empty or "?" host in the reply
// means that node's host (Redis's "unknown endpoint"). Returns false on any malformed entry (then
// `out` is unspecified and the caller keeps its old map).
bool ParseClusterSlots(const Reply& reply, std::string_view answered_by_host,
                       std::vector<SlotRange>& out);

// Points every slot at the primary of its range, adding new nodes to the router; slots that no
// range covers become unknown (kNoNode, routed by rotation). Returns false if the router could
// not hold every primary (then slots whose primary was added are still updated).
bool ApplySlotMap(const std::vector<SlotRange>& ranges, SlotRouter& router);

// Points every slot at `node` (standalone mode: one server holds the whole keyspace).
void OwnAllSlots(SlotRouter& router, NodeIndex node);

// "host:port" in Redis's form (no brackets around an IPv6 host: "::1:7000"), so that the
// addresses match those in -MOVED.
std::string NodeAddress(std::string_view host, std::int64_t port);

}  // namespace shoal::client
