#include "core/stats/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/result.h"

namespace shoal {
namespace {

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void AppendUnsigned(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, result.ptr);
}

}  // namespace

std::string FormatPrometheusDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  // The shortest round-trip digits in scientific form tell the decimal exponent; C++'s "e-06"
  // spelling (sign, at least two digits) is Go's too.
  const auto sci = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  SHOAL_ASSERT(sci.ec == std::errc());
  const std::string_view text(buf, static_cast<std::size_t>(sci.ptr - buf));
  const std::size_t e = text.find('e');
  SHOAL_ASSERT(e != std::string_view::npos);
  const int exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
  if (exponent < -4 || exponent >= 6) return std::string(text);
  const auto fixed = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  SHOAL_ASSERT(fixed.ec == std::errc());
  return std::string(buf, fixed.ptr);
}

void AppendEscapedLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

namespace {

// sdscatrepr's escape for one byte, or empty when it is printed as is or as \xHH.
std::string_view ReprEscape(unsigned char c) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '"':
      return "\\\"";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\a':
      return "\\a";
    case '\b':
      return "\\b";
    default:
      return {};
  }
}

}  // namespace

std::string ReprBytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (const std::string_view escape = ReprEscape(c); !escape.empty()) {
      out.append(escape);
    } else if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

void PrometheusWriter::Family(std::string_view name, std::string_view help, MetricType type) {
  out_.append("# HELP ");
  out_.append(name);
  out_.push_back(' ');
  for (char c : help) {  // HELP escapes backslash and line feed only
    if (c == '\\') {
      out_.append("\\\\");
    } else if (c == '\n') {
      out_.append("\\n");
    } else {
      out_.push_back(c);
    }
  }
  out_.append("\n# TYPE ");
  out_.append(name);
  out_.push_back(' ');
  out_.append(TypeName(type));
  out_.push_back('\n');
}

void PrometheusWriter::Series(std::string_view name, std::string_view suffix,
                              std::initializer_list<MetricLabel> labels, std::string_view le) {
  out_.append(name);
  out_.append(suffix);
  if (labels.size() == 0 && le.empty()) return;
  out_.push_back('{');
  bool first = true;
  for (const MetricLabel& label : labels) {
    if (!first) out_.push_back(',');
    first = false;
    out_.append(label.name);
    out_.append("=\"");
    AppendEscapedLabelValue(out_, label.value);
    out_.push_back('"');
  }
  if (!le.empty()) {
    if (!first) out_.push_back(',');
    out_.append("le=\"");
    out_.append(le);
    out_.push_back('"');
  }
  out_.push_back('}');
}

void PrometheusWriter::Sample(std::string_view name, std::initializer_list<MetricLabel> labels,
                              std::uint64_t value) {
  Series(name, {}, labels, {});
  out_.push_back(' ');
  AppendUnsigned(out_, value);
  out_.push_back('\n');
}

void PrometheusWriter::Sample(std::string_view name, std::initializer_list<MetricLabel> labels,
                              double value) {
  Series(name, {}, labels, {});
  out_.push_back(' ');
  out_.append(FormatPrometheusDouble(value));
  out_.push_back('\n');
}

void PrometheusWriter::Histogram(std::string_view name, std::initializer_list<MetricLabel> labels,
                                 std::span<const double> bounds,
                                 std::span<const std::uint64_t> cumulative, double sum,
                                 std::uint64_t count) {
  SHOAL_ASSERT(bounds.size() == cumulative.size());
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    SHOAL_ASSERT(cumulative[i] <= count && (i == 0 || cumulative[i - 1] <= cumulative[i]));
    Series(name, "_bucket", labels, FormatPrometheusDouble(bounds[i]));
    out_.push_back(' ');
    AppendUnsigned(out_, cumulative[i]);
    out_.push_back('\n');
  }
  Series(name, "_bucket", labels, "+Inf");
  out_.push_back(' ');
  AppendUnsigned(out_, count);
  out_.push_back('\n');
  Series(name, "_sum", labels, {});
  out_.push_back(' ');
  out_.append(FormatPrometheusDouble(sum));
  out_.push_back('\n');
  Series(name, "_count", labels, {});
  out_.push_back(' ');
  AppendUnsigned(out_, count);
  out_.push_back('\n');
}

}  // namespace shoal
