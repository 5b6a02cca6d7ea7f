// The client library against a real 3-node Redis Cluster (redis-server 7.0): slot-map discovery,
// routing to each slot's primary, MGet / MSet split by slot, -MOVED after a slot moves (with a
// map refresh), -ASK while a slot migrates, and a slot moving under load. Shoal clusters do not
// move slots yet: these run against Redis, which speaks the same protocol
// (client_shoal_cluster_test.cc runs against a Shoal cluster).
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/slot.h"
#include "gtest/gtest.h"
#include "shoal/blocking_client.h"
#include "tests/integration/client/cluster_checks.h"
#include "tests/integration/client/test_servers.h"

namespace shoal {
namespace {

using testing::RedisCluster;
using namespace std::chrono_literals;

class RedisClusterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.ok()) << "the Redis Cluster did not start"; }
  ClientOptions Options() {
    ClientOptions options;
    options.seeds = {cluster_.addresses()[1]};  // any node will do
    return options;
  }
  // The key's value as its slot's primary holds it (redis-cli, bypassing the client).
  std::string Direct(const std::string& key) {
    std::string v = cluster_.Cli(cluster_.NodeOfSlot(KeySlot(key)), {"get", key});
    while (!v.empty() && v.back() == '\n') v.pop_back();
    return v;
  }
  // Moves `slot` with its keys from node `from` to node `to` (the redis-cli --cluster reshard
  // steps), leaving it MIGRATING / IMPORTING when `finish` is false.
  void MoveSlot(int slot, int from, int to, bool finish) {
    const std::string s = std::to_string(slot);
    cluster_.Cli(to, {"cluster", "setslot", s, "importing", cluster_.node_id(from)});
    cluster_.Cli(from, {"cluster", "setslot", s, "migrating", cluster_.node_id(to)});
    for (;;) {
      std::string keys = cluster_.Cli(from, {"cluster", "getkeysinslot", s, "100"});
      if (keys.find_first_not_of("\n") == std::string::npos) break;
      std::vector<std::string> argv = {
          "migrate", "127.0.0.1", std::to_string(cluster_.port(to)), "", "0", "5000", "keys"};
      for (std::size_t at = 0; at < keys.size();) {
        const std::size_t end = keys.find('\n', at);
        if (end > at) argv.push_back(keys.substr(at, end - at));
        at = end == std::string::npos ? keys.size() : end + 1;
      }
      cluster_.Cli(from, argv);
    }
    if (!finish) return;
    // The new owner first, then the old one (Redis's order: a client sent back and forth
    // between an importing node and a node that already gave the slot up would loop).
    const int other = 3 - from - to;
    for (int node : {to, from, other}) {
      cluster_.Cli(node, {"cluster", "setslot", s, "node", cluster_.node_id(to)});
    }
  }
  RedisCluster cluster_;
};

TEST_F(RedisClusterTest, RoutesEveryKeyToItsPrimaryAndSplitsMultiKeyCalls) {
  BlockingClient client(Options());
  testing::ExpectRoutingAndMultiKeyCalls(
      client, 3, [&](const std::string& key) { return cluster_.NodeOfSlot(KeySlot(key)); },
      [&](const std::string& key) { return Direct(key); });
}

TEST_F(RedisClusterTest, FollowsMovedAfterASlotMovesAndRefreshesTheMap) {
  BlockingClient client(Options());
  const std::string key = "moving-key";
  const int slot = KeySlot(key);
  ASSERT_TRUE(client.Set(key, "before"));
  const int from = cluster_.NodeOfSlot(slot);
  const int to = (from + 1) % 3;
  // A second key in another slot of the same node, moved too: the refreshed map must know it
  // without a redirect of its own.
  std::string other;
  for (int i = 0; other.empty(); ++i) {
    const std::string candidate = "other:" + std::to_string(i);
    if (KeySlot(candidate) != slot && cluster_.NodeOfSlot(KeySlot(candidate)) == from) {
      other = candidate;
    }
  }
  ASSERT_TRUE(client.Set(other, "o"));
  MoveSlot(slot, from, to, true);
  MoveSlot(KeySlot(other), from, to, true);
  Result<std::string> got = client.Get(key);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got.value(), "before");
  ClientStats stats = client.stats();
  EXPECT_EQ(stats.redirects_moved, 1u);
  ASSERT_TRUE(client.Set(key, "after"));
  EXPECT_EQ(Direct(key), "after");
  // The refresh that MOVED started has run by now (it is asynchronous: wait for it).
  for (int i = 0; i < 100 && client.stats().slot_map_refreshes < 2; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(client.stats().slot_map_refreshes, 2u);
  EXPECT_EQ(client.Get(other).value(), "o");
  EXPECT_EQ(client.stats().redirects_moved, 1u);  // `other` went straight to its new primary
}

TEST_F(RedisClusterTest, FollowsAskWhileASlotMigrates) {
  BlockingClient client(Options());
  const std::string key = "asked-key";
  const int slot = KeySlot(key);
  ASSERT_TRUE(client.Set(key, "v"));
  const int from = cluster_.NodeOfSlot(slot);
  const int to = (from + 2) % 3;
  MoveSlot(slot, from, to, false);  // keys moved, slot still MIGRATING at `from`
  Result<std::string> got = client.Get(key);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got.value(), "v");
  EXPECT_GE(client.stats().redirects_ask, 1u);
  EXPECT_EQ(client.stats().redirects_moved, 0u);
  // ASK is one-off: the next call asks the old owner first again.
  EXPECT_EQ(client.Get(key).value(), "v");
  EXPECT_GE(client.stats().redirects_ask, 2u);
}

TEST_F(RedisClusterTest, ASlotMovingUnderLoadCostsNoErrors) {
  BlockingClient client(Options());
  // 300 keys in one slot (one hash tag) and a writer-reader thread on them while the slot moves.
  const std::string tag = "{moving}";
  const int slot = KeySlot(tag);
  constexpr int kKeys = 300;
  for (int i = 0; i < kKeys; ++i) ASSERT_TRUE(client.Set(tag + std::to_string(i), "0"));
  const int from = cluster_.NodeOfSlot(slot);
  const int to = (from + 1) % 3;
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0};
  std::vector<std::string> failures;
  std::thread load([&] {
    std::vector<int> written(kKeys, 0);
    for (int round = 1; !stop.load() || round < 3; ++round) {
      for (int i = 0; i < kKeys; i += 7) {
        const std::string key = tag + std::to_string(i);
        Result<std::string> got = client.Get(key);
        if (!got || got.value() != std::to_string(written[i])) {
          failures.push_back("GET " + key + ": " + (got ? got.value() : got.error().message));
        }
        Result<void> set = client.Set(key, std::to_string(round));
        if (!set) failures.push_back("SET " + key + ": " + set.error().message);
        written[i] = round;
        calls += 2;
      }
    }
  });
  MoveSlot(slot, from, to, true);
  stop = true;
  load.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures.front();
  EXPECT_GT(calls.load(), 0);
  const ClientStats stats = client.stats();
  EXPECT_GE(stats.redirects_ask + stats.redirects_moved, 1u);
  EXPECT_EQ(cluster_.NodeOfSlot(slot), to);
}

}  // namespace
}  // namespace shoal
