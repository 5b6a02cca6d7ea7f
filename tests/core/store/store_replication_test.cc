// Tests of the Store features the replicated mode relies on: versions kept in items, the const
// and the expired-inclusive peeks, Scan (every item exactly once across rehashes, a resumable
// cursor), per-slot key counts, EraseSlotBelow, and the eviction listener.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/slot.h"
#include "core/store/item.h"
#include "core/store/store.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal {
namespace {

constexpr TimeMs kNow = 1'000'000;

TEST(StoreReplicationTest, VersionsLiveInTheItemAndSurviveRewrites) {
  Store store(StoreOptions{});
  ASSERT_TRUE(store.Set("k", "v1", kNoExpiry, kNow, 7));
  EXPECT_EQ(store.Peek("k", kNow)->version, 7u);
  ASSERT_TRUE(store.Set("k", "v2", kNoExpiry, kNow, 9));  // same layout: in place
  EXPECT_EQ(store.Peek("k", kNow)->version, 9u);
  ASSERT_TRUE(store.Set("k", "longer value", kNow + 500, kNow, 11));  // reallocated
  EXPECT_EQ(store.Peek("k", kNow)->version, 11u);
  EXPECT_EQ(store.Peek("k", kNow)->expire_at, kNow + 500);
  ASSERT_TRUE(store.SetExpiry("k", kNow + 900, kNow, 12));
  EXPECT_EQ(store.Peek("k", kNow)->version, 12u);
  ASSERT_TRUE(store.SetExpiry("k", kNoExpiry, kNow, 13));
  EXPECT_EQ(store.Peek("k", kNow)->version, 13u);
  EXPECT_EQ(store.Peek("k", kNow)->value, "longer value");
  // An unversioned item gains a version when asked to.
  ASSERT_TRUE(store.Set("plain", "x", kNoExpiry, kNow));
  EXPECT_EQ(store.Peek("plain", kNow)->version, 0u);
  ASSERT_TRUE(store.SetExpiry("plain", kNow + 100, kNow, 5));
  EXPECT_EQ(store.Peek("plain", kNow)->version, 5u);
  store.CheckInvariants();
}

TEST(StoreReplicationTest, AVersionCostsEightBytesBeforeMallocRounding) {
  using store_internal::ItemAllocBytes;
  EXPECT_EQ(ItemAllocBytes(16, 100, false, true), ItemAllocBytes(16, 100, false, false) + 8);
}

TEST(StoreReplicationTest, ConstPeekLeavesExpiredItemsInPlace) {
  Store store(StoreOptions{});
  ASSERT_TRUE(store.Set("k", "v", kNow + 10, kNow, 3));
  const Store& view = store;
  EXPECT_FALSE(view.Peek("k", kNow + 10).has_value());
  ASSERT_TRUE(view.PeekIncludingExpired("k").has_value());
  EXPECT_EQ(view.PeekIncludingExpired("k")->version, 3u);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_FALSE(store.Peek("k", kNow + 10).has_value());  // the mutable peek collects it
  EXPECT_EQ(store.size(), 0u);
}

TEST(StoreReplicationTest, SlotCountsFollowInsertsRemovalsEvictionsAndClear) {
  StoreOptions options;
  options.count_slots = true;
  options.maxmemory_bytes = 4096;
  Store store(options);
  std::map<std::uint16_t, int> expected;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "key:" + std::to_string(i);
    ASSERT_TRUE(store.Set(key, "value", kNoExpiry, kNow, i + 1));
  }
  store.CheckInvariants();  // checks every slot count against a recount
  EXPECT_GT(store.stats().evicted, 0u);
  EXPECT_TRUE(store.Delete("key:199", kNow));
  store.CheckInvariants();
  store.Clear();
  for (std::uint16_t s = 0; s < 100; ++s) EXPECT_EQ(store.SlotKeys(s), 0u);
}

TEST(StoreReplicationTest, EraseSlotBelowRemovesOnlyOlderItemsOfThatSlot) {
  StoreOptions options;
  options.count_slots = true;
  Store store(options);
  ASSERT_TRUE(store.Set("{a}1", "x", kNoExpiry, kNow, 5));
  ASSERT_TRUE(store.Set("{a}2", "x", kNoExpiry, kNow, 15));
  ASSERT_TRUE(store.Set("{b}1", "x", kNoExpiry, kNow, 5));
  EXPECT_EQ(store.EraseSlotBelow(KeySlot("{a}"), 10), 1u);
  EXPECT_FALSE(store.Peek("{a}1", kNow).has_value());
  EXPECT_TRUE(store.Peek("{a}2", kNow).has_value());
  EXPECT_TRUE(store.Peek("{b}1", kNow).has_value());
  EXPECT_EQ(store.SlotKeys(KeySlot("{a}")), 1u);
  store.CheckInvariants();
}

