// The eviction policies a Store can be built with, chosen at start-up (--eviction).
#pragma once

#include <optional>
#include <string_view>

namespace shoal {

enum class EvictionKind {
  kLru,         // exact least-recently-used (intrusive list)
  kSieve,       // SIEVE (NSDI'24): FIFO queue + visited bit + moving hand; scan resistant
  kS3Fifo,      // S3-FIFO (SOSP'23): small FIFO, main FIFO, ghost queue
  kNoEviction,  // refuse writes with an OOM error when maxmemory is reached
};

// Names as the --eviction flag and CONFIG GET maxmemory-policy spell them.
std::string_view EvictionKindName(EvictionKind kind);
std::optional<EvictionKind> ParseEvictionKind(std::string_view name);

}  // namespace shoal
