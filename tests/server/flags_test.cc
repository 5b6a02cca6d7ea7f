// Tests for server/flags.h: every flag in both spellings, size suffixes, bad values (the exit-2
// path of main() is exactly "ParseFlags returned an error"), and the help text.
#include "server/flags.h"

#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::server {
namespace {

FlagsResult Parse(std::vector<std::string_view> args) {
  return ParseFlags(std::span<const std::string_view>(args));
}

ServerFlags ParseOk(std::vector<std::string_view> args) {
  FlagsResult result = Parse(args);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error());
  return result ? result.value() : ServerFlags{};
}

std::string ParseError(std::vector<std::string_view> args) {
  FlagsResult result = Parse(args);
  EXPECT_FALSE(result.has_value());
  return result ? std::string() : result.error();
}

TEST(FlagsTest, DefaultsWithNoArguments) {
  const ServerFlags flags = ParseOk({});
  EXPECT_FALSE(flags.help);
  EXPECT_EQ(flags.bind, "127.0.0.1");
  EXPECT_EQ(flags.port, 7379);
  EXPECT_EQ(flags.maxmemory_bytes, 0u);
  EXPECT_EQ(flags.eviction, StoreOptions{}.eviction);
  EXPECT_EQ(flags.value_bytes_max, limits::kValueBytesDefault);
  EXPECT_EQ(flags.clients_max, limits::kClientsDefault);
  EXPECT_EQ(flags.requirepass, "");
  EXPECT_EQ(flags.log_level, net::LogLevel::kInfo);
}

TEST(FlagsTest, EveryFlagWithSeparateValue) {
  const ServerFlags flags =
      ParseOk({"--bind", "0.0.0.0", "--port", "0", "--maxmemory", "64mb", "--eviction", "lru",
               "--max-value-bytes", "2mb", "--max-clients", "50", "--requirepass", "s3cret",
               "--log-level", "debug"});
  EXPECT_EQ(flags.bind, "0.0.0.0");
  EXPECT_EQ(flags.port, 0);
  EXPECT_EQ(flags.maxmemory_bytes, 64u * 1024 * 1024);
  EXPECT_EQ(flags.eviction, EvictionKind::kLru);
  EXPECT_EQ(flags.value_bytes_max, 2u * 1024 * 1024);
  EXPECT_EQ(flags.clients_max, 50u);
  EXPECT_EQ(flags.requirepass, "s3cret");
  EXPECT_EQ(flags.log_level, net::LogLevel::kDebug);
}

TEST(FlagsTest, EveryFlagWithEqualsValue) {
  const ServerFlags flags = ParseOk(
      {"--bind=::1", "--port=6380", "--maxmemory=1GB", "--eviction=s3fifo",
       "--max-value-bytes=512mb", "--max-clients=1", "--requirepass=a=b", "--log-level=warning"});
  EXPECT_EQ(flags.bind, "::1");
  EXPECT_EQ(flags.port, 6380);
  EXPECT_EQ(flags.maxmemory_bytes, 1024u * 1024 * 1024);
  EXPECT_EQ(flags.eviction, EvictionKind::kS3Fifo);
  EXPECT_EQ(flags.value_bytes_max, limits::kValueBytesHardMax);
  EXPECT_EQ(flags.clients_max, 1u);
  EXPECT_EQ(flags.requirepass, "a=b");  // only the first '=' separates
  EXPECT_EQ(flags.log_level, net::LogLevel::kWarning);
}

TEST(FlagsTest, EvictionNames) {
  EXPECT_EQ(ParseOk({"--eviction", "sieve"}).eviction, EvictionKind::kSieve);
  EXPECT_EQ(ParseOk({"--eviction", "noeviction"}).eviction, EvictionKind::kNoEviction);
  EXPECT_NE(ParseError({"--eviction", "random"}).find("--eviction"), std::string::npos);
}

TEST(FlagsTest, HelpInBothSpellings) {
  EXPECT_TRUE(ParseOk({"--help"}).help);
  EXPECT_TRUE(ParseOk({"-h"}).help);
  EXPECT_TRUE(ParseOk({"--port", "1", "--help"}).help);
}

