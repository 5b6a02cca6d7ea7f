// Node tests for the observability inputs (node.h): CommandTook attributes a driver-measured
// duration to the command of the Step just before it (commandstats, latency, SLOWLOG with the
// client's address and name, secrets redacted), is ignored when that Step ran nothing, and the
// hot-key sketch and SnapshotMetrics see what the commands did. The rest of the Node is tested
// through the command table (tests/core/commands/), the cluster tests and the simulator.
#include "core/node.h"

#include <string>
#include <string_view>
#include <vector>

#include "core/commands/command_spec.h"
#include "core/stats/metrics.h"
#include "gtest/gtest.h"

namespace shoal {
namespace {

constexpr NodeTime kNow{.mono = 5000, .wall = 1'700'000'000'000};

class NodeDriver {
 public:
  explicit NodeDriver(NodeConfig config = {}) : node_(config) {}

  void Connect(ClientId id, std::string_view address) {
    effects_.Clear();
    node_.Step(kNow, ClientConnected{id, address}, effects_);
  }
  // Steps one command and, if duration_ns is given, reports its duration as the server does.
  std::string Run(ClientId id, std::vector<std::string> args, long long duration_ns = -1) {
    const std::vector<std::string_view> argv(args.begin(), args.end());
    effects_.Clear();
    node_.Step(kNow, ClientCommand{id, argv}, effects_);
    if (duration_ns >= 0) node_.CommandTook(static_cast<std::uint64_t>(duration_ns));
    return effects_.bytes;
  }
  Node& node() { return node_; }
  const CommandStat& Stat(std::string_view name) {
    const CommandSpec* spec = FindCommand(name);
    return node_.stats().commands.at(CommandStatIndex(*spec, nullptr));
  }

