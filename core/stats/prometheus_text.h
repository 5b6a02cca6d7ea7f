// PrometheusWriter: appends metrics in the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), to a caller-owned string:
//
//   # HELP shoal_commands_total Commands executed, by command.
//   # TYPE shoal_commands_total counter
//   shoal_commands_total{cmd="get"} 1234
//
// Label values and HELP texts are escaped as the format requires (backslash, double quote and,
// in labels, line feed), so any bytes the caller passes produce a valid line; callers that may
// hold binary data (keys) should first make it printable with ReprBytes. Floating-point values
// and "le" bounds are spelled as Go's strconv.FormatFloat(v, 'g', -1, 64) spells them (1e-06,
// 0.0005, +Inf), the spelling of the official client libraries, so bucket labels match theirs.
//
// Thread safety: none (writes into one string). Pure: no I/O.
// Invariant: the caller writes a family's samples right after its Family() line, every family
// once (the format requires families to be contiguous).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace shoal {

enum class MetricType { kCounter, kGauge, kHistogram };

struct MetricLabel {
  std::string_view name;
  std::string_view value;
};

class PrometheusWriter {
 public:
  explicit PrometheusWriter(std::string& out) : out_(out) {}

  // "# HELP name help" and "# TYPE name type".
  void Family(std::string_view name, std::string_view help, MetricType type);
  // "name{labels} value".
  void Sample(std::string_view name, std::initializer_list<MetricLabel> labels,
              std::uint64_t value);
  void Sample(std::string_view name, std::initializer_list<MetricLabel> labels, double value);
  // One histogram series: name_bucket{labels,le="bound"} with cumulative counts (one per bound,
  // then le="+Inf" = count), name_sum and name_count. REQUIRES: bounds ascending, cumulative
  // non-decreasing and at most count, bounds.size() == cumulative.size().
  void Histogram(std::string_view name, std::initializer_list<MetricLabel> labels,
                 std::span<const double> bounds, std::span<const std::uint64_t> cumulative,
                 double sum, std::uint64_t count);

 private:
  void Series(std::string_view name, std::string_view suffix,
              std::initializer_list<MetricLabel> labels, std::string_view le);

  std::string& out_;
};

// v as Go's strconv.FormatFloat(v, 'g', -1, 64) spells it: the shortest digits that round-trip,
// in exponent form when the decimal exponent is below -4 or at least 6 ("1e-06", "0.0005",
// "123456", "1e+06"); NaN, +Inf and -Inf as the format spells them.
std::string FormatPrometheusDouble(double v);

// Appends `value` escaped for a label value: \ -> \\, " -> \", line feed -> \n.
void AppendEscapedLabelValue(std::string& out, std::string_view value);

// Bytes as redis-cli quotes them (Redis sdscatrepr, without the surrounding quotes): printable
// ASCII as is, \\ \" \n \r \t \a \b escaped, any other byte as \xHH. The result is ASCII.
std::string ReprBytes(std::string_view bytes);

}  // namespace shoal
