// Log line tests (FormatLogLine is pure): the text and JSON formats, one line per event whatever
// the message holds, JSON that stays valid for any bytes, and the level and format names.
#include "net/log.h"

#include <string>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::net {
namespace {

constexpr std::int64_t kMs = 1'764'000'000'123;  // 2025-11-24T16:00:00.123Z

TEST(Log, TextLine) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, LogLevel::kInfo, kMs, "started", {}),
            "2025-11-24T16:00:00.123Z I started\n");
  EXPECT_EQ(FormatLogLine(LogFormat::kText, LogLevel::kWarning, kMs, "two\nlines\r",
                          {{"port", "7379"}, {"clock", "X86 TSC @ 2445 ticks/us"}, {"e", ""}}),
            "2025-11-24T16:00:00.123Z W two lines  port=7379 clock=\"X86 TSC @ 2445 ticks/us\" "
            "e=\"\"\n");
}

TEST(Log, JsonLine) {
  EXPECT_EQ(
      FormatLogLine(LogFormat::kJson, LogLevel::kError, kMs, "say \"hi\"\\\n\x01", {{"k", "v"}}),
      "{\"ts\":\"2025-11-24T16:00:00.123Z\",\"level\":\"error\",\"msg\":\"say "
      "\\\"hi\\\"\\\\\\n\\u0001\",\"k\":\"v\"}\n");
  // Valid UTF-8 passes; anything else becomes U+FFFD.
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, LogLevel::kDebug, kMs, "caf\xc3\xa9 \xff\xc3", {}),
            "{\"ts\":\"2025-11-24T16:00:00.123Z\",\"level\":\"debug\",\"msg\":\"caf\xc3\xa9 "
            "\\ufffd\\ufffd\"}\n");
}

RC_GTEST_PROP(Log, EveryEventIsOneLine, (const std::string& message, const std::string& value)) {
  for (LogFormat format : {LogFormat::kText, LogFormat::kJson}) {
    const std::string line =
        FormatLogLine(format, LogLevel::kInfo, kMs, message, {{"field", value}});
    RC_ASSERT(line.back() == '\n');
    RC_ASSERT(line.find('\n') == line.size() - 1);
    RC_ASSERT(line.find('\r') == std::string::npos);
    if (format == LogFormat::kJson) {
      for (char c : line.substr(0, line.size() - 1)) {
        RC_ASSERT(static_cast<unsigned char>(c) >= 0x20);  // control bytes are escaped
      }
    }
  }
}

TEST(Log, Names) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    EXPECT_EQ(ParseLogLevel(LogLevelName(level)), level);
  }
  EXPECT_FALSE(ParseLogLevel("loud").has_value());
  EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(ParseLogFormat("text"), LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("xml").has_value());
}

}  // namespace
}  // namespace shoal::net
