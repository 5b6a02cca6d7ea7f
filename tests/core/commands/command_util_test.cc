// Helpers behind the handlers: Redis-exact integer parsing (string2ll) and integer formatting,
// each checked against an independent reference (glob matching: glob_test.cc).
#include "core/commands/command_util.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::commands {
namespace {

TEST(ParseInt64, AcceptsCanonicalDecimalsOnly) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("-1"), -1);
  EXPECT_EQ(ParseInt64("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(ParseInt64("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
  for (const char* bad :
       {"", "-", "+1", " 1", "1 ", "01", "-0", "00", "1.0", "1e3", "0x10", "9223372036854775808",
        "-9223372036854775809", "99999999999999999999", "123456789012345678901", "--1", "1-"}) {
    EXPECT_FALSE(ParseInt64(bad).has_value()) << bad;
  }
}

RC_GTEST_PROP(ParseInt64, RoundTripsEveryInt64, (std::int64_t v)) {
  RC_ASSERT(ParseInt64(std::to_string(v)) == std::optional<std::int64_t>(v));
  char buf[24];
  RC_ASSERT(std::string(FormatInt64(v, buf)) == std::to_string(v));
}

// string2ll accepts a string exactly when it is the canonical spelling of its value.
RC_GTEST_PROP(ParseInt64, AcceptsOnlyCanonicalSpellings, ()) {
  const std::string s =
      *rc::gen::container<std::string>(rc::gen::element('0', '1', '9', '-', '+', ' ', '5', 'x'));
  const std::optional<std::int64_t> parsed = ParseInt64(s);
  if (parsed) RC_ASSERT(std::to_string(*parsed) == s);
}

TEST(FormatInt64, Extremes) {
  char buf[24];
  EXPECT_EQ(FormatInt64(std::numeric_limits<std::int64_t>::min(), buf), "-9223372036854775808");
  EXPECT_EQ(FormatInt64(0, buf), "0");
}

}  // namespace
}  // namespace shoal::commands
