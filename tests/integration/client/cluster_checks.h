// Checks shared by the client's Redis Cluster and Shoal cluster tests (client_cluster_test.cc,
// client_shoal_cluster_test.cc): both speak the same protocol, so the same calls must route and
// split the same way. Called from a test body on the test thread.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "shoal/blocking_client.h"

namespace shoal::testing {

// Keys written by ExpectRoutingAndMultiKeyCalls: enough that every node of 3 gets some.
inline constexpr int kRoutingKeys = 40;

// Writes "key:<i>" and MSets "m:<i>" through `client`, checks that the keys span `node_count`
// nodes (node_of_key says which node serves a key), that no call met -MOVED (the slot map sent
// each key to its primary), that the owners hold the values (direct_get reads a key from its
// owner without the client), and that MGet, Incr and Delete work across the nodes.
inline void ExpectRoutingAndMultiKeyCalls(
    BlockingClient& client, std::size_t node_count,
    const std::function<int(const std::string&)>& node_of_key,
    const std::function<std::string(const std::string&)>& direct_get) {
  std::set<int> nodes;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < kRoutingKeys; ++i) {
    const std::string key = "key:" + std::to_string(i);
    ASSERT_TRUE(client.Set(key, "v" + std::to_string(i))) << key;
    nodes.insert(node_of_key(key));
    pairs.emplace_back("m:" + std::to_string(i), std::to_string(i));
  }
  EXPECT_EQ(nodes.size(), node_count);  // the keys span every node
  EXPECT_TRUE(client.stats().cluster);
  EXPECT_EQ(client.stats().redirects_moved, 0u);
  EXPECT_EQ(direct_get("key:7"), "v7");
  ASSERT_TRUE(client.MSet(pairs));
  std::vector<std::string> keys;
  for (const auto& [k, v] : pairs) keys.push_back(k);
  keys.push_back("missing");
  Result<std::vector<std::optional<std::string>>> values = client.MGet(keys);
  ASSERT_TRUE(values) << values.error().message;
  for (int i = 0; i < kRoutingKeys; ++i) EXPECT_EQ(values.value()[i], std::to_string(i));
  EXPECT_FALSE(values.value()[kRoutingKeys].has_value());
  EXPECT_EQ(direct_get("m:33"), "33");
  EXPECT_EQ(client.Incr("{counter}", 5).value(), 5);
  EXPECT_TRUE(client.Delete("key:7"));
  EXPECT_EQ(client.Get("key:7").error().code, Errc::kNotFound);
  EXPECT_EQ(client.stats().redirects_moved, 0u);
}

}  // namespace shoal::testing
