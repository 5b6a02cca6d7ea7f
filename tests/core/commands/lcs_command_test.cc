// LCS through ExecuteCommand with a real Store: the string, LEN, IDX (the exact RESP2 and RESP3
// shapes, MINMATCHLEN, WITHMATCHLEN), missing keys, option errors and the table-size limits.
// Expected replies were checked on redis-server 7.0.
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

// [[a_start, a_end], [b_start, b_end]] (and the length with WITHMATCHLEN), as RESP.
std::string Match(int a0, int a1, int b0, int b1, int len = -1) {
  std::string out = len < 0 ? "*2\r\n" : "*3\r\n";
  out += "*2\r\n" + Int(a0) + Int(a1) + "*2\r\n" + Int(b0) + Int(b1);
  if (len >= 0) out += Int(len);
  return out;
}

class LcsCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(h_.Run({"set", "a", "ohmytext"}), kOk);
    ASSERT_EQ(h_.Run({"set", "b", "mynewtext"}), kOk);
  }
  CommandHarness h_;
};

TEST_F(LcsCommand, StringAndLen) {
  EXPECT_EQ(h_.Run({"lcs", "a", "b"}), Bulk("mytext"));
  EXPECT_EQ(h_.Run({"lcs", "a", "b", "LEN"}), Int(6));
  EXPECT_EQ(h_.Run({"lcs", "b", "a", "len"}), Int(6));
  EXPECT_EQ(h_.Run({"lcs", "a", "a"}), Bulk("ohmytext"));
  // Missing keys read as empty strings.
  EXPECT_EQ(h_.Run({"lcs", "a", "nokey"}), Bulk(""));
  EXPECT_EQ(h_.Run({"lcs", "nokey", "other", "LEN"}), Int(0));
}

TEST_F(LcsCommand, IdxShapeResp2) {
  const std::string matches = Match(4, 7, 5, 8) + Match(2, 3, 0, 1);
  EXPECT_EQ(h_.Run({"lcs", "a", "b", "IDX"}),
            "*4\r\n" + Bulk("matches") + "*2\r\n" + matches + Bulk("len") + Int(6));
  EXPECT_EQ(h_.Run({"lcs", "a", "b", "idx", "withmatchlen"}),
            "*4\r\n" + Bulk("matches") + "*2\r\n" + Match(4, 7, 5, 8, 4) + Match(2, 3, 0, 1, 2) +
                Bulk("len") + Int(6));
  EXPECT_EQ(h_.Run({"lcs", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            "*4\r\n" + Bulk("matches") + "*1\r\n" + Match(4, 7, 5, 8, 4) + Bulk("len") + Int(6));
  // A negative MINMATCHLEN means 0: every range.
  EXPECT_EQ(h_.Run({"lcs", "a", "b", "IDX", "MINMATCHLEN", "-5"}),
            "*4\r\n" + Bulk("matches") + "*2\r\n" + matches + Bulk("len") + Int(6));
  EXPECT_EQ(h_.Run({"lcs", "a", "nokey", "IDX"}),
            "*4\r\n" + Bulk("matches") + "*0\r\n" + Bulk("len") + Int(0));
  EXPECT_EQ(h_.Run({"lcs", "a", "a", "IDX"}),
            "*4\r\n" + Bulk("matches") + "*1\r\n" + Match(0, 7, 0, 7) + Bulk("len") + Int(8));
}

TEST_F(LcsCommand, IdxShapeResp3IsAMap) {
  h_.session().resp = RespVersion::kResp3;
  EXPECT_EQ(h_.Run({"lcs", "a", "b", "IDX", "MINMATCHLEN", "3"}),
            "%2\r\n" + Bulk("matches") + "*1\r\n" + Match(4, 7, 5, 8) + Bulk("len") + Int(6));
}

TEST_F(LcsCommand, OptionErrors) {
  EXPECT_EQ(h_.Run({"lcs", "a", "b", "IDX", "LEN"}),
            Err("ERR If you want both the length and indexes, please just use IDX."));
  EXPECT_EQ(h_.Run({"lcs", "a", "b", "foo"}), Err("ERR syntax error"));
  EXPECT_EQ(h_.Run({"lcs", "a", "b", "MINMATCHLEN"}), Err("ERR syntax error"));
  EXPECT_EQ(h_.Run({"lcs", "a", "b", "MINMATCHLEN", "x"}),
            Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(h_.Run({"lcs", "a"}), Err("ERR wrong number of arguments for 'lcs' command"));
}

TEST(LcsLimits, TableBoundedByTheValueLimitAsInRedis) {
  NodeConfig config;
  config.store.value_bytes_max = limits::kValueBytesMin;  // 1 MiB: 262,144 cells
  CommandHarness h(config);
  EXPECT_EQ(h.Run({"set", "x", std::string(511, 'a')}), kOk);  // 512 * 512 * 4 = 1 MiB
  EXPECT_EQ(h.Run({"lcs", "x", "x", "LEN"}), Int(511));
  EXPECT_EQ(h.Run({"set", "y", std::string(512, 'a')}), kOk);
  EXPECT_EQ(h.Run({"lcs", "x", "y", "LEN"}),
            Err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));
}

TEST(LcsLimits, TableBoundedByLcsCellsMax) {
  NodeConfig config;
  config.store.value_bytes_max = limits::kValueBytesHardMax;
  CommandHarness h(config);
  EXPECT_EQ(h.Run({"set", "x", std::string(4095, 'a')}), kOk);
  EXPECT_EQ(h.Run({"set", "y", std::string(4095, 'b')}), kOk);
  EXPECT_EQ(h.Run({"lcs", "x", "y", "LEN"}), Int(0));  // 4096 * 4096 cells: exactly the cap
  EXPECT_EQ(h.Run({"append", "y", "b"}), Int(4096));
  EXPECT_EQ(h.Run({"lcs", "x", "y", "LEN"}),
            Err("ERR LCS table of 16781312 cells exceeds lcs-cells-max (16777216)"));
}

}  // namespace
}  // namespace shoal::testing
