// String commands through ExecuteCommand with a real Store: GET/SET and every SET option and
// error path, SETEX/PSETEX/SETNX, GETSET, GETDEL/GETEX, MGET/MSET/MSETNX, the INCR family,
// INCRBYFLOAT (Redis's number formatting), STRLEN, APPEND.
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

constexpr char kSetExpireErr[] = "ERR invalid expire time in 'set' command";

TEST(StringCommands, GetSetBasics) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"get", "k"}), kNil);
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(h.Run({"set", "k", ""}), kOk);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk(""));
  const std::string binary("a\0b\r\nc", 6);
  EXPECT_EQ(h.Run({"set", binary, binary}), kOk);
  EXPECT_EQ(h.Run({"get", binary}), Bulk(binary));
}

TEST(StringCommands, CaseInsensitiveNamesAndOptions) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"SeT", "k", "v", "eX", "10", "Nx"}), kOk);
  EXPECT_EQ(h.Run({"GET", "k"}), Bulk("v"));
  EXPECT_EQ(h.Run({"TTL", "k"}), Int(10));
  EXPECT_EQ(h.Run({"sEt", "k", "w", "xX", "kEePtTl", "GeT"}), Bulk("v"));
  EXPECT_EQ(h.Run({"Ttl", "k"}), Int(10));
}

TEST(StringCommands, SetExpiryOptions) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "1"}), kOk);
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(1000));
  h.Advance(999);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v"));
  h.Advance(1);
  EXPECT_EQ(h.Run({"get", "k"}), kNil);

  EXPECT_EQ(h.Run({"set", "k", "v", "PX", "250"}), kOk);
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(250));

  const TimeMs at_s = h.now() / 1000 + 100;
  EXPECT_EQ(h.Run({"set", "k", "v", "EXAT", std::to_string(at_s)}), kOk);
  EXPECT_EQ(h.Run({"pexpiretime", "k"}), Int(at_s * 1000));

  EXPECT_EQ(h.Run({"set", "k", "v", "PXAT", std::to_string(h.now() + 5)}), kOk);
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(5));

  // An absolute time in the past stores nothing observable.
  EXPECT_EQ(h.Run({"set", "k", "v", "PXAT", "1"}), kOk);
  EXPECT_EQ(h.Run({"get", "k"}), kNil);

  // A plain SET clears an existing TTL; KEEPTTL keeps it.
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "100"}), kOk);
  EXPECT_EQ(h.Run({"set", "k", "v2", "KEEPTTL"}), kOk);
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(100));
  EXPECT_EQ(h.Run({"set", "k", "v3"}), kOk);
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(-1));
  // Repeating the same expiry option is accepted, the last one wins (as in Redis).
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "5", "EX", "7"}), kOk);
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(7));
}

TEST(StringCommands, SetNxXx) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "v", "XX"}), kNil);
  EXPECT_EQ(h.Run({"get", "k"}), kNil);
  EXPECT_EQ(h.Run({"set", "k", "v", "NX"}), kOk);
  EXPECT_EQ(h.Run({"set", "k", "w", "NX"}), kNil);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(h.Run({"set", "k", "w", "XX"}), kOk);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("w"));
  // An expired key counts as absent for NX.
  EXPECT_EQ(h.Run({"set", "t", "1", "PX", "10"}), kOk);
  h.Advance(10);
  EXPECT_EQ(h.Run({"set", "t", "2", "NX"}), kOk);
  EXPECT_EQ(h.Run({"get", "t"}), Bulk("2"));
}

TEST(StringCommands, SetGet) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "v", "GET"}), kNil);
  EXPECT_EQ(h.Run({"set", "k", "w", "GET"}), Bulk("v"));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("w"));
  // Redis 7.0 allows GET with NX: replies the old value and does not write.
  EXPECT_EQ(h.Run({"set", "k", "x", "NX", "GET"}), Bulk("w"));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("w"));
  EXPECT_EQ(h.Run({"set", "n", "x", "NX", "GET"}), kNil);
  EXPECT_EQ(h.Run({"get", "n"}), Bulk("x"));
  EXPECT_EQ(h.Run({"set", "m", "x", "XX", "GET"}), kNil);
  EXPECT_EQ(h.Run({"get", "m"}), kNil);
}

