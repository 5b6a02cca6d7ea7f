#include "client/state/reply_parser.h"

#include <string>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::client {
namespace {

Reply ParseOne(std::string_view bytes) {
  ReplyParser parser;
  parser.Append(bytes);
  Reply r;
  EXPECT_EQ(parser.Next(r), ReplyStatus::kOk) << bytes;
  EXPECT_EQ(parser.buffered_bytes(), 0u);
  return r;
}

TEST(ReplyParserTest, ParsesEveryReplyType) {
  EXPECT_EQ(ParseOne("+OK\r\n").text, "OK");
  const Reply err = ParseOne("-MOVED 12 10.0.0.1:7379\r\n");
  EXPECT_TRUE(err.IsError());
  EXPECT_EQ(err.ErrorCode(), "MOVED");
  EXPECT_EQ(ParseOne(":-42\r\n").integer, -42);
  const Reply bulk = ParseOne("$5\r\nhe\r\no\r\n");
  EXPECT_EQ(bulk.type, Reply::Type::kBulk);
  EXPECT_EQ(bulk.text, "he\r\no");
  EXPECT_EQ(ParseOne("$-1\r\n").type, Reply::Type::kNil);
  EXPECT_EQ(ParseOne("_\r\n").type, Reply::Type::kNil);
  EXPECT_EQ(ParseOne("*-1\r\n").type, Reply::Type::kNil);
  EXPECT_EQ(ParseOne("#t\r\n").integer, 1);
  EXPECT_EQ(ParseOne("=8\r\ntxt:abcd\r\n").text, "abcd");
  const Reply array = ParseOne("*2\r\n$1\r\na\r\n*1\r\n:3\r\n");
  ASSERT_EQ(array.elements.size(), 2u);
  EXPECT_EQ(array.elements[0].text, "a");
  EXPECT_EQ(array.elements[1].elements[0].integer, 3);
  EXPECT_EQ(ParseOne("%1\r\n+k\r\n+v\r\n").elements.size(), 2u);
}

TEST(ReplyParserTest, RejectsMalformedAndOverLimitInput) {
  for (std::string_view bad :
       {"?x\r\n", ":12a\r\n", "$3\r\nabcd\r\n", "$-2\r\n", "#x\r\n", "*-5\r\n", "_x\r\n"}) {
    ReplyParser parser;
    parser.Append(bad);
    Reply r;
    EXPECT_EQ(parser.Next(r), ReplyStatus::kError) << bad;
  }
  ReplyLimits limits;
  limits.bulk_bytes_max = 4;
  limits.depth_max = 2;
  ReplyParser small(limits);
  small.Append("$5\r\nhello\r\n");
  Reply r;
  EXPECT_EQ(small.Next(r), ReplyStatus::kError);
  ReplyParser shallow(limits);
  shallow.Append("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n");
  EXPECT_EQ(shallow.Next(r), ReplyStatus::kError);
}

// Any split of a stream of replies parses to the same replies as the whole stream.
RC_GTEST_PROP(ReplyParserTest, SplitsDoNotMatter,
              (std::vector<std::string> values, std::size_t cut)) {
  std::string stream;
  for (const std::string& v : values) {
    stream += "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
    stream += ":7\r\n";
  }
  cut = stream.empty() ? 0 : cut % (stream.size() + 1);
  ReplyParser parser;
  std::vector<Reply> got;
  Reply r;
  parser.Append(std::string_view(stream).substr(0, cut));
  while (parser.Next(r) == ReplyStatus::kOk) got.push_back(r);
  parser.Append(std::string_view(stream).substr(cut));
  for (;;) {
    const ReplyStatus s = parser.Next(r);
    if (s != ReplyStatus::kOk) {
      RC_ASSERT(s == ReplyStatus::kNeedMore);
      break;
    }
    got.push_back(r);
  }
  RC_ASSERT(got.size() == values.size() * 2);
  for (std::size_t i = 0; i < values.size(); ++i) {
    RC_ASSERT(got[2 * i].text == values[i]);
    RC_ASSERT(got[2 * i + 1].integer == 7);
  }
}

TEST(ReplyParserTest, ParsesIntegersStrictly) {
  std::int64_t v = 0;
  EXPECT_TRUE(ParseReplyInteger("9223372036854775807", v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(ParseReplyInteger("-9223372036854775808", v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_FALSE(ParseReplyInteger("9223372036854775808", v));
  EXPECT_FALSE(ParseReplyInteger("", v));
  EXPECT_FALSE(ParseReplyInteger("-", v));
  EXPECT_FALSE(ParseReplyInteger("1 ", v));
}

}  // namespace
}  // namespace shoal::client
