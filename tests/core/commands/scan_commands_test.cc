// KEYS, SCAN and RANDOMKEY through ExecuteCommand (replies and error texts checked on
// redis-server 7.0.15), and SCAN's guarantee at the command level: a key present for the whole
// iteration is returned, even when the table grows and shrinks between calls.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

// Parses the bulk strings of a flat RESP2 array reply ("*2\r\n$1\r\na\r\n$1\r\nb\r\n").
std::vector<std::string> ParseBulks(const std::string& reply, std::size_t* pos_inout = nullptr) {
  std::size_t pos = pos_inout != nullptr ? *pos_inout : 0;
  EXPECT_EQ(reply[pos], '*') << reply;
  std::size_t eol = reply.find("\r\n", pos);
  const int n = std::stoi(reply.substr(pos + 1, eol - pos - 1));
  pos = eol + 2;
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(reply[pos], '$') << reply;
    eol = reply.find("\r\n", pos);
    const std::size_t len = std::stoul(reply.substr(pos + 1, eol - pos - 1));
    out.push_back(reply.substr(eol + 2, len));
    pos = eol + 2 + len + 2;
  }
  if (pos_inout != nullptr) *pos_inout = pos;
  return out;
}

std::set<std::string> KeySet(const std::string& reply) {
  const std::vector<std::string> keys = ParseBulks(reply);
  return {keys.begin(), keys.end()};
}

// One SCAN call: the next cursor and the keys.
struct ScanReply {
  std::string cursor;
  std::vector<std::string> keys;
};
ScanReply RunScan(CommandHarness& h, std::vector<std::string> args) {
  const std::string reply = h.Run(args);
  EXPECT_EQ(reply.substr(0, 4), "*2\r\n") << reply;
  std::size_t pos = 4;
  const std::size_t eol = reply.find("\r\n", pos);
  const std::size_t len = std::stoul(reply.substr(pos + 1, eol - pos - 1));
  ScanReply out{.cursor = reply.substr(eol + 2, len)};
  pos = eol + 2 + len + 2;
  out.keys = ParseBulks(reply, &pos);
  EXPECT_EQ(pos, reply.size());
  return out;
}

TEST(KeysCommand, MatchesGlobPatterns) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"keys", "*"}), "*0\r\n");
  for (const char* key : {"user:1", "user:2", "users:3", "a*b", "", "x"}) {
    ASSERT_EQ(h.Run({"set", key, "v"}), kOk);
  }
  EXPECT_EQ(KeySet(h.Run({"keys", "*"})),
            (std::set<std::string>{"user:1", "user:2", "users:3", "a*b", "", "x"}));
  EXPECT_EQ(KeySet(h.Run({"keys", "user:*"})), (std::set<std::string>{"user:1", "user:2"}));
  EXPECT_EQ(KeySet(h.Run({"keys", "user?:*"})), (std::set<std::string>{"users:3"}));
  EXPECT_EQ(KeySet(h.Run({"keys", "a\\*b"})), (std::set<std::string>{"a*b"}));
  EXPECT_EQ(KeySet(h.Run({"keys", "user:[^1]"})), (std::set<std::string>{"user:2"}));
  EXPECT_EQ(KeySet(h.Run({"keys", "**"})),  // not the empty key: only "*" alone means all
            (std::set<std::string>{"user:1", "user:2", "users:3", "a*b", "x"}));
  EXPECT_EQ(h.Run({"keys", "nomatch*"}), "*0\r\n");
  EXPECT_EQ(h.Run({"keys"}), Err("ERR wrong number of arguments for 'keys' command"));
  EXPECT_EQ(h.Run({"keys", "a", "b"}), Err("ERR wrong number of arguments for 'keys' command"));
}

TEST(KeysCommand, SkipsExpiredKeys) {
  CommandHarness h;
  ASSERT_EQ(h.Run({"set", "short", "v", "px", "10"}), kOk);
  ASSERT_EQ(h.Run({"set", "long", "v", "px", "1000"}), kOk);
  h.Advance(10);
  EXPECT_EQ(h.Run({"keys", "*"}), "*1\r\n" + Bulk("long"));
  EXPECT_EQ(h.Run({"scan", "0"}), "*2\r\n" + Bulk("0") + "*1\r\n" + Bulk("long"));
  h.Advance(990);
  EXPECT_EQ(h.Run({"randomkey"}), kNil);
}

