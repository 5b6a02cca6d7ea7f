// Store tests: a RapidCheck model test against std::map with a simulated clock, maxmemory
// properties per policy, noeviction, active expiry, and the EvictionKind names.
#include "core/store/store.h"

#include <map>
#include <string>
#include <vector>

#include "core/limits.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal {
namespace {

struct ModelEntry {
  std::string value;
  TimeMs expire_at = kNoExpiry;
};

// The model: every entry the store might still hold; an entry is live if it has not expired.
class Model {
 public:
  bool Live(const std::string& key, TimeMs now) const {
    auto it = map_.find(key);
    return it != map_.end() && (it->second.expire_at == kNoExpiry || it->second.expire_at > now);
  }
  // Mirrors lazy expiry: touching an expired key removes it.
  const ModelEntry* Lookup(const std::string& key, TimeMs now) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    if (it->second.expire_at != kNoExpiry && it->second.expire_at <= now) {
      map_.erase(it);
      return nullptr;
    }
    return &it->second;
  }
  std::size_t LiveCount(TimeMs now) const {
    std::size_t n = 0;
    for (const auto& [k, e] : map_) n += Live(k, now) ? 1 : 0;
    return n;
  }
  void CollectExpired(TimeMs now) {
    for (auto it = map_.begin(); it != map_.end();) {
      it = Live(it->first, now) ? std::next(it) : map_.erase(it);
    }
  }
  std::map<std::string, ModelEntry> map_;
};

std::string KeyOf(int i) { return "k" + std::to_string(i); }

std::string ValueOf(int op, int len) {
  std::string v = "v" + std::to_string(op) + ":";
  v.resize(static_cast<std::size_t>(len), static_cast<char>('a' + op % 26));
  return v;
}

enum class OpKind { kSet, kGet, kPeek, kDelete, kSetExpiry, kAdvance, kExpireSome, kExpireAll };

struct Op {
  OpKind kind;
  int key;
  int len;
  int ttl;  // 0: no expiry; <0: in the past; >0: ms from now
};

rc::Gen<Op> GenOp(int keys) {
  return rc::gen::build<Op>(
      rc::gen::set(&Op::kind, rc::gen::weightedElement<OpKind>({{6, OpKind::kSet},
                                                                {5, OpKind::kGet},
                                                                {2, OpKind::kPeek},
                                                                {2, OpKind::kDelete},
                                                                {2, OpKind::kSetExpiry},
                                                                {3, OpKind::kAdvance},
                                                                {2, OpKind::kExpireSome},
                                                                {1, OpKind::kExpireAll}})),
      rc::gen::set(&Op::key, rc::gen::inRange(0, keys)),
      rc::gen::set(&Op::len, rc::gen::oneOf(rc::gen::inRange(0, 40), rc::gen::inRange(100, 300))),
      rc::gen::set(&Op::ttl, rc::gen::weightedOneOf<int>({{3, rc::gen::just(0)},
                                                          {1, rc::gen::inRange(-5, 1)},
                                                          {4, rc::gen::inRange(1, 50)}})));
}

void CheckView(const std::optional<ItemView>& got, const ModelEntry* want) {
  RC_ASSERT(got.has_value() == (want != nullptr));
  if (want != nullptr) {
    RC_ASSERT(std::string(got->value) == want->value);
    RC_ASSERT(got->expire_at == want->expire_at);
  }
}

