#include "core/stats/latency_histogram.h"

#include <cmath>

namespace shoal {

std::uint64_t LatencyHistogram::BucketLowest(std::size_t index) {
  if (index < 2 * kSubBuckets) return index;  // width 1 below 2^(kSubBucketBits + 1)
  const int shift = static_cast<int>(index >> kSubBucketBits) - 1;
  const std::uint64_t mantissa = index - (static_cast<std::uint64_t>(shift) << kSubBucketBits);
  return mantissa << shift;
}

std::uint64_t LatencyHistogram::BucketHighest(std::size_t index) {
  if (index < 2 * kSubBuckets) return index;
  const int shift = static_cast<int>(index >> kSubBucketBits) - 1;
  return BucketLowest(index) + (std::uint64_t{1} << shift) - 1;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  if (other.min_ < min_) min_ = other.min_;
  if (other.max_ > max_) max_ = other.max_;
  count_ += other.count_;
  if (__builtin_add_overflow(sum_, other.sum_, &sum_)) sum_ = kSumMax;
}

void LatencyHistogram::Reset() { *this = LatencyHistogram(); }

std::uint64_t LatencyHistogram::ValueAtPercentile(double p) const {
  if (count_ == 0) return 0;
  if (!(p > 0.0)) return min_;  // also NaN
  if (p >= 100.0) return max_;
  // The rank of the value asked for: ceil(p% of count), at least 1 (Redis and HdrHistogram use
  // the same definition).
  const double exact = std::ceil(p / 100.0 * static_cast<double>(count_));
  std::uint64_t rank = exact < 1.0 ? 1 : static_cast<std::uint64_t>(exact);
  if (rank > count_) rank = count_;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const std::uint64_t highest = BucketHighest(i);
      if (highest > max_) return max_;
      return highest < min_ ? min_ : highest;
    }
  }
  return max_;  // not reached: the counts add up to count_ (invariant 1)
}

std::uint64_t LatencyHistogram::CountAtOrBelow(std::uint64_t value) const {
  if (value >= kValueMax) return count_;
  std::size_t end = BucketIndex(value);  // buckets [0, end) lie entirely below value
  if (BucketHighest(end) == value) ++end;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < end; ++i) total += counts_[i];
  return total;
}

}  // namespace shoal
