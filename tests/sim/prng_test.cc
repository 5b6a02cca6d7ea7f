#include "sim/prng.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::sim {
namespace {

// Golden values: if these change, every recorded seed replays differently. Change only on purpose.
TEST(PrngTest, GoldenValuesForSeedOne) {
  Prng prng(1);
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 4; ++i) got.push_back(prng.Next());
  const std::vector<std::uint64_t> want = {0xB3F2AF6D0FC710C5ULL, 0x853B559647364CEAULL,
                                           0x92F89756082A4514ULL, 0x642E1C7BC266A3A7ULL};
  EXPECT_EQ(got, want);
  Prng p2(42);
  EXPECT_EQ(p2.Below(1000), 742u);
  EXPECT_EQ(p2.Range(-50, 50), 6);
  EXPECT_EQ(p2.Exponential(100), 38);
}

TEST(PrngTest, SplitMix64KnownValue) {
  // splitmix64 from state 0: the reference implementation's first output.
  std::uint64_t state = 0;
  EXPECT_EQ(SplitMix64(state), 0xE220A8397B1DCDAFULL);
}

RC_GTEST_PROP(PrngTest, SameSeedSameStream, (std::uint64_t seed)) {
  Prng a(seed), b(seed);
  for (int i = 0; i < 64; ++i) RC_ASSERT(a.Next() == b.Next());
}

RC_GTEST_PROP(PrngTest, BelowStaysInBounds, (std::uint64_t seed, std::uint64_t bound)) {
  RC_PRE(bound > 0);
  Prng prng(seed);
  for (int i = 0; i < 32; ++i) RC_ASSERT(prng.Below(bound) < bound);
}

RC_GTEST_PROP(PrngTest, RangeIsInclusive,
              (std::uint64_t seed, std::int32_t lo, std::uint16_t span)) {
  Prng prng(seed);
  const std::int64_t hi = static_cast<std::int64_t>(lo) + span;
  for (int i = 0; i < 32; ++i) {
    const std::int64_t v = prng.Range(lo, hi);
    RC_ASSERT(v >= lo);
    RC_ASSERT(v <= hi);
  }
}

TEST(PrngTest, BelowIsRoughlyUniform) {
  Prng prng(7);
  constexpr int kBuckets = 10;
  constexpr int kDraws = 100000;
  int counts[kBuckets] = {};
  for (int i = 0; i < kDraws; ++i) counts[prng.Below(kBuckets)]++;
  for (int c : counts) {
    EXPECT_GT(c, kDraws / kBuckets * 95 / 100);
    EXPECT_LT(c, kDraws / kBuckets * 105 / 100);
  }
}

TEST(PrngTest, ChanceMatchesItsProbability) {
  Prng prng(11);
  int hits = 0;
  for (int i = 0; i < 100000; ++i) hits += prng.ChancePpm(250000) ? 1 : 0;
  EXPECT_GT(hits, 24000);
  EXPECT_LT(hits, 26000);
  EXPECT_FALSE(prng.Chance(0, 5));
  EXPECT_TRUE(prng.Chance(5, 5));
}

TEST(PrngTest, ExponentialHasItsMeanAndATail) {
  Prng prng(3);
  std::int64_t sum = 0, max = 0;
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    const std::int64_t v = prng.Exponential(1000);
    ASSERT_GE(v, 0);
    sum += v;
    max = std::max(max, v);
  }
  EXPECT_GT(sum / kDraws, 970);
  EXPECT_LT(sum / kDraws, 1030);
  EXPECT_GT(max, 5000);  // a tail exists
  EXPECT_LE(max, 6400);  // bounded by the table
  EXPECT_EQ(prng.Exponential(0), 0);
}

TEST(PrngTest, LatencyRespectsItsBounds) {
  Prng prng(5);
  for (int i = 0; i < 10000; ++i) {
    const std::int64_t v = prng.Latency(2, 8, 100000, 50, 300);
    EXPECT_GE(v, 2);
    EXPECT_LE(v, 8 + 300);
  }
}

TEST(PrngTest, ForkIsIndependentOfLaterDraws) {
  Prng a(9), b(9);
  Prng fa = a.Fork();
  Prng fb = b.Fork();
  a.Next();  // drawing from the parent does not disturb the fork
  EXPECT_EQ(fa.Next(), fb.Next());
}

}  // namespace
}  // namespace shoal::sim
