// Observability commands through the command table (exact RESP bytes): SLOWLOG GET/LEN/RESET,
// LATENCY HISTOGRAM/LATEST/RESET as Redis 7.0 answers them, HOTKEYS GET/RESET, the CONFIG
// GET/SET parameters of the slow log, the INFO sections they feed (commandstats, errorstats,
// latencystats, cpu), and CONFIG RESETSTAT clearing them. Durations are recorded into the
// harness's NodeStats directly (the Node's CommandTook is tested in tests/core/node_test.cc).
#include <string>
#include <vector>

#include "core/commands/command_spec.h"
#include "core/limits.h"
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

std::size_t IndexOf(std::string_view name, std::string_view sub = {}) {
  const CommandSpec* top = FindCommand(name);
  const CommandSpec* s = sub.empty() ? nullptr : FindSubcommand(*top, sub);
  return CommandStatIndex(*top, s);
}

std::string InfoBody(const std::string& reply) { return reply.substr(reply.find("\r\n") + 2); }

std::string InfoLine(const std::string& body, std::string_view prefix) {
  const std::size_t at = body.find("\r\n" + std::string(prefix));
  if (at == std::string::npos) return "";
  return body.substr(at + 2, body.find("\r\n", at + 2) - at - 2);
}

TEST(SlowlogCommand, EntriesAsRedisWritesThem) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"slowlog", "len"}), Int(0));
  EXPECT_EQ(h.Run({"slowlog", "get"}), "*0\r\n");
  const std::vector<std::string_view> first = {"set", "k", "v"};
  const std::vector<std::string_view> second = {"get", "k"};
  h.stats().slowlog.Push(1'700'000'000'500, 12000, first, 0, "10.0.0.1:5555", "");
  h.stats().slowlog.Push(1'700'000'001'500, 15000, second, 0, "10.0.0.1:5555", "app");
  EXPECT_EQ(h.Run({"slowlog", "len"}), Int(2));
  const std::string newest = "*6\r\n" + Int(1) + Int(1700000001) + Int(15000) + "*2\r\n" +
                             Bulk("get") + Bulk("k") + Bulk("10.0.0.1:5555") + Bulk("app");
  const std::string oldest = "*6\r\n" + Int(0) + Int(1700000000) + Int(12000) + "*3\r\n" +
                             Bulk("set") + Bulk("k") + Bulk("v") + Bulk("10.0.0.1:5555") + Bulk("");
  EXPECT_EQ(h.Run({"slowlog", "get"}), "*2\r\n" + newest + oldest);
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "1"}), "*1\r\n" + newest);
  EXPECT_EQ(h.Run({"slowlog", "get", "-1"}), "*2\r\n" + newest + oldest);
  EXPECT_EQ(h.Run({"slowlog", "get", "0"}), "*0\r\n");
  EXPECT_EQ(h.Run({"slowlog", "get", "-2"}),
            Err("ERR count should be greater than or equal to -1"));
  EXPECT_EQ(h.Run({"slowlog", "get", "x"}), Err("ERR count should be greater than or equal to -1"));
  EXPECT_EQ(h.Run({"slowlog", "get", "1", "2"}),
            Err("ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG "
                "HELP."));
  EXPECT_EQ(h.Run({"slowlog", "len", "x"}),
            Err("ERR wrong number of arguments for 'slowlog|len' command"));
  EXPECT_EQ(h.Run({"slowlog", "foo"}), Err("ERR unknown subcommand 'foo'. Try SLOWLOG HELP."));
  EXPECT_EQ(h.Run({"slowlog", "reset"}), kOk);
  EXPECT_EQ(h.Run({"slowlog", "len"}), Int(0));
}

