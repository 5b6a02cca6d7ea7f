// Tests for server/cluster_flags.h through ParseFlags (the exit-2 path of main()) and
// MakeNodeConfig: members, self, copies, the peer-port rule and every refused combination.
#include "server/cluster_flags.h"

#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/cluster_config.h"
#include "gtest/gtest.h"
#include "server/flags.h"

namespace shoal::server {
namespace {

FlagsResult Parse(std::vector<std::string_view> args) {
  return ParseFlags(std::span<const std::string_view>(args));
}

std::string ErrorOf(std::vector<std::string_view> args) {
  FlagsResult result = Parse(args);
  EXPECT_FALSE(result.has_value()) << "accepted";
  return result ? std::string() : result.error();
}

constexpr std::string_view kMembers = "127.0.0.1:17001,127.0.0.1:17002,127.0.0.1:17003";

TEST(ClusterFlagsTest, OffByDefault) {
  FlagsResult result = Parse({});
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result.value().cluster.enabled);
  EXPECT_EQ(MakeNodeConfig(result.value()).cluster, nullptr);
}

TEST(ClusterFlagsTest, SelfIsThePositionOfOwnPeerAddress) {
  FlagsResult result =
      Parse({"--port", "7002", "--cluster", "yes", "--cluster-members", kMembers, "--copies=3"});
  ASSERT_TRUE(result.has_value()) << result.error();
  const ClusterFlags& c = result.value().cluster;
  EXPECT_EQ(c.self, 1u);
  EXPECT_EQ(c.peer_port_resolved, 17002);
  EXPECT_EQ(c.copies, 3u);
  const NodeConfig config = MakeNodeConfig(result.value());
  ASSERT_NE(config.cluster, nullptr);
  EXPECT_EQ(config.cluster->node_id, 1u);
  EXPECT_EQ(config.cluster->node_count, 3u);
  EXPECT_EQ(config.cluster->replication_factor, 3u);
  EXPECT_EQ(config.cluster->node_addresses,
            (std::vector<std::string>{"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"}));
}

TEST(ClusterFlagsTest, DirIsKeptWithoutTrailingSlashes) {
  FlagsResult result = Parse(
      {"--port", "7002", "--cluster", "yes", "--cluster-members", kMembers, "--dir", "/srv/a//"});
  ASSERT_TRUE(result.has_value()) << result.error();
  EXPECT_EQ(result.value().cluster.dir, "/srv/a");
  EXPECT_EQ(Parse({"--port", "7002", "--cluster", "yes", "--cluster-members", kMembers})
                .value()
                .cluster.dir,
            "");
}

TEST(ClusterFlagsTest, AnnounceIpPicksTheEntryWhenBoundToAnotherAddress) {
  FlagsResult result =
      Parse({"--bind", "0.0.0.0", "--port", "7001", "--cluster", "yes", "--announce-ip", "10.0.0.2",
             "--cluster-members", "10.0.0.1:17001,10.0.0.2:17001"});
  ASSERT_TRUE(result.has_value()) << result.error();
  EXPECT_EQ(result.value().cluster.self, 1u);
}

TEST(ClusterFlagsTest, Ipv6MembersInBrackets) {
  FlagsResult result = Parse({"--bind", "::1", "--port", "7001", "--cluster", "yes",
                              "--cluster-members", "[::1]:17001,[::1]:17002"});
  ASSERT_TRUE(result.has_value()) << result.error();
  EXPECT_EQ(ClientAddress(result.value().cluster.members[1]), "[::1]:7002");
}

TEST(ClusterFlagsTest, BadValuesAndCombinations) {
  EXPECT_NE(ErrorOf({"--cluster", "maybe"}).find("is not yes or no"), std::string::npos);
  EXPECT_NE(ErrorOf({"--cluster", "yes"}).find("needs --cluster-members"), std::string::npos);
  EXPECT_NE(ErrorOf({"--cluster", "yes", "--port", "7001", "--cluster-members", "127.0.0.1:17001"})
                .find("2 to 64 members"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--cluster", "yes", "--port", "7009", "--cluster-members", kMembers})
                .find("does not list this node"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--cluster", "yes", "--port", "7001", "--copies", "4", "--cluster-members",
                     kMembers})
                .find("more than the 3 members"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--copies", "0"}).find("must be between 1 and"), std::string::npos);
  EXPECT_NE(ErrorOf({"--cluster", "yes", "--port", "0", "--cluster-members", kMembers})
                .find("fixed --port"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--cluster", "yes", "--port", "7001", "--peer-port", "9000",
                     "--cluster-members", kMembers})
                .find("must be --port + 10000"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--cluster", "yes", "--port", "7001", "--cluster-members",
                     "127.0.0.1:17001,127.0.0.1:17001"})
                .find("listed twice"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--cluster", "yes", "--port", "7001", "--cluster-members",
                     "127.0.0.1:17001,127.0.0.1:9000"})
                .find("must be above 10000"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--cluster-members", "host:1"}).find("is not IP:PEERPORT"), std::string::npos);
  EXPECT_NE(ErrorOf({"--cluster-members", "127.0.0.1:17001,"}).find("is not IP:PEERPORT"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--peer-port", "17001"}).find("need --cluster yes"), std::string::npos);
  EXPECT_NE(ErrorOf({"--dir", "/var/lib/shoal"}).find("need --cluster yes"), std::string::npos);
  EXPECT_NE(ErrorOf({"--dir", ""}).find("needs a directory"), std::string::npos);
  EXPECT_NE(ErrorOf({"--announce-ip", "nope"}).find("not an IPv4 or IPv6"), std::string::npos);
}

TEST(ClusterFlagsTest, HelpListsTheClusterFlags) {
  const std::string help = HelpText();
  for (const char* flag :
       {"--cluster ", "--cluster-members", "--peer-port", "--copies", "--announce-ip", "--dir"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace shoal::server
