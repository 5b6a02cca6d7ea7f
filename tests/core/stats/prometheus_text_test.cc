// Prometheus text format tests: Go's float spelling (the le labels of the official clients),
// label and HELP escaping, histogram series, and ReprBytes as redis-cli quotes keys.
#include "core/stats/prometheus_text.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal {
namespace {

TEST(PrometheusText, DoublesAsGoSpellsThem) {
  // strconv.FormatFloat(v, 'g', -1, 64) for each.
  EXPECT_EQ(FormatPrometheusDouble(1e-6), "1e-06");
  EXPECT_EQ(FormatPrometheusDouble(2e-6), "2e-06");
  EXPECT_EQ(FormatPrometheusDouble(5e-5), "5e-05");
  EXPECT_EQ(FormatPrometheusDouble(1e-4), "0.0001");
  EXPECT_EQ(FormatPrometheusDouble(5e-4), "0.0005");
  EXPECT_EQ(FormatPrometheusDouble(0.25), "0.25");
  EXPECT_EQ(FormatPrometheusDouble(1.0), "1");
  EXPECT_EQ(FormatPrometheusDouble(123456.0), "123456");
  EXPECT_EQ(FormatPrometheusDouble(1e6), "1e+06");
  EXPECT_EQ(FormatPrometheusDouble(1234567.0), "1.234567e+06");
  EXPECT_EQ(FormatPrometheusDouble(0.004393801), "0.004393801");
  EXPECT_EQ(FormatPrometheusDouble(0.0), "0");
  EXPECT_EQ(FormatPrometheusDouble(-2.5), "-2.5");
  EXPECT_EQ(FormatPrometheusDouble(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatPrometheusDouble(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatPrometheusDouble(std::nan("")), "NaN");
}

RC_GTEST_PROP(PrometheusText, DoublesRoundTrip, (double v)) {
  RC_PRE(std::isfinite(v));
  const std::string text = FormatPrometheusDouble(v);
  RC_ASSERT(std::strtod(text.c_str(), nullptr) == v);  // strtod: subnormals too
}

TEST(PrometheusText, EscapesLabelsAndHelp) {
  std::string out;
  PrometheusWriter w(out);
  w.Family("m", "a \\ back\nslash", MetricType::kGauge);
  w.Sample("m", {{"key", "q\"uo\\te\nnl"}}, std::uint64_t{3});
  EXPECT_EQ(out,
            "# HELP m a \\\\ back\\nslash\n"
            "# TYPE m gauge\n"
            "m{key=\"q\\\"uo\\\\te\\nnl\"} 3\n");
}

TEST(PrometheusText, SamplesWithAndWithoutLabels) {
  std::string out;
  PrometheusWriter w(out);
  w.Sample("a_total", {}, std::uint64_t{18446744073709551615u});
  w.Sample("b", {{"x", "1"}, {"y", "2"}}, 0.5);
  EXPECT_EQ(out, "a_total 18446744073709551615\nb{x=\"1\",y=\"2\"} 0.5\n");
}

TEST(PrometheusText, HistogramSeries) {
  std::string out;
  PrometheusWriter w(out);
  const std::array<double, 2> bounds = {1e-6, 0.5};
  const std::array<std::uint64_t, 2> cumulative = {1, 3};
  w.Histogram("d_seconds", {{"cmd", "get"}}, bounds, cumulative, 0.75, 4);
  EXPECT_EQ(out,
            "d_seconds_bucket{cmd=\"get\",le=\"1e-06\"} 1\n"
            "d_seconds_bucket{cmd=\"get\",le=\"0.5\"} 3\n"
            "d_seconds_bucket{cmd=\"get\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{cmd=\"get\"} 0.75\n"
            "d_seconds_count{cmd=\"get\"} 4\n");
}

TEST(PrometheusText, ReprBytesQuotesLikeRedisCli) {
  EXPECT_EQ(ReprBytes("user:42"), "user:42");
  EXPECT_EQ(ReprBytes(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(ReprBytes("\xff\"\\\n\r\t\a\b"), "\\xff\\\"\\\\\\n\\r\\t\\a\\b");
  EXPECT_EQ(ReprBytes("caf\xc3\xa9"), "caf\\xc3\\xa9");  // ASCII out, always
}

}  // namespace
}  // namespace shoal