TEST(LatencyCommand, HistogramAsRedisAnswersIt) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"latency", "histogram"}), "*0\r\n");
  // Three GETs: 0.5 us, 1.5 us, 3 us -> cumulative 1 at "1", 2 at "2", 3 at "4".
  for (std::uint64_t ns : {500, 1500, 3000}) h.stats().commands.Took(IndexOf("get"), ns);
  const std::string get = Bulk("get") + "*4\r\n" + Bulk("calls") + Int(3) + Bulk("histogram_usec") +
                          "*6\r\n" + Int(1) + Int(1) + Int(2) + Int(2) + Int(4) + Int(3);
  EXPECT_EQ(h.Run({"latency", "histogram", "get"}), "*2\r\n" + get);
  EXPECT_EQ(h.Run({"latency", "histogram", "GET", "nosuch", "set"}), "*2\r\n" + get);
  // Labels follow Redis's HdrHistogram: 1024 ns doubling, shown as 1, 2, 4, 8, 16, 33, 66, ...
  h.stats().commands.Took(IndexOf("set"), 40'000);  // 40 us: in the "66" bucket
  EXPECT_EQ(h.Run({"latency", "histogram", "set"}),
            "*2\r\n" + Bulk("set") + "*4\r\n" + Bulk("calls") + Int(1) + Bulk("histogram_usec") +
                "*2\r\n" + Int(66) + Int(1));
  // A container name stands for its subcommands; fullnames pick one.
  h.stats().commands.Took(IndexOf("config", "get"), 2000);
  const std::string config_get = Bulk("config|get") + "*4\r\n" + Bulk("calls") + Int(1) +
                                 Bulk("histogram_usec") + "*2\r\n" + Int(2) + Int(1);
  EXPECT_EQ(h.Run({"latency", "histogram", "config"}), "*2\r\n" + config_get);
  EXPECT_EQ(h.Run({"latency", "histogram", "Config|Get"}), "*2\r\n" + config_get);
  EXPECT_EQ(h.Run({"latency", "histogram", "config|nosuch"}), "*0\r\n");
  // RESP3: maps.
  EXPECT_EQ(h.Run({"hello", "3"}).substr(0, 4), "%7\r\n");
  EXPECT_EQ(h.Run({"latency", "histogram", "get"}),
            "%1\r\n" + Bulk("get") + "%2\r\n" + Bulk("calls") + Int(3) + Bulk("histogram_usec") +
                "%3\r\n" + Int(1) + Int(1) + Int(2) + Int(2) + Int(4) + Int(3));
  EXPECT_EQ(h.Run({"latency", "latest"}), "*0\r\n");
  EXPECT_EQ(h.Run({"latency", "reset"}), Int(0));
}

TEST(HotkeysCommand, ReportsTheSketch) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"hotkeys", "get"}), "*0\r\n");
  HotKeys& sketch = h.stats().hot_keys;
  for (int i = 0; i < 3; ++i) sketch.Offer("a");
  sketch.Offer(std::string("b\0", 2));
  EXPECT_EQ(h.Run({"hotkeys", "get"}),
            "*2\r\n*2\r\n" + Bulk("a") + Int(3 * limits::kHotKeysSampleEvery) + "*2\r\n" +
                Bulk(std::string("b\0", 2)) + Int(limits::kHotKeysSampleEvery));
  EXPECT_EQ(h.Run({"hotkeys", "get", "1"}),
            "*1\r\n*2\r\n" + Bulk("a") + Int(3 * limits::kHotKeysSampleEvery));
  EXPECT_EQ(h.Run({"hotkeys", "get", "-1"}), Err("ERR count should be greater than or equal to 0"));
  EXPECT_EQ(h.Run({"hotkeys", "reset"}), kOk);
  EXPECT_EQ(h.Run({"hotkeys", "get", "100"}), "*0\r\n");
}

