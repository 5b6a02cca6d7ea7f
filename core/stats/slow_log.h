// SlowLog: the commands that took at least slowlog-log-slower-than microseconds, newest first, as
// Redis keeps them for SLOWLOG GET / LEN / RESET: id, Unix time in seconds, duration in
// microseconds, the arguments (at most limits::kSlowLogArgsMax, each cut to
// limits::kSlowLogArgBytesMax bytes with Redis's "... (N more arguments|bytes)" markers, secrets
// replaced by "(redacted)"), the client's address and name.
//
// Thread safety: none; owned by the Node's thread.
// Invariants:
//   1. Entry ids increase by one per entry ever pushed and are never reused (not even by Reset).
//   2. Right after a Push, size() <= max_len() (as in Redis, lowering max_len trims on the next
//      Push, not at once).
//   3. An entry holds at most kSlowLogArgsMax arguments of at most kSlowLogArgBytesMax bytes plus
//      a marker each.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace shoal {

struct SlowLogEntry {
  std::uint64_t id = 0;
  std::int64_t timestamp_s = 0;
  std::uint64_t duration_us = 0;
  std::vector<std::string> args;
  std::string client_address;
  std::string client_name;
};

class SlowLog {
 public:
  // slower_than_us < 0 disables the log; 0 logs every command.
  SlowLog(std::int64_t slower_than_us, std::uint64_t max_len)
      : slower_than_us_(slower_than_us), max_len_(max_len) {
    UpdateThreshold();
  }

  // True when a command that took `duration_ns` belongs in the log: Redis's rule on whole
  // microseconds (duration_us >= slower-than), as one compare for the hot path.
  bool Wants(std::uint64_t duration_ns) const { return duration_ns >= threshold_ns_; }
  // Adds an entry for argv (the command as the client sent it). Bit i of secret_mask replaces
  // argv[i] by "(redacted)" (AUTH passwords and the like).
  void Push(TimeMs now, std::uint64_t duration_us, std::span<const std::string_view> argv,
            std::uint64_t secret_mask, std::string_view client_address,
            std::string_view client_name);
  void Reset() { entries_.clear(); }

  // Newest first.
  const std::deque<SlowLogEntry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  // The id the next entry gets (redis_exporter's slowlog_last_id is this minus one).
  std::uint64_t next_id() const { return next_id_; }

  std::int64_t slower_than_us() const { return slower_than_us_; }
  std::uint64_t max_len() const { return max_len_; }
  void set_slower_than_us(std::int64_t us) {
    slower_than_us_ = us;
    UpdateThreshold();
  }
  void set_max_len(std::uint64_t len) {
    max_len_ = len;
    UpdateThreshold();
  }

 private:
  // Redis's rule folded into one number: log when slower-than >= 0, max-len > 0 and
  // floor(duration_ns / 1000) >= slower-than, i.e. duration_ns >= slower-than * 1000.
  void UpdateThreshold() {
    constexpr std::uint64_t kNever = ~std::uint64_t{0};
    const auto us = static_cast<std::uint64_t>(slower_than_us_);
    threshold_ns_ =
        (slower_than_us_ < 0 || max_len_ == 0 || us > kNever / 1000) ? kNever : us * 1000;
  }

  std::int64_t slower_than_us_;
  std::uint64_t max_len_;
  std::uint64_t threshold_ns_ = 0;
  std::uint64_t next_id_ = 0;
  std::deque<SlowLogEntry> entries_;
};

}  // namespace shoal