TEST(StringCommands, SetSyntaxErrors) {
  CommandHarness h;
  const std::string syntax = Err("ERR syntax error");
  EXPECT_EQ(h.Run({"set", "k", "v", "NX", "XX"}), syntax);
  EXPECT_EQ(h.Run({"set", "k", "v", "XX", "NX"}), syntax);
  EXPECT_EQ(h.Run({"set", "k", "v", "EX"}), syntax);
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "10", "PX", "10"}), syntax);
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "10", "KEEPTTL"}), syntax);
  EXPECT_EQ(h.Run({"set", "k", "v", "KEEPTTL", "PXAT", "10"}), syntax);
  EXPECT_EQ(h.Run({"set", "k", "v", "EXAT", "10", "PXAT", "10"}), syntax);
  EXPECT_EQ(h.Run({"set", "k", "v", "PERSIST"}), syntax);
  EXPECT_EQ(h.Run({"set", "k", "v", "bogus"}), syntax);
  EXPECT_EQ(h.Run({"set", "k", "v", "EXX", "1"}), syntax);
  // Syntax is checked before the expire value.
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "abc", "NX", "XX"}), syntax);
  EXPECT_EQ(h.Run({"get", "k"}), kNil);
}

TEST(StringCommands, SetInvalidExpireTimes) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "0"}), Err(kSetExpireErr));
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "-1"}), Err(kSetExpireErr));
  EXPECT_EQ(h.Run({"set", "k", "v", "PX", "0"}), Err(kSetExpireErr));
  EXPECT_EQ(h.Run({"set", "k", "v", "EXAT", "0"}), Err(kSetExpireErr));
  EXPECT_EQ(h.Run({"set", "k", "v", "PXAT", "-5"}), Err(kSetExpireErr));
  // Overflow: seconds * 1000, and now + ms.
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "9223372036854775807"}), Err(kSetExpireErr));
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "9223372036854776"}), Err(kSetExpireErr));
  EXPECT_EQ(h.Run({"set", "k", "v", "PX", "9223372036854775807"}), Err(kSetExpireErr));
  EXPECT_EQ(h.Run({"set", "k", "v", "EXAT", "9223372036854776"}), Err(kSetExpireErr));
  // The largest EXAT that fits is accepted.
  EXPECT_EQ(h.Run({"set", "k", "v", "EXAT", "9223372036854775"}), kOk);
  EXPECT_EQ(h.Run({"set", "k", "v", "PXAT", "9223372036854775807"}), kOk);
  // Not integers.
  const std::string not_int = Err("ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "1.5"}), not_int);
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", " 1"}), not_int);
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "+1"}), not_int);
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", "9223372036854775808"}), not_int);
  EXPECT_EQ(h.Run({"set", "k", "v", "EX", ""}), not_int);
  // Errors never write.
  EXPECT_EQ(h.Run({"set", "x", "v", "EX", "0"}), Err(kSetExpireErr));
  EXPECT_EQ(h.Run({"exists", "x"}), Int(0));
}

TEST(StringCommands, SetExPSetExSetNx) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"setex", "k", "10", "v"}), kOk);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(10));
  EXPECT_EQ(h.Run({"setex", "k", "0", "v"}), Err("ERR invalid expire time in 'setex' command"));
  EXPECT_EQ(h.Run({"setex", "k", "x", "v"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.Run({"psetex", "k", "1500", "v"}), kOk);
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(1500));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(2));  // rounded as Redis does: (1500 + 500) / 1000
  EXPECT_EQ(h.Run({"psetex", "k", "-1", "v"}), Err("ERR invalid expire time in 'psetex' command"));
  EXPECT_EQ(h.Run({"setex", "k", "1"}), Err("ERR wrong number of arguments for 'setex' command"));

  EXPECT_EQ(h.Run({"setnx", "n", "1"}), Int(1));
  EXPECT_EQ(h.Run({"setnx", "n", "2"}), Int(0));
  EXPECT_EQ(h.Run({"get", "n"}), Bulk("1"));
}

