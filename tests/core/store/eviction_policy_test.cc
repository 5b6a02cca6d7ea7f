// Per-policy tests: each policy driven directly (no Store) against a reference model.
//   LRU   - evicts exactly the least recently used key (model: std::list).
//   SIEVE - matches a plain reference implementation over std::vector.
//   S3-FIFO - queue membership, ghost bound, small->ghost, ghost hit -> main.
#include "core/store/eviction_policy.h"

#include <algorithm>
#include <list>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/store/item.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::store_internal {
namespace {

enum class PolicyOp { kInsert, kAccess, kRemove, kEvict };

rc::Gen<std::vector<std::pair<PolicyOp, int>>> GenPolicyOps() {
  return rc::gen::container<std::vector<std::pair<PolicyOp, int>>>(
      rc::gen::pair(rc::gen::weightedElement<PolicyOp>({{4, PolicyOp::kInsert},
                                                        {5, PolicyOp::kAccess},
                                                        {1, PolicyOp::kRemove},
                                                        {2, PolicyOp::kEvict}}),
                    rc::gen::inRange(0, 30)));
}

// Owns the items handed to a policy.
class ItemPool {
 public:
  ~ItemPool() {
    for (auto& [key, item] : live_) FreeItem(item);
  }
  Item* Create(const std::string& key, std::size_t value_len = 10) {
    Item* item = NewItem(key, std::string(value_len, 'v'), kNoExpiry);
    live_[key] = item;
    return item;
  }
  Item* Find(const std::string& key) const {
    auto it = live_.find(key);
    return it == live_.end() ? nullptr : it->second;
  }
  void Destroy(Item* item) {
    live_.erase(std::string(ItemKey(item)));
    FreeItem(item);
  }
  std::size_t size() const { return live_.size(); }

 private:
  std::map<std::string, Item*> live_;
};

std::string KeyOf(int i) { return "key" + std::to_string(i); }

RC_GTEST_PROP(LruPolicy, EvictsExactlyTheLeastRecentlyUsed, ()) {
  const auto ops = *GenPolicyOps();
  LruPolicy policy;
  ItemPool pool;
  std::list<std::string> model;  // front = least recently used
  for (const auto& [op, k] : ops) {
    const std::string key = KeyOf(k);
    Item* item = pool.Find(key);
    switch (op) {
      case PolicyOp::kInsert:
        if (item != nullptr) break;
        policy.OnInsert(pool.Create(key));
        model.push_back(key);
        break;
      case PolicyOp::kAccess:
        if (item == nullptr) break;
        policy.OnAccess(item);
        model.remove(key);
        model.push_back(key);
        break;
      case PolicyOp::kRemove:
        if (item == nullptr) break;
        policy.OnRemove(item);
        pool.Destroy(item);
        model.remove(key);
        break;
      case PolicyOp::kEvict: {
        Item* victim = policy.Evict();
        if (model.empty()) {
          RC_ASSERT(victim == nullptr);
          break;
        }
        RC_ASSERT(victim != nullptr);
        RC_ASSERT(std::string(ItemKey(victim)) == model.front());
        model.pop_front();
        pool.Destroy(victim);
        break;
      }
    }
    policy.CheckInvariants();
    RC_ASSERT(policy.size() == model.size());
  }
}

// Reference SIEVE, written from the paper's pseudo-code over a vector (front = oldest).
class ReferenceSieve {
 public:
  void Insert(const std::string& key) {
    queue_.push_back(key);
    visited_[key] = false;
  }
  void Access(const std::string& key) { visited_[key] = true; }
  void Remove(const std::string& key) {
    const std::size_t pos = Index(key);
    if (hand_ == key) hand_ = pos + 1 < queue_.size() ? queue_[pos + 1] : std::string();
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(pos));
    visited_.erase(key);
  }
  std::string Evict() {
    std::size_t pos = hand_.empty() ? 0 : Index(hand_);
    while (visited_[queue_[pos]]) {
      visited_[queue_[pos]] = false;
      pos = pos + 1 < queue_.size() ? pos + 1 : 0;
    }
    const std::string victim = queue_[pos];
    hand_ = pos + 1 < queue_.size() ? queue_[pos + 1] : std::string();
    Remove(victim);
    return victim;
  }
  bool empty() const { return queue_.empty(); }
  const std::vector<std::string>& queue() const { return queue_; }
  const std::string& hand() const { return hand_; }

