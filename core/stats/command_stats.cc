#include "core/stats/command_stats.h"

#include <algorithm>

#include "core/limits.h"

namespace shoal {

void CommandStats::Reset() {
  for (CommandStat& s : stats_) {
    s.calls = 0;
    s.failed = 0;
    s.rejected = 0;
    if (s.latency != nullptr) s.latency->Reset();
  }
}

std::string_view ErrorStats::Prefix(std::string_view error) {
  const std::size_t space = error.find(' ');
  std::string_view prefix = error.substr(0, space);
  if (prefix.size() > limits::kErrorPrefixBytesMax) {
    prefix = prefix.substr(0, limits::kErrorPrefixBytesMax);
  }
  return prefix;
}

void ErrorStats::Count(std::string_view error) {
  total_++;
  const std::string_view prefix = Prefix(error);
  auto it = std::lower_bound(kinds_.begin(), kinds_.end(), prefix,
                             [](const auto& kind, std::string_view p) { return kind.first < p; });
  if (it != kinds_.end() && it->first == prefix) {
    it->second++;
    return;
  }
  if (kinds_.size() >= limits::kErrorKindsMax) return;
  kinds_.insert(it, {std::string(prefix), 1});
}

void ErrorStats::Reset() {
  total_ = 0;
  kinds_.clear();
}

}  // namespace shoal
