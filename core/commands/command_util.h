// Helpers shared by the command handlers: Redis-exact integer parsing, case-insensitive option
// matching, the reply texts clients depend on, and the mapping of store errors to replies.
//
// Thread safety: pure functions (plus writes into the caller's CommandContext).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include "core/commands/command_table.h"
#include "core/time.h"

namespace shoal::commands {

// Reply texts exactly as Redis 7.0 spells them.
inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kErrNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kErrWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kErrOom =
    "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kErrValueTooLarge =
    "ERR string exceeds maximum allowed size (max-value-bytes)";
// What Redis's checkStringLength answers when SETRANGE would grow a value past the limit (ours is
// value_bytes_max, which --max-value-bytes sets and which plays the part of proto-max-bulk-len).
inline constexpr std::string_view kErrStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kErrKeyTooLarge =
    "ERR key exceeds maximum allowed size (key-bytes-max)";
inline constexpr std::string_view kErrClusterDisabled =
    "ERR This instance has cluster support disabled";

// The Redis version we are wire-compatible with (INFO redis_version, HELLO version).
inline constexpr std::string_view kRedisCompatVersion = "7.0.0";

// ASCII case-insensitive equality; `lower` must already be lower case.
bool EqualsLower(std::string_view s, std::string_view lower);

// Parses a signed 64-bit decimal exactly as Redis's string2ll does: optional '-', no '+', no
// spaces, no leading zeros (except "0" itself), at most 20 characters, no overflow.
std::optional<std::int64_t> ParseInt64(std::string_view s);

// Redis's conversion of a [start, end] range over `len` elements (GETRANGE, BITCOUNT, BITPOS):
// negative indexes count from the end, then both are clamped to 0 and end to len - 1. The range
// is empty when start > end afterwards (always so when len == 0). REQUIRES: len >= 0.
struct IndexRange {
  std::int64_t start = 0;
  std::int64_t end = 0;
  bool empty() const { return start > end; }
};
IndexRange ClampRange(std::int64_t start, std::int64_t end, std::int64_t len);

// Appends the decimal form of v to buf (at least 21 bytes); returns the written view.
std::string_view FormatInt64(std::int64_t v, char* buf);

// "ERR wrong number of arguments for '<full_name>' command".
void ReplyWrongArity(CommandContext& ctx, std::string_view full_name);

// "ERR invalid expire time in '<full_name>' command".
void ReplyInvalidExpire(CommandContext& ctx, std::string_view full_name);

// Writes the reply for a failed store write (OOM, value or key too large).
void ReplyStoreError(CommandContext& ctx, std::error_code error);

// Writes an error whose text embeds client input: \r and \n become spaces (Redis does the same so
// that an error never breaks the protocol framing).
void ReplyErrorSanitized(CommandContext& ctx, std::string_view message);

// Writes a RESP3 set header ("~n"), or an array header in RESP2 (RespWriter has no set type).
void SetHeader(RespWriter& writer, std::size_t n);

// Seconds or milliseconds, for the expire-time helpers.
enum class TimeUnit { kSeconds, kMilliseconds };

// Redis's getExpireMillisecondsOrReply for SET/SETEX/PSETEX/GETEX: parses `arg` as a positive
// integer in `unit`; relative (EX/PX) adds `now`. Replies with the Redis error and returns nullopt
// for a non-integer, a value <= 0, or an overflow. The result is an absolute time in ms, > 0.
std::optional<TimeMs> ParseSetExpiry(CommandContext& ctx, std::string_view arg, TimeUnit unit,
                                     bool relative, std::string_view full_name);

}  // namespace shoal::commands
