#include "net/protected_mode.h"

namespace shoal::net {

bool IsLoopback(const boost::asio::ip::address& address) {
  if (address.is_v4()) return address.to_v4().is_loopback();
  const boost::asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).is_loopback();
  }
  return v6.is_loopback();
}

bool ProtectedModeRefuses(bool protected_mode, bool password_set,
                          const std::optional<boost::asio::ip::address>& peer) {
  if (!protected_mode || password_set) return false;
  return !peer.has_value() || !IsLoopback(*peer);
}

std::string RefusalLog::Refused(std::int64_t now_ms, std::string_view address) {
  ++unlogged_;
  if (now_ms < next_line_ms_) return {};
  std::string line = "protected mode: refused " + std::to_string(unlogged_) +
                     " client(s) from non-loopback addresses (latest " + std::string(address) +
                     "): no --requirepass is set; at most one such line per " +
                     std::to_string(interval_ms_ / 1000) + " s";
  unlogged_ = 0;
  next_line_ms_ = now_ms + interval_ms_;
  return line;
}

}  // namespace shoal::net
