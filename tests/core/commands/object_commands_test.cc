// OBJECT and MEMORY USAGE through ExecuteCommand with a real Store: Redis 7.0's replies for
// ENCODING, REFCOUNT, nil for a missing or expired key, MEMORY USAGE's option parsing (checked on
// redis-server 7.0), and Shoal's own answers where its policies differ (FREQ, IDLETIME).
#include <string>

#include "core/store/store.h"
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

NodeConfig WithEviction(EvictionKind kind) {
  NodeConfig config;
  config.store.eviction = kind;
  return config;
}

TEST(ObjectCommands, EncodingFollowsRedissRulesForStrings) {
  CommandHarness h;
  for (const auto& [value, encoding] : std::initializer_list<std::pair<std::string, std::string>>{
           {"123", "int"},
           {"-9223372036854775808", "int"},
           {"9223372036854775808", "embstr"},  // past int64
           {"0123", "embstr"},                 // a leading zero is not a number to Redis
           {"+1", "embstr"},
           {"", "embstr"},
           {"hello", "embstr"},
           {std::string(44, 'x'), "embstr"},
           {std::string(45, 'x'), "raw"}}) {
    EXPECT_EQ(h.Run({"set", "k", value}), kOk);
    EXPECT_EQ(h.Run({"object", "encoding", "k"}), Bulk(encoding)) << value;
  }
  EXPECT_EQ(h.Run({"object", "encoding", "missing"}), kNil);
}

TEST(ObjectCommands, RefcountIsSharedForSmallIntegers) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"mset", "zero", "0", "top", "9999", "past", "10000", "neg", "-1", "s", "x"}),
            kOk);
  EXPECT_EQ(h.Run({"object", "refcount", "zero"}), Int(2147483647));
  EXPECT_EQ(h.Run({"object", "refcount", "top"}), Int(2147483647));
  EXPECT_EQ(h.Run({"object", "refcount", "past"}), Int(1));
  EXPECT_EQ(h.Run({"object", "refcount", "neg"}), Int(1));
  EXPECT_EQ(h.Run({"object", "refcount", "s"}), Int(1));
  EXPECT_EQ(h.Run({"object", "refcount", "missing"}), kNil);
}

TEST(ObjectCommands, FreqIsThePolicysCounterAndNeverCountsAsAnAccess) {
  CommandHarness s3fifo(WithEviction(EvictionKind::kS3Fifo));
  EXPECT_EQ(s3fifo.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(s3fifo.Run({"object", "freq", "k"}), Int(0));
  EXPECT_EQ(s3fifo.Run({"object", "freq", "k"}), Int(0));  // OBJECT itself is not an access
  EXPECT_EQ(s3fifo.Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(s3fifo.Run({"object", "freq", "k"}), Int(1));
  for (int i = 0; i < 5; ++i) s3fifo.Run({"get", "k"});
  EXPECT_EQ(s3fifo.Run({"object", "freq", "k"}), Int(3));  // a 2-bit counter
  EXPECT_EQ(s3fifo.Run({"object", "freq", "missing"}), kNil);

  CommandHarness sieve(WithEviction(EvictionKind::kSieve));
  EXPECT_EQ(sieve.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(sieve.Run({"object", "freq", "k"}), Int(0));
  EXPECT_EQ(sieve.Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(sieve.Run({"object", "freq", "k"}), Int(1));  // the visited bit

  for (const EvictionKind kind : {EvictionKind::kLru, EvictionKind::kNoEviction}) {
    CommandHarness h(WithEviction(kind));
    EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
    const std::string reply = h.Run({"object", "freq", "k"});
    EXPECT_EQ(reply.rfind("-ERR The " + std::string(EvictionKindName(kind)) +
                              " eviction policy keeps no access frequency",
                          0),
              0u)
        << reply;
    EXPECT_EQ(h.Run({"object", "freq", "missing"}), kNil);  // the key is looked up first
  }
}

TEST(ObjectCommands, IdletimeIsRefusedWithTheReason) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"object", "idletime", "missing"}), kNil);
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"object", "idletime", "k"})
                .rfind("-ERR Shoal's eviction policies keep no "
                       "access time, idle time not tracked.",
                       0),
            0u);
}

TEST(ObjectCommands, SubcommandAndArityErrorsAsRedis) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"object", "foo", "k"}), Err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  EXPECT_EQ(h.Run({"object"}), Err("ERR wrong number of arguments for 'object' command"));
  EXPECT_EQ(h.Run({"object", "encoding"}),
            Err("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_EQ(h.Run({"memory", "usage"}),
            Err("ERR wrong number of arguments for 'memory|usage' command"));
  EXPECT_EQ(h.Run({"object", "help"}).rfind("*", 0), 0u);
  EXPECT_EQ(h.Run({"memory", "help"}).rfind("*", 0), 0u);
}

TEST(MemoryUsage, TheItemsAccountedBytesAndRedisOptionParsing) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"memory", "usage", "missing"}), kNil);
  EXPECT_EQ(h.Run({"set", "k", std::string(100, 'v')}), kOk);
  const std::string expected = Int(static_cast<std::int64_t>(Store::ItemFootprintBytes(1, 100)));
  EXPECT_EQ(h.Run({"memory", "usage", "k"}), expected);
  EXPECT_EQ(h.Run({"memory", "usage", "k", "samples", "0"}), expected);
  EXPECT_EQ(h.Run({"memory", "usage", "k", "SAMPLES", "5", "samples", "7"}), expected);
  // Options are parsed before the key is looked up.
  EXPECT_EQ(h.Run({"memory", "usage", "missing", "samples", "-1"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"memory", "usage", "k", "samples", "x"}),
            Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.Run({"memory", "usage", "k", "samples"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"memory", "usage", "k", "foo"}), Err("ERR syntax error"));
  // A TTL makes the item bigger; an expired item is gone.
  EXPECT_EQ(h.Run({"pexpire", "k", "100"}), Int(1));
  EXPECT_EQ(h.Run({"memory", "usage", "k"}),
            Int(static_cast<std::int64_t>(Store::ItemFootprintBytes(1, 100, true))));
  h.Advance(200);
  EXPECT_EQ(h.Run({"memory", "usage", "k"}), kNil);
  EXPECT_EQ(h.Run({"object", "encoding", "k"}), kNil);
}

}  // namespace
}  // namespace shoal::testing