TEST(ScanCommand, ErrorsInRedisOrder) {
  CommandHarness h;
  const std::string invalid = Err("ERR invalid cursor");
  for (const char* bad : {" 1", "1 ", "+", "-", "0x1", "1.0", "18446744073709551616", "abc"}) {
    EXPECT_EQ(h.Run({"scan", bad}), invalid) << bad;
  }
  EXPECT_EQ(h.Run({"scan", "x", "count", "0"}), invalid);  // the cursor is checked first
  EXPECT_EQ(h.Run({"scan", "0", "count", "0"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"scan", "0", "count", "-1"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"scan", "0", "count", "x"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.Run({"scan", "0", "count"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"scan", "0", "match"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"scan", "0", "type"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"scan", "0", "bogus", "1"}), Err("ERR syntax error"));
  // Options are read in order: the first bad one answers.
  EXPECT_EQ(h.Run({"scan", "0", "count", "x", "bogus"}),
            Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.Run({"scan", "0", "bogus", "count", "x"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"scan"}), Err("ERR wrong number of arguments for 'scan' command"));
}

TEST(ScanCommand, CursorSpellingsStrtoulAccepts) {
  CommandHarness h;
  ASSERT_EQ(h.Run({"set", "k", "v"}), kOk);
  const std::string whole = "*2\r\n" + Bulk("0") + "*1\r\n" + Bulk("k");
  EXPECT_EQ(h.Run({"scan", "0"}), whole);
  EXPECT_EQ(h.Run({"scan", ""}), whole);  // strtoul reads "" as 0
  EXPECT_EQ(h.Run({"scan", "+0"}), whole);
  EXPECT_EQ(h.Run({"scan", "-0"}), whole);
  EXPECT_EQ(h.Run({"SCAN", "0", "MATCH", "k", "COUNT", "5", "TYPE", "STRING"}), whole);
  // A cursor Shoal never hands out (>= 2^32) ends the iteration at once.
  EXPECT_EQ(h.Run({"scan", "18446744073709551615"}), "*2\r\n" + Bulk("0") + "*0\r\n");
  EXPECT_EQ(h.Run({"scan", "-1"}), "*2\r\n" + Bulk("0") + "*0\r\n");
}

TEST(ScanCommand, MatchAndTypeFilterAfterCounting) {
  CommandHarness h;
  for (int i = 0; i < 50; ++i) ASSERT_EQ(h.Run({"set", "user:" + std::to_string(i), "v"}), kOk);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(h.Run({"set", "item:" + std::to_string(i), "v"}), kOk);
  std::multiset<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    ScanReply r = RunScan(h, {"scan", cursor, "match", "user:*", "count", "7"});
    EXPECT_LE(r.keys.size(), 7u + 256u);
    seen.insert(r.keys.begin(), r.keys.end());
    cursor = r.cursor;
    ++calls;
  } while (cursor != "0");
  EXPECT_GT(calls, 5);  // COUNT bounds each call
  EXPECT_EQ(seen.size(), 50u);
  for (const std::string& key : seen) EXPECT_EQ(key.rfind("user:", 0), 0u);
  EXPECT_EQ(RunScan(h, {"scan", "0", "count", "1000", "type", "string"}).keys.size(), 100u);
  EXPECT_EQ(RunScan(h, {"scan", "0", "count", "1000", "type", "hash"}).keys.size(), 0u);
  EXPECT_EQ(RunScan(h, {"scan", "0", "count", "1000", "type", "nosuchtype"}).keys.size(), 0u);
  EXPECT_EQ(RunScan(h, {"scan", "0", "count", "1000", "match", "*"}).keys.size(), 100u);
}

// Redis's guarantee: every key present from the first call to the last is returned at least
// once, though the table grows (rehashing several times) and then shrinks between calls.
TEST(ScanCommand, ReturnsEveryKeyPresentThroughoutWhileTheTableGrowsAndShrinks) {
  CommandHarness h;
  constexpr int kStable = 300;
  for (int i = 0; i < kStable; ++i) ASSERT_EQ(h.Run({"set", "s" + std::to_string(i), "v"}), kOk);
  std::map<std::string, int> seen;
  std::string cursor = "0";
  int added = 0;
  int calls = 0;
  do {
    ScanReply r = RunScan(h, {"scan", cursor, "count", "10"});
    for (const std::string& key : r.keys) seen[key]++;
    cursor = r.cursor;
    ++calls;
    if (calls <= 15) {  // grow to ten times the stable keys
      for (int i = 0; i < 200; ++i) {
        ASSERT_EQ(h.Run({"set", "g" + std::to_string(added++), "v"}), kOk);
      }
    } else if (added > 0) {  // then remove them all again: the table shrinks
      for (int i = 0; i < 300 && added > 0; ++i) {
        ASSERT_EQ(h.Run({"del", "g" + std::to_string(--added)}), Int(1));
      }
    }
  } while (cursor != "0");
  EXPECT_GT(calls, 25);  // the iteration outlasted both phases
  EXPECT_EQ(added, 0);
  for (int i = 0; i < kStable; ++i) EXPECT_GE(seen["s" + std::to_string(i)], 1) << i;
  h.store().CheckInvariants();
}

TEST(RandomKeyCommand, AnswersAnExistingKeyOrNil) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"randomkey"}), kNil);
  ASSERT_EQ(h.Run({"set", "only", "v"}), kOk);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(h.Run({"randomkey"}), Bulk("only"));
  for (int i = 0; i < 100; ++i) ASSERT_EQ(h.Run({"set", "k" + std::to_string(i), "v"}), kOk);
  std::set<std::string> answers;
  for (int i = 0; i < 200; ++i) {
    const std::string reply = h.Run({"randomkey"});
    ASSERT_EQ(reply[0], '$') << reply;
    const std::string key = reply.substr(reply.find("\r\n") + 2);
    answers.insert(key.substr(0, key.size() - 2));
  }
  EXPECT_GT(answers.size(), 30u);  // spread over the keys
  for (const std::string& key : answers) EXPECT_EQ(h.Run({"exists", key}), Int(1)) << key;
  EXPECT_EQ(h.Run({"randomkey", "x"}),
            Err("ERR wrong number of arguments for 'randomkey' command"));
}

}  // namespace
}  // namespace shoal::testing