 private:
  Node node_;
  Effects effects_;
};

TEST(NodeObservability, CommandTookFeedsStatsAndTheSlowLog) {
  NodeConfig config;
  config.stats.slowlog_log_slower_than_us = 100;
  NodeDriver d(config);
  d.Connect(1, "10.1.2.3:4567");
  EXPECT_EQ(d.Run(1, {"client", "setname", "app"}, 500), "+OK\r\n");
  EXPECT_EQ(d.Run(1, {"set", "k", "v"}, 99'999), "+OK\r\n");  // 99 us: not slow
  EXPECT_EQ(d.Run(1, {"get", "k"}, 250'000), "$1\r\nv\r\n");  // 250 us: slow
  EXPECT_EQ(d.Stat("get").calls, 1u);
  ASSERT_NE(d.Stat("get").latency, nullptr);
  EXPECT_EQ(d.Stat("get").latency->Count(), 1u);
  EXPECT_EQ(d.Stat("get").latency->Sum(), 250'000u);
  const SlowLog& log = d.node().stats().slowlog;
  ASSERT_EQ(log.size(), 1u);
  const SlowLogEntry& e = log.entries()[0];
  EXPECT_EQ(e.args, (std::vector<std::string>{"get", "k"}));
  EXPECT_EQ(e.duration_us, 250u);
  EXPECT_EQ(e.timestamp_s, kNow.wall / 1000);
  EXPECT_EQ(e.client_address, "10.1.2.3:4567");
  EXPECT_EQ(e.client_name, "app");
}

TEST(NodeObservability, OnlyTheCommandOfTheLastStepIsTimed) {
  NodeDriver d;
  d.Connect(1, "a:1");
  d.Run(1, {"get"}, 1000);  // wrong arity: rejected, nothing to time
  EXPECT_EQ(d.Stat("get").rejected, 1u);
  EXPECT_EQ(d.Stat("get").latency, nullptr);
  d.Run(1, {"nosuchcommand"}, 1000);
  d.Run(1, {"ping"});
  Effects fx;
  d.node().Tick(kNow, fx);
  d.node().CommandTook(5000);  // after a Tick: ignored
  EXPECT_EQ(d.Stat("ping").calls, 1u);
  EXPECT_EQ(d.Stat("ping").latency, nullptr);
  d.Run(1, {"ping"}, 7000);
  d.node().CommandTook(9000);  // a second report for one command: ignored
  EXPECT_EQ(d.Stat("ping").latency->Count(), 1u);
  EXPECT_EQ(d.Stat("ping").latency->Sum(), 7000u);
  EXPECT_EQ(d.node().stats().errors.total(), 2u);  // arity + unknown command
}

TEST(NodeObservability, SlowLogRedactsPasswords) {
  NodeConfig config;
  config.requirepass = "hunter2";
  config.stats.slowlog_log_slower_than_us = 0;
  NodeDriver d(config);
  d.Connect(1, "a:1");
  d.Run(1, {"auth", "hunter2"}, 10);
  d.Run(1, {"hello", "2", "AUTH", "default", "hunter2", "SETNAME", "auth"}, 10);
  const auto& entries = d.node().stats().slowlog.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].args, (std::vector<std::string>{"auth", "(redacted)"}));
  EXPECT_EQ(entries[0].args, (std::vector<std::string>{"hello", "2", "AUTH", "(redacted)",
                                                       "(redacted)", "SETNAME", "auth"}));
}

TEST(NodeObservability, HotKeysSeeEveryKeyOfACommand) {
  NodeConfig config;
  config.stats.hot_keys_sample_every = 1;
  NodeDriver d(config);
  d.Connect(1, "a:1");
  for (int i = 0; i < 5; ++i) d.Run(1, {"get", "hot"});
  d.Run(1, {"mset", "hot", "1", "warm", "2"});
  d.Run(1, {"mget", "warm", "hot", "cold"});
  d.Run(1, {"ping"});
  const std::vector<HotKeys::Hot> top = d.node().stats().hot_keys.Top(3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].key, "hot");
  EXPECT_EQ(top[0].accesses, 7u);
  EXPECT_EQ(top[1].key, "warm");
  EXPECT_EQ(top[1].accesses, 2u);
  EXPECT_EQ(top[2].key, "cold");
}

TEST(NodeObservability, SnapshotMetricsCopiesWhatMetricsReport) {
  NodeConfig config;
  config.store.maxmemory_bytes = 1 << 20;
  NodeDriver d(config);
  d.Connect(1, "a:1");
  d.Run(1, {"set", "k", "v"}, 2000);
  d.Run(1, {"get", "k"}, 1000);
  d.Run(1, {"get", "nope"}, 1000);
  d.Run(1, {"incr", "k"}, 1000);  // not an integer: a failed call
  d.node().SetProcessUsage({.cpu_user_us = 1500000, .rss_bytes = 4096});
  MetricsSnapshot s;
  d.node().SnapshotMetrics(kNow.wall + 5000, s);
  EXPECT_EQ(s.keyspace_hits, 1u);
  EXPECT_EQ(s.keyspace_misses, 1u);
  EXPECT_EQ(s.keys, 1u);
  EXPECT_EQ(s.connected_clients, 1u);
  EXPECT_EQ(s.memory_max_bytes, 1u << 20);
  EXPECT_EQ(s.process.cpu_user_us, 1500000u);
  EXPECT_EQ(s.process.rss_bytes, 4096u);
  EXPECT_EQ(s.error_replies, 1u);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].first, "ERR");
  ASSERT_EQ(s.commands.size(), 3u);  // in table order: get, set, incr
  EXPECT_EQ(s.commands[0].name, "get");
  EXPECT_EQ(s.commands[0].calls, 2u);
  EXPECT_EQ(s.commands[0].latency.Count(), 2u);
  EXPECT_EQ(s.commands[1].name, "set");
  EXPECT_EQ(s.commands[2].name, "incr");
  EXPECT_EQ(s.commands[2].failed, 1u);
  EXPECT_EQ(s.now - s.started_at, 5000);
}

}  // namespace
}  // namespace shoal
