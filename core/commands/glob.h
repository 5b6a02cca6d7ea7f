// GlobMatch: Shoal's one glob-style pattern matcher, Redis 7.0's stringmatchlen (util.c) ported
// step for step. Called by KEYS and SCAN ... MATCH (scan_commands.cc, case-sensitive) and by
// COMMAND LIST FILTERBY PATTERN and CONFIG GET (server_commands.cc, case-folded, as in Redis).
// Pure; any thread.
//
// The syntax, with Redis's corner cases kept on purpose (clients and tools see Redis's answers):
//   *      any run of bytes; but a non-empty pattern never matches the empty string (Redis's loop
//          stops when either side is empty; KEYS and SCAN treat "*" alone as "every key" first)
//   ?      any one byte
//   [abc]  one byte of the set; [^abc] one byte outside it; [a-z] a range (ends in either order,
//          compared as signed chars as on x86-64); \x inside a class is the byte x (never
//          case-folded); an unterminated class runs to the end of the pattern; "[a-]" is the range
//          a..']' (the "-" takes the next byte, whatever it is)
//   \x     the byte x; a lone trailing backslash is itself
// Bounds: a match recurses once per "*" that has more pattern after it; past
// limits::kGlobNestingMax nested stars the answer is "no match" (as Redis 7.0), so a hostile
// pattern costs bounded stack. Once the rest of the pattern after a star fails at every position,
// no earlier star is retried at a longer length (Redis's fix for CVE-2022-36021), so the cost is
// O(pattern * text).
#pragma once

#include <string_view>

namespace shoal::commands {

// True when `text` matches the glob `pattern` exactly as Redis 7.0's stringmatchlen. `nocase`
// folds ASCII case (CONFIG GET, COMMAND LIST); KEYS and SCAN match case-sensitively.
bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace shoal::commands
