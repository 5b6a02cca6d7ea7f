// Keyspace commands through ExecuteCommand: DEL/UNLINK, EXISTS, the EXPIRE family with
// NX|XX|GT|LT, TTL/PTTL/EXPIRETIME with a simulated clock, PERSIST, TYPE, TOUCH, DBSIZE, FLUSHALL.
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

TEST(KeyCommands, DelUnlinkExists) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"mset", "a", "1", "b", "2", "c", "3"}), kOk);
  EXPECT_EQ(h.Run({"exists", "a", "a", "x", "b"}), Int(3));  // duplicates count
  EXPECT_EQ(h.Run({"del", "a", "a", "x"}), Int(1));
  EXPECT_EQ(h.Run({"unlink", "b", "c"}), Int(2));
  EXPECT_EQ(h.Run({"exists", "a", "b", "c"}), Int(0));
  EXPECT_EQ(h.Run({"del"}), Err("ERR wrong number of arguments for 'del' command"));
  EXPECT_EQ(h.Run({"exists"}), Err("ERR wrong number of arguments for 'exists' command"));
}

TEST(KeyCommands, TouchCountsExistingKeysAsReads) {
  CommandHarness h;
  ASSERT_EQ(h.Run({"mset", "a", "1", "b", "2"}), kOk);
  ASSERT_EQ(h.Run({"set", "gone", "v", "px", "5"}), kOk);
  h.Advance(5);
  const std::uint64_t hits = h.store().stats().hits;
  const std::uint64_t misses = h.store().stats().misses;
  EXPECT_EQ(h.Run({"touch", "a", "a", "b", "x", "gone"}), Int(3));  // duplicates count
  EXPECT_EQ(h.store().stats().hits, hits + 3);                      // as Redis's lookupKeyRead
  EXPECT_EQ(h.store().stats().misses, misses + 2);
  EXPECT_EQ(h.Run({"touch", "x"}), Int(0));
  EXPECT_EQ(h.Run({"touch"}), Err("ERR wrong number of arguments for 'touch' command"));
}

TEST(KeyCommands, TtlStates) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(-2));
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(-2));
  EXPECT_EQ(h.Run({"expiretime", "k"}), Int(-2));
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(-1));
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(-1));
  EXPECT_EQ(h.Run({"pexpiretime", "k"}), Int(-1));
  EXPECT_EQ(h.Run({"pexpire", "k", "2499"}), Int(1));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(2));  // (2499 + 500) / 1000
  h.Advance(1000);
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(1499));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(1));
  EXPECT_EQ(h.Run({"pexpiretime", "k"}), Int(h.now() + 1499));
  EXPECT_EQ(h.Run({"expiretime", "k"}), Int((h.now() + 1499 + 500) / 1000));
  h.Advance(1499);
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(-2));
  EXPECT_EQ(h.Run({"get", "k"}), kNil);
}

TEST(KeyCommands, TtlNearTheEndOfTime) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "v", "PXAT", "9223372036854775807"}), kOk);
  EXPECT_EQ(h.Run({"pexpiretime", "k"}), Int(9223372036854775807LL));
  EXPECT_EQ(h.Run({"expiretime", "k"}), Int(9223372036854776LL));  // rounded up, no overflow
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(9223372036854775807LL - h.now()));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int((9223372036854775807LL - h.now()) / 1000 + 1));
}

TEST(KeyCommands, ExpireForms) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"expire", "k", "10"}), Int(0));
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"expire", "k", "10"}), Int(1));
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(10'000));
  EXPECT_EQ(h.Run({"pexpire", "k", "1234"}), Int(1));
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(1234));
  EXPECT_EQ(h.Run({"expireat", "k", std::to_string(h.now() / 1000 + 60)}), Int(1));
  EXPECT_EQ(h.Run({"expiretime", "k"}), Int(h.now() / 1000 + 60));
  EXPECT_EQ(h.Run({"pexpireat", "k", std::to_string(h.now() + 77)}), Int(1));
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(77));
}

TEST(KeyCommands, ExpireInThePastDeletes) {
  CommandHarness h;
  for (const char* cmd : {"expire", "pexpire"}) {
    for (const char* t : {"0", "-1", "-9223372036854775"}) {
      EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
      EXPECT_EQ(h.Run({cmd, "k", t}), Int(1)) << cmd << " " << t;
      EXPECT_EQ(h.Run({"exists", "k"}), Int(0)) << cmd << " " << t;
    }
  }
  // EXPIREAT 0 is the epoch, not "no expiry".
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"expireat", "k", "0"}), Int(1));
  EXPECT_EQ(h.Run({"exists", "k"}), Int(0));
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"pexpireat", "k", std::to_string(h.now())}), Int(1));
  EXPECT_EQ(h.Run({"exists", "k"}), Int(0));
}

