// Security flags of shoald, kept apart from the core flags (server/flags.cc hands every name it
// does not know to ApplySecurityFlag; main() copies the values into net::ServerOptions). Pure
// functions, no I/O (unit-tested in tests/server/security_flags_test.cc).
//
//   --protected-mode yes|no  with no --requirepass, refuse clients that connect from anything but
//                            loopback with Redis's -DENIED error (default yes;
//                            net/protected_mode.h)
//   --timeout SECONDS        close a client idle (nothing received, nothing being written) for
//                            longer than this, 0 = never (default 0; Redis's `timeout`), at most
//                            limits::kClientIdleSecondsMax
//
// Invariant of a parsed SecurityFlags: timeout_s <= limits::kClientIdleSecondsMax.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/limits.h"

namespace shoal::server {

struct SecurityFlags {
  bool protected_mode = true;
  std::uint64_t timeout_s = 0;  // 0: never
};

// True for the names (without "--") handled here; each takes a value.
bool IsSecurityFlag(std::string_view name);

// Applies one flag: nullopt if `name` is not one of ours, else an error message or "" (accepted).
std::optional<std::string> ApplySecurityFlag(std::string_view name, std::string_view value,
                                             SecurityFlags& flags);

// The --help lines of these flags, with their defaults.
std::string SecurityHelpText();

}  // namespace shoal::server
