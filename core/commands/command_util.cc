#include "core/commands/command_util.h"

#include <limits>
#include <string>
#include <utility>

#include "core/result.h"

namespace shoal::commands {

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

std::optional<std::int64_t> ParseInt64(std::string_view s) {
  // Redis: LONG_STR_SIZE is 21, so at most 20 characters ("-9223372036854775808").
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;
  std::size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) return std::nullopt;
  }
  if (s[i] < '1' || s[i] > '9') return std::nullopt;
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  constexpr std::uint64_t kMaxPositive =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (v > kMaxPositive + 1) return std::nullopt;
    if (v == kMaxPositive + 1) return std::numeric_limits<std::int64_t>::min();
    return -static_cast<std::int64_t>(v);
  }
  if (v > kMaxPositive) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

IndexRange ClampRange(std::int64_t start, std::int64_t end, std::int64_t len) {
  SHOAL_ASSERT(len >= 0);
  // start + len cannot overflow: start < 0 and len >= 0 when it is computed.
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  return IndexRange{.start = start, .end = end};
}

std::string_view FormatInt64(std::int64_t v, char* buf) {
  char tmp[24];
  std::size_t n = 0;
  // Work in unsigned space so that INT64_MIN negates without overflow.
  std::uint64_t u = v < 0 ? ~static_cast<std::uint64_t>(v) + 1 : static_cast<std::uint64_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  std::size_t len = 0;
  if (v < 0) buf[len++] = '-';
  while (n > 0) buf[len++] = tmp[--n];
  return std::string_view(buf, len);
}

void ReplyWrongArity(CommandContext& ctx, std::string_view full_name) {
  std::string message = "ERR wrong number of arguments for '";
  message.append(full_name);
  message.append("' command");
  ctx.reply.Error(message);
}

void ReplyInvalidExpire(CommandContext& ctx, std::string_view full_name) {
  std::string message = "ERR invalid expire time in '";
  message.append(full_name);
  message.append("' command");
  ctx.reply.Error(message);
}

void ReplyStoreError(CommandContext& ctx, std::error_code error) {
  if (error == Error::kOutOfMemory) {
    ctx.reply.Error(kErrOom);
  } else if (error == Error::kValueTooLarge) {
    ctx.reply.Error(kErrValueTooLarge);
  } else if (error == Error::kKeyTooLarge) {
    ctx.reply.Error(kErrKeyTooLarge);
  } else if (error == Error::kNotInteger) {
    ctx.reply.Error(kErrNotInteger);
  } else if (error == Error::kOverflow) {
    ctx.reply.Error(kErrOverflow);
  } else {
    std::string message = "ERR ";
    message.append(error.message());
    ReplyErrorSanitized(ctx, message);
  }
}

void ReplyErrorSanitized(CommandContext& ctx, std::string_view message) {
  std::string clean(message);
  for (char& c : clean) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  ctx.reply.Error(clean);
}

void SetHeader(RespWriter& writer, std::size_t n) {
  if (writer.version() == RespVersion::kResp3) {
    std::string& out = writer.out();
    out.push_back('~');
    out.append(std::to_string(n));
    out.append("\r\n");
  } else {
    writer.ArrayHeader(n);
  }
}

std::optional<TimeMs> ParseSetExpiry(CommandContext& ctx, std::string_view arg, TimeUnit unit,
                                     bool relative, std::string_view full_name) {
  const std::optional<std::int64_t> parsed = ParseInt64(arg);
  if (!parsed) {
    ctx.reply.Error(kErrNotInteger);
    return std::nullopt;
  }
  std::int64_t ms = *parsed;
  if (ms <= 0 ||
      (unit == TimeUnit::kSeconds && ms > std::numeric_limits<std::int64_t>::max() / 1000)) {
    ReplyInvalidExpire(ctx, full_name);
    return std::nullopt;
  }
  if (unit == TimeUnit::kSeconds) ms *= 1000;
  if (relative && __builtin_add_overflow(ms, ctx.now, &ms)) {
    ReplyInvalidExpire(ctx, full_name);
    return std::nullopt;
  }
  if (ms <= 0) {
    ReplyInvalidExpire(ctx, full_name);
    return std::nullopt;
  }
  return ms;
}

}  // namespace shoal::commands
