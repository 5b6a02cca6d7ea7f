// RENAME, RENAMENX and COPY through ExecuteCommand: replies, error texts and their order, TTLs
// carried over (all checked on redis-server 7.0.15).
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

TEST(RenameCommand, MovesTheValueAndItsTtl) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"rename", "nokey", "b"}), Err("ERR no such key"));
  EXPECT_EQ(h.Run({"rename", "nokey", "nokey"}), Err("ERR no such key"));
  ASSERT_EQ(h.Run({"set", "a", "1"}), kOk);
  ASSERT_EQ(h.Run({"pexpire", "a", "5000"}), Int(1));
  EXPECT_EQ(h.Run({"rename", "a", "a"}), kOk);
  EXPECT_EQ(h.Run({"pttl", "a"}), Int(5000));
  EXPECT_EQ(h.Run({"rename", "a", "b"}), kOk);
  EXPECT_EQ(h.Run({"exists", "a"}), Int(0));
  EXPECT_EQ(h.Run({"get", "b"}), Bulk("1"));
  EXPECT_EQ(h.Run({"pttl", "b"}), Int(5000));
  // Overwriting: the destination's own TTL goes with its old value.
  ASSERT_EQ(h.Run({"set", "c", "2"}), kOk);
  ASSERT_EQ(h.Run({"set", "d", "3", "ex", "100"}), kOk);
  EXPECT_EQ(h.Run({"rename", "c", "d"}), kOk);
  EXPECT_EQ(h.Run({"get", "d"}), Bulk("2"));
  EXPECT_EQ(h.Run({"ttl", "d"}), Int(-1));
  EXPECT_EQ(h.Run({"rename", "d"}), Err("ERR wrong number of arguments for 'rename' command"));
  h.store().CheckInvariants();
}

TEST(RenameCommand, AnExpiredSourceIsNoSuchKey) {
  CommandHarness h;
  ASSERT_EQ(h.Run({"set", "a", "1", "px", "10"}), kOk);
  h.Advance(10);
  EXPECT_EQ(h.Run({"rename", "a", "b"}), Err("ERR no such key"));
  EXPECT_EQ(h.Run({"renamenx", "a", "b"}), Err("ERR no such key"));
  EXPECT_EQ(h.Run({"exists", "b"}), Int(0));
}

TEST(RenameNxCommand, OnlyWhenTheDestinationIsFree) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"renamenx", "nokey", "b"}), Err("ERR no such key"));
  ASSERT_EQ(h.Run({"set", "a", "1"}), kOk);
  ASSERT_EQ(h.Run({"set", "b", "2"}), kOk);
  EXPECT_EQ(h.Run({"renamenx", "a", "a"}), Int(0));
  EXPECT_EQ(h.Run({"renamenx", "a", "b"}), Int(0));
  EXPECT_EQ(h.Run({"get", "a"}), Bulk("1"));
  EXPECT_EQ(h.Run({"get", "b"}), Bulk("2"));
  ASSERT_EQ(h.Run({"expire", "a", "100"}), Int(1));
  EXPECT_EQ(h.Run({"renamenx", "a", "c"}), Int(1));
  EXPECT_EQ(h.Run({"exists", "a"}), Int(0));
  EXPECT_EQ(h.Run({"get", "c"}), Bulk("1"));
  EXPECT_EQ(h.Run({"ttl", "c"}), Int(100));
  // An expired destination is free.
  ASSERT_EQ(h.Run({"set", "e", "x", "px", "5"}), kOk);
  h.Advance(5);
  EXPECT_EQ(h.Run({"renamenx", "c", "e"}), Int(1));
  EXPECT_EQ(h.Run({"get", "e"}), Bulk("1"));
}

TEST(CopyCommand, CopiesValueAndTtl) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"copy", "nokey", "b"}), Int(0));
  ASSERT_EQ(h.Run({"set", "a", "1", "px", "5000"}), kOk);
  EXPECT_EQ(h.Run({"copy", "a", "b"}), Int(1));
  EXPECT_EQ(h.Run({"get", "a"}), Bulk("1"));
  EXPECT_EQ(h.Run({"get", "b"}), Bulk("1"));
  EXPECT_EQ(h.Run({"pttl", "b"}), Int(5000));
  ASSERT_EQ(h.Run({"set", "c", "other", "ex", "100"}), kOk);
  EXPECT_EQ(h.Run({"copy", "c", "b"}), Int(0));  // exists, no REPLACE
  EXPECT_EQ(h.Run({"get", "b"}), Bulk("1"));
  EXPECT_EQ(h.Run({"copy", "c", "b", "REPLACE"}), Int(1));
  EXPECT_EQ(h.Run({"get", "b"}), Bulk("other"));
  EXPECT_EQ(h.Run({"ttl", "b"}), Int(100));
  ASSERT_EQ(h.Run({"set", "p", "persistent"}), kOk);
  EXPECT_EQ(h.Run({"copy", "p", "b", "db", "0", "replace"}), Int(1));
  EXPECT_EQ(h.Run({"ttl", "b"}), Int(-1));
  // COPY reads its source as GET does: a hit.
  const std::uint64_t hits = h.store().stats().hits;
  EXPECT_EQ(h.Run({"copy", "p", "q"}), Int(1));
  EXPECT_EQ(h.store().stats().hits, hits + 1);
  h.store().CheckInvariants();
}

TEST(CopyCommand, ErrorsInRedisOrder) {
  CommandHarness h;
  ASSERT_EQ(h.Run({"set", "a", "1"}), kOk);
  const std::string range = Err("ERR DB index is out of range");
  EXPECT_EQ(h.Run({"copy", "a", "a"}), Err("ERR source and destination objects are the same"));
  EXPECT_EQ(h.Run({"copy", "nokey", "nokey"}),
            Err("ERR source and destination objects are the same"));
  EXPECT_EQ(h.Run({"copy", "a", "b", "db", "x"}),
            Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.Run({"copy", "a", "b", "db", "-1"}), range);
  EXPECT_EQ(h.Run({"copy", "a", "b", "db", "16"}), range);
  EXPECT_EQ(h.Run({"copy", "a", "b", "db", "1"}), range);  // Shoal has database 0 only
  EXPECT_EQ(h.Run({"copy", "a", "b", "db"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"copy", "a", "b", "replace", "bogus"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"copy", "a", "a", "bogus"}), Err("ERR syntax error"));  // options first
  EXPECT_EQ(h.Run({"copy", "a", "b", "db", "16", "bogus"}), range);
  EXPECT_EQ(h.Run({"copy", "a"}), Err("ERR wrong number of arguments for 'copy' command"));
  EXPECT_EQ(h.Run({"exists", "b"}), Int(0));
}

}  // namespace
}  // namespace shoal::testing
