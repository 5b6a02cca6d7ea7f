// Redis 7.0's stringmatchlen_impl (util.c), ported: the same steps in the same order, so that its
// corner cases come out alike. Redis reads one byte past the pattern (its NUL terminator) in two
// places; At() stands in for that byte.
#include "core/commands/glob.h"

#include <cstddef>
#include <utility>

#include "core/limits.h"

namespace shoal::commands {
namespace {

// The byte at p[i], or the NUL that terminates Redis's pattern when i is past the end.
char At(std::string_view p, std::size_t i) { return i < p.size() ? p[i] : '\0'; }

// tolower() in the C locale, on Redis's (signed) char values.
int Lower(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

struct Matcher {
  bool nocase = false;
  bool skip_longer_matches = false;

  bool Same(char a, char b) const { return nocase ? Lower(a) == Lower(b) : a == b; }

  bool Match(std::string_view p, std::string_view s, std::size_t nesting) {
    if (nesting > limits::kGlobNestingMax) return false;
    while (!p.empty() && !s.empty()) {
      switch (p[0]) {
        case '*':
          while (At(p, 1) == '*') p.remove_prefix(1);
          if (p.size() == 1) return true;
          while (!s.empty()) {
            if (Match(p.substr(1), s, nesting + 1)) return true;
            if (skip_longer_matches) return false;
            s.remove_prefix(1);
          }
          // The rest of the pattern matches nowhere in the rest of the string: a longer match for
          // an earlier star cannot help either.
          skip_longer_matches = true;
          return false;
        case '?':
          s.remove_prefix(1);
          break;
        case '[': {
          p.remove_prefix(1);
          const bool negate = At(p, 0) == '^';
          if (negate) p.remove_prefix(1);
          bool match = false;
          for (;;) {
            if (At(p, 0) == '\\' && p.size() >= 2) {
              p.remove_prefix(1);
              if (p[0] == s[0]) match = true;  // not case-folded, as in Redis
            } else if (At(p, 0) == ']') {
              break;  // the step after the switch consumes it
            } else if (p.empty()) {
              break;  // unterminated: Redis steps back one byte for that step to consume
            } else if (p.size() >= 3 && p[1] == '-') {
              // Signed, as Redis's `int start = pattern[0]` where char is signed (x86-64): a byte
              // >= 0x80 sorts below 'a' in a range.
              int start = static_cast<signed char>(p[0]);
              int end = static_cast<signed char>(p[2]);
              int c = static_cast<signed char>(s[0]);
              if (start > end) std::swap(start, end);
              if (nocase) {
                start = Lower(start);
                end = Lower(end);
                c = Lower(c);
              }
              p.remove_prefix(2);
              if (c >= start && c <= end) match = true;
            } else if (Same(p[0], s[0])) {
              match = true;
            }
            p.remove_prefix(1);
          }
          if (negate) match = !match;
          if (!match) return false;
          s.remove_prefix(1);
          break;
        }
        case '\\':
          if (p.size() >= 2) p.remove_prefix(1);
          [[fallthrough]];
        default:
          if (!Same(p[0], s[0])) return false;
          s.remove_prefix(1);
          break;
      }
      if (!p.empty()) p.remove_prefix(1);  // empty only after an unterminated class
      if (s.empty()) {
        while (!p.empty() && p[0] == '*') p.remove_prefix(1);
        break;
      }
    }
    return p.empty() && s.empty();
  }
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  Matcher matcher{.nocase = nocase};
  return matcher.Match(pattern, text, 0);
}

}  // namespace shoal::commands