class RecordingListener : public EvictionListener {
 public:
  void OnEvicted(std::string_view key, std::uint64_t version) override {
    evicted.emplace_back(std::string(key), version);
  }
  std::vector<std::pair<std::string, std::uint64_t>> evicted;
};

TEST(StoreReplicationTest, EvictionListenerHearsEveryVictimWithItsVersion) {
  StoreOptions options;
  options.maxmemory_bytes = 2048;
  Store store(options);
  RecordingListener listener;
  store.SetEvictionListener(&listener);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(store.Set("k" + std::to_string(i), "value", kNoExpiry, kNow, 100 + i));
  }
  EXPECT_EQ(listener.evicted.size(), store.stats().evicted);
  ASSERT_FALSE(listener.evicted.empty());
  for (const auto& [key, version] : listener.evicted) {
    EXPECT_EQ("k" + std::to_string(version - 100), key);
    EXPECT_FALSE(store.Peek(key, kNow).has_value());
  }
  store.SetEvictionListener(nullptr);
}

// Scans the whole store in chunks of `chunk` visits; returns the keys in visit order.
std::vector<std::string> ScanAll(const Store& store, std::size_t chunk) {
  std::vector<std::string> keys;
  std::uint64_t cursor = 0;
  for (int calls = 0; cursor != Store::kScanDone; ++calls) {
    EXPECT_LT(calls, 100000);
    cursor = store.Scan(cursor, chunk, [&](const StoreEntry& e) {
      keys.emplace_back(e.key);
      return true;
    });
  }
  return keys;
}

TEST(StoreReplicationTest, ScanVisitsEveryItemOnceIncludingExpiredOnes) {
  Store store(StoreOptions{});
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(
        store.Set("k" + std::to_string(i), "v", i % 3 == 0 ? kNow + 1 : kNoExpiry, kNow, i + 1));
  }
  for (std::size_t chunk : {1, 7, 64, 5000}) {
    const std::vector<std::string> keys = ScanAll(store, chunk);
    EXPECT_EQ(keys.size(), 1000u) << chunk;
    EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), 1000u) << chunk;
  }
}

TEST(StoreReplicationTest, ScanStopsWhenTheVisitorHasEnough) {
  Store store(StoreOptions{});
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store.Set("k" + std::to_string(i), "v", 0, kNow));
  std::size_t visits = 0;
  const std::uint64_t cursor = store.Scan(0, 1000, [&](const StoreEntry&) {
    ++visits;
    return visits < 10;
  });
  EXPECT_NE(cursor, Store::kScanDone);
  EXPECT_GE(visits, 10u);
  EXPECT_LT(visits, 20u);  // at most the rest of one scan position
}

// Items present throughout are visited exactly once even when the table grows and shrinks
// between the calls of one scan; items written or deleted meanwhile at most once.
RC_GTEST_PROP(StoreReplicationProperty, ScanSurvivesRehashesBetweenCalls, ()) {
  Store store(StoreOptions{});
  const int stable = *rc::gen::inRange(0, 300);
  for (int i = 0; i < stable; ++i) {
    RC_ASSERT(store.Set("stable" + std::to_string(i), "v", kNoExpiry, kNow).has_value());
  }
  const std::size_t chunk = *rc::gen::inRange<std::size_t>(1, 50);
  std::map<std::string, int> seen;
  std::uint64_t cursor = 0;
  int churn = 0;
  while (cursor != Store::kScanDone) {
    cursor = store.Scan(cursor, chunk, [&](const StoreEntry& e) {
      ++seen[std::string(e.key)];
      return true;
    });
    // Grow or shrink the table a lot between calls.
    // (Bounded: the table must not outgrow the scan, which advances by at least one position.)
    const int delta = churn > 1500 ? -churn : *rc::gen::inRange(-200, 400);
    if (delta > 0) {
      for (int i = 0; i < delta; ++i) {
        RC_ASSERT(store.Set("churn" + std::to_string(churn++), "v", kNoExpiry, kNow).has_value());
      }
    } else {
      for (int i = 0; i < -delta && churn > 0; ++i)
        store.Delete("churn" + std::to_string(--churn), kNow);
    }
  }
  for (int i = 0; i < stable; ++i) RC_ASSERT(seen["stable" + std::to_string(i)] == 1);
  for (const auto& [key, count] : seen) RC_ASSERT(count == 1);
  store.CheckInvariants();
}

}  // namespace
}  // namespace shoal
