// The client library against a real 3-node Shoal cluster (shoald --cluster yes, 2 copies): the
// slot map from CLUSTER SLOTS (64 vnodes per node: many ranges), routing to each slot's primary
// without redirects, MGet / MSet split by slot, -MOVED followed, and a node that is killed and
// restarted: its keys are cluster-unavailable while it is down, calls to the other nodes go on,
// and a read started while it is down succeeds once it is back within the call's deadline.
// (No automatic failover yet: a dead primary's slots wait for it to come back.)
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "shoal/blocking_client.h"
#include "tests/integration/client/cluster_checks.h"
#include "tests/integration/client/test_servers.h"

namespace shoal {
namespace {

using testing::ShoalCluster;
using namespace std::chrono_literals;

class ShoalClusterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.ok()) << "the Shoal cluster did not start"; }
  ClientOptions Options() {
    ClientOptions options;
    options.seeds = {cluster_.addresses()[1]};  // any node will do
    return options;
  }
  // The first key "{<prefix><i>}" that node `node` serves (a hash tag: "{...}:n" is its slot too).
  std::string KeyOn(int node, const std::string& prefix) {
    for (int i = 0;; ++i) {
      const std::string key = "{" + prefix + std::to_string(i) + "}";
      if (cluster_.NodeOfKey(key) == node) return key;
    }
  }
  ShoalCluster cluster_;
};

TEST_F(ShoalClusterTest, RoutesEveryKeyToItsPrimaryAndSplitsMultiKeyCalls) {
  BlockingClient client(Options());
  testing::ExpectRoutingAndMultiKeyCalls(
      client, 3, [&](const std::string& key) { return cluster_.NodeOfKey(key); },
      [&](const std::string& key) {
        std::string value = cluster_.Cli(cluster_.NodeOfKey(key), {"get", key});
        while (!value.empty() && value.back() == '\n') value.pop_back();
        return value;
      });
  EXPECT_EQ(client.stats().slot_map_refreshes, 1u);
  ASSERT_TRUE(client.ExpireAt("key:3", std::chrono::system_clock::now() + 100s));
  EXPECT_GT(*client.Ttl("key:3").value(), 90s);
}

TEST_F(ShoalClusterTest, FollowsMovedFromANodeThatDoesNotOwnTheKey) {
  BlockingClient client(Options());
  const std::string key = KeyOn(2, "moved:");
  const std::string elsewhere = KeyOn(0, "route:");
  ASSERT_TRUE(client.Set(key, "v"));
  // Routed by a key of node 0, the GET of a node-2 key meets -MOVED there and follows it.
  CommandOptions options{.route_key = elsewhere};
  Result<Reply> got = client.Command({"GET", key}, std::move(options));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got.value().text, "v");
  EXPECT_EQ(client.stats().redirects_moved, 1u);
}

TEST_F(ShoalClusterTest, ADeadNodesKeysWaitForItWhileTheOthersServe) {
  ClientOptions options = Options();
  BlockingClient client(options);
  const std::string down_key = KeyOn(2, "down:");
  const std::string up_key = KeyOn(0, "up:");
  ASSERT_TRUE(client.Set(down_key, "kept"));  // acknowledged by its backup too (2 copies)
  ASSERT_TRUE(client.Set(up_key, "up"));
  cluster_.Kill(2);
  // Its slots have no primary now: a short call ends as cluster unavailable, by its deadline.
  const auto start = std::chrono::steady_clock::now();
  Result<std::string> refused = client.Get(down_key, CallOptions{.deadline = 300ms});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kClusterUnavailable) << refused.error().message;
  // A write that is not safe to repeat was never sent: not "unknown outcome".
  Result<std::int64_t> incr = client.Incr(down_key + ":n", 1, CallOptions{.deadline = 300ms});
  ASSERT_FALSE(incr);
  EXPECT_EQ(incr.error().code, Errc::kClusterUnavailable) << incr.error().message;
  // The other nodes serve on.
  EXPECT_EQ(client.Get(up_key).value(), "up");
  // A read called while the node is down succeeds once it is back, within its deadline. (The
  // restart runs on this thread: a child process dies with the thread that started it.)
  std::optional<Result<std::string>> waited;
  std::thread reader([&] { waited = client.Get(down_key, CallOptions{.deadline = 15s}); });
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(cluster_.Restart(2));
  reader.join();
  ASSERT_TRUE(waited.has_value());
  ASSERT_TRUE(*waited) << waited->error().message;
  EXPECT_EQ(waited->value(), "kept");
  EXPECT_GE(client.stats().retries, 1u);
}

}  // namespace
}  // namespace shoal
