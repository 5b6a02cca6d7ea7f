#include "core/stats/slow_log.h"

#include "core/limits.h"

namespace shoal {

void SlowLog::Push(TimeMs now, std::uint64_t duration_us, std::span<const std::string_view> argv,
                   std::uint64_t secret_mask, std::string_view client_address,
                   std::string_view client_name) {
  SlowLogEntry entry;
  entry.id = next_id_++;
  entry.timestamp_s = now / 1000;
  entry.duration_us = duration_us;
  // Redis's slowlogCreateEntry: past kSlowLogArgsMax arguments the last slot says how many more
  // there were; long arguments keep their first kSlowLogArgBytesMax bytes.
  const std::size_t kept =
      argv.size() > limits::kSlowLogArgsMax ? limits::kSlowLogArgsMax : argv.size();
  entry.args.reserve(kept);
  for (std::size_t i = 0; i < kept; ++i) {
    if (kept != argv.size() && i == kept - 1) {
      entry.args.push_back("... (" + std::to_string(argv.size() - kept + 1) + " more arguments)");
    } else if (i < 64 && (secret_mask >> i) & 1) {
      entry.args.emplace_back("(redacted)");
    } else if (argv[i].size() > limits::kSlowLogArgBytesMax) {
      std::string arg(argv[i].substr(0, limits::kSlowLogArgBytesMax));
      arg +=
          "... (" + std::to_string(argv[i].size() - limits::kSlowLogArgBytesMax) + " more bytes)";
      entry.args.push_back(std::move(arg));
    } else {
      entry.args.emplace_back(argv[i]);
    }
  }
  entry.client_address = std::string(client_address);
  entry.client_name = std::string(client_name);
  entries_.push_front(std::move(entry));
  while (entries_.size() > max_len_) entries_.pop_back();
}

}  // namespace shoal
