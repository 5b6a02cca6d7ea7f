// Byte-range commands through ExecuteCommand with a real Store: GETRANGE and SUBSTR (negative,
// reversed and out-of-range indexes) and SETRANGE (zero padding, TTL kept, the value limit and
// Redis's error texts). Expected replies were checked on redis-server 7.0.
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

const std::string kNotInt = Err("ERR value is not an integer or out of range");

TEST(StringRangeCommands, GetRange) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"getrange", "k", "0", "-1"}), Bulk(""));
  EXPECT_EQ(h.Run({"set", "k", "Hello World"}), kOk);
  EXPECT_EQ(h.Run({"getrange", "k", "0", "4"}), Bulk("Hello"));
  EXPECT_EQ(h.Run({"getrange", "k", "-5", "-1"}), Bulk("World"));
  EXPECT_EQ(h.Run({"getrange", "k", "0", "-1"}), Bulk("Hello World"));
  EXPECT_EQ(h.Run({"getrange", "k", "6", "100"}), Bulk("World"));
  EXPECT_EQ(h.Run({"getrange", "k", "-100", "4"}), Bulk("Hello"));
  EXPECT_EQ(h.Run({"getrange", "k", "0", "-100"}), Bulk("H"));  // end clamps to 0
  EXPECT_EQ(h.Run({"getrange", "k", "5", "1"}), Bulk(""));      // start > end
  EXPECT_EQ(h.Run({"getrange", "k", "-1", "-5"}), Bulk(""));
  EXPECT_EQ(h.Run({"getrange", "k", "-100", "-200"}), Bulk(""));  // not clamped to [0, 0]
  EXPECT_EQ(h.Run({"getrange", "k", "11", "20"}), Bulk(""));      // past the end
  EXPECT_EQ(h.Run({"getrange", "k", "-9223372036854775808", "9223372036854775807"}),
            Bulk("Hello World"));
  EXPECT_EQ(h.Run({"substr", "k", "0", "0"}), Bulk("H"));
  EXPECT_EQ(h.Run({"SUBSTR", "k", "-3", "-2"}), Bulk("rl"));
  EXPECT_EQ(h.Run({"set", "e", ""}), kOk);
  EXPECT_EQ(h.Run({"getrange", "e", "0", "0"}), Bulk(""));
}

TEST(StringRangeCommands, GetRangeErrors) {
  CommandHarness h;
  // Both indexes are parsed before the key is looked up.
  EXPECT_EQ(h.Run({"getrange", "nokey", "a", "1"}), kNotInt);
  EXPECT_EQ(h.Run({"getrange", "nokey", "0", "1.0"}), kNotInt);
  EXPECT_EQ(h.Run({"getrange", "nokey", "0", "9223372036854775808"}), kNotInt);
  EXPECT_EQ(h.Run({"getrange", "k", "0"}),
            Err("ERR wrong number of arguments for 'getrange' command"));
  EXPECT_EQ(h.Run({"substr", "k", "0", "1", "2"}),
            Err("ERR wrong number of arguments for 'substr' command"));
}

TEST(StringRangeCommands, SetRangePadsWithZeroBytes) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"setrange", "n", "3", "ab"}), Int(5));
  EXPECT_EQ(h.Run({"get", "n"}), Bulk(std::string("\0\0\0ab", 5)));
  EXPECT_EQ(h.Run({"set", "k", "Hello World"}), kOk);
  EXPECT_EQ(h.Run({"setrange", "k", "6", "Redis"}), Int(11));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("Hello Redis"));
  EXPECT_EQ(h.Run({"setrange", "k", "9", "xyz"}), Int(12));  // overwrites and extends
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("Hello Redxyz"));
  EXPECT_EQ(h.Run({"setrange", "k", "14", "!"}), Int(15));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk(std::string("Hello Redxyz\0\0!", 15)));
  EXPECT_EQ(h.Run({"setrange", "k", "0", "J"}), Int(15));
  EXPECT_EQ(h.Run({"getrange", "k", "0", "4"}), Bulk("Jello"));
}

TEST(StringRangeCommands, SetRangeWithEmptyPatchWritesNothing) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"setrange", "n", "100", ""}), Int(0));
  EXPECT_EQ(h.Run({"exists", "n"}), Int(0));
  EXPECT_EQ(h.Run({"set", "k", "abc"}), kOk);
  EXPECT_EQ(h.Run({"setrange", "k", "100", ""}), Int(3));
  // Even past the value limit: nothing is written, so nothing is checked.
  EXPECT_EQ(h.Run({"setrange", "k", "9223372036854775807", ""}), Int(3));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("abc"));
}

TEST(StringRangeCommands, SetRangeKeepsTtl) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "abc", "EX", "100"}), kOk);
  EXPECT_EQ(h.Run({"setrange", "k", "1", "X"}), Int(3));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("aXc"));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(100));
}

TEST(StringRangeCommands, SetRangeErrors) {
  NodeConfig config;
  config.store.value_bytes_max = limits::kValueBytesMin;
  CommandHarness h(config);
  const std::string too_long = Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(h.Run({"setrange", "k", "x", "a"}), kNotInt);
  EXPECT_EQ(h.Run({"setrange", "k", "-1", "a"}), Err("ERR offset is out of range"));
  EXPECT_EQ(h.Run({"setrange", "k", "-1", ""}), Err("ERR offset is out of range"));
  const std::string max = std::to_string(limits::kValueBytesMin);
  const std::string max_minus_1 = std::to_string(limits::kValueBytesMin - 1);
  EXPECT_EQ(h.Run({"setrange", "k", max, "a"}), too_long);
  EXPECT_EQ(h.Run({"setrange", "k", max_minus_1, "ab"}), too_long);
  EXPECT_EQ(h.Run({"setrange", "k", "9223372036854775807", "a"}), too_long);
  EXPECT_EQ(h.Run({"exists", "k"}), Int(0));
  // Exactly the limit fits.
  EXPECT_EQ(h.Run({"setrange", "k", max_minus_1, "a"}),
            Int(static_cast<long long>(limits::kValueBytesMin)));
  EXPECT_EQ(h.Run({"setrange", "k", max_minus_1, "ab"}), too_long);
  EXPECT_EQ(h.Run({"setrange", "k"}), Err("ERR wrong number of arguments for 'setrange' command"));
}

}  // namespace
}  // namespace shoal::testing
