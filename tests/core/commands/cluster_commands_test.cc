// Commands of core/commands/cluster_commands.cc that answer on a single node: WAIT (0 backups, at
// once, with Redis 7.0's argument checks; its cluster behaviour is in cluster_node_test.cc).
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

TEST(ClusterCommands, WaitOnASingleNodeAnswersZeroAtOnce) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"wait", "0", "0"}), Int(0));
  EXPECT_EQ(h.Run({"wait", "3", "0"}), Int(0));  // no copies can appear: Redis would block
  EXPECT_EQ(h.Run({"wait", "-1", "9223372036854775807"}), Int(0));
  EXPECT_EQ(h.Run({"wait", "x", "-1"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.Run({"wait", "0", "1.5"}), Err("ERR timeout is not an integer or out of range"));
  EXPECT_EQ(h.Run({"wait", "0", "-1"}), Err("ERR timeout is negative"));
  EXPECT_EQ(h.Run({"wait", "0"}), Err("ERR wrong number of arguments for 'wait' command"));
}

}  // namespace
}  // namespace shoal::testing
