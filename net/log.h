// Operator log for the real driver: one line per event on stderr, in one of two formats.
//   text (default):  2026-11-22T13:28:12.123Z I shoald listening on 127.0.0.1:7379 port=7379
//   json:            {"ts":"2026-11-22T13:28:12.123Z","level":"info","msg":"shoald listening
//                    on 127.0.0.1:7379","port":"7379"}
// A line never spans two lines: CR and LF in a message become spaces (text) or escapes (json);
// JSON output is always valid JSON (invalid UTF-8 becomes U+FFFD). Optional key=value fields
// follow the message (text: logfmt, quoted when needed; json: string members).
//
// Thread safety: Log may be called from any thread (each line is one write(2)); SetLogLevel and
// SetLogFormat must be called before other threads start.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::net {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };
enum class LogFormat { kText, kJson };

// Names as --log-level and --log-format spell them: debug, info, warning, error; text, json.
std::optional<LogLevel> ParseLogLevel(std::string_view name);
std::string_view LogLevelName(LogLevel level);
std::optional<LogFormat> ParseLogFormat(std::string_view name);
std::string_view LogFormatName(LogFormat format);

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void SetLogFormat(LogFormat format);

struct LogField {
  std::string_view key;
  std::string value;
};

// Writes one line (a trailing newline is added). Lines below the current level are dropped.
void Log(LogLevel level, std::string_view message);
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields);

// The line Log writes (newline included), for a given time: pure, for tests.
std::string FormatLogLine(LogFormat format, LogLevel level, std::int64_t unix_ms,
                          std::string_view message, std::initializer_list<LogField> fields);

}  // namespace shoal::net