TEST(StringCommands, GetDelGetEx) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"getdel", "k"}), kNil);
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"getdel", "k"}), Bulk("v"));
  EXPECT_EQ(h.Run({"exists", "k"}), Int(0));

  EXPECT_EQ(h.Run({"getex", "k"}), kNil);
  EXPECT_EQ(h.Run({"getex", "k", "EX", "0"}), kNil);  // missing key: no validation, like Redis
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"getex", "k"}), Bulk("v"));
  EXPECT_EQ(h.Run({"getex", "k", "EX", "100"}), Bulk("v"));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(100));
  EXPECT_EQ(h.Run({"getex", "k", "PX", "5000"}), Bulk("v"));
  EXPECT_EQ(h.Run({"pttl", "k"}), Int(5000));
  EXPECT_EQ(h.Run({"getex", "k", "EXAT", std::to_string(h.now() / 1000 + 50)}), Bulk("v"));
  EXPECT_EQ(h.Run({"getex", "k", "PERSIST"}), Bulk("v"));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(-1));
  EXPECT_EQ(h.Run({"getex", "k", "EX", "0"}), Err("ERR invalid expire time in 'getex' command"));
  EXPECT_EQ(h.Run({"getex", "k", "NX"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"getex", "k", "KEEPTTL"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"getex", "k", "PERSIST", "EX", "1"}), Err("ERR syntax error"));
  // An absolute time in the past deletes the key after replying its value.
  EXPECT_EQ(h.Run({"getex", "k", "PXAT", "1"}), Bulk("v"));
  EXPECT_EQ(h.Run({"get", "k"}), kNil);
}

TEST(StringCommands, MGetMSetMSetNx) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"mset", "a", "1", "b", "2"}), kOk);
  EXPECT_EQ(h.Run({"mget", "a", "x", "b", "a"}),
            "*4\r\n" + Bulk("1") + kNil + Bulk("2") + Bulk("1"));
  EXPECT_EQ(h.Run({"mset", "a", "1", "b"}),
            Err("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(h.Run({"mset", "a"}), Err("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(h.Run({"mget"}), Err("ERR wrong number of arguments for 'mget' command"));
  EXPECT_EQ(h.Run({"msetnx", "a", "9", "c", "3"}), Int(0));
  EXPECT_EQ(h.Run({"get", "c"}), kNil);
  EXPECT_EQ(h.Run({"msetnx", "c", "3", "d", "4"}), Int(1));
  EXPECT_EQ(h.Run({"mget", "c", "d"}), "*2\r\n" + Bulk("3") + Bulk("4"));
  EXPECT_EQ(h.Run({"msetnx", "c", "3", "d"}),
            Err("ERR wrong number of arguments for 'msetnx' command"));
  // MSET clears TTLs.
  EXPECT_EQ(h.Run({"set", "t", "1", "EX", "10"}), kOk);
  EXPECT_EQ(h.Run({"mset", "t", "2"}), kOk);
  EXPECT_EQ(h.Run({"ttl", "t"}), Int(-1));
}

TEST(StringCommands, IncrFamily) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"incr", "n"}), Int(1));
  EXPECT_EQ(h.Run({"incr", "n"}), Int(2));
  EXPECT_EQ(h.Run({"decr", "n"}), Int(1));
  EXPECT_EQ(h.Run({"incrby", "n", "-11"}), Int(-10));
  EXPECT_EQ(h.Run({"decrby", "n", "5"}), Int(-15));
  EXPECT_EQ(h.Run({"get", "n"}), Bulk("-15"));
  EXPECT_EQ(h.Run({"decr", "fresh"}), Int(-1));

  const std::string not_int = Err("ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"set", "s", "abc"}), kOk);
  EXPECT_EQ(h.Run({"incr", "s"}), not_int);
  EXPECT_EQ(h.Run({"set", "s", " 1"}), kOk);
  EXPECT_EQ(h.Run({"incr", "s"}), not_int);
  EXPECT_EQ(h.Run({"set", "s", "01"}), kOk);
  EXPECT_EQ(h.Run({"incr", "s"}), not_int);
  EXPECT_EQ(h.Run({"set", "s", "1.0"}), kOk);
  EXPECT_EQ(h.Run({"incr", "s"}), not_int);
  EXPECT_EQ(h.Run({"set", "s", ""}), kOk);
  EXPECT_EQ(h.Run({"incr", "s"}), not_int);
  EXPECT_EQ(h.Run({"get", "s"}), Bulk(""));
  EXPECT_EQ(h.Run({"incrby", "n", "x"}), not_int);
  EXPECT_EQ(h.Run({"incrby", "n", "99999999999999999999"}), not_int);

  const std::string overflow = Err("ERR increment or decrement would overflow");
  EXPECT_EQ(h.Run({"set", "m", "9223372036854775807"}), kOk);
  EXPECT_EQ(h.Run({"incr", "m"}), overflow);
  EXPECT_EQ(h.Run({"get", "m"}), Bulk("9223372036854775807"));
  EXPECT_EQ(h.Run({"set", "m", "-9223372036854775808"}), kOk);
  EXPECT_EQ(h.Run({"decr", "m"}), overflow);
  EXPECT_EQ(h.Run({"incrby", "m", "-1"}), overflow);
  EXPECT_EQ(h.Run({"incrby", "m", "9223372036854775807"}), Int(-1));
  EXPECT_EQ(h.Run({"decrby", "m", "-9223372036854775808"}), Err("ERR decrement would overflow"));
  EXPECT_EQ(h.Run({"decrby", "m", "9223372036854775807"}), Int(-9223372036854775807LL - 1));
  EXPECT_EQ(h.Run({"get", "m"}), Bulk("-9223372036854775808"));
}