RC_GTEST_PROP(StoreModel, MatchesMapWithClock, ()) {
  const auto kind = *rc::gen::element(EvictionKind::kLru, EvictionKind::kSieve,
                                      EvictionKind::kS3Fifo, EvictionKind::kNoEviction);
  const int keys = *rc::gen::inRange(1, 40);
  const auto ops = *rc::gen::container<std::vector<Op>>(GenOp(keys));
  StoreOptions options;
  options.eviction = kind;
  Store store(options);
  Model model;
  TimeMs now = 1000;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  int op_index = 0;
  for (const Op& op : ops) {
    ++op_index;
    const std::string key = KeyOf(op.key);
    const TimeMs expire_at = op.ttl == 0 ? kNoExpiry : now + op.ttl;
    switch (op.kind) {
      case OpKind::kSet: {
        const std::string value = ValueOf(op_index, op.len);
        RC_ASSERT(store.Set(key, value, expire_at, now).has_value());
        model.Lookup(key, now);
        if (expire_at != kNoExpiry && expire_at <= now) {
          model.map_.erase(key);
        } else {
          model.map_[key] = ModelEntry{value, expire_at};
        }
        break;
      }
      case OpKind::kGet: {
        const ModelEntry* want = model.Lookup(key, now);
        (want != nullptr ? hits : misses)++;
        CheckView(store.Get(key, now), want);
        break;
      }
      case OpKind::kPeek:
        CheckView(store.Peek(key, now), model.Lookup(key, now));
        break;
      case OpKind::kDelete: {
        const bool live = model.Lookup(key, now) != nullptr;
        RC_ASSERT(store.Delete(key, now) == live);
        model.map_.erase(key);
        break;
      }
      case OpKind::kSetExpiry: {
        const bool live = model.Lookup(key, now) != nullptr;
        RC_ASSERT(store.SetExpiry(key, expire_at, now) == live);
        if (live) {
          if (expire_at != kNoExpiry && expire_at <= now) {
            model.map_.erase(key);
          } else {
            model.map_[key].expire_at = expire_at;
          }
        }
        break;
      }
      case OpKind::kAdvance:
        now += op.len % 30;
        break;
      case OpKind::kExpireSome: {
        const std::size_t keys_max = static_cast<std::size_t>(op.len % 4);
        const std::size_t before = store.size();
        const std::size_t removed = store.ExpireSome(now, keys_max);
        RC_ASSERT(removed <= keys_max);
        RC_ASSERT(store.size() == before - removed);
        break;
      }
      case OpKind::kExpireAll:
        store.ExpireSome(now, 1 << 20);
        model.CollectExpired(now);
        RC_ASSERT(store.size() == model.map_.size());
        break;
    }
    store.CheckInvariants();
    RC_ASSERT(store.size() >= model.LiveCount(now));
    RC_ASSERT(store.size() <= model.map_.size());
    RC_ASSERT(store.stats().keys == store.size());
  }
  RC_ASSERT(store.stats().hits == hits);
  RC_ASSERT(store.stats().misses == misses);
  RC_ASSERT(store.stats().evicted == 0u);
  // Every key the model holds live is readable, with its value.
  for (const auto& [key, entry] : model.map_) {
    if (model.Live(key, now)) CheckView(store.Peek(key, now), &entry);
  }
}

// With a bound: used_bytes stays under it, evictions explain every disappearance, and what is
// still there reads back intact.
RC_GTEST_PROP(StoreMaxmemory, BoundHoldsAndEvictionsAreCounted, ()) {
  const auto kind =
      *rc::gen::element(EvictionKind::kLru, EvictionKind::kSieve, EvictionKind::kS3Fifo);
  const std::uint64_t maxmemory = *rc::gen::inRange<std::uint64_t>(4096, 32768);
  const int keys = *rc::gen::inRange(1, 400);
  const auto ops = *rc::gen::container<std::vector<std::tuple<bool, int, int>>>(rc::gen::tuple(
      rc::gen::arbitrary<bool>(), rc::gen::inRange(0, keys), rc::gen::inRange(0, 200)));
  StoreOptions options;
  options.eviction = kind;
  options.maxmemory_bytes = maxmemory;
  Store store(options);
  std::map<std::string, std::string> model;
  int op_index = 0;
  for (const auto& [is_set, k, len] : ops) {
    ++op_index;
    const std::string key = KeyOf(k);
    if (is_set) {
      const std::string value = ValueOf(op_index, len);
      const std::uint64_t evicted_before = store.stats().evicted;
      RC_ASSERT(store.Set(key, value, kNoExpiry, 0).has_value());
      RC_ASSERT(store.used_bytes() <= maxmemory);
      model[key] = value;
      std::uint64_t gone = 0;
      for (auto it = model.begin(); it != model.end();) {
        auto got = store.Peek(it->first, 0);
        if (got.has_value()) {
          RC_ASSERT(std::string(got->value) == it->second);
          ++it;
        } else {
          RC_ASSERT(it->first != key);  // the key just written is never its own victim
          ++gone;
          it = model.erase(it);
        }
      }
      RC_ASSERT(store.stats().evicted - evicted_before == gone);
    } else {
      auto got = store.Get(key, 0);
      auto it = model.find(key);
      RC_ASSERT(got.has_value() == (it != model.end()));
      if (got) RC_ASSERT(std::string(got->value) == it->second);
    }
    RC_ASSERT(store.size() == model.size());
  }
  store.CheckInvariants();
}

