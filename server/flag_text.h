// Small text helpers shared by shoald's flag parsers (server/flags.cc and each feature's
// server/*_flags.cc):
// pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace shoal::server {

// A decimal without sign, spaces or suffix that fits 64 bits; nullopt otherwise.
std::optional<std::uint64_t> ParseUnsigned(std::string_view text);
// True for an IPv4 or IPv6 address in text form.
bool IsIpAddress(const std::string& text);
// 'text', for error messages.
std::string Quote(std::string_view text);
// true for "yes", false for "no", nullopt for anything else (Redis's boolean config values).
std::optional<bool> ParseYesNo(std::string_view text);
// Whether `name` is one of `names` (each feature's flag list).
bool IsOneOf(std::span<const std::string_view> names, std::string_view name);

}  // namespace shoal::server
