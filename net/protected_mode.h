// Protected mode (Redis's protected-mode): while it is on and no password is set (--requirepass
// empty), a client that connects from anything but loopback is sent kProtectedModeDenied and
// closed before the Node hears of it; loopback clients are always served. net/server.cc's accept
// loop asks ProtectedModeRefuses about every accepted socket and logs through RefusalLog.
//
// The rule is Redis 7.0's (networking.c, clientAcceptHandler): it looks at the client's address
// only, never at --bind (bound to loopback, every client is loopback anyway). An address that
// cannot be read counts as not loopback (Redis: connIsLocal() != 1). Unlike Redis, an IPv4-mapped
// IPv6 loopback address (::ffff:127.x.y.z, what a dual-stack socket bound to :: sees for an IPv4
// loopback client) is loopback too.
//
// Thread safety: pure functions; a RefusalLog belongs to the one thread that calls it (the loop).
// Invariant (RefusalLog): at most one line per interval, and every refusal is counted in exactly
// one line (the next line after it, which may come after the interval with the next refusal).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "net/asio.h"

namespace shoal::net {

// Redis 7.0's reply, word for word but for the product name ("Redis" -> "Shoal"). It tells the
// operator what Redis offers; Shoal has the third and fourth ways (--protected-mode no,
// --requirepass), not CONFIG SET protected-mode or a configuration file.
inline constexpr std::string_view kProtectedModeDenied =
    "-DENIED Shoal is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Shoal you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Shoal from the same host the "
    "server is running, however MAKE SURE Shoal is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable "
    "the protected mode by editing the Shoal configuration file, and setting the protected mode "
    "option to 'no', and then restarting the server. 3) If you started the server manually just "
    "for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in order for "
    "the server to start accepting connections from the outside.\r\n";

// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
bool IsLoopback(const boost::asio::ip::address& address);

// Whether a client from `peer` (nullopt: its address could not be read) must be refused.
bool ProtectedModeRefuses(bool protected_mode, bool password_set,
                          const std::optional<boost::asio::ip::address>& peer);

// The "refused" log line, at most once per interval.
class RefusalLog {
 public:
  explicit RefusalLog(std::int64_t interval_ms) : interval_ms_(interval_ms) {}

  // Counts one refusal of `address` at `now_ms` (monotonic). Returns the line to log, or an
  // empty string while the last line is younger than the interval.
  std::string Refused(std::int64_t now_ms, std::string_view address);

 private:
  const std::int64_t interval_ms_;
  std::int64_t next_line_ms_ = std::numeric_limits<std::int64_t>::min();  // first: at once
  std::uint64_t unlogged_ = 0;
};

}  // namespace shoal::net
