// LatencyHistogram: a fixed-size, mergeable log-linear histogram of non-negative integers (the
// HdrHistogram layout), for latencies. It is pure data and arithmetic: no clock, no allocation,
// no I/O, so the server (per command, nanoseconds), the simulator and the load generator
// (shoal-bench) all record into the same type and merge each other's histograms exactly.
//
// Layout: values below 2 * kSubBuckets are counted exactly; every power of two [2^m, 2^(m+1))
// above that is split into kSubBuckets equal buckets of width 2^(m - kSubBucketBits). So a bucket
// is at most 1/kSubBuckets (3.1%) of its lowest value wide, and any value the histogram reports is
// within that relative error of a recorded value. Memory is fixed: kBucketCount 64-bit counters (9
// KiB).
//
//   LatencyHistogram h;
//   h.Record(1830);                         // e.g. nanoseconds
//   h.ValueAtPercentile(99.0);              // never below the true p99, at most 3.1% above it
//   h.CountAtOrBelow(1'000'000);            // for Prometheus "le" buckets
//   h.ForEachBucket([](uint64_t lowest, uint64_t highest, uint64_t count) { ... });
//
// Thread safety: none (a plain value type; copy it to hand it to another thread).
// Invariants:
//   1. Count() == the sum of every bucket's count == the number of values recorded (or merged).
//   2. Values above kValueMax are recorded as kValueMax (Min, Max and Sum see the clamped value).
//   3. Buckets tile [0, kValueMax] without gaps: BucketHighest(i) + 1 == BucketLowest(i + 1).
//   4. Empty: Count() == 0, Min() == 0, Max() == 0, Sum() == 0, every percentile 0.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace shoal {

class LatencyHistogram {
 public:
  // 2^5 = 32 buckets per power of two: relative resolution 1/32 = 3.125%.
  static constexpr int kSubBucketBits = 5;
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;
  // Largest value kept apart: 2^40 - 1 (as nanoseconds, about 18 minutes).
  static constexpr int kValueBits = 40;
  static constexpr std::uint64_t kValueMax = (std::uint64_t{1} << kValueBits) - 1;
  static constexpr std::size_t kBucketCount =
      static_cast<std::size_t>(kSubBuckets) * (kValueBits - kSubBucketBits + 1);

  // Records one value (clamped to kValueMax). Constant time, branch-light: this runs once per
  // command on the server's hot path.
  void Record(std::uint64_t value) {
    if (value > kValueMax) value = kValueMax;
    counts_[BucketIndex(value)]++;
    count_++;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
    if (__builtin_add_overflow(sum_, value, &sum_)) [[unlikely]]
      sum_ = kSumMax;
  }
  // Records `count` occurrences of one value.
  void Record(std::uint64_t value, std::uint64_t count) {
    if (count == 0) return;
    if (value > kValueMax) value = kValueMax;
    counts_[BucketIndex(value)] += count;
    count_ += count;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
    std::uint64_t added = 0;
    if (__builtin_mul_overflow(value, count, &added) ||
        __builtin_add_overflow(sum_, added, &sum_)) {
      sum_ = kSumMax;
    }
  }
  // Adds every value recorded in `other` (exact: both share one layout).
  void Merge(const LatencyHistogram& other);
  // Forgets every value.
  void Reset();

  std::uint64_t Count() const { return count_; }
  std::uint64_t Min() const { return count_ == 0 ? 0 : min_; }  // min_ is kValueMax + 1 if empty
  std::uint64_t Max() const { return max_; }
  // Sum of the recorded values, saturating at UINT64_MAX.
  std::uint64_t Sum() const { return sum_; }

  // The value at percentile p (0..100; out-of-range p is clamped): the highest value of the bucket
  // holding the ceil(p% * Count())-th smallest value, clamped to [Min(), Max()]. p <= 0 gives
  // Min(), p >= 100 gives Max(). Never below the true percentile, at most 1/kSubBuckets above it.
  std::uint64_t ValueAtPercentile(double p) const;

  // The number of recorded values whose bucket lies entirely at or below `value`. Exact when
  // value + 1 is a bucket boundary (e.g. a power of two minus one); otherwise it leaves out only
  // the values in value's own bucket, which are within 1/kSubBuckets of it.
  std::uint64_t CountAtOrBelow(std::uint64_t value) const;

  // Calls f(lowest, highest, count) for every non-empty bucket, in increasing order.
  template <class F>
  void ForEachBucket(F&& f) const {
    for (std::size_t i = 0; i < kBucketCount; ++i) {
      if (counts_[i] != 0) f(BucketLowest(i), BucketHighest(i), counts_[i]);
    }
  }

  // The bucket of a value (REQUIRES: value <= kValueMax) and the value range of a bucket.
  static std::size_t BucketIndex(std::uint64_t value) {
    // shift = how many low bits the bucket ignores: 0 below 2^(kSubBucketBits+1), then one more
    // per power of two. index = (shift << kSubBucketBits) + (value >> shift).
    const int magnitude = 63 - __builtin_clzll(value | 1);
    const int shift = magnitude > kSubBucketBits ? magnitude - kSubBucketBits : 0;
    return (static_cast<std::size_t>(shift) << kSubBucketBits) +
           static_cast<std::size_t>(value >> shift);
  }
  static std::uint64_t BucketLowest(std::size_t index);
  static std::uint64_t BucketHighest(std::size_t index);

  bool operator==(const LatencyHistogram& other) const = default;

 private:
  static constexpr std::uint64_t kSumMax = ~std::uint64_t{0};

  std::array<std::uint64_t, kBucketCount> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = kValueMax + 1;  // above any recorded value until the first one
  std::uint64_t max_ = 0;
};

static_assert(LatencyHistogram::kBucketCount == 1152);

}  // namespace shoal
