#include "net/log.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace shoal::net {
namespace {

LogLevel g_level = LogLevel::kInfo;

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warning") return LogLevel::kWarning;
  return std::nullopt;
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
  }
  return "info";
}

void SetLogLevel(LogLevel level) { g_level = level; }

bool LogEnabled(LogLevel level) { return level >= g_level; }

void Log(LogLevel level, std::string_view message) {
  if (!LogEnabled(level)) return;
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::array<char, 64> stamp{};
  const int stamp_len = std::snprintf(
      stamp.data(), stamp.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", tm.tm_year + 1900,
      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  const char letter = level == LogLevel::kDebug ? 'D' : level == LogLevel::kInfo ? 'I' : 'W';
  std::string line;
  line.reserve(static_cast<std::size_t>(stamp_len) + 3 + message.size());
  line.append(stamp.data(), static_cast<std::size_t>(stamp_len));
  line.push_back(letter);
  line.push_back(' ');
  line.append(message);
  line.push_back('\n');
  // One write(2) per line so lines from concurrent writers never interleave mid-line.
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // nowhere to report a failing stderr
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace shoal::net
