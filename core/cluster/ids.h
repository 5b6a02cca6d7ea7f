// Identifiers and masks of the cluster protocol. Plain integers with one meaning each:
//   NodeId       a member's index (static membership today: 0..node_count-1)
//   Incarnation  one life of a node: it grows across the node's restarts (a restarted node has
//                lost its memory, so peers must not trust what its previous life acknowledged)
//   Epoch        the configuration epoch (cluster core part 2); 0 until consensus exists
//   Version      the order of writes to one key: larger is newer; 0 means "unversioned" (a single
//                node); a primary issues versions above incarnation << kVersionSeqBits, so a
//                restarted primary never reuses one
//   NodeMask     a set of nodes, bit n for node n
//   Term         a term of the configuration log's consensus (core/cluster/config_log.h): at most
//                one leader per term; 0 before any election
//   LogIndex     a position in the configuration log, from 1; 0 means "before the first entry"
// Thread safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/strings/string_view.h"
#include "core/limits.h"

namespace shoal::cluster {

using NodeId = std::uint32_t;
using Incarnation = std::uint64_t;
using Epoch = std::uint64_t;
using Version = std::uint64_t;
using NodeMask = std::uint64_t;
using Term = std::uint64_t;
using LogIndex = std::uint64_t;

static_assert(limits::kClusterNodesMax <= 64, "a NodeMask holds every node");

constexpr NodeMask Bit(NodeId node) { return NodeMask{1} << node; }

// Debian's abseil has its own string_view: heterogeneous lookups in a string-keyed absl map take
// this one.
inline absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

// Low bits of a version are a per-incarnation sequence; the high bits start at the incarnation.
inline constexpr int kVersionSeqBits = 20;

}  // namespace shoal::cluster
