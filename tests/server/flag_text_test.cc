// The flag parsers' shared text helpers (server/flag_text.h).
#include "server/flag_text.h"

#include <string_view>

#include "gtest/gtest.h"

namespace shoal::server {
namespace {

TEST(FlagText, ParseYesNoTakesOnlyTheTwoLowerCaseWords) {
  EXPECT_EQ(ParseYesNo("yes"), true);
  EXPECT_EQ(ParseYesNo("no"), false);
  for (std::string_view bad : {"", "YES", "No", "y", "1", "true", "yes "}) {
    EXPECT_EQ(ParseYesNo(bad), std::nullopt) << bad;
  }
}

TEST(FlagText, IsOneOfMatchesWholeNamesOnly) {
  constexpr std::string_view kNames[] = {"timeout", "protected-mode"};
  EXPECT_TRUE(IsOneOf(kNames, "timeout"));
  EXPECT_TRUE(IsOneOf(kNames, "protected-mode"));
  EXPECT_FALSE(IsOneOf(kNames, "time"));
  EXPECT_FALSE(IsOneOf(kNames, "timeouts"));
  EXPECT_FALSE(IsOneOf(kNames, ""));
  EXPECT_FALSE(IsOneOf({}, "timeout"));
}

}  // namespace
}  // namespace shoal::server
