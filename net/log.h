// Operator log for the real driver: one line per event on stderr, prefixed with a UTC timestamp
// (ISO 8601, milliseconds) and a level letter, e.g.
//   2026-11-22T13:28:12.123Z I shoald listening on 127.0.0.1:7379
// Thread safety: Log may be called from any thread (each line is one write(2)); SetLogLevel must
// be called before other threads start.
#pragma once

#include <optional>
#include <string_view>

namespace shoal::net {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2 };

// Names as --log-level spells them: debug, info, warning.
std::optional<LogLevel> ParseLogLevel(std::string_view name);
std::string_view LogLevelName(LogLevel level);

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

// Writes one line (a trailing newline is added). Lines below the current level are dropped.
void Log(LogLevel level, std::string_view message);

}  // namespace shoal::net