 private:
  std::size_t Index(const std::string& key) const {
    return static_cast<std::size_t>(std::find(queue_.begin(), queue_.end(), key) - queue_.begin());
  }
  std::vector<std::string> queue_;
  std::map<std::string, bool> visited_;
  std::string hand_;  // empty: start at the front (keys are never empty here)
};

RC_GTEST_PROP(SievePolicy, MatchesReferenceModel, ()) {
  const auto ops = *GenPolicyOps();
  SievePolicy policy;
  ItemPool pool;
  ReferenceSieve model;
  for (const auto& [op, k] : ops) {
    const std::string key = KeyOf(k);
    Item* item = pool.Find(key);
    switch (op) {
      case PolicyOp::kInsert:
        if (item != nullptr) break;
        policy.OnInsert(pool.Create(key));
        model.Insert(key);
        break;
      case PolicyOp::kAccess:
        if (item == nullptr) break;
        policy.OnAccess(item);
        model.Access(key);
        break;
      case PolicyOp::kRemove:
        if (item == nullptr) break;
        policy.OnRemove(item);
        pool.Destroy(item);
        model.Remove(key);
        break;
      case PolicyOp::kEvict: {
        Item* victim = policy.Evict();
        if (model.empty()) {
          RC_ASSERT(victim == nullptr);
          break;
        }
        RC_ASSERT(victim != nullptr);
        RC_ASSERT(std::string(ItemKey(victim)) == model.Evict());
        pool.Destroy(victim);
        break;
      }
    }
    policy.CheckInvariants();
    std::vector<std::string> order;
    for (Item* it : policy.list().Collect()) order.emplace_back(ItemKey(it));
    RC_ASSERT(order == model.queue());
    RC_ASSERT((policy.hand() == nullptr ? std::string() : std::string(ItemKey(policy.hand()))) ==
              model.hand());
  }
}

TEST(SievePolicy, ScanResistance) {
  // Visited items survive a pass of the hand; unvisited newcomers are evicted first.
  SievePolicy policy;
  ItemPool pool;
  for (int i = 0; i < 4; ++i) policy.OnInsert(pool.Create(KeyOf(i)));
  policy.OnAccess(pool.Find(KeyOf(0)));
  policy.OnAccess(pool.Find(KeyOf(1)));
  Item* victim = policy.Evict();
  EXPECT_EQ(ItemKey(victim), KeyOf(2));
  pool.Destroy(victim);
  policy.OnInsert(pool.Create(KeyOf(4)));
  victim = policy.Evict();
  EXPECT_EQ(ItemKey(victim), KeyOf(3));
  pool.Destroy(victim);
}

