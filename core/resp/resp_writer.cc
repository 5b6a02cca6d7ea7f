#include "core/resp/resp_writer.h"

#include <cmath>

namespace shoal {

void RespWriter::AppendSanitized(std::string_view s) {
  for (const char c : s) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
}

void RespWriter::NilArray() {
  if (version_ == RespVersion::kResp2) {
    out_->append("*-1\r\n", 5);
  } else {
    out_->append("_\r\n", 3);
  }
}

void RespWriter::MapHeader(std::size_t n) {
  if (version_ == RespVersion::kResp2) {
    Header('*', static_cast<std::int64_t>(2 * n));
  } else {
    Header('%', static_cast<std::int64_t>(n));
  }
}

void RespWriter::Verbatim(std::string_view s) {
  if (version_ == RespVersion::kResp2) {
    Bulk(s);
    return;
  }
  Header('=', static_cast<std::int64_t>(s.size() + 4));
  out_->append("txt:", 4);
  out_->append(s.data(), s.size());
  out_->append("\r\n", 2);
}

// Redis spells infinities "inf"/"-inf" and NaN "nan"; finite values use the shortest text that
// reads back to the same double (what Redis 7.2+ writes; 7.0 wrote %.17g).
void RespWriter::Double(double v) {
  char buf[64];
  std::string_view text;
  if (std::isnan(v)) {
    text = "nan";
  } else if (std::isinf(v)) {
    text = v > 0 ? "inf" : "-inf";
  } else {
    const auto result = std::to_chars(buf, buf + sizeof(buf), v);
    text = std::string_view(buf, static_cast<std::size_t>(result.ptr - buf));
  }
  if (version_ == RespVersion::kResp2) {
    Bulk(text);
    return;
  }
  out_->push_back(',');
  out_->append(text.data(), text.size());
  out_->append("\r\n", 2);
}

}  // namespace shoal
