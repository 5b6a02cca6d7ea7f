// RespWriter: exact bytes for every reply form in RESP2 and RESP3, and round trips through the
// parser (a command written as an array of bulks parses back to the same arguments).
#include "core/resp/resp_writer.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/resp/resp_parser.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal {
namespace {

template <class F>
std::string Write(RespVersion version, F&& f) {
  std::string out;
  RespWriter w(out, version);
  f(w);
  return out;
}

// Writes with both versions and checks each against its expected bytes.
template <class F>
void ExpectBytes(F&& f, std::string_view resp2, std::string_view resp3) {
  EXPECT_EQ(Write(RespVersion::kResp2, f), resp2);
  EXPECT_EQ(Write(RespVersion::kResp3, f), resp3);
}

TEST(RespWriter, ScalarsAreTheSameInBothVersions) {
  ExpectBytes([](RespWriter& w) { w.Simple("OK"); }, "+OK\r\n", "+OK\r\n");
  ExpectBytes([](RespWriter& w) { w.Error("ERR unknown command"); }, "-ERR unknown command\r\n",
              "-ERR unknown command\r\n");
  ExpectBytes([](RespWriter& w) { w.Integer(0); }, ":0\r\n", ":0\r\n");
  ExpectBytes([](RespWriter& w) { w.Integer(-42); }, ":-42\r\n", ":-42\r\n");
  ExpectBytes([](RespWriter& w) { w.Integer(std::numeric_limits<std::int64_t>::min()); },
              ":-9223372036854775808\r\n", ":-9223372036854775808\r\n");
  ExpectBytes([](RespWriter& w) { w.Integer(std::numeric_limits<std::int64_t>::max()); },
              ":9223372036854775807\r\n", ":9223372036854775807\r\n");
  ExpectBytes([](RespWriter& w) { w.Bulk("foo"); }, "$3\r\nfoo\r\n", "$3\r\nfoo\r\n");
  ExpectBytes([](RespWriter& w) { w.Bulk(""); }, "$0\r\n\r\n", "$0\r\n\r\n");
  ExpectBytes([](RespWriter& w) { w.Bulk(std::string_view("a\r\n\0", 4)); },
              std::string_view("$4\r\na\r\n\0\r\n", 10), std::string_view("$4\r\na\r\n\0\r\n", 10));
  ExpectBytes([](RespWriter& w) { w.ArrayHeader(3); }, "*3\r\n", "*3\r\n");
  ExpectBytes([](RespWriter& w) { w.ArrayHeader(0); }, "*0\r\n", "*0\r\n");
}

TEST(RespWriter, VersionSpecificForms) {
  ExpectBytes([](RespWriter& w) { w.Nil(); }, "$-1\r\n", "_\r\n");
  ExpectBytes([](RespWriter& w) { w.NilArray(); }, "*-1\r\n", "_\r\n");
  ExpectBytes([](RespWriter& w) { w.MapHeader(2); }, "*4\r\n", "%2\r\n");
  ExpectBytes([](RespWriter& w) { w.MapHeader(0); }, "*0\r\n", "%0\r\n");
  ExpectBytes([](RespWriter& w) { w.Verbatim("a\r\nb"); }, "$4\r\na\r\nb\r\n",
              "=8\r\ntxt:a\r\nb\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(1.5); }, "$3\r\n1.5\r\n", ",1.5\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(0.1); }, "$3\r\n0.1\r\n", ",0.1\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(-3); }, "$2\r\n-3\r\n", ",-3\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(std::numeric_limits<double>::infinity()); },
              "$3\r\ninf\r\n", ",inf\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(-std::numeric_limits<double>::infinity()); },
              "$4\r\n-inf\r\n", ",-inf\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(std::nan("")); }, "$3\r\nnan\r\n", ",nan\r\n");
}

TEST(RespWriter, LinesCannotBreakTheProtocol) {
  ExpectBytes([](RespWriter& w) { w.Error("ERR bad\r\nkey"); }, "-ERR bad  key\r\n",
              "-ERR bad  key\r\n");
  ExpectBytes([](RespWriter& w) { w.Simple("a\nb"); }, "+a b\r\n", "+a b\r\n");
}

TEST(RespWriter, AppendsToExistingOutput) {
  std::string out = "+PONG\r\n";
  RespWriter w(out, RespVersion::kResp3);
  w.MapHeader(1);
  w.Bulk("k");
  w.Nil();
  EXPECT_EQ(out, "+PONG\r\n%1\r\n$1\r\nk\r\n_\r\n");
  EXPECT_EQ(&w.out(), &out);
  EXPECT_EQ(w.version(), RespVersion::kResp3);
}

RC_GTEST_PROP(RespWriterProperty, BulkArraysRoundTripThroughTheParser, ()) {
  // Sizes kept small: three nested containers of the default size 100 would be 10^6 bytes.
  const auto arg = rc::gen::container<std::string>(
      rc::gen::map(rc::gen::inRange(0, 256), [](int b) { return static_cast<char>(b); }));
  const auto commands = *rc::gen::resize(
      25, rc::gen::container<std::vector<std::vector<std::string>>>(
              rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(arg))));
  std::string out;
  RespWriter w(out, *rc::gen::element(RespVersion::kResp2, RespVersion::kResp3));
  for (const auto& c : commands) {
    w.ArrayHeader(c.size());
    for (const auto& a : c) w.Bulk(a);
  }
  RespParser parser(ParserLimits{});
  ParsedCommand cmd;
  std::string_view rest = out;
  for (const auto& c : commands) {
    RC_ASSERT(parser.Parse(rest, cmd) == ParseStatus::kOk);
    RC_ASSERT(std::vector<std::string>(cmd.argv.begin(), cmd.argv.end()) == c);
    rest.remove_prefix(cmd.consumed);
  }
  RC_ASSERT(rest.empty());
}

RC_GTEST_PROP(RespWriterProperty, IntegersAndDoublesReadBack, (std::int64_t i, double d)) {
  std::string out;
  RespWriter w(out, RespVersion::kResp3);
  w.Integer(i);
  RC_ASSERT(out == ":" + std::to_string(i) + "\r\n");
  out.clear();
  w.Double(d);
  RC_ASSERT(out.front() == ',');
  RC_ASSERT(out.substr(out.size() - 2) == "\r\n");
  const double back = std::strtod(out.c_str() + 1, nullptr);
  if (std::isnan(d)) {
    RC_ASSERT(std::isnan(back));
  } else {
    RC_ASSERT(back == d);
  }
}

}  // namespace
}  // namespace shoal