TEST(FlagsTest, LastRepeatedFlagWins) { EXPECT_EQ(ParseOk({"--port", "1", "--port=2"}).port, 2); }

TEST(FlagsTest, BadFlagsAreErrors) {
  EXPECT_NE(ParseError({"--nope"}).find("unknown flag --nope"), std::string::npos);
  EXPECT_NE(ParseError({"--nope=1"}).find("unknown flag --nope"), std::string::npos);
  EXPECT_NE(ParseError({"port"}).find("unexpected argument"), std::string::npos);
  EXPECT_NE(ParseError({"-p", "1"}).find("unexpected argument"), std::string::npos);
  EXPECT_NE(ParseError({"--"}).find("unexpected argument"), std::string::npos);
  EXPECT_NE(ParseError({"--port"}).find("needs a value"), std::string::npos);
  EXPECT_NE(ParseError({"--port="}).find("--port"), std::string::npos);
  EXPECT_NE(ParseError({"--port", "65536"}).find("--port"), std::string::npos);
  EXPECT_NE(ParseError({"--port", "-1"}).find("--port"), std::string::npos);
  EXPECT_NE(ParseError({"--port", "80x"}).find("--port"), std::string::npos);
  EXPECT_NE(ParseError({"--bind", "localhost"}).find("--bind"), std::string::npos);
  EXPECT_NE(ParseError({"--bind", "1.2.3"}).find("--bind"), std::string::npos);
  EXPECT_NE(ParseError({"--maxmemory", "lots"}).find("--maxmemory"), std::string::npos);
  EXPECT_NE(ParseError({"--maxmemory", "-5mb"}).find("--maxmemory"), std::string::npos);
  EXPECT_NE(ParseError({"--max-clients", "0"}).find("--max-clients"), std::string::npos);
  EXPECT_NE(ParseError({"--max-clients", "1000001"}).find("--max-clients"), std::string::npos);
  EXPECT_NE(ParseError({"--log-level", "loud"}).find("--log-level"), std::string::npos);
}

TEST(FlagsTest, MaxValueBytesBounds) {
  EXPECT_EQ(ParseOk({"--max-value-bytes", "1mb"}).value_bytes_max, limits::kValueBytesMin);
  EXPECT_EQ(ParseOk({"--max-value-bytes", "1048576"}).value_bytes_max, limits::kValueBytesMin);
  // redis.conf semantics: 1m is 10^6 bytes, below the 1 MiB minimum.
  EXPECT_NE(ParseError({"--max-value-bytes", "1m"}).find("between"), std::string::npos);
  EXPECT_NE(ParseError({"--max-value-bytes", "1048575"}).find("between"), std::string::npos);
  EXPECT_NE(ParseError({"--max-value-bytes", "513mb"}).find("between"), std::string::npos);
  EXPECT_NE(ParseError({"--max-value-bytes", "1gb"}).find("between"), std::string::npos);
}

TEST(ParseBytesTest, SuffixesAnyCase) {
  EXPECT_EQ(ParseBytes("0"), 0u);
  EXPECT_EQ(ParseBytes("100"), 100u);
  EXPECT_EQ(ParseBytes("100b"), 100u);
  EXPECT_EQ(ParseBytes("1k"), 1000u);
  EXPECT_EQ(ParseBytes("1K"), 1000u);
  EXPECT_EQ(ParseBytes("1kb"), 1024u);
  EXPECT_EQ(ParseBytes("1KB"), 1024u);
  EXPECT_EQ(ParseBytes("1kB"), 1024u);
  EXPECT_EQ(ParseBytes("3m"), 3000000u);
  EXPECT_EQ(ParseBytes("3mb"), 3u * 1024 * 1024);
  EXPECT_EQ(ParseBytes("3Mb"), 3u * 1024 * 1024);
  EXPECT_EQ(ParseBytes("2g"), 2000000000u);
  EXPECT_EQ(ParseBytes("2gb"), 2ull * 1024 * 1024 * 1024);
  EXPECT_EQ(ParseBytes("2GB"), 2ull * 1024 * 1024 * 1024);
}

