// RespWriter: appends RESP2 or RESP3 replies to a caller-owned byte string. No allocation beyond
// the string's own growth; the protocol version decides how nil, maps and doubles are spelled.
// Thread safety: none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shoal {

enum class RespVersion : std::uint8_t { kResp2 = 2, kResp3 = 3 };

class RespWriter {
 public:
  RespWriter(std::string& out, RespVersion version) : out_(&out), version_(version) {}

  void Simple(std::string_view s);          // +OK
  void Error(std::string_view message);     // -ERR ... (message includes its prefix, e.g. "ERR x")
  void Integer(std::int64_t v);             // :1
  void Bulk(std::string_view s);            // $3\r\nfoo
  void Nil();                               // $-1 (RESP2) or _ (RESP3)
  void NilArray();                          // *-1 (RESP2) or _ (RESP3)
  void ArrayHeader(std::size_t n);          // *n
  void MapHeader(std::size_t n);            // *2n (RESP2) or %n (RESP3)
  void Verbatim(std::string_view s);        // bulk (RESP2) or =len txt:... (RESP3)
  void Double(double v);                    // bulk string (RESP2) or ,v (RESP3)

  RespVersion version() const { return version_; }
  std::string& out() { return *out_; }

 private:
  std::string* out_;
  RespVersion version_;
};

}  // namespace shoal
