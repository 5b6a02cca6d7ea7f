// SlowLog tests: the threshold rule (Redis: >= slower-than, negative disables, max-len 0
// disables), newest-first order and ids, trimming on push, and Redis's argument truncation and
// redaction.
#include "core/stats/slow_log.h"

#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "gtest/gtest.h"

namespace shoal {
namespace {

constexpr TimeMs kNow = 1'700'000'000'123;

void Push(SlowLog& log, std::vector<std::string_view> argv, std::uint64_t us = 5,
          std::uint64_t secrets = 0) {
  log.Push(kNow, us, argv, secrets, "10.0.0.1:5555", "app");
}

TEST(SlowLog, ThresholdRule) {
  SlowLog log(100, 10);  // microseconds; Wants takes nanoseconds
  EXPECT_FALSE(log.Wants(99'999));
  EXPECT_TRUE(log.Wants(100'000));
  EXPECT_TRUE(log.Wants(1'000'000'000));
  log.set_slower_than_us(0);
  EXPECT_TRUE(log.Wants(0));
  log.set_slower_than_us(-1);
  EXPECT_FALSE(log.Wants(1'000'000'000'000));
  log.set_slower_than_us(std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(log.Wants(1'000'000'000'000));
  log.set_slower_than_us(0);
  log.set_max_len(0);
  EXPECT_FALSE(log.Wants(5000));
}

TEST(SlowLog, NewestFirstWithIncreasingIds) {
  SlowLog log(0, 3);
  for (int i = 0; i < 5; ++i) Push(log, {"get", "k" + std::to_string(i)}, 10 + i);
  ASSERT_EQ(log.size(), 3u);  // trimmed on push
  EXPECT_EQ(log.entries()[0].id, 4u);
  EXPECT_EQ(log.entries()[0].args, (std::vector<std::string>{"get", "k4"}));
  EXPECT_EQ(log.entries()[0].duration_us, 14u);
  EXPECT_EQ(log.entries()[0].timestamp_s, kNow / 1000);
  EXPECT_EQ(log.entries()[0].client_address, "10.0.0.1:5555");
  EXPECT_EQ(log.entries()[0].client_name, "app");
  EXPECT_EQ(log.entries()[2].id, 2u);
  log.Reset();
  EXPECT_EQ(log.size(), 0u);
  Push(log, {"ping"});
  EXPECT_EQ(log.entries()[0].id, 5u);  // ids are never reused
  EXPECT_EQ(log.next_id(), 6u);
}

TEST(SlowLog, LoweringMaxLenTrimsOnTheNextPush) {
  SlowLog log(0, 10);
  for (int i = 0; i < 6; ++i) Push(log, {"ping"});
  log.set_max_len(2);
  EXPECT_EQ(log.size(), 6u);  // as Redis: nothing happens until the next entry
  Push(log, {"ping"});
  EXPECT_EQ(log.size(), 2u);
}

TEST(SlowLog, TruncatesLikeRedis) {
  SlowLog log(0, 10);
  std::vector<std::string> args;
  for (int i = 0; i < 40; ++i) args.push_back("a" + std::to_string(i));
  args[1] = std::string(200, 'x');
  std::vector<std::string_view> argv(args.begin(), args.end());
  Push(log, argv);
  const std::vector<std::string>& kept = log.entries()[0].args;
  ASSERT_EQ(kept.size(), limits::kSlowLogArgsMax);
  EXPECT_EQ(kept[0], "a0");
  EXPECT_EQ(kept[1], std::string(128, 'x') + "... (72 more bytes)");
  EXPECT_EQ(kept[30], "a30");
  EXPECT_EQ(kept[31], "... (9 more arguments)");  // 40 - 32 + 1
  // Exactly 32 arguments: all kept.
  argv.resize(32);
  Push(log, argv);
  EXPECT_EQ(log.entries()[0].args.size(), 32u);
  EXPECT_EQ(log.entries()[0].args[31], "a31");
}

TEST(SlowLog, RedactsSecrets) {
  SlowLog log(0, 10);
  Push(log, {"auth", "user", "hunter2"}, 1, 0b110);
  EXPECT_EQ(log.entries()[0].args, (std::vector<std::string>{"auth", "(redacted)", "(redacted)"}));
}

}  // namespace
}  // namespace shoal
