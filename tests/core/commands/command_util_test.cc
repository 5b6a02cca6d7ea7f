// Helpers behind the handlers: Redis-exact integer parsing (string2ll), integer formatting and
// glob matching, each checked against an independent reference.
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

TEST(GlobMatch, Basics) {
  EXPECT_TRUE(GlobMatch("*", "", false));
  EXPECT_TRUE(GlobMatch("*", "anything", false));
  EXPECT_TRUE(GlobMatch("max*", "maxmemory-policy", false));
  EXPECT_TRUE(GlobMatch("MAX*", "maxmemory", true));
  EXPECT_FALSE(GlobMatch("MAX*", "maxmemory", false));
  EXPECT_TRUE(GlobMatch("h?llo", "hello", false));
  EXPECT_FALSE(GlobMatch("h?llo", "hllo", false));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo", false));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello", false));
  EXPECT_TRUE(GlobMatch("h[a-c]llo", "hbllo", false));
  EXPECT_TRUE(GlobMatch("h[c-a]llo", "hbllo", false));  // reversed range, as in Redis
  EXPECT_TRUE(GlobMatch("a\\*b", "a*b", false));
  EXPECT_FALSE(GlobMatch("a\\*b", "axb", false));
  EXPECT_TRUE(GlobMatch("*a*b*c*", "xxaxxbxxcxx", false));
  EXPECT_FALSE(GlobMatch("*a*b*c*", "xxaxxcxxbxx", false));
  EXPECT_FALSE(GlobMatch("", "a", false));
  EXPECT_TRUE(GlobMatch("", "", false));
}

TEST(GlobMatch, LongPatternsStayPolynomial) {
  // A classic exponential case for naive recursive matchers.
  const std::string text(2000, 'a');
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "*b";
  EXPECT_FALSE(GlobMatch(pattern, text, false));
}

// An independent recursive matcher over a token list, for patterns built from known tokens.
bool TokenMatch(const std::vector<std::string>& tokens, std::size_t i, const std::string& text,
                std::size_t t) {
  if (i == tokens.size()) return t == text.size();
  const std::string& tok = tokens[i];
  if (tok == "*") {
    for (std::size_t k = t; k <= text.size(); ++k) {
      if (TokenMatch(tokens, i + 1, text, k)) return true;
    }
    return false;
  }
  if (t == text.size()) return false;
  const char c = text[t];
  bool ok = false;
  if (tok == "?")
    ok = true;
  else if (tok == "[ab]")
    ok = c == 'a' || c == 'b';
  else if (tok == "[^a]")
    ok = c != 'a';
  else if (tok == "[a-b]")
    ok = c >= 'a' && c <= 'b';
  else if (tok == "\\*")
    ok = c == '*';
  else
    ok = tok.size() == 1 && tok[0] == c;
  return ok && TokenMatch(tokens, i + 1, text, t + 1);
}

RC_GTEST_PROP(GlobMatch, AgreesWithReference, ()) {
  const auto tokens = *rc::gen::resize(
      8, rc::gen::container<std::vector<std::string>>(
             rc::gen::element<std::string>("a", "b", "*", "?", "[ab]", "[^a]", "[a-b]", "\\*")));
  const std::string text =
      *rc::gen::resize(10, rc::gen::container<std::string>(rc::gen::element('a', 'b', 'c', '*')));
  std::string pattern;
  for (const std::string& tok : tokens) pattern += tok;
  RC_ASSERT(GlobMatch(pattern, text, false) == TokenMatch(tokens, 0, text, 0));
}

}  // namespace
}  // namespace shoal::commands