TEST(KeyCommands, ExpireOverflowAndBadInput) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"expire", "k", "9223372036854775807"}),
            Err("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(h.Run({"expire", "k", "-9223372036854775808"}),
            Err("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(h.Run({"pexpire", "k", "9223372036854775807"}),
            Err("ERR invalid expire time in 'pexpire' command"));
  EXPECT_EQ(h.Run({"expireat", "k", "9223372036854776"}),
            Err("ERR invalid expire time in 'expireat' command"));
  EXPECT_EQ(h.Run({"pexpireat", "k", "9223372036854775807"}), Int(1));  // fits
  EXPECT_EQ(h.Run({"expire", "k", "ten"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.Run({"expire", "k"}), Err("ERR wrong number of arguments for 'expire' command"));
  // Invalid time is reported even for a missing key (validation comes first).
  EXPECT_EQ(h.Run({"expire", "missing", "9223372036854775807"}),
            Err("ERR invalid expire time in 'expire' command"));
}

TEST(KeyCommands, ExpireOptions) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  // No TTL yet: XX and GT fail, NX and LT succeed.
  EXPECT_EQ(h.Run({"expire", "k", "100", "XX"}), Int(0));
  EXPECT_EQ(h.Run({"expire", "k", "100", "GT"}), Int(0));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(-1));
  EXPECT_EQ(h.Run({"expire", "k", "100", "NX"}), Int(1));
  EXPECT_EQ(h.Run({"expire", "k", "200", "NX"}), Int(0));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(100));
  EXPECT_EQ(h.Run({"expire", "k", "50", "GT"}), Int(0));
  EXPECT_EQ(h.Run({"expire", "k", "100", "GT"}), Int(0));  // equal is not greater
  EXPECT_EQ(h.Run({"expire", "k", "150", "gt"}), Int(1));
  EXPECT_EQ(h.Run({"expire", "k", "200", "LT"}), Int(0));
  EXPECT_EQ(h.Run({"expire", "k", "120", "lt"}), Int(1));
  EXPECT_EQ(h.Run({"expire", "k", "130", "XX"}), Int(1));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(130));
  EXPECT_EQ(h.Run({"expire", "k", "140", "XX", "GT"}), Int(1));
  EXPECT_EQ(h.Run({"persist", "k"}), Int(1));
  EXPECT_EQ(h.Run({"expire", "k", "10", "LT"}), Int(1));  // no TTL counts as infinite
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(10));
  EXPECT_EQ(h.Run({"expire", "missing", "10", "NX"}), Int(0));

  EXPECT_EQ(h.Run({"expire", "k", "10", "NX", "XX"}),
            Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  EXPECT_EQ(h.Run({"expire", "k", "10", "NX", "GT"}),
            Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  EXPECT_EQ(h.Run({"pexpire", "k", "10", "GT", "LT"}),
            Err("ERR GT and LT options at the same time are not compatible"));
  EXPECT_EQ(h.Run({"expire", "k", "10", "YY"}), Err("ERR Unsupported option YY"));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(10));
}

TEST(KeyCommands, Persist) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"persist", "k"}), Int(0));
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"persist", "k"}), Int(0));
  EXPECT_EQ(h.Run({"expire", "k", "10"}), Int(1));
  EXPECT_EQ(h.Run({"persist", "k"}), Int(1));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(-1));
  h.Advance(20'000);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v"));
}

TEST(KeyCommands, TypeDbSizeFlush) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"type", "k"}), "+none\r\n");
  EXPECT_EQ(h.Run({"dbsize"}), Int(0));
  EXPECT_EQ(h.Run({"mset", "k", "v", "j", "w"}), kOk);
  EXPECT_EQ(h.Run({"type", "k"}), "+string\r\n");
  EXPECT_EQ(h.Run({"dbsize"}), Int(2));
  EXPECT_EQ(h.Run({"dbsize", "x"}), Err("ERR wrong number of arguments for 'dbsize' command"));
  EXPECT_EQ(h.Run({"flushall", "now"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"flushall", "sync", "async"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"dbsize"}), Int(2));
  EXPECT_EQ(h.Run({"flushall"}), kOk);
  EXPECT_EQ(h.Run({"dbsize"}), Int(0));
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"FLUSHDB", "ASYNC"}), kOk);
  EXPECT_EQ(h.Run({"get", "k"}), kNil);
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"flushall", "sync"}), kOk);
  EXPECT_EQ(h.Run({"exists", "k"}), Int(0));
}

}  // namespace
}  // namespace shoal::testing
