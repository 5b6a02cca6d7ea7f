#include "core/store/eviction_kind.h"

namespace shoal {

std::string_view EvictionKindName(EvictionKind kind) {
  switch (kind) {
    case EvictionKind::kLru:
      return "lru";
    case EvictionKind::kSieve:
      return "sieve";
    case EvictionKind::kS3Fifo:
      return "s3fifo";
    case EvictionKind::kNoEviction:
      return "noeviction";
  }
  return "unknown";
}

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::optional<EvictionKind> ParseEvictionKind(std::string_view name) {
  if (EqualsIgnoreCase(name, "lru") || EqualsIgnoreCase(name, "allkeys-lru")) {
    return EvictionKind::kLru;
  }
  if (EqualsIgnoreCase(name, "sieve")) return EvictionKind::kSieve;
  if (EqualsIgnoreCase(name, "s3fifo") || EqualsIgnoreCase(name, "s3-fifo")) {
    return EvictionKind::kS3Fifo;
  }
  if (EqualsIgnoreCase(name, "noeviction")) return EvictionKind::kNoEviction;
  return std::nullopt;
}

}  // namespace shoal
