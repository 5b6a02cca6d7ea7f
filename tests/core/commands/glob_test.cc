// GlobMatch (glob.h) against answers read from a real redis-server 7.0.15 (KEYS pattern on a
// store holding only the text as a key), corner cases included, plus a property test against an
// independent matcher and the bounds on a hostile pattern.
#include "core/commands/glob.h"

#include <string>
#include <vector>

#include "core/limits.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::commands {
namespace {

struct GlobCase {
  const char* pattern;
  const char* text;
  bool match;
};

// Each row was checked against redis-server 7.0.15 (KEYS with the text as the only key).
constexpr GlobCase kRedisAnswers[] = {
    {"*", "anything", true},
    {"**", "", false},
    {"", "", true},
    {"", "a", false},
    {"a*", "a", true},
    {"a**", "a", true},
    {"*a", "a", true},
    {"h?llo", "hello", true},
    {"h?llo", "hllo", false},
    {"h[ae]llo", "hallo", true},
    {"h[^e]llo", "hello", false},
    {"h[^e]llo", "hallo", true},
    {"h[a-c]llo", "hbllo", true},
    {"h[c-a]llo", "hbllo", true},
    {"a\\*b", "a*b", true},
    {"a\\*b", "axb", false},
    {"*a*b*c*", "xxaxxbxxcxx", true},
    {"*a*b*c*", "xxaxxcxxbxx", false},
    {"[a-]", "a", true},
    {"[a-]", "-", false},
    {"[a-]", "]", true},
    {"[a-]", "b", false},
    {"[x-]", "x", true},
    {"[x-]", "^", true},
    {"[abc", "a", true},
    {"[abc", "ab", false},
    {"x[", "x", false},
    {"x[", "xa", false},
    {"[^", "x", true},
    {"[^", "", false},
    {"[]", "]", false},
    {"[]]", "]", false},
    {"[]a]", "a", false},
    {"[\\]]", "]", true},
    {"[\\-]", "-", true},
    {"[a\\-z]", "b", false},
    {"[a\\-z]", "-", true},
    {"[\\", "\\", true},
    {"\\", "\\", true},
    {"a\\", "a\\", true},
    {"a\\", "a", false},
    {"\\a", "a", true},
    {"\\?", "?", true},
    {"\\?", "x", false},
    {"[?]", "x", false},
    {"[*]", "*", true},
    {"[\x80"
     "-a]",
     "b", false},
    {"[\x80"
     "-a]",
     "Z", true},
    {"[a-\xff"
     "]",
     "x", false},
    {"[\xff"
     "]",
     "\xff"
     "",
     true},
    {"?",
     "\xff"
     "",
     true},
    {"*[", "a[", false},
    {"user:*", "user:", true},
    {"user:*", "user:1", true},
    {"user:*", "users:1", false},
    {"*:1", "user:1", true},
    {"[^a-c]x", "dx", true},
    {"[^a-c]x", "bx", false},
    {"a*b", "ab", true},
    {"a*b", "acbcb", true},
    {"a*?", "a", false},
    {"a*?", "ab", true},
    {"*\\*", "a*", true},
    {"[[]", "[", true},
    {"[^]]", "]", false},
    {"[^]]", "a", false},
    {"[a-c-e]", "d", false},
    {"[a-c-e]", "-", true},
};

TEST(GlobMatch, AnswersAsRedisDoes) {
  for (const GlobCase& c : kRedisAnswers) {
    EXPECT_EQ(GlobMatch(c.pattern, c.text), c.match) << "'" << c.pattern << "' '" << c.text << "'";
  }
}

TEST(GlobMatch, PatternAndTextMayHoldNulBytes) {
  using namespace std::string_view_literals;
  EXPECT_TRUE(GlobMatch("a\0*"sv, "a\0b"sv));
  EXPECT_FALSE(GlobMatch("a\0"sv, "a"sv));
  EXPECT_TRUE(GlobMatch("[\0]"sv, "\0"sv));
}

TEST(GlobMatch, AStarNeverMatchesTheEmptyString) {
  // Redis's loop ends when the text is empty before looking at the pattern; KEYS and SCAN answer
  // "*" alone without asking the matcher.
  EXPECT_FALSE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("?*", ""));
  EXPECT_TRUE(GlobMatch("", ""));
}

TEST(GlobMatch, NoCaseFoldsAsciiOnly) {
  EXPECT_TRUE(GlobMatch("MAX*", "maxmemory", true));
  EXPECT_FALSE(GlobMatch("MAX*", "maxmemory", false));
  EXPECT_TRUE(GlobMatch("[A-C]x", "bX", true));
  EXPECT_TRUE(GlobMatch("[^a]", "B", true));
  EXPECT_FALSE(GlobMatch("[^b]", "B", true));
  EXPECT_FALSE(GlobMatch("[\\A]", "a", true));  // an escaped class byte is never folded (Redis)
}

TEST(GlobMatch, LongPatternsStayPolynomial) {
  // A classic exponential case for naive recursive matchers.
  const std::string text(2000, 'a');
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "*b";
  EXPECT_FALSE(GlobMatch(pattern, text));
}

TEST(GlobMatch, NestingPastTheLimitIsNoMatch) {
  // n groups "a*" recurse n - 1 times (the last star matches the rest at once). Redis 7.0.15:
  // 1001 groups match a 1100-byte run of 'a', 1002 do not.
  const std::string text(1100, 'a');
  auto groups = [](std::size_t n) {
    std::string p;
    for (std::size_t i = 0; i < n; ++i) p += "a*";
    return p;
  };
  EXPECT_TRUE(GlobMatch(groups(limits::kGlobNestingMax + 1), text));
  EXPECT_FALSE(GlobMatch(groups(limits::kGlobNestingMax + 2), text));
  // A hostile pattern far past the limit answers at once, without running off the stack.
  EXPECT_FALSE(GlobMatch(groups(200000), std::string(300000, 'a')));
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

// Well-formed patterns match as a textbook glob does, except that Redis never matches the empty
// text with a non-empty pattern.
RC_GTEST_PROP(GlobMatch, AgreesWithReference, ()) {
  const auto tokens = *rc::gen::resize(
      8, rc::gen::container<std::vector<std::string>>(
             rc::gen::element<std::string>("a", "b", "*", "?", "[ab]", "[^a]", "[a-b]", "\\*")));
  const std::string text =
      *rc::gen::resize(10, rc::gen::container<std::string>(rc::gen::element('a', 'b', 'c', '*')));
  std::string pattern;
  for (const std::string& tok : tokens) pattern += tok;
  const bool expected = text.empty() ? pattern.empty() : TokenMatch(tokens, 0, text, 0);
  RC_ASSERT(GlobMatch(pattern, text) == expected);
}

}  // namespace
}  // namespace shoal::commands
