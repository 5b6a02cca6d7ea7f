// Security flags through ParseFlags (server/flags.h hands them to server/security_flags.h):
// defaults, both spellings, the last value winning, bad values (main() exits 2 on any), and the
// help text.
#include "server/security_flags.h"

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

TEST(SecurityFlags, Defaults) {
  const FlagsResult parsed = Parse({});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed.value().security.protected_mode);  // Redis's default: yes
  EXPECT_EQ(parsed.value().security.timeout_s, 0u);     // Redis's default: never
}

TEST(SecurityFlags, BothSpellingsAndTheLastValueWins) {
  const FlagsResult parsed = Parse({"--protected-mode", "no", "--timeout=300", "--port", "1"});
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_FALSE(parsed.value().security.protected_mode);
  EXPECT_EQ(parsed.value().security.timeout_s, 300u);
  EXPECT_EQ(parsed.value().port, 1);
  const FlagsResult again =
      Parse({"--protected-mode=no", "--protected-mode=yes", "--timeout", "5", "--timeout", "0"});
  ASSERT_TRUE(again.has_value()) << again.error();
  EXPECT_TRUE(again.value().security.protected_mode);
  EXPECT_EQ(again.value().security.timeout_s, 0u);
  const std::string max = std::to_string(limits::kClientIdleSecondsMax);
  EXPECT_EQ(Parse({"--timeout", max}).value().security.timeout_s, limits::kClientIdleSecondsMax);
}

TEST(SecurityFlags, BadValuesSayWhatIsWrong) {
  struct Case {
    std::vector<std::string_view> args;
    std::string_view message;
  };
  const std::string too_long = std::to_string(limits::kClientIdleSecondsMax + 1);
  const Case cases[] = {
      {{"--protected-mode", "maybe"}, "--protected-mode: 'maybe' is not one of yes, no"},
      {{"--protected-mode="}, "--protected-mode: '' is not one of yes, no"},
      {{"--protected-mode", "1"}, "--protected-mode: '1' is not one of yes, no"},
      {{"--timeout", "-1"},
       "--timeout: '-1' must be whole seconds between 0 (never) and 2147483647"},
      {{"--timeout", "1.5"},
       "--timeout: '1.5' must be whole seconds between 0 (never) and 2147483647"},
      {{"--timeout", "10s"},
       "--timeout: '10s' must be whole seconds between 0 (never) and 2147483647"},
      {{"--timeout", too_long},
       "--timeout: '2147483648' must be whole seconds between 0 (never) and 2147483647"},
      {{"--timeout"}, "--timeout needs a value"},
      {{"--protected-mode"}, "--protected-mode needs a value"},
  };
  for (const Case& c : cases) {
    const FlagsResult parsed = Parse(c.args);
    ASSERT_FALSE(parsed.has_value()) << c.args[0];
    EXPECT_EQ(parsed.error(), c.message);
  }
}

TEST(SecurityFlags, HelpTextListsBothWithDefaults) {
  const std::string help = HelpText();
  EXPECT_NE(help.find("--protected-mode yes|no"), std::string::npos) << help;
  EXPECT_NE(help.find("-DENIED (default yes)"), std::string::npos) << help;
  EXPECT_NE(help.find("--timeout SECONDS"), std::string::npos) << help;
  EXPECT_NE(help.find("0 = never (default 0)"), std::string::npos) << help;
}

}  // namespace
}  // namespace shoal::server
