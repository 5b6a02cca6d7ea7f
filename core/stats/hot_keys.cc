#include "core/stats/hot_keys.h"

#include <algorithm>

#include "core/result.h"

namespace shoal {

HotKeys::HotKeys(std::size_t capacity, std::uint32_t sample_every, std::int64_t half_life_ms,
                 std::uint64_t seed)
    : capacity_(capacity),
      sample_every_(sample_every),
      half_life_ms_(half_life_ms),
      rng_(seed | 1) {  // xorshift must not start at 0
  SHOAL_ASSERT(capacity >= 1 && sample_every >= 1 && half_life_ms >= 1);
  keys_.reserve(capacity_);
  counts_.reserve(capacity_);
  errors_.reserve(capacity_);
  index_.reserve(capacity_);
  countdown_ = NextSkip();
}

std::uint32_t HotKeys::NextSkip() {
  if (sample_every_ == 1) return 1;
  // xorshift64*: cheap and good enough to keep the schedule from aliasing with periodic traffic.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  const std::uint64_t r = rng_ * 0x2545F4914F6CDD1DULL;
  const std::uint64_t span = 2 * static_cast<std::uint64_t>(sample_every_) - 1;
  return static_cast<std::uint32_t>(1 + (r >> 32) % span);  // uniform in [1, span]: mean N
}

void HotKeys::Offer(std::string_view key) {
  if (auto it = index_.find(key); it != index_.end()) {
    counts_[it->second]++;
    return;
  }
  if (keys_.size() < capacity_) {
    keys_.emplace_back(key);  // no reallocation: capacity reserved
    counts_.push_back(1);
    errors_.push_back(0);
    index_.emplace(keys_.back(), static_cast<std::uint32_t>(keys_.size() - 1));
    return;
  }
  // Replace the smallest count (the first in position order on ties: deterministic).
  const auto victim =
      static_cast<std::size_t>(std::min_element(counts_.begin(), counts_.end()) - counts_.begin());
  index_.erase(std::string_view(keys_[victim]));
  keys_[victim].assign(key.data(), key.size());
  errors_[victim] = counts_[victim];
  counts_[victim]++;
  index_.emplace(keys_[victim], static_cast<std::uint32_t>(victim));
}

void HotKeys::Tick(TimeMs now) {
  if (next_decay_at_ == 0) next_decay_at_ = now + half_life_ms_;
  if (now < next_decay_at_) return;
  next_decay_at_ = now + half_life_ms_;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    const std::uint64_t count = counts_[i] / 2;
    if (count == 0) continue;
    const std::uint64_t error = std::min(errors_[i] / 2, count - 1);
    if (kept != i) keys_[kept] = std::move(keys_[i]);
    counts_[kept] = count;
    errors_[kept] = error;
    ++kept;
  }
  keys_.resize(kept);
  counts_.resize(kept);
  errors_.resize(kept);
  RebuildIndex();  // moved strings (short ones live inline) invalidate the views
}

void HotKeys::Reset() {
  keys_.clear();
  counts_.clear();
  errors_.clear();
  index_.clear();
}

void HotKeys::RebuildIndex() {
  index_.clear();
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    index_.emplace(keys_[i], static_cast<std::uint32_t>(i));
  }
}

std::vector<HotKeys::Hot> HotKeys::Top(std::size_t n) const {
  std::vector<std::size_t> order(keys_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const std::size_t k = std::min(n, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [this](std::size_t a, std::size_t b) {
                      return counts_[a] != counts_[b] ? counts_[a] > counts_[b]
                                                      : keys_[a] < keys_[b];
                    });
  std::vector<Hot> top;
  top.reserve(k);
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t e = order[i];
    top.push_back(Hot{keys_[e], counts_[e] * sample_every_, errors_[e] * sample_every_});
  }
  return top;
}

}  // namespace shoal
