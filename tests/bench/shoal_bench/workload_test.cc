// shoal-bench's workload: the Zipf sampler against the exact distribution, the uniform and
// Gaussian key ranks, the read/write mix, value sizes, TTL share, key names and seeding. Seeded
// generators: every figure here is the same on every run.
#include "bench/shoal_bench/workload.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace shoal::bench {
namespace {

constexpr int kSamples = 200000;

// P(rank r) for Zipf over 1..n with exponent s.
std::vector<double> ZipfProbabilities(std::uint64_t n, double s) {
  std::vector<double> p(n + 1, 0.0);
  double total = 0;
  for (std::uint64_t r = 1; r <= n; ++r) total += p[r] = std::pow(static_cast<double>(r), -s);
  for (double& x : p) x /= total;
  return p;
}

TEST(ZipfSamplerTest, MatchesTheExactDistribution) {
  for (double s : {0.5, 0.99, 1.0, 1.5}) {
    constexpr std::uint64_t kN = 1000;
    const ZipfSampler zipf(kN, s);
    std::mt19937_64 rng(7);
    std::vector<int> counts(kN + 1, 0);
    for (int i = 0; i < kSamples; ++i) {
      const std::uint64_t r = zipf.Sample(rng);
      ASSERT_GE(r, 1u);
      ASSERT_LE(r, kN);
      counts[r]++;
    }
    const std::vector<double> p = ZipfProbabilities(kN, s);
    // The head ranks, each within 5 standard deviations of its binomial expectation.
    for (std::uint64_t r : {1, 2, 3, 10, 100}) {
      const double expected = p[r] * kSamples;
      const double sd = std::sqrt(expected * (1 - p[r]));
      EXPECT_NEAR(counts[r], expected, 5 * sd + 1) << "s " << s << " rank " << r;
    }
  }
}

TEST(ZipfSamplerTest, OneKeyAndHugeKeySpaces) {
  std::mt19937_64 rng(1);
  const ZipfSampler one(1, 0.99);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(one.Sample(rng), 1u);
  const ZipfSampler huge(std::uint64_t{1} << 40, 1.2);
  for (int i = 0; i < 1000; ++i) EXPECT_LE(huge.Sample(rng), std::uint64_t{1} << 40);
}

TEST(WorkloadTest, UniformAndGaussianRanksStayInTheKeySpace) {
  WorkloadOptions options;
  options.keys = 1000;
  Workload uniform(options);
  double sum = 0;
  for (int i = 0; i < kSamples; ++i) {
    const std::uint64_t r = uniform.NextRank();
    ASSERT_LT(r, 1000u);
    sum += static_cast<double>(r);
  }
  EXPECT_NEAR(sum / kSamples, 499.5, 5);
  options.distribution = KeyDistribution::kGaussian;
  options.gaussian_sd_fraction = 0.05;
  Workload gaussian(options);
  double total = 0, squares = 0;
  for (int i = 0; i < kSamples; ++i) {
    const double r = static_cast<double>(gaussian.NextRank());
    ASSERT_LT(r, 1000);
    total += r;
    squares += r * r;
  }
  const double mean = total / kSamples;
  EXPECT_NEAR(mean, 500, 1);
  EXPECT_NEAR(std::sqrt(squares / kSamples - mean * mean), 50, 1);
}

TEST(WorkloadTest, MixValueSizesTtlShareAndSeeds) {
  WorkloadOptions options;
  options.read_ratio = 0.3;
  options.value_bytes_min = 10;
  options.value_bytes_max = 20;
  options.ttl_share = 0.25;
  options.seed = 42;
  Workload workload(options);
  int reads = 0, writes = 0, with_ttl = 0;
  std::vector<int> sizes(21, 0);
  for (int i = 0; i < kSamples; ++i) {
    const Workload::Op op = workload.Next();
    ASSERT_EQ(op.key.rfind("key:", 0), 0u);
    ASSERT_EQ(op.key.size(), 4u + 12u);
    if (op.read) {
      reads++;
      EXPECT_FALSE(op.with_ttl);
      continue;
    }
    writes++;
    ASSERT_GE(op.value.size(), 10u);
    ASSERT_LE(op.value.size(), 20u);
    sizes[op.value.size()]++;
    if (op.with_ttl) with_ttl++;
  }
  EXPECT_NEAR(static_cast<double>(reads) / kSamples, 0.3, 0.01);
  EXPECT_NEAR(static_cast<double>(with_ttl) / writes, 0.25, 0.01);
  EXPECT_GT(sizes[10], 0);  // both ends of the range occur
  EXPECT_GT(sizes[20], 0);
  // One seed, one sequence; another seed, another.
  Workload a(options), b(options);
  options.seed = 43;
  Workload c(options);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const Workload::Op x = a.Next(), y = b.Next(), z = c.Next();
    EXPECT_EQ(x.key, y.key);
    EXPECT_EQ(x.read, y.read);
    differs = differs || x.key != z.key;
  }
  EXPECT_TRUE(differs);
}

TEST(WorkloadTest, KeyNamesAreRedisBenchmarksFormat) {
  EXPECT_EQ(KeyName("key:", 42), "key:000000000042");  // redis-benchmark -r: key:__rand_int__
  EXPECT_EQ(KeyName("", 0), "000000000000");
  EXPECT_EQ(KeyName("p", 1234567890123), "p1234567890123");
}

}  // namespace
}  // namespace shoal::bench
