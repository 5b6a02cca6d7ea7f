// FormatMetrics tests: every family once with its TYPE before its samples, the names the issue
// and redis_exporter dashboards use, histogram buckets from the latency histogram, error and
// hot-key labels (binary keys escaped, long keys cut without duplicate series).
#include "core/stats/metrics.h"

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/limits.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal {
namespace {

MetricsSnapshot Sample() {
  MetricsSnapshot s;
  s.now = 1'700'000'100'000;
  s.started_at = 1'700'000'000'000;
  s.version = "0.1.0";
  s.redis_version = "7.0.0";
  s.connected_clients = 3;
  s.keyspace_hits = 10;
  s.keyspace_misses = 4;
  s.keys = 7;
  s.memory_used_bytes = 1234;
  s.memory_max_bytes = 1 << 20;
  MetricsSnapshot::Command get;
  get.name = "get";
  get.calls = 14;
  for (int i = 0; i < 10; ++i) get.latency.Record(700);       // 0.7 us
  for (int i = 0; i < 4; ++i) get.latency.Record(3'000'000);  // 3 ms
  s.commands.push_back(get);
  MetricsSnapshot::Command idle;  // rejected only: counters, no histogram series
  idle.name = "config|get";
  idle.rejected = 2;
  s.commands.push_back(idle);
  s.error_replies = 3;
  s.errors = {{"ERR", 2}, {"WRONGTYPE", 1}};
  s.hot_keys = {{"hot\"key\n\xff", 160, 0},
                {std::string(200, 'a') + "1", 32, 0},
                {std::string(200, 'a') + "2", 16, 0}};
  return s;
}

TEST(FormatMetrics, FamiliesAreTypedOnceAndContiguous) {
  const std::string text = FormatMetrics(Sample());
  std::istringstream lines(text);
  std::set<std::string> typed;
  std::string current;
  for (std::string line; std::getline(lines, line);) {
    ASSERT_FALSE(line.empty());
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      current = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(typed.insert(current).second) << "family twice: " << current;
      continue;
    }
    const std::string name = line.substr(0, line.find_first_of("{ "));
    EXPECT_EQ(name.rfind(current, 0), 0u) << line << " outside its family " << current;
  }
  for (const char* family :
       {"shoal_keyspace_hits_total", "shoal_keyspace_misses_total", "shoal_evicted_keys_total",
        "shoal_expired_keys_total", "shoal_connected_clients", "shoal_memory_used_bytes",
        "shoal_memory_max_bytes", "shoal_commands_total", "shoal_commands_duration_seconds_total",
        "shoal_errors_total", "shoal_db_keys", "shoal_command_duration_seconds",
        "shoal_hot_key_accesses"}) {
    EXPECT_TRUE(typed.count(family)) << family;
  }
}

TEST(FormatMetrics, Values) {
  const std::string text = FormatMetrics(Sample());
  for (const char* line : {
           "shoal_keyspace_hits_total 10\n",
           "shoal_keyspace_misses_total 4\n",
           "shoal_memory_max_bytes 1048576\n",
           "shoal_uptime_in_seconds 100\n",
           "shoal_db_keys{db=\"db0\"} 7\n",
           "shoal_commands_total{cmd=\"get\"} 14\n",
           "shoal_commands_rejected_calls_total{cmd=\"config|get\"} 2\n",
           "shoal_commands_duration_seconds_total{cmd=\"get\"} 0.012007\n",
           "shoal_command_duration_seconds_bucket{cmd=\"get\",le=\"1e-06\"} 10\n",
           "shoal_command_duration_seconds_bucket{cmd=\"get\",le=\"0.002\"} 10\n",
           "shoal_command_duration_seconds_bucket{cmd=\"get\",le=\"0.005\"} 14\n",
           "shoal_command_duration_seconds_bucket{cmd=\"get\",le=\"+Inf\"} 14\n",
           "shoal_command_duration_seconds_count{cmd=\"get\"} 14\n",
           "shoal_errors_total{err=\"WRONGTYPE\"} 1\n",
           "shoal_hot_key_accesses{key=\"hot\\\\\\\"key\\\\n\\\\xff\"} 160\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(text.find("shoal_command_duration_seconds_count{cmd=\"config|get\"}"),
            std::string::npos);
}

TEST(FormatMetrics, LongHotKeysAreCutWithoutDuplicateSeries) {
  const std::string text = FormatMetrics(Sample());
  const std::string cut = std::string(limits::kHotKeyLabelBytesMax, 'a') + "...";
  const std::string line = "shoal_hot_key_accesses{key=\"" + cut + "\"} ";
  const std::size_t first = text.find(line);
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(text.find(line, first + 1), std::string::npos);
  EXPECT_NE(text.find(line + "32\n"), std::string::npos);  // the hotter of the two
}

TEST(FormatMetrics, ClusterFamiliesOnlyOnAClusterNode) {
  MetricsSnapshot s = Sample();
  EXPECT_EQ(FormatMetrics(s).find("shoal_cluster_"), std::string::npos);
  s.cluster.enabled = true;
  s.cluster.serving = true;
  s.cluster.nodes = 3;
  s.cluster.copies = 2;
  s.cluster.incarnation = 4;
  s.cluster.primary_slots = 5461;
  s.cluster.backup_slots = 5462;
  s.cluster.writes_committed = 77;
  s.cluster.moved = 9;
  s.cluster.config_epoch = 12;
  s.cluster.config_term = 3;
  s.cluster.config_leader = 2;
  s.cluster.members_up = 2;
  s.cluster.slots_degraded = 10922;
  s.cluster.slots_out_of_sync = 17;
  std::string text = FormatMetrics(s);
  for (const char* line : {
           "# TYPE shoal_cluster_slots gauge\n",
           "shoal_cluster_enabled 1\n",
           "shoal_cluster_known_nodes 3\n",
           "shoal_cluster_copies 2\n",
           "shoal_cluster_incarnation 4\n",
           "shoal_cluster_serving 1\n",
           "shoal_cluster_slots{role=\"primary\"} 5461\n",
           "shoal_cluster_slots{role=\"backup\"} 5462\n",
           "# TYPE shoal_cluster_writes_committed_total counter\n",
           "shoal_cluster_writes_committed_total 77\n",
           "shoal_cluster_redirects_total{kind=\"moved\"} 9\n",
           "shoal_cluster_redirects_total{kind=\"loading\"} 0\n",
           "shoal_cluster_config_epoch 12\n",
           "shoal_cluster_config_term 3\n",
           "shoal_cluster_config_leader 2\n",
           "shoal_cluster_config_leading 0\n",
           "shoal_cluster_members_up 2\n",
           "# TYPE shoal_cluster_config_slots gauge\n",
           "shoal_cluster_config_slots{state=\"degraded\"} 10922\n",
           "shoal_cluster_config_slots{state=\"unavailable\"} 0\n",
           "shoal_cluster_config_slots{state=\"out_of_sync\"} 17\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  s.cluster.config_leader = -1;  // no leader known
  text = FormatMetrics(s);
  EXPECT_NE(text.find("shoal_cluster_config_leader -1\n"), std::string::npos) << text;
}

RC_GTEST_PROP(FormatMetrics, BucketsAreCountAtOrBelowTheirBound, ()) {
  MetricsSnapshot s;
  MetricsSnapshot::Command c;
  c.name = "get";
  const auto values =
      *rc::gen::nonEmpty(rc::gen::container<std::vector<std::uint64_t>>(rc::gen::oneOf(
          rc::gen::inRange<std::uint64_t>(0, 3'000), rc::gen::inRange<std::uint64_t>(0, 3'000'000),
          rc::gen::inRange<std::uint64_t>(0, 3'000'000'000))));
  for (std::uint64_t v : values) c.latency.Record(v);
  c.calls = c.latency.Count();
  s.commands.push_back(c);
  const std::string text = FormatMetrics(s);
  std::istringstream lines(text);
  std::size_t i = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("shoal_command_duration_seconds_bucket{cmd=\"get\",le=", 0) != 0) continue;
    const std::uint64_t count = std::stoull(line.substr(line.rfind(' ') + 1));
    if (i < kCommandDurationBoundsSeconds.size()) {
      const auto ns = static_cast<std::uint64_t>(kCommandDurationBoundsSeconds[i] * 1e9 + 0.5);
      RC_ASSERT(count == c.latency.CountAtOrBelow(ns));
    } else {
      RC_ASSERT(count == c.latency.Count());  // +Inf
    }
    ++i;
  }
  RC_ASSERT(i == kCommandDurationBoundsSeconds.size() + 1);
}

}  // namespace
}  // namespace shoal
