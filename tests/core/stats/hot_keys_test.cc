// HotKeys tests: the space-saving guarantees against an exact count (RapidCheck, sampling off),
// the capacity bound, deterministic order, sampling close to its mean rate, estimates of a known
// skewed workload with sampling on, and the halving decay.
#include "core/stats/hot_keys.h"

#include <map>
#include <string>
#include <vector>

#include "core/limits.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal {
namespace {

constexpr std::int64_t kHalfLife = 60'000;

RC_GTEST_PROP(HotKeys, SpaceSavingGuarantees, ()) {
  const std::size_t capacity = *rc::gen::inRange<std::size_t>(1, 12);
  const auto keys = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 40));
  HotKeys sketch(capacity, 1, kHalfLife, 7);
  std::map<std::string, std::uint64_t> truth;
  for (int k : keys) {
    const std::string key = "k" + std::to_string(k);
    sketch.Offer(key);
    truth[key]++;
  }
  RC_ASSERT(sketch.size() <= capacity);
  const std::vector<HotKeys::Hot> top = sketch.Top(capacity);
  RC_ASSERT(top.size() == sketch.size());
  for (const HotKeys::Hot& hot : top) {
    // count - error <= true <= count
    RC_ASSERT(hot.accesses >= truth[hot.key]);
    RC_ASSERT(hot.accesses - hot.error <= truth[hot.key]);
    RC_ASSERT(hot.error < hot.accesses);
  }
  // Every key seen more than n / capacity times is kept.
  for (const auto& [key, count] : truth) {
    if (count * capacity > keys.size()) {
      bool kept = false;
      for (const HotKeys::Hot& hot : top) kept = kept || hot.key == key;
      RC_ASSERT(kept);
    }
  }
  // Hottest first, ties by key.
  for (std::size_t i = 1; i < top.size(); ++i) {
    RC_ASSERT(top[i - 1].accesses > top[i].accesses ||
              (top[i - 1].accesses == top[i].accesses && top[i - 1].key < top[i].key));
  }
}

TEST(HotKeys, SamplingRunsAtItsMeanRate) {
  HotKeys sketch(4, 16, kHalfLife, 42);
  for (int i = 0; i < 160'000; ++i) sketch.Access("only");
  const std::vector<HotKeys::Hot> top = sketch.Top(1);
  ASSERT_EQ(top.size(), 1u);
  // 10,000 samples expected, each worth 16 accesses: within 3%.
  EXPECT_NEAR(static_cast<double>(top[0].accesses), 160'000.0, 160'000.0 * 0.03);
}

TEST(HotKeys, FindsTheHotKeysOfASkewedWorkload) {
  HotKeys sketch(limits::kHotKeysTracked, 16, kHalfLife, 1);  // denser than the default
  // Two hot keys among 5,000 cold ones, interleaved.
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 5000; ++i) {
      sketch.Access("cold:" + std::to_string(i));
      if (i % 10 == 0) sketch.Access("hot:a");
      if (i % 20 == 0) sketch.Access("hot:b");
    }
  }
  const std::vector<HotKeys::Hot> top = sketch.Top(2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].key, "hot:a");  // 10,000 accesses
  EXPECT_EQ(top[1].key, "hot:b");  // 5,000 accesses
  EXPECT_NEAR(static_cast<double>(top[0].accesses), 10'000.0, 2'500.0);
  EXPECT_NEAR(static_cast<double>(top[1].accesses), 5'000.0, 1'500.0);
}

TEST(HotKeys, CountsHalveEveryHalfLife) {
  HotKeys sketch(8, 1, kHalfLife, 3);
  for (int i = 0; i < 8; ++i) sketch.Offer("a");
  sketch.Offer("b");
  sketch.Tick(1000);  // starts the clock
  sketch.Tick(1000 + kHalfLife - 1);
  EXPECT_EQ(sketch.Top(1)[0].accesses, 8u);
  sketch.Tick(1000 + kHalfLife);
  ASSERT_EQ(sketch.size(), 1u);  // "b" (1) halved to 0 and dropped
  EXPECT_EQ(sketch.Top(1)[0].accesses, 4u);
  sketch.Offer("a");  // the index still works after the entries moved
  sketch.Offer("c");
  EXPECT_EQ(sketch.Top(1)[0].accesses, 5u);
  EXPECT_EQ(sketch.size(), 2u);
  sketch.Reset();
  EXPECT_EQ(sketch.size(), 0u);
}

TEST(HotKeys, KeepsBinaryAndLongKeysWhole) {
  HotKeys sketch(2, 1, kHalfLife, 3);
  const std::string binary("\0\xff\"\n", 4);
  const std::string long_key(limits::kKeyBytesMax, 'x');
  sketch.Offer(binary);
  sketch.Offer(binary);
  sketch.Offer(long_key);
  const std::vector<HotKeys::Hot> top = sketch.Top(5);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].key, binary);
  EXPECT_EQ(top[1].key, long_key);
}

}  // namespace
}  // namespace shoal
