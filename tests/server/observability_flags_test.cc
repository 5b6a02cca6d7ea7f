// Observability flags through ParseFlags (server/flags.h hands them to
// server/observability_flags.h): defaults, both spellings, bad values, help text, and what
// reaches the NodeConfig.
#include "server/observability_flags.h"

#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "server/flags.h"

namespace shoal::server {
namespace {

FlagsResult Parse(std::vector<std::string_view> args) {
  return ParseFlags(std::span<const std::string_view>(args));
}

TEST(ObservabilityFlags, Defaults) {
  const FlagsResult parsed = Parse({});
  ASSERT_TRUE(parsed.has_value());
  const ObservabilityFlags& f = parsed.value().observability;
  EXPECT_FALSE(f.metrics_port.has_value());  // off by default
  EXPECT_EQ(f.metrics_bind, "127.0.0.1");
  EXPECT_EQ(f.log_format, net::LogFormat::kText);
  EXPECT_EQ(f.slowlog_log_slower_than_us, 10000);
  EXPECT_EQ(f.slowlog_max_len, 128u);
  EXPECT_EQ(f.hotkeys_sample_every, 128u);
  EXPECT_TRUE(f.latency_tracking);
  EXPECT_TRUE(MakeNodeConfig(parsed.value()).latency_tracking);
}

TEST(ObservabilityFlags, LatencyTrackingAndHotKeySampling) {
  const FlagsResult parsed = Parse({"--latency-tracking", "no", "--hotkeys-sample-every=1"});
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_FALSE(parsed.value().observability.latency_tracking);
  const NodeConfig config = MakeNodeConfig(parsed.value());
  EXPECT_FALSE(config.latency_tracking);
  EXPECT_EQ(config.stats.hot_keys_sample_every, 1u);
  EXPECT_TRUE(Parse({"--latency-tracking=no", "--latency-tracking=yes"})
                  .value()
                  .observability.latency_tracking);
}

TEST(ObservabilityFlags, EveryFlagBothSpellings) {
  const FlagsResult parsed =
      Parse({"--metrics-port", "9121", "--metrics-bind=::1", "--log-format", "json",
             "--slowlog-log-slower-than=-1", "--slowlog-max-len", "0", "--port", "1"});
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  const ObservabilityFlags& f = parsed.value().observability;
  EXPECT_EQ(f.metrics_port, 9121);
  EXPECT_EQ(f.metrics_bind, "::1");
  EXPECT_EQ(f.log_format, net::LogFormat::kJson);
  EXPECT_EQ(f.slowlog_log_slower_than_us, -1);
  EXPECT_EQ(f.slowlog_max_len, 0u);
  EXPECT_EQ(parsed.value().port, 1);
  EXPECT_EQ(Parse({"--metrics-port=0"}).value().observability.metrics_port, 0);
  EXPECT_FALSE(
      Parse({"--metrics-port=1", "--metrics-port=off"}).value().observability.metrics_port);
  const NodeConfig config = MakeNodeConfig(parsed.value());
  EXPECT_EQ(config.stats.slowlog_log_slower_than_us, -1);
  EXPECT_EQ(config.stats.slowlog_max_len, 0u);
}

TEST(ObservabilityFlags, BadValuesNameTheFlag) {
  for (std::vector<std::string_view> args :
       std::vector<std::vector<std::string_view>>{{"--metrics-port", "65536"},
                                                  {"--metrics-port", "x"},
                                                  {"--metrics-bind", "localhost"},
                                                  {"--log-format", "xml"},
                                                  {"--slowlog-log-slower-than", "-2"},
                                                  {"--slowlog-log-slower-than", "1.5"},
                                                  {"--slowlog-max-len", "10001"},
                                                  {"--slowlog-max-len", "-1"},
                                                  {"--latency-tracking", "off"},
                                                  {"--hotkeys-sample-every", "0"},
                                                  {"--metrics-port"}}) {
    const FlagsResult parsed = Parse(args);
    ASSERT_FALSE(parsed.has_value()) << args[0];
    EXPECT_NE(parsed.error().find(std::string(args[0])), std::string::npos) << parsed.error();
  }
}

TEST(ObservabilityFlags, HelpListsThemWithDefaults) {
  const std::string help = HelpText();
  for (std::string_view flag :
       {"--metrics-port", "--metrics-bind", "--log-format", "--slowlog-log-slower-than",
        "--slowlog-max-len", "--hotkeys-sample-every", "--latency-tracking"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(help.find("(default off)"), std::string::npos);
  EXPECT_NE(help.find("(default text)"), std::string::npos);
  EXPECT_NE(help.find("(default 10000)"), std::string::npos);
}

}  // namespace
}  // namespace shoal::server