RC_GTEST_PROP(S3FifoPolicy, Invariants, ()) {
  const auto ops = *GenPolicyOps();
  const std::uint64_t capacity = *rc::gen::inRange<std::uint64_t>(1, 4000);
  S3FifoPolicy policy(capacity, /*hash_seed=*/7);
  ItemPool pool;
  std::set<std::string> accessed_since_insert;
  for (const auto& [op, k] : ops) {
    const std::string key = KeyOf(k);
    Item* item = pool.Find(key);
    switch (op) {
      case PolicyOp::kInsert: {
        if (item != nullptr) break;
        const bool ghost_hit = policy.InGhost(key);
        Item* created = pool.Create(key, static_cast<std::size_t>(k * 7));
        policy.OnInsert(created);
        // A ghost hit goes straight to main; anything else starts in small.
        RC_ASSERT(((created->flags & kFlagMain) != 0) == ghost_hit);
        accessed_since_insert.erase(key);
        break;
      }
      case PolicyOp::kAccess:
        if (item == nullptr) break;
        policy.OnAccess(item);
        RC_ASSERT(ItemFreq(item) >= 1);
        RC_ASSERT(ItemFreq(item) <= kFreqMax);
        accessed_since_insert.insert(key);
        break;
      case PolicyOp::kRemove:
        if (item == nullptr) break;
        policy.OnRemove(item);
        pool.Destroy(item);
        break;
      case PolicyOp::kEvict: {
        std::set<Item*> small_before;
        for (Item* it : policy.small().Collect()) small_before.insert(it);
        const std::size_t ghost_before = policy.ghost_size();
        Item* victim = policy.Evict();
        if (pool.size() == 0) {
          RC_ASSERT(victim == nullptr);
          break;
        }
        RC_ASSERT(victim != nullptr);
        const std::string victim_key(ItemKey(victim));
        if (small_before.count(victim) != 0 && accessed_since_insert.count(victim_key) == 0) {
          // Evicted from small without an access: it is remembered in the ghost.
          RC_ASSERT(policy.InGhost(victim_key));
        } else {
          // Accessed items are promoted, never evicted from small; they leave through main.
          RC_ASSERT(policy.ghost_size() == ghost_before);  // main evictions skip the ghost
        }
        pool.Destroy(victim);
        break;
      }
    }
    policy.CheckInvariants();
    // Every live item is in exactly one queue.
    std::set<Item*> seen;
    for (Item* it : policy.small().Collect()) RC_ASSERT(seen.insert(it).second);
    for (Item* it : policy.main().Collect()) RC_ASSERT(seen.insert(it).second);
    RC_ASSERT(seen.size() == pool.size());
    for (Item* it : seen) RC_ASSERT(pool.Find(std::string(ItemKey(it))) == it);
    RC_ASSERT(policy.ghost_size() <= policy.ghost_capacity());
    RC_ASSERT(policy.ghost_capacity() > 0);
  }
}

TEST(S3FifoPolicy, OneHitWondersGoToGhostAndComeBackToMain) {
  S3FifoPolicy policy(/*capacity_bytes=*/1000, /*hash_seed=*/1);  // small target 100 bytes
  ItemPool pool;
  for (int i = 0; i < 20; ++i) policy.OnInsert(pool.Create(KeyOf(i)));
  policy.OnAccess(pool.Find(KeyOf(0)));  // key0 is accessed once: promoted, not evicted
  Item* victim = policy.Evict();
  EXPECT_EQ(ItemKey(victim), KeyOf(1));
  EXPECT_TRUE(policy.InGhost(KeyOf(1)));
  EXPECT_NE(pool.Find(KeyOf(0))->flags & kFlagMain, 0);
  pool.Destroy(victim);
  Item* again = pool.Create(KeyOf(1));
  policy.OnInsert(again);
  EXPECT_NE(again->flags & kFlagMain, 0);
  EXPECT_EQ(policy.main().count(), 2u);
  policy.CheckInvariants();
}

TEST(EvictionPolicy, ReplaceKeepsPosition) {
  for (EvictionKind kind : {EvictionKind::kLru, EvictionKind::kSieve, EvictionKind::kS3Fifo}) {
    auto policy = MakeEvictionPolicy(kind, 1000, 3);
    ItemPool pool;
    for (int i = 0; i < 3; ++i) policy->OnInsert(pool.Create(KeyOf(i)));
    Item* old_item = pool.Find(KeyOf(0));
    Item* new_item = NewItem(KeyOf(0), std::string(500, 'n'), kNoExpiry);
    new_item->prev = old_item->prev;
    new_item->next = old_item->next;
    new_item->flags = old_item->flags;
    policy->OnReplace(old_item, new_item);
    pool.Destroy(old_item);
    policy->CheckInvariants();
    Item* victim = policy->Evict();
    EXPECT_EQ(victim, new_item) << EvictionKindName(kind);
    FreeItem(new_item);
    while (Item* v = policy->Evict()) pool.Destroy(v);
    EXPECT_EQ(policy->size(), 0u);
  }
}

}  // namespace
}  // namespace shoal::store_internal
