#include "client/src/command_table.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace shoal::client_impl {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// Commands without any effect on data (retried freely).
constexpr std::array<std::string_view, 38> kReads = {
    "GET",    "MGET",     "EXISTS",    "TTL",    "PTTL",      "EXPIRETIME", "PEXPIRETIME",
    "STRLEN", "TYPE",     "GETRANGE",  "SUBSTR", "PING",      "ECHO",       "DBSIZE",
    "INFO",   "TIME",     "KEYS",      "SCAN",   "RANDOMKEY", "LASTSAVE",   "COMMAND",
    "HGET",   "HMGET",    "HGETALL",   "HLEN",   "HEXISTS",   "LRANGE",     "LLEN",
    "LINDEX", "SMEMBERS", "SISMEMBER", "SCARD",  "ZRANGE",    "ZSCORE",     "ZCARD",
    "ZRANK",  "READONLY", "READWRITE",
};

// Writes whose repetition leaves the same state (absolute effects). SET is here unless it has
// the GET option (checked below); relative EXPIRE, INCR, APPEND, GETDEL, ... are not.
constexpr std::array<std::string_view, 11> kRepeatableWrites = {
    "SET",       "SETEX",    "PSETEX",  "MSET",     "DEL",     "UNLINK",
    "PEXPIREAT", "EXPIREAT", "PERSIST", "FLUSHALL", "FLUSHDB",
};

bool In(std::string_view name, auto const& table) {
  return std::any_of(table.begin(), table.end(),
                     [&](std::string_view entry) { return EqualsIgnoreCase(name, entry); });
}

}  // namespace

CommandTraits LookupCommand(const std::vector<std::string>& argv) {
  const std::string_view name = argv.front();
  if (In(name, kReads)) return CommandTraits{.write = false, .repeatable = true};
  if (EqualsIgnoreCase(name, "SET")) {
    // SET key value ... GET returns the old value: a repeat would return our own.
    const bool get =
        std::any_of(argv.begin() + std::min<std::size_t>(3, argv.size()), argv.end(),
                    [](const std::string& arg) { return EqualsIgnoreCase(arg, "GET"); });
    return CommandTraits{.write = true, .repeatable = !get};
  }
  if (In(name, kRepeatableWrites)) return CommandTraits{.write = true, .repeatable = true};
  return CommandTraits{};
}

}  // namespace shoal::client_impl
