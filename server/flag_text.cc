#include "server/flag_text.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

namespace shoal::server {

std::optional<std::uint64_t> ParseUnsigned(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool IsIpAddress(const std::string& text) {
  unsigned char storage[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), storage) == 1 ||
         inet_pton(AF_INET6, text.c_str(), storage) == 1;
}

std::string Quote(std::string_view text) { return "'" + std::string(text) + "'"; }

std::optional<bool> ParseYesNo(std::string_view text) {
  if (text == "yes") return true;
  if (text == "no") return false;
  return std::nullopt;
}

bool IsOneOf(std::span<const std::string_view> names, std::string_view name) {
  for (std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

}  // namespace shoal::server