TEST(ParseBytesTest, GarbageAndOverflow) {
  for (std::string_view bad : {"", "kb", "b", "mb", "1.5mb", " 1", "1 ", "1tb", "1kbb", "+1", "-1",
                               "0x10", "18446744073709551616", "18014398509481984kb"}) {
    EXPECT_FALSE(ParseBytes(bad).has_value()) << bad;
  }
  EXPECT_EQ(ParseBytes("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseBytes("18014398509481983kb"), 18014398509481983ull * 1024);
}

// Property: a number with any suffix parses to number * multiplier exactly when that fits.
RC_GTEST_PROP(ParseBytesProperty, NumberTimesSuffix, ()) {
  const std::uint64_t number = *rc::gen::arbitrary<std::uint64_t>();
  struct Suffix {
    const char* text;
    std::uint64_t multiplier;
  };
  static const Suffix kSuffixes[] = {{"", 1},           {"b", 1},          {"k", 1000},
                                     {"KB", 1024},      {"m", 1000000},    {"mB", 1 << 20},
                                     {"G", 1000000000}, {"gb", 1ull << 30}};
  const Suffix suffix = kSuffixes[*rc::gen::inRange<std::size_t>(0, std::size(kSuffixes))];
  const std::string text = std::to_string(number) + suffix.text;
  const auto parsed = ParseBytes(text);
  if (number > UINT64_MAX / suffix.multiplier) {
    RC_ASSERT(!parsed.has_value());
  } else {
    RC_ASSERT(parsed.has_value());
    RC_ASSERT(*parsed == number * suffix.multiplier);
  }
}

// Property: any port 0..65535 round-trips in both spellings; anything above is refused.
RC_GTEST_PROP(FlagsProperty, PortRoundTrips, ()) {
  const std::uint32_t port = *rc::gen::inRange<std::uint32_t>(0, 70000);
  const std::string text = std::to_string(port);
  const std::string joined = "--port=" + text;
  for (const FlagsResult& result : {Parse({"--port", text}), Parse({joined})}) {
    if (port <= 65535) {
      RC_ASSERT(result.has_value());
      RC_ASSERT(result.value().port == port);
    } else {
      RC_ASSERT(!result.has_value());
    }
  }
}

TEST(FlagsTest, HelpTextListsEveryFlagWithDefault) {
  const std::string help = HelpText();
  for (std::string_view flag :
       {"--bind", "--port", "--maxmemory", "--eviction", "--max-value-bytes", "--max-clients",
        "--requirepass", "--log-level", "--help"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(help.find("default 127.0.0.1"), std::string::npos);
  EXPECT_NE(help.find("default 7379"), std::string::npos);
  EXPECT_NE(help.find("default " + std::to_string(limits::kValueBytesDefault)), std::string::npos);
  EXPECT_NE(help.find("default " + std::to_string(limits::kClientsDefault)), std::string::npos);
}

TEST(FlagsTest, MakeNodeConfigCarriesEveryNodeSetting) {
  const ServerFlags flags =
      ParseOk({"--maxmemory", "10mb", "--eviction", "lru", "--max-value-bytes", "4mb",
               "--max-clients", "7", "--requirepass", "pw", "--port", "1234", "--bind", "::"});
  const NodeConfig config = MakeNodeConfig(flags);
  EXPECT_EQ(config.store.maxmemory_bytes, 10u << 20);
  EXPECT_EQ(config.store.eviction, EvictionKind::kLru);
  EXPECT_EQ(config.store.value_bytes_max, 4u << 20);
  EXPECT_EQ(config.clients_max, 7u);
  EXPECT_EQ(config.requirepass, "pw");
  EXPECT_EQ(config.port, 1234);
  EXPECT_EQ(config.bind, "::");
}

}  // namespace
}  // namespace shoal::server
