#include "server/security_flags.h"

#include "server/flag_text.h"

namespace shoal::server {
namespace {

constexpr std::string_view kFlags[] = {"protected-mode", "timeout"};

}  // namespace

bool IsSecurityFlag(std::string_view name) { return IsOneOf(kFlags, name); }

std::optional<std::string> ApplySecurityFlag(std::string_view name, std::string_view value,
                                             SecurityFlags& flags) {
  if (name == "protected-mode") {
    const std::optional<bool> on = ParseYesNo(value);
    if (!on) return "--protected-mode: " + Quote(value) + " is not one of yes, no";
    flags.protected_mode = *on;
  } else if (name == "timeout") {
    const auto seconds = ParseUnsigned(value);
    if (!seconds || *seconds > limits::kClientIdleSecondsMax) {
      return "--timeout: " + Quote(value) + " must be whole seconds between 0 (never) and " +
             std::to_string(limits::kClientIdleSecondsMax);
    }
    flags.timeout_s = *seconds;
  } else {
    return std::nullopt;
  }
  return std::string();
}

std::string SecurityHelpText() {
  const SecurityFlags d;
  std::string text;
  text += std::string("  --protected-mode yes|no without --requirepass, refuse non-loopback ") +
          "clients with -DENIED (default " + (d.protected_mode ? "yes" : "no") + ")\n";
  text += "  --timeout SECONDS       close clients idle for longer than this, 0 = never (default " +
          std::to_string(d.timeout_s) + ")\n";
  return text;
}

}  // namespace shoal::server