TEST(StringCommands, IncrKeepsTtl) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "n", "5", "EX", "100"}), kOk);
  EXPECT_EQ(h.Run({"incr", "n"}), Int(6));
  EXPECT_EQ(h.Run({"ttl", "n"}), Int(100));
  h.Advance(100'000);
  EXPECT_EQ(h.Run({"get", "n"}), kNil);
  EXPECT_EQ(h.Run({"incr", "n"}), Int(1));  // expired key counts as 0
  EXPECT_EQ(h.Run({"ttl", "n"}), Int(-1));
}

TEST(StringCommands, StrLenAppend) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"strlen", "k"}), Int(0));
  EXPECT_EQ(h.Run({"append", "k", "abc"}), Int(3));
  EXPECT_EQ(h.Run({"append", "k", "de"}), Int(5));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("abcde"));
  EXPECT_EQ(h.Run({"strlen", "k"}), Int(5));
  EXPECT_EQ(h.Run({"expire", "k", "50"}), Int(1));
  EXPECT_EQ(h.Run({"append", "k", "f"}), Int(6));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(50));
}

TEST(StringCommands, GetSetReturnsTheOldValueAndClearsTtl) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"getset", "k", "v1"}), kNil);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v1"));
  EXPECT_EQ(h.Run({"expire", "k", "100"}), Int(1));
  EXPECT_EQ(h.Run({"getset", "k", "v2"}), Bulk("v1"));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v2"));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(-1));
  EXPECT_EQ(h.Run({"getset", "k"}), Err("ERR wrong number of arguments for 'getset' command"));
}

TEST(StringCommands, IncrByFloatFormatsAsRedis) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "f", "10.50"}), kOk);
  EXPECT_EQ(h.Run({"incrbyfloat", "f", "0.1"}), Bulk("10.6"));
  EXPECT_EQ(h.Run({"incrbyfloat", "f", "-5"}), Bulk("5.6"));
  EXPECT_EQ(h.Run({"set", "g", "5.0e3"}), kOk);
  EXPECT_EQ(h.Run({"incrbyfloat", "g", "2.0e2"}), Bulk("5200"));  // no trailing zeros, no '.'
  EXPECT_EQ(h.Run({"get", "g"}), Bulk("5200"));
  EXPECT_EQ(h.Run({"incrbyfloat", "g", "-5200"}), Bulk("0"));
  EXPECT_EQ(h.Run({"incrbyfloat", "z", "-0.0"}), Bulk("0"));    // no negative zero
  EXPECT_EQ(h.Run({"incrbyfloat", "z", "-1e-18"}), Bulk("0"));  // "-0.00000000000000000"
  EXPECT_EQ(h.Run({"set", "i", "3"}), kOk);
  EXPECT_EQ(h.Run({"incrbyfloat", "i", "1.5"}), Bulk("4.5"));
  EXPECT_EQ(h.Run({"incrbyfloat", "i", "+1"}), Bulk("5.5"));
  EXPECT_EQ(h.Run({"incrbyfloat", "i", "0x10"}), Bulk("21.5"));  // strtold's hex floats
  EXPECT_EQ(h.Run({"incrbyfloat", "big", "1e30"}), Bulk("1000000000000000000024696061952"));
  EXPECT_EQ(h.Run({"incrbyfloat", "small", "0.1"}), Bulk("0.1"));
}