TEST(ConfigSlowlog, GetAndSet) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"config", "get", "slowlog*"}), "*4\r\n" + Bulk("slowlog-log-slower-than") +
                                                      Bulk("10000") + Bulk("slowlog-max-len") +
                                                      Bulk("128"));
  EXPECT_EQ(h.Run({"config", "get", "latency-tracking*"}),
            "*4\r\n" + Bulk("latency-tracking") + Bulk("yes") +
                Bulk("latency-tracking-info-percentiles") + Bulk("50 99 99.9"));
  EXPECT_EQ(h.Run({"config", "set", "slowlog-log-slower-than", "0", "SLOWLOG-MAX-LEN", "5"}), kOk);
  EXPECT_EQ(h.stats().slowlog.slower_than_us(), 0);
  EXPECT_EQ(h.stats().slowlog.max_len(), 5u);
  EXPECT_EQ(h.Run({"config", "get", "slowlog-max-len"}),
            "*2\r\n" + Bulk("slowlog-max-len") + Bulk("5"));
  EXPECT_EQ(h.Run({"config", "set", "slowlog-max-len", "abc"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - "
                "argument couldn't be parsed into an integer"));
  EXPECT_EQ(h.Run({"config", "set", "slowlog-log-slower-than", "-2"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') "
                "- argument must be between -1 and 9223372036854775807 inclusive"));
  EXPECT_EQ(h.Run({"config", "set", "slowlog-max-len", "10001"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - "
                "argument must be between 0 and 10000 inclusive"));
  EXPECT_EQ(h.Run({"config", "set", "slowlog-max-len", "1", "slowlog-max-len", "2"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - "
                "duplicate parameter"));
  // All or nothing: a bad second pair leaves the first unapplied.
  EXPECT_EQ(h.Run({"config", "set", "slowlog-max-len", "7", "maxmemory", "1"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - can't set "
                "immutable config"));
  EXPECT_EQ(h.Run({"config", "set", "slowlog-max-len", "7", "slowlog-log-slower-than", "x"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') "
                "- argument couldn't be parsed into an integer"));
  EXPECT_EQ(h.stats().slowlog.max_len(), 5u);
}

TEST(InfoObservability, CommandErrorAndLatencyStats) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"incr", "k"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.Run({"get"}), Err("ERR wrong number of arguments for 'get' command"));
  h.Run({"nosuch"});
  h.stats().commands.Took(IndexOf("set"), 1'500);
  h.stats().commands.Took(IndexOf("incr"), 2'000'000);
  const std::string body = InfoBody(h.Run({"info", "commandstats", "errorstats", "latencystats"}));
  EXPECT_EQ(InfoLine(body, "cmdstat_set:"),
            "cmdstat_set:calls=1,usec=1,usec_per_call=1.00,rejected_calls=0,failed_calls=0");
  EXPECT_EQ(InfoLine(body, "cmdstat_incr:"),
            "cmdstat_incr:calls=1,usec=2000,usec_per_call=2000.00,rejected_calls=0,"
            "failed_calls=1");
  EXPECT_EQ(InfoLine(body, "cmdstat_get:"),
            "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
  EXPECT_EQ(InfoLine(body, "errorstat_ERR:"), "errorstat_ERR:count=3");
  // p50 of one 1.5 us value: its bucket's highest value, clamped to the max: 1.500.
  EXPECT_EQ(InfoLine(body, "latency_percentiles_usec_set:"),
            "latency_percentiles_usec_set:p50=1.500,p99=1.500,p99.9=1.500");
  EXPECT_EQ(InfoLine(body, "latency_percentiles_usec_incr:"),
            "latency_percentiles_usec_incr:p50=2000.000,p99=2000.000,p99.9=2000.000");
  EXPECT_EQ(body.find("latency_percentiles_usec_get"), std::string::npos);  // no durations
  const std::string stats = InfoBody(h.Run({"info", "stats"}));
  EXPECT_EQ(InfoLine(stats, "total_error_replies:"), "total_error_replies:3");
  // CONFIG RESETSTAT clears them (as in Redis); the reset itself then counts once.
  EXPECT_EQ(h.Run({"config", "resetstat"}), kOk);
  const std::string after = InfoBody(h.Run({"info", "commandstats", "errorstats"}));
  EXPECT_EQ(InfoLine(after, "cmdstat_set:"), "");
  EXPECT_EQ(InfoLine(after, "errorstat_ERR:"), "");
  EXPECT_NE(InfoLine(after, "cmdstat_config|resetstat:"), "");
}

TEST(InfoObservability, CpuAndMemoryFromTheDriver) {
  CommandHarness h;
  h.stats().process = {.cpu_user_us = 1'250'000,
                       .cpu_sys_us = 500,
                       .cpu_user_main_us = 1'000'000,
                       .cpu_sys_main_us = 250,
                       .rss_bytes = 3 << 20};
  const std::string cpu = InfoBody(h.Run({"info", "cpu"}));
  EXPECT_EQ(cpu,
            "# CPU\r\nused_cpu_sys:0.000500\r\nused_cpu_user:1.250000\r\n"
            "used_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n"
            "used_cpu_sys_main_thread:0.000250\r\nused_cpu_user_main_thread:1.000000\r\n\r\n");
  const std::string memory = InfoBody(h.Run({"info", "memory"}));
  EXPECT_EQ(InfoLine(memory, "used_memory_rss:"), "used_memory_rss:3145728");
  EXPECT_EQ(InfoLine(memory, "used_memory_rss_human:"), "used_memory_rss_human:3.00M");
  EXPECT_NE(InfoLine(memory, "used_memory_peak:"), "");
}

}  // namespace
}  // namespace shoal::testing