TEST(StoreMaxmemory, NoEvictionRefusesAndKeepsData) {
  StoreOptions options;
  options.eviction = EvictionKind::kNoEviction;
  options.maxmemory_bytes = 16 * 1024;
  Store store(options);
  int stored = 0;
  Result<void> result = outcome::success();
  for (int i = 0; i < 1000; ++i) {
    result = store.Set(KeyOf(i), std::string(100, 'x'), kNoExpiry, 0);
    if (!result) break;
    ++stored;
    ASSERT_LE(store.used_bytes(), options.maxmemory_bytes);
  }
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error(), make_error_code(Error::kOutOfMemory));
  EXPECT_GT(stored, 10);
  EXPECT_EQ(store.size(), static_cast<std::uint64_t>(stored));
  EXPECT_EQ(store.stats().evicted, 0u);
  // Growing an existing key is refused too, and its old value survives.
  const auto grow = store.Set(KeyOf(0), std::string(4000, 'y'), kNoExpiry, 0);
  ASSERT_FALSE(grow.has_value());
  EXPECT_EQ(store.Get(KeyOf(0), 0)->value, std::string(100, 'x'));
  // Overwriting with the same size needs no memory and succeeds.
  EXPECT_TRUE(store.Set(KeyOf(0), std::string(100, 'z'), kNoExpiry, 0).has_value());
  // Deleting frees room.
  EXPECT_TRUE(store.Delete(KeyOf(1), 0));
  EXPECT_TRUE(store.Set("new", std::string(100, 'n'), kNoExpiry, 0).has_value());
  store.CheckInvariants();
}

TEST(StoreMaxmemory, ItemLargerThanMaxmemoryIsRefused) {
  StoreOptions options;
  options.eviction = EvictionKind::kLru;
  options.maxmemory_bytes = 4096;
  Store store(options);
  ASSERT_TRUE(store.Set("a", "1", kNoExpiry, 0).has_value());
  const auto r = store.Set("big", std::string(8192, 'b'), kNoExpiry, 0);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), make_error_code(Error::kOutOfMemory));
  EXPECT_LE(store.used_bytes(), options.maxmemory_bytes);
  store.CheckInvariants();
}

TEST(Store, Limits) {
  StoreOptions options;
  options.value_bytes_max = 1024 * 1024;
  Store store(options);
  const auto too_large = store.Set("k", std::string(1024 * 1024 + 1, 'v'), kNoExpiry, 0);
  ASSERT_FALSE(too_large.has_value());
  EXPECT_EQ(too_large.error(), make_error_code(Error::kValueTooLarge));
  EXPECT_TRUE(store.Set("k", std::string(1024 * 1024, 'v'), kNoExpiry, 0).has_value());
  const auto key_too_large =
      store.Set(std::string(limits::kKeyBytesMax + 1, 'k'), "v", kNoExpiry, 0);
  ASSERT_FALSE(key_too_large.has_value());
  EXPECT_EQ(key_too_large.error(), make_error_code(Error::kKeyTooLarge));
  const std::string longest_key(limits::kKeyBytesMax, 'k');
  EXPECT_TRUE(store.Set(longest_key, "v", kNoExpiry, 0).has_value());
  EXPECT_EQ(store.Get(longest_key, 0)->value, "v");
  EXPECT_TRUE(store.Set("", "empty key", kNoExpiry, 0).has_value());
  EXPECT_EQ(store.Get("", 0)->value, "empty key");
  store.CheckInvariants();
}