TEST(StringCommands, IncrByFloatKeepsTtl) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "t", "1", "EX", "100"}), kOk);
  EXPECT_EQ(h.Run({"incrbyfloat", "t", "1"}), Bulk("2"));
  EXPECT_EQ(h.Run({"ttl", "t"}), Int(100));
}

TEST(StringCommands, IncrByFloatErrors) {
  CommandHarness h;
  const std::string not_float = Err("ERR value is not a valid float");
  const std::string nan_inf = Err("ERR increment would produce NaN or Infinity");
  EXPECT_EQ(h.Run({"incrbyfloat", "k", "abc"}), not_float);
  EXPECT_EQ(h.Run({"incrbyfloat", "k", ""}), not_float);
  EXPECT_EQ(h.Run({"incrbyfloat", "k", " 1"}), not_float);
  EXPECT_EQ(h.Run({"incrbyfloat", "k", "1 "}), not_float);
  EXPECT_EQ(h.Run({"incrbyfloat", "k", "nan"}), not_float);
  EXPECT_EQ(h.Run({"incrbyfloat", "k", "1e5000"}), not_float);   // overflows a long double
  EXPECT_EQ(h.Run({"incrbyfloat", "k", "3e-4960"}), not_float);  // underflows to zero
  EXPECT_EQ(h.Run({"incrbyfloat", "k", std::string(5 * 1024, '1')}), not_float);  // too long
  EXPECT_EQ(h.Run({"incrbyfloat", "k", std::string("2\0", 2)}), not_float);       // all or nothing
  EXPECT_EQ(h.Run({"incrbyfloat", "k", "inf"}), nan_inf);
  EXPECT_EQ(h.Run({"exists", "k"}), Int(0));
  EXPECT_EQ(h.Run({"set", "k", "1.1e4932"}), kOk);  // near LDBL_MAX
  EXPECT_EQ(h.Run({"incrbyfloat", "k", "1.1e4932"}), nan_inf);
  // The stored value is checked first.
  EXPECT_EQ(h.Run({"set", "w", "abc"}), kOk);
  EXPECT_EQ(h.Run({"incrbyfloat", "w", "1"}), not_float);
  EXPECT_EQ(h.Run({"set", "w", "inf"}), kOk);
  EXPECT_EQ(h.Run({"incrbyfloat", "w", "0"}), nan_inf);
  EXPECT_EQ(h.Run({"get", "w"}), Bulk("inf"));
}

TEST(StringCommands, StoreErrors) {
  NodeConfig config;
  config.store.value_bytes_max = limits::kValueBytesMin;
  CommandHarness h(config);
  const std::string big(limits::kValueBytesMin + 1, 'x');
  const std::string too_large = Err("ERR string exceeds maximum allowed size (max-value-bytes)");
  EXPECT_EQ(h.Run({"set", "k", big}), too_large);
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  // SET ... GET with a failing write replies the error alone (no stale GET part).
  EXPECT_EQ(h.Run({"set", "k", big, "GET"}), too_large);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(h.Run({"append", "k", std::string(limits::kValueBytesMin, 'y')}), too_large);
  EXPECT_EQ(h.Run({"mset", "a", "1", "b", big}), too_large);
  EXPECT_EQ(h.Run({"setnx", "z", big}), too_large);
  const std::string big_key(limits::kKeyBytesMax + 1, 'k');
  EXPECT_EQ(h.Run({"set", big_key, "v"}),
            Err("ERR key exceeds maximum allowed size (key-bytes-max)"));
}

TEST(StringCommands, OutOfMemoryWithNoEviction) {
  NodeConfig config;
  config.store.maxmemory_bytes = 64 * 1024;
  config.store.eviction = EvictionKind::kNoEviction;
  CommandHarness h(config);
  const std::string value(1024, 'v');
  std::string reply;
  int stored = 0;
  for (int i = 0; i < 1000; ++i) {
    reply = h.Run({"set", "key" + std::to_string(i), value});
    if (reply != kOk) break;
    stored++;
  }
  EXPECT_GT(stored, 0);
  EXPECT_EQ(reply, Err("OOM command not allowed when used memory > 'maxmemory'."));
  EXPECT_EQ(h.Run({"incr", "counter-that-does-not-fit-" + value}),
            Err("OOM command not allowed when used memory > 'maxmemory'."));
  // Reads still work.
  EXPECT_EQ(h.Run({"get", "key0"}), Bulk(value));
}

}  // namespace
}  // namespace shoal::testing
