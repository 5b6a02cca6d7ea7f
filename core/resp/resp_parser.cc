#include "core/resp/resp_parser.h"

#include <climits>
#include <cstring>

#include "core/result.h"

namespace shoal {
namespace {

constexpr std::size_t kArgvReserveMax = 1024;  // Redis preallocates at most 1024 argv slots too

// Redis's string2ll (util.c): optional '-', no '+', no leading zeros, no spaces, fits int64.
// Anything else, including an empty or 21+ byte string, is not a number.
bool String2ll(const char* s, std::size_t len, std::int64_t* value) {
  if (len == 0 || len >= 21) return false;
  if (len == 1 && s[0] == '0') {
    *value = 0;
    return true;
  }
  std::size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (i == len) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  std::uint64_t v = static_cast<std::uint64_t>(s[i] - '0');
  ++i;
  for (; i < len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const auto digit = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (negative) {
    if (v > static_cast<std::uint64_t>(INT64_MAX) + 1) return false;
    *value = static_cast<std::int64_t>(0 - v);
  } else {
    if (v > static_cast<std::uint64_t>(INT64_MAX)) return false;
    *value = static_cast<std::int64_t>(v);
  }
  return true;
}

enum class LineStatus { kFound, kNeedMore, kTooLong };

// Finds the '\r' that ends the header line ("*3" or "$5") starting at `start`. kFound: *cr is its
// index and at least one byte follows it; like Redis, that byte is skipped unchecked. Only the
// first kHeaderBytesMax bytes are searched, which bounds the work on garbage input.
inline LineStatus FindHeaderEnd(const char* p, std::size_t size, std::size_t start,
                                std::size_t* cr) {
  const std::size_t avail = size - start;
  const std::size_t window = avail < limits::kHeaderBytesMax ? avail : limits::kHeaderBytesMax;
  const void* found = std::memchr(p + start, '\r', window);
  if (found == nullptr) {
    return avail >= limits::kHeaderBytesMax ? LineStatus::kTooLong : LineStatus::kNeedMore;
  }
  *cr = static_cast<std::size_t>(static_cast<const char*>(found) - p);
  return *cr + 1 < size ? LineStatus::kFound : LineStatus::kNeedMore;
}

// Fast path for the common header: [1-9][0-9]{0,17} or "0", then '\r' and one more byte. On
// success *value is the number and *cr the index of the '\r'. On false nothing is known and the
// caller takes the general path (FindHeaderEnd + String2ll), which gives the same answer for every
// line this accepts, so the fast path changes no observable behaviour.
inline bool ParseHeaderFast(const char* p, std::size_t size, std::size_t start, std::int64_t* value,
                            std::size_t* cr) {
  std::size_t i = start + 1;
  if (i + 2 > size) return false;  // not even one digit, '\r' and one byte
  if (p[i] == '0') {
    if (p[i + 1] != '\r' || i + 2 >= size) return false;
    *value = 0;
    *cr = i + 1;
    return true;
  }
  std::int64_t v = 0;
  const std::size_t digits_end = size < i + 18 ? size : i + 18;
  for (; i < digits_end; ++i) {
    const unsigned digit = static_cast<unsigned char>(p[i]) - static_cast<unsigned>('0');
    if (digit > 9) break;
    v = v * 10 + static_cast<std::int64_t>(digit);
  }
  if (i == start + 1 || i + 1 >= size || p[i] != '\r') return false;
  *value = v;
  *cr = i;
  return true;
}

// C isspace() in the "C" locale: what sdssplitargs skips between arguments.
inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// What ends an unquoted argument in sdssplitargs (note: not '\v' or '\f').
inline bool IsTokenEnd(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

inline bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// sdssplitargs (sds.c) over s[0, n): arguments separated by blanks, "double quotes" with \n \r
// \t \b \a \xHH and \<any> escapes, 'single quotes' with only \' escaped, a closing quote must be
// followed by a blank or the end. Returns false on unbalanced quotes. Unquoted arguments are views
// into `s`; quoted ones are unescaped into `scratch`, which never reallocates meanwhile because
// it is reserved to n bytes first and unescaping never grows the text. One deliberate difference:
// a NUL byte is an ordinary byte here (in Redis it would end the C string; strchr then never finds
// the line's '\n', so no Redis client can rely on NUL in an inline command).
bool SplitArgs(const char* s, std::size_t n, std::vector<std::string_view>& argv,
               std::string& scratch) {
  std::size_t i = 0;
  bool scratch_reserved = false;
  while (true) {
    while (i < n && IsSpace(s[i])) ++i;
    if (i >= n) return true;
    const std::size_t token_start = i;
    while (i < n && !IsTokenEnd(s[i]) && s[i] != '"' && s[i] != '\'') ++i;
    if (i >= n || IsTokenEnd(s[i])) {  // plain argument: zero-copy
      argv.emplace_back(s + token_start, i - token_start);
      if (i < n) ++i;
      continue;
    }
    if (!scratch_reserved) {
      scratch.reserve(scratch.size() + n);
      scratch_reserved = true;
    }
    const char* const scratch_base = scratch.data();
    const std::size_t copy_start = scratch.size();
    scratch.append(s + token_start, i - token_start);
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      if (in_double) {
        if (i >= n) return false;
        const char c = s[i];
        if (c == '\\' && i + 3 < n && s[i + 1] == 'x' && IsHexDigit(s[i + 2]) &&
            IsHexDigit(s[i + 3])) {
          scratch.push_back(static_cast<char>(HexValue(s[i + 2]) * 16 + HexValue(s[i + 3])));
          i += 4;
        } else if (c == '\\' && i + 1 < n) {
          char e = s[i + 1];
          switch (e) {
            case 'n':
              e = '\n';
              break;
            case 'r':
              e = '\r';
              break;
            case 't':
              e = '\t';
              break;
            case 'b':
              e = '\b';
              break;
            case 'a':
              e = '\a';
              break;
            default:
              break;
          }
          scratch.push_back(e);
          i += 2;
        } else if (c == '"') {
          if (i + 1 < n && !IsSpace(s[i + 1])) return false;
          done = true;
          ++i;
        } else {
          scratch.push_back(c);
          ++i;
        }
      } else if (in_single) {
        if (i >= n) return false;
        const char c = s[i];
        if (c == '\\' && i + 1 < n && s[i + 1] == '\'') {
          scratch.push_back('\'');
          i += 2;
        } else if (c == '\'') {
          if (i + 1 < n && !IsSpace(s[i + 1])) return false;
          done = true;
          ++i;
        } else {
          scratch.push_back(c);
          ++i;
        }
      } else if (i >= n) {
        done = true;
      } else {
        const char c = s[i++];
        if (IsTokenEnd(c)) {
          done = true;
        } else if (c == '"') {
          in_double = true;
        } else if (c == '\'') {
          in_single = true;
        } else {
          scratch.push_back(c);
        }
      }
    }
    SHOAL_ASSERT(scratch.data() == scratch_base);  // views into scratch stay valid
    argv.emplace_back(scratch.data() + copy_start, scratch.size() - copy_start);
  }
}

}  // namespace

RespParser::RespParser(const ParserLimits& limits) : limits_(limits) {
  SHOAL_ASSERT(limits_.array_len_max <= limits::kArrayLenMax);
  SHOAL_ASSERT(limits_.bulk_bytes_max <= limits::kValueBytesHardMax);
  SHOAL_ASSERT(limits_.inline_bytes_max <= limits::kInlineBytesMax);
}

void RespParser::Reset() {
  mode_ = Mode::kIdle;
  pos_ = 0;
  args_left_ = 0;
  bulk_len_ = -1;
  inline_scanned_ = 0;
  spans_.clear();
}

ParseStatus RespParser::Fail(const char* message) {
  error_.assign(message);
  Reset();
  return ParseStatus::kError;
}

ParseStatus RespParser::Parse(std::string_view buffer, ParsedCommand& out) {
  out.argv.clear();
  out.consumed = 0;
  out.scratch.clear();
  needed_bytes_ = 0;
  ParseStatus status;
  if (mode_ == Mode::kMultibulk) {
    status = ParseMultibulk(buffer, out);
  } else if (mode_ == Mode::kInline) {
    status = ParseInline(buffer, out);
  } else if (buffer.empty()) {
    return ParseStatus::kNeedMore;
  } else if (buffer[0] == '*') {
    status = ParseMultibulk(buffer, out);
  } else {
    status = ParseInline(buffer, out);
  }
  if (status == ParseStatus::kError) out.argv.clear();  // no half-parsed frame for the caller
  return status;
}

// processMultibulkBuffer: "*<n>\r\n" then n times "$<len>\r\n<len bytes>\r\n".
// Arguments read in this call go straight into out.argv (views over this call's buffer); if the
// frame is incomplete they are saved as offsets in spans_, and a later call that completes the
// frame puts the saved ones back in front. So each byte is examined once however the frame is
// split, and a frame that arrives whole never touches spans_.
ParseStatus RespParser::ParseMultibulk(std::string_view buffer, ParsedCommand& out) {
  const char* const p = buffer.data();
  const std::size_t size = buffer.size();
  std::size_t pos = pos_;
  std::size_t cr = 0;
  std::int64_t number = 0;
  if (mode_ == Mode::kIdle) {
    if (!ParseHeaderFast(p, size, 0, &number, &cr)) {
      switch (FindHeaderEnd(p, size, 0, &cr)) {
        case LineStatus::kNeedMore:
          return ParseStatus::kNeedMore;
        case LineStatus::kTooLong:
          return Fail("ERR Protocol error: too big mbulk count string");
        case LineStatus::kFound:
          break;
      }
      if (!String2ll(p + 1, cr - 1, &number)) {
        return Fail("ERR Protocol error: invalid multibulk length");
      }
    }
    if (number > INT_MAX ||
        (number > 0 && static_cast<std::uint64_t>(number) > limits_.array_len_max)) {
      return Fail("ERR Protocol error: invalid multibulk length");
    }
    pos = cr + 2;
    if (number <= 0) {  // "*0" and "*-1": nothing to run, Redis drops them silently
      out.consumed = pos;
      return ParseStatus::kOk;
    }
    args_left_ = static_cast<std::size_t>(number);
    if (out.argv.capacity() < args_left_ && out.argv.capacity() < kArgvReserveMax) {
      out.argv.reserve(args_left_ < kArgvReserveMax ? args_left_ : kArgvReserveMax);
    }
    mode_ = Mode::kMultibulk;
  } else {
    SHOAL_ASSERT_MSG(pos <= size, "RespParser: resumed with a shorter buffer");
  }

  while (args_left_ > 0) {
    if (bulk_len_ < 0) {
      if (!ParseHeaderFast(p, size, pos, &number, &cr) || p[pos] != '$') {
        switch (FindHeaderEnd(p, size, pos, &cr)) {
          case LineStatus::kNeedMore:
            return SaveNeedMore(pos, p, out);
          case LineStatus::kTooLong:
            return Fail("ERR Protocol error: too big bulk count string");
          case LineStatus::kFound:
            break;
        }
        if (p[pos] != '$') {
          // Redis replaces CR and LF by spaces so that the error line stays one line.
          char got = p[pos];
          if (got == '\r' || got == '\n') got = ' ';
          error_.assign("ERR Protocol error: expected '$', got '");
          error_.push_back(got);
          error_.push_back('\'');
          Reset();
          return ParseStatus::kError;
        }
        if (!String2ll(p + pos + 1, cr - pos - 1, &number) || number < 0) {
          return Fail("ERR Protocol error: invalid bulk length");
        }
      }
      if (static_cast<std::uint64_t>(number) > limits_.bulk_bytes_max) {
        return Fail("ERR Protocol error: invalid bulk length");
      }
      pos = cr + 2;
      bulk_len_ = number;
    }
    const auto len = static_cast<std::size_t>(bulk_len_);
    if (size - pos < len + 2) {  // like Redis, the 2 bytes after the data are not checked
      needed_bytes_ = pos + len + 2;
      return SaveNeedMore(pos, p, out);
    }
    out.argv.emplace_back(p + pos, len);
    pos += len + 2;
    bulk_len_ = -1;
    --args_left_;
  }

  if (!spans_.empty()) {  // the frame began in an earlier call
    out.argv.insert(out.argv.begin(), spans_.size(), std::string_view());
    for (std::size_t i = 0; i < spans_.size(); ++i) {
      out.argv[i] = std::string_view(p + spans_[i].offset, spans_[i].length);
    }
    spans_.clear();
  }
  out.consumed = pos;
  mode_ = Mode::kIdle;
  pos_ = 0;
  return ParseStatus::kOk;
}

ParseStatus RespParser::SaveNeedMore(std::size_t pos, const char* base, ParsedCommand& out) {
  for (const std::string_view arg : out.argv) {
    spans_.push_back(ArgSpan{static_cast<std::size_t>(arg.data() - base), arg.size()});
  }
  out.argv.clear();
  pos_ = pos;
  return ParseStatus::kNeedMore;
}

// processInlineBuffer: one line ended by "\n" or "\r\n", split like sdssplitargs.
ParseStatus RespParser::ParseInline(std::string_view buffer, ParsedCommand& out) {
  const char* const p = buffer.data();
  const std::size_t size = buffer.size();
  const std::size_t window =
      size < limits_.inline_bytes_max + 1 ? size : limits_.inline_bytes_max + 1;
  SHOAL_ASSERT_MSG(inline_scanned_ <= window, "RespParser: resumed with a shorter buffer");
  const void* found = std::memchr(p + inline_scanned_, '\n', window - inline_scanned_);
  if (found == nullptr) {
    if (size > limits_.inline_bytes_max) return Fail("ERR Protocol error: too big inline request");
    inline_scanned_ = window;
    mode_ = Mode::kInline;
    return ParseStatus::kNeedMore;
  }
  inline_scanned_ = 0;
  mode_ = Mode::kIdle;
  const auto newline = static_cast<std::size_t>(static_cast<const char*>(found) - p);
  std::size_t line_len = newline;
  if (line_len > 0 && p[line_len - 1] == '\r') --line_len;
  if (!SplitArgs(p, line_len, out.argv, out.scratch)) {
    out.argv.clear();
    return Fail("ERR Protocol error: unbalanced quotes in request");
  }
  out.consumed = newline + 1;
  return ParseStatus::kOk;
}

}  // namespace shoal