TEST(Store, StatsAndAccounting) {
  Store store(StoreOptions{});
  const std::uint64_t empty = store.used_bytes();
  ASSERT_TRUE(store.Set("key:000000000001", std::string(100, 'v'), kNoExpiry, 0).has_value());
  EXPECT_EQ(store.used_bytes() - empty, Store::ItemFootprintBytes(16, 100));
  EXPECT_EQ(Store::ItemFootprintBytes(16, 100), 144u);  // documented in docs/design.md §4
  EXPECT_FALSE(store.Peek("nope", 0).has_value());
  EXPECT_EQ(store.stats().misses, 0u);  // Peek does not count
  EXPECT_FALSE(store.Get("nope", 0).has_value());
  EXPECT_TRUE(store.Get("key:000000000001", 0).has_value());
  EXPECT_EQ(store.stats().hits, 1u);
  EXPECT_EQ(store.stats().misses, 1u);
  EXPECT_EQ(store.stats().sets, 1u);
  ASSERT_TRUE(store.Set("t", "v", 100, 0).has_value());
  EXPECT_EQ(store.stats().keys_with_expiry, 1u);
  EXPECT_FALSE(store.Get("t", 100).has_value());  // expiry is exclusive: at == now is expired
  EXPECT_EQ(store.stats().expired, 1u);
  store.ResetStats();
  EXPECT_EQ(store.stats().hits, 0u);
  EXPECT_EQ(store.stats().keys, 1u);
  store.Clear();
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.used_bytes(), empty);
  store.CheckInvariants();
}

TEST(StoreExpiry, ExpireSomeIsBoundedAndEventuallyComplete) {
  Store store(StoreOptions{});
  constexpr int kKeys = 1000;
  for (int i = 0; i < kKeys; ++i) {
    // Half expire at 50, a quarter at 500, a quarter never.
    const TimeMs at = i % 2 == 0 ? 50 : (i % 4 == 1 ? 500 : kNoExpiry);
    ASSERT_TRUE(store.Set(KeyOf(i), "v", at, 0).has_value());
  }
  EXPECT_EQ(store.stats().keys_with_expiry, 750u);
  EXPECT_EQ(store.ExpireSome(10, 1000), 0u);  // nothing due yet
  std::size_t removed = 0;
  int calls = 0;
  while (removed < 500) {
    const std::size_t n = store.ExpireSome(100, 7);
    ASSERT_LE(n, 7u);
    removed += n;
    ASSERT_LT(++calls, 10000);
  }
  EXPECT_EQ(store.size(), 500u);
  EXPECT_EQ(store.stats().expired, 500u);
  for (int i = 0; i < 10000 && store.size() > 250; ++i) store.ExpireSome(600, 3);
  EXPECT_EQ(store.size(), 250u);
  for (int i = 0; i < kKeys; ++i) {
    EXPECT_EQ(store.Peek(KeyOf(i), 600).has_value(), i % 4 == 3) << i;
  }
  store.CheckInvariants();
}

TEST(EvictionKind, Names) {
  for (EvictionKind kind : {EvictionKind::kLru, EvictionKind::kSieve, EvictionKind::kS3Fifo,
                            EvictionKind::kNoEviction}) {
    EXPECT_EQ(ParseEvictionKind(EvictionKindName(kind)), kind);
  }
  EXPECT_EQ(ParseEvictionKind("allkeys-lru"), EvictionKind::kLru);
  EXPECT_EQ(ParseEvictionKind("SIEVE"), EvictionKind::kSieve);
  EXPECT_EQ(EvictionKindName(EvictionKind::kS3Fifo), "s3fifo");
  EXPECT_FALSE(ParseEvictionKind("volatile-lru").has_value());
  EXPECT_FALSE(ParseEvictionKind("").has_value());
}

}  // namespace
}  // namespace shoal
