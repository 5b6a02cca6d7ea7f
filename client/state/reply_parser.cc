#include "client/state/reply_parser.h"

namespace shoal::client {

std::string_view Reply::ErrorCode() const {
  if (type != Type::kError) return {};
  std::string_view t = text;
  const std::size_t space = t.find(' ');
  return space == std::string_view::npos ? t : t.substr(0, space);
}

bool ParseReplyInteger(std::string_view text, std::int64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  bool negative = false;
  std::size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
    if (text.size() == 1) return false;
  }
  std::uint64_t value = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  const std::uint64_t limit = negative ? (1ULL << 63) : (1ULL << 63) - 1;
  if (value > limit) return false;
  out = negative ? static_cast<std::int64_t>(0 - value) : static_cast<std::int64_t>(value);
  return true;
}

ReplyStatus ReplyParser::Next(Reply& out) {
  std::size_t pos = offset_;
  const ReplyStatus status = ParseAt(pos, out, 0);
  if (status != ReplyStatus::kOk) return status;
  offset_ = pos;
  // Compact when everything was consumed, or when the dead prefix dominates.
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  } else if (offset_ > 4096 && offset_ * 2 > buffer_.size()) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  return ReplyStatus::kOk;
}

ReplyStatus ReplyParser::Line(std::size_t& pos, std::string_view& line) {
  const std::size_t end = buffer_.find("\r\n", pos);
  if (end == std::string::npos) {
    // A final '\r' may be the first half of the CRLF: not line content yet, or the verdict
    // would depend on how the bytes were split (found by tests/fuzz/reply_parser_fuzz.cc).
    std::size_t seen = buffer_.size() - pos;
    if (seen > 0 && buffer_.back() == '\r') --seen;
    return seen > limits_.line_bytes_max ? ReplyStatus::kError : ReplyStatus::kNeedMore;
  }
  if (end - pos > limits_.line_bytes_max) return ReplyStatus::kError;
  line = std::string_view(buffer_).substr(pos, end - pos);
  pos = end + 2;
  return ReplyStatus::kOk;
}

ReplyStatus ReplyParser::ParseAt(std::size_t& pos, Reply& out, std::size_t depth) {
  if (depth > limits_.depth_max) return ReplyStatus::kError;
  if (pos >= buffer_.size()) return ReplyStatus::kNeedMore;
  const char type = buffer_[pos];
  std::size_t p = pos + 1;
  std::string_view line;
  if (ReplyStatus s = Line(p, line); s != ReplyStatus::kOk) return s;
  out.elements.clear();
  out.text.clear();
  out.integer = 0;
  switch (type) {
    case '+':
      out.type = Reply::Type::kSimple;
      out.text.assign(line);
      break;
    case '-':
      out.type = Reply::Type::kError;
      out.text.assign(line);
      break;
    case ':':
      out.type = Reply::Type::kInteger;
      if (!ParseReplyInteger(line, out.integer)) return ReplyStatus::kError;
      break;
    case '_':
      if (!line.empty()) return ReplyStatus::kError;
      out.type = Reply::Type::kNil;
      break;
    case '#':
      if (line != "t" && line != "f") return ReplyStatus::kError;
      out.type = Reply::Type::kBool;
      out.integer = line == "t" ? 1 : 0;
      break;
    case ',':
      out.type = Reply::Type::kDouble;
      out.text.assign(line);
      break;
    case '$':
    case '=': {
      std::int64_t len = 0;
      if (!ParseReplyInteger(line, len)) return ReplyStatus::kError;
      if (len == -1 && type == '$') {
        out.type = Reply::Type::kNil;
        break;
      }
      if (len < 0 || static_cast<std::uint64_t>(len) > limits_.bulk_bytes_max) {
        return ReplyStatus::kError;
      }
      const std::size_t n = static_cast<std::size_t>(len);
      if (buffer_.size() - p < n + 2) return ReplyStatus::kNeedMore;
      if (buffer_[p + n] != '\r' || buffer_[p + n + 1] != '\n') return ReplyStatus::kError;
      out.type = Reply::Type::kBulk;
      std::string_view body = std::string_view(buffer_).substr(p, n);
      if (type == '=') {  // "txt:" prefix of a verbatim string
        if (body.size() < 4 || body[3] != ':') return ReplyStatus::kError;
        body.remove_prefix(4);
      }
      out.text.assign(body);
      p += n + 2;
      break;
    }
    case '*':
    case '%':
    case '~': {
      std::int64_t len = 0;
      if (!ParseReplyInteger(line, len)) return ReplyStatus::kError;
      if (len == -1 && type == '*') {
        out.type = Reply::Type::kNil;
        break;
      }
      if (len < 0 || static_cast<std::uint64_t>(len) > limits_.array_len_max) {
        return ReplyStatus::kError;
      }
      std::size_t count = static_cast<std::size_t>(len);
      if (type == '%') {
        if (count > limits_.array_len_max / 2) return ReplyStatus::kError;
        count *= 2;
      }
      out.type = Reply::Type::kArray;
      // Grow as elements arrive, never reserve a client-controlled count up front.
      for (std::size_t i = 0; i < count; ++i) {
        Reply element;
        if (ReplyStatus s = ParseAt(p, element, depth + 1); s != ReplyStatus::kOk) return s;
        out.elements.push_back(std::move(element));
      }
      break;
    }
    default:
      return ReplyStatus::kError;
  }
  pos = p;
  return ReplyStatus::kOk;
}

}  // namespace shoal::client
