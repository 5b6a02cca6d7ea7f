// KeySlot / Crc16 against the Redis Cluster spec's vectors and values observed from real Redis.
#include "core/slot.h"

#include <string>

#include "core/limits.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal {
namespace {

TEST(Crc16, SpecTestVector) {
  // Redis Cluster spec, "Keys distribution model": CRC16/XMODEM("123456789") == 0x31C3.
  EXPECT_EQ(Crc16("123456789"), 0x31C3);
  EXPECT_EQ(Crc16(""), 0);
}

TEST(KeySlot, SpecHashTagExamples) {
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("{user1000}.followers"));
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("user1000"));
  EXPECT_EQ(KeyHashPart("foo{}{bar}"), "foo{}{bar}");  // empty tag: hash the whole key
  EXPECT_EQ(KeySlot("foo{}{bar}"), Crc16("foo{}{bar}") % limits::kSlotCount);
  EXPECT_EQ(KeyHashPart("foo{{bar}}zap"), "{bar");
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), KeySlot("{bar"));
  EXPECT_EQ(KeyHashPart("foo{bar}{zap}"), "bar");
  EXPECT_EQ(KeySlot("foo{bar}{zap}"), KeySlot("bar"));
  EXPECT_EQ(KeyHashPart("{}"), "{}");
  EXPECT_EQ(KeyHashPart("a{b"), "a{b");
  EXPECT_EQ(KeyHashPart("a}b{c"), "a}b{c");
}

TEST(KeySlot, MatchesRealRedis) {
  // Observed on 2026-11-22 with redis-server 7.0 (Debian 12):
  //   redis-server --port 6398 --cluster-enabled yes --save "" --appendonly no
  //   redis-cli -p 6398 cluster keyslot KEY
  struct Case {
    const char* key;
    std::uint16_t slot;
  };
  constexpr Case kCases[] = {
      {"foo", 12182},
      {"bar", 5061},
      {"hello", 866},
      {"{user1000}.following", 3443},
      {"{user1000}.followers", 3443},
      {"foo{}{bar}", 8363},
      {"foo{{bar}}zap", 4015},
      {"foo{bar}{zap}", 5061},
      {"123456789", 12739},
      {"", 0},
      {"key:0001", 7231},
      {"a", 15495},
      {"user:42", 15880},
      {"{}", 15257},
      {"{a}b", 15495},
      {"shoal", 3374},
  };
  for (const Case& c : kCases) EXPECT_EQ(KeySlot(c.key), c.slot) << c.key;
}

RC_GTEST_PROP(KeySlotProperty, InRangeAndTagDecides,
              (std::string prefix, std::string tag, std::string suffix)) {
  RC_ASSERT(KeySlot(prefix + tag + suffix) < limits::kSlotCount);
  // A key whose first '{' opens a non-empty tag hashes like the tag alone.
  RC_PRE(prefix.find('{') == std::string::npos);
  RC_PRE(!tag.empty() && tag.find('}') == std::string::npos);
  RC_ASSERT(KeySlot(prefix + "{" + tag + "}" + suffix) == KeySlot(tag));
}

}  // namespace
}  // namespace shoal
