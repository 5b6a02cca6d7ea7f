// LatencyHistogram tests: the bucket layout (tiling, width bound), and RapidCheck properties
// against an exact model (a sorted vector of the recorded values): count, min, max, sum,
// percentiles within the documented relative error and never below the truth, CountAtOrBelow,
// and Merge equal to recording everything into one histogram.
#include "core/stats/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal {
namespace {

using H = LatencyHistogram;

// Values spread over every magnitude: a random bit length, then random bits below it.
rc::Gen<std::uint64_t> AnyValue() {
  return rc::gen::mapcat(rc::gen::inRange(0, 44), [](int bits) {
    const std::uint64_t limit = bits == 0 ? 1 : (std::uint64_t{1} << bits);
    return rc::gen::map(rc::gen::arbitrary<std::uint64_t>(),
                        [limit](std::uint64_t v) { return v % limit; });
  });
}

// The exact answer the histogram approximates: the ceil(p% * n)-th smallest value.
std::uint64_t ExactPercentile(std::vector<std::uint64_t> sorted, double p) {
  const double exact = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  std::size_t rank = exact < 1.0 ? 1 : static_cast<std::size_t>(exact);
  rank = std::min(rank, sorted.size());
  return sorted[rank - 1];
}

std::uint64_t Clamp(std::uint64_t v) { return std::min(v, H::kValueMax); }

TEST(LatencyHistogram, EmptyReportsZero) {
  H h;
  EXPECT_EQ(h.Count(), 0u);
  EXPECT_EQ(h.Min(), 0u);
  EXPECT_EQ(h.Max(), 0u);
  EXPECT_EQ(h.Sum(), 0u);
  EXPECT_EQ(h.ValueAtPercentile(50), 0u);
  EXPECT_EQ(h.ValueAtPercentile(100), 0u);
  EXPECT_EQ(h.CountAtOrBelow(H::kValueMax), 0u);
  int buckets = 0;
  h.ForEachBucket([&](std::uint64_t, std::uint64_t, std::uint64_t) { ++buckets; });
  EXPECT_EQ(buckets, 0);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithBoundedWidth) {
  EXPECT_EQ(H::BucketLowest(0), 0u);
  EXPECT_EQ(H::BucketHighest(H::kBucketCount - 1), H::kValueMax);
  for (std::size_t i = 0; i < H::kBucketCount; ++i) {
    const std::uint64_t lo = H::BucketLowest(i);
    const std::uint64_t hi = H::BucketHighest(i);
    ASSERT_LE(lo, hi) << i;
    ASSERT_EQ(H::BucketIndex(lo), i);
    ASSERT_EQ(H::BucketIndex(hi), i);
    // Width bound: a bucket spans at most lowest/kSubBuckets values beyond its first.
    ASSERT_LE((hi - lo) * H::kSubBuckets, std::max<std::uint64_t>(lo, 1)) << i;
    if (i + 1 < H::kBucketCount) {
      ASSERT_EQ(hi + 1, H::BucketLowest(i + 1)) << i;
    }
  }
  // Small values are exact; powers of two start a bucket.
  for (std::uint64_t v = 0; v < 2 * H::kSubBuckets; ++v) EXPECT_EQ(H::BucketLowest(v), v);
  for (int b = 0; b < H::kValueBits; ++b) {
    const std::uint64_t v = std::uint64_t{1} << b;
    EXPECT_EQ(H::BucketLowest(H::BucketIndex(v)), v);
  }
}

TEST(LatencyHistogram, KnownValues) {
  H h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.Record(v * 1000);  // 1 us .. 100 us in ns
  EXPECT_EQ(h.Count(), 100u);
  EXPECT_EQ(h.Min(), 1000u);
  EXPECT_EQ(h.Max(), 100000u);
  EXPECT_EQ(h.Sum(), 5050u * 1000);
  const std::uint64_t p50 = h.ValueAtPercentile(50);
  EXPECT_GE(p50, 50000u);
  EXPECT_LE(p50, 50000u + 50000u / H::kSubBuckets);
  EXPECT_EQ(h.ValueAtPercentile(0), 1000u);
  EXPECT_EQ(h.ValueAtPercentile(100), 100000u);
  EXPECT_EQ(h.ValueAtPercentile(99.9), 100000u);  // rank 100 of 100: clamped to Max()
  EXPECT_EQ(h.CountAtOrBelow(65535), 65u);        // 65536 starts a bucket: exact
}

TEST(LatencyHistogram, ClampsAboveTheRange) {
  H h;
  h.Record(~std::uint64_t{0});
  h.Record(H::kValueMax + 1);
  EXPECT_EQ(h.Count(), 2u);
  EXPECT_EQ(h.Max(), H::kValueMax);
  EXPECT_EQ(h.ValueAtPercentile(50), H::kValueMax);
  EXPECT_EQ(h.Sum(), 2 * H::kValueMax);
}

TEST(LatencyHistogram, SumSaturates) {
  H h;
  h.Record(H::kValueMax, ~std::uint64_t{0} / 2);
  h.Record(H::kValueMax, 1);
  EXPECT_EQ(h.Sum(), ~std::uint64_t{0});
}

TEST(LatencyHistogram, ResetForgetsEverything) {
  H h;
  h.Record(5);
  h.Record(123456);
  h.Reset();
  EXPECT_EQ(h, H());
}

RC_GTEST_PROP(LatencyHistogram, MatchesAnExactModel, ()) {
  const auto values =
      *rc::gen::nonEmpty(rc::gen::container<std::vector<std::uint64_t>>(AnyValue()));
  H h;
  std::vector<std::uint64_t> sorted;
  std::uint64_t sum = 0;
  for (std::uint64_t v : values) {
    h.Record(v);
    sorted.push_back(Clamp(v));
    sum += Clamp(v);
  }
  std::sort(sorted.begin(), sorted.end());
  RC_ASSERT(h.Count() == sorted.size());
  RC_ASSERT(h.Min() == sorted.front());
  RC_ASSERT(h.Max() == sorted.back());
  RC_ASSERT(h.Sum() == sum);
  for (double p : {0.0, 1.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    const std::uint64_t truth = ExactPercentile(sorted, p);
    const std::uint64_t got = h.ValueAtPercentile(p);
    RC_ASSERT(got >= truth);                             // never an underestimate
    RC_ASSERT((got - truth) * H::kSubBuckets <= truth);  // within 1/kSubBuckets of the truth
  }
  // Bucket iteration adds up, in order.
  std::uint64_t total = 0;
  std::uint64_t previous_highest = 0;
  bool first = true;
  h.ForEachBucket([&](std::uint64_t lowest, std::uint64_t highest, std::uint64_t count) {
    RC_ASSERT(count > 0u);
    RC_ASSERT(first || lowest > previous_highest);
    first = false;
    previous_highest = highest;
    total += count;
  });
  RC_ASSERT(total == h.Count());
}

RC_GTEST_PROP(LatencyHistogram, CountAtOrBelowBracketsTheTruth, ()) {
  const auto values = *rc::gen::container<std::vector<std::uint64_t>>(AnyValue());
  const std::uint64_t bound = *AnyValue();
  H h;
  for (std::uint64_t v : values) h.Record(v);
  auto at_or_below = [&](std::uint64_t x) {
    return static_cast<std::uint64_t>(std::count_if(
        values.begin(), values.end(), [&](std::uint64_t v) { return Clamp(v) <= x; }));
  };
  const std::uint64_t got = h.CountAtOrBelow(bound);
  RC_ASSERT(got <= at_or_below(bound));
  const std::uint64_t clamped = Clamp(bound);
  const std::uint64_t own_lowest = H::BucketLowest(H::BucketIndex(clamped));
  RC_ASSERT(got >= (own_lowest == 0 ? 0 : at_or_below(own_lowest - 1)));
  // Exact at bucket boundaries.
  const std::uint64_t boundary = H::BucketHighest(H::BucketIndex(clamped));
  RC_ASSERT(h.CountAtOrBelow(boundary) == at_or_below(boundary));
}

RC_GTEST_PROP(LatencyHistogram, MergeEqualsRecordingEverythingInOne, ()) {
  const auto a = *rc::gen::container<std::vector<std::uint64_t>>(AnyValue());
  const auto b = *rc::gen::container<std::vector<std::uint64_t>>(AnyValue());
  H ha, hb, all;
  for (std::uint64_t v : a) {
    ha.Record(v);
    all.Record(v);
  }
  for (std::uint64_t v : b) {
    hb.Record(v);
    all.Record(v);
  }
  H merged = ha;
  merged.Merge(hb);
  RC_ASSERT(merged == all);
  H reversed = hb;
  reversed.Merge(ha);
  RC_ASSERT(reversed == all);
}

RC_GTEST_PROP(LatencyHistogram, RecordNEqualsRepeatedRecord, ()) {
  const std::uint64_t v = *AnyValue();
  const std::uint64_t n = *rc::gen::inRange<std::uint64_t>(0, 200);
  H once, repeated;
  once.Record(v, n);
  for (std::uint64_t i = 0; i < n; ++i) repeated.Record(v);
  RC_ASSERT(once == repeated);
}

}  // namespace
}  // namespace shoal
