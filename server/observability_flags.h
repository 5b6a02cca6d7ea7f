// Observability flags of shoald, kept apart from the core flags (server/flags.h calls in here for
// every name it does not know): the /metrics listener, the log format, the slow log's start-up
// settings (CONFIG SET may change those two at run time) and the hot-key sampling rate.
//
//   --metrics-port PORT|off   serve Prometheus /metrics on PORT (0 = any free port, printed);
//                             off by default
//   --metrics-bind ADDRESS    address of the /metrics listener (default 127.0.0.1)
//   --log-format text|json    one line per event, as text or JSON (default text)
//   --slowlog-log-slower-than MICROSECONDS   (default 10000; -1 disables, 0 logs every command)
//   --slowlog-max-len N       entries kept (default 128, at most limits::kSlowLogLenMax)
//   --hotkeys-sample-every N  feed the hot-key sketch one key-carrying command in N on average
//                             (default limits::kHotKeysSampleEvery; 1 = every command)
//   --latency-tracking yes|no time every command (default yes; Redis's latency-tracking). With no,
//                             the driver reads no clock per command: INFO latencystats, LATENCY
//                             HISTOGRAM, SLOWLOG and the duration metrics stay empty
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/limits.h"
#include "core/node_config.h"
#include "net/log.h"

namespace shoal::server {

struct ObservabilityFlags {
  std::optional<std::uint16_t> metrics_port;  // unset: no /metrics listener
  std::string metrics_bind = "127.0.0.1";
  net::LogFormat log_format = net::LogFormat::kText;
  std::int64_t slowlog_log_slower_than_us = limits::kSlowLogSlowerThanUsDefault;
  std::uint64_t slowlog_max_len = limits::kSlowLogLenDefault;
  std::uint32_t hotkeys_sample_every = limits::kHotKeysSampleEvery;
  bool latency_tracking = true;
};

// True for the names (without "--") handled here; each takes a value.
bool IsObservabilityFlag(std::string_view name);

// Applies one flag: nullopt if `name` is not one of ours, else an error message or "" (accepted).
std::optional<std::string> ApplyObservabilityFlag(std::string_view name, std::string_view value,
                                                  ObservabilityFlags& flags);

// The --help lines of these flags, with their defaults.
std::string ObservabilityHelpText();

// The Node's share of these flags (slow log, hot keys, latency tracking).
void ApplyObservabilityFlags(const ObservabilityFlags& flags, NodeConfig& config);

}  // namespace shoal::server
