// RespWriter: appends RESP2 or RESP3 replies to a caller-owned byte string. No allocation beyond
// the string's own growth; the protocol version decides how nil, maps and doubles are spelled.
// The hot methods (Simple, Error, Integer, Bulk, Nil, ArrayHeader) are inline.
// Invariant: every method appends exactly one complete RESP element (or an aggregate header),
// so the output is valid RESP whatever text the caller passes: CR and LF inside simple strings
// and errors are replaced by spaces, as Redis does for error replies.
// Thread safety: none.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shoal {

enum class RespVersion : std::uint8_t { kResp2 = 2, kResp3 = 3 };

class RespWriter {
 public:
  RespWriter(std::string& out, RespVersion version) : out_(&out), version_(version) {}

  void Simple(std::string_view s) { Line('+', s); }             // +OK
  void Error(std::string_view message) { Line('-', message); }  // -ERR x (message has its prefix)
  void Integer(std::int64_t v) { Header(':', v); }              // :1
  void Bulk(std::string_view s) {                               // $3\r\nfoo
    Header('$', static_cast<std::int64_t>(s.size()));
    out_->append(s.data(), s.size());
    out_->append("\r\n", 2);
  }
  void Nil() {  // $-1 (RESP2) or _ (RESP3)
    if (version_ == RespVersion::kResp2) {
      out_->append("$-1\r\n", 5);
    } else {
      out_->append("_\r\n", 3);
    }
  }
  void NilArray();  // *-1 (RESP2) or _ (RESP3)
  void ArrayHeader(std::size_t n) { Header('*', static_cast<std::int64_t>(n)); }  // *n
  void MapHeader(std::size_t n);      // *2n (RESP2) or %n (RESP3)
  void Verbatim(std::string_view s);  // bulk (RESP2) or =len\r\ntxt:... (RESP3)
  void Double(double v);              // bulk string (RESP2) or ,v (RESP3); shortest round-trip

  RespVersion version() const { return version_; }
  std::string& out() { return *out_; }

 private:
  // "<type><v>\r\n".
  void Header(char type, std::int64_t v) {
    char buf[24];
    buf[0] = type;
    const auto result = std::to_chars(buf + 1, buf + sizeof(buf) - 2, v);
    char* end = result.ptr;
    end[0] = '\r';
    end[1] = '\n';
    out_->append(buf, static_cast<std::size_t>(end + 2 - buf));
  }
  // "<type><s>\r\n" with CR/LF in s turned into spaces.
  void Line(char type, std::string_view s) {
    out_->push_back(type);
    if (s.find_first_of("\r\n") == std::string_view::npos) [[likely]] {
      out_->append(s.data(), s.size());
    } else {
      AppendSanitized(s);
    }
    out_->append("\r\n", 2);
  }
  void AppendSanitized(std::string_view s);

  std::string* out_;
  RespVersion version_;
};

}  // namespace shoal
