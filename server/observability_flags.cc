#include "server/observability_flags.h"

#include <utility>

#include "server/flag_text.h"

namespace shoal::server {
namespace {

constexpr std::string_view kFlags[] = {
    "metrics-port",    "metrics-bind",         "log-format",      "slowlog-log-slower-than",
    "slowlog-max-len", "hotkeys-sample-every", "latency-tracking"};

// -1, or a decimal in [0, INT64_MAX]; nullopt otherwise.
std::optional<std::int64_t> ParseMicrosOrOff(std::string_view text) {
  if (text == "-1") return -1;
  const auto us = ParseUnsigned(text);
  if (!us || *us > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<std::int64_t>(*us);
}

}  // namespace

bool IsObservabilityFlag(std::string_view name) { return IsOneOf(kFlags, name); }

std::optional<std::string> ApplyObservabilityFlag(std::string_view name, std::string_view value,
                                                  ObservabilityFlags& flags) {
  if (name == "metrics-port") {
    if (value == "off") {
      flags.metrics_port.reset();
      return std::string();
    }
    const auto port = ParseUnsigned(value);
    if (!port || *port > 65535) {
      return "--metrics-port: " + Quote(value) + " is not a port (0-65535) or 'off'";
    }
    flags.metrics_port = static_cast<std::uint16_t>(*port);
  } else if (name == "metrics-bind") {
    std::string address(value);
    if (!IsIpAddress(address)) {
      return "--metrics-bind: " + Quote(value) + " is not an IPv4 or IPv6 address";
    }
    flags.metrics_bind = std::move(address);
  } else if (name == "log-format") {
    const auto format = net::ParseLogFormat(value);
    if (!format) return "--log-format: " + Quote(value) + " is not one of text, json";
    flags.log_format = *format;
  } else if (name == "slowlog-log-slower-than") {
    const auto us = ParseMicrosOrOff(value);
    if (!us) {
      return "--slowlog-log-slower-than: " + Quote(value) +
             " must be microseconds >= 0, or -1 to disable";
    }
    flags.slowlog_log_slower_than_us = *us;
  } else if (name == "slowlog-max-len") {
    const auto len = ParseUnsigned(value);
    if (!len || *len > limits::kSlowLogLenMax) {
      return "--slowlog-max-len: " + Quote(value) + " must be between 0 and " +
             std::to_string(limits::kSlowLogLenMax);
    }
    flags.slowlog_max_len = *len;
  } else if (name == "hotkeys-sample-every") {
    const auto every = ParseUnsigned(value);
    if (!every || *every < 1 || *every > limits::kHotKeysSampleEveryMax) {
      return "--hotkeys-sample-every: " + Quote(value) + " must be between 1 and " +
             std::to_string(limits::kHotKeysSampleEveryMax);
    }
    flags.hotkeys_sample_every = static_cast<std::uint32_t>(*every);
  } else if (name == "latency-tracking") {
    const std::optional<bool> on = ParseYesNo(value);
    if (!on) return "--latency-tracking: " + Quote(value) + " is not one of yes, no";
    flags.latency_tracking = *on;
  } else {
    return std::nullopt;
  }
  return std::string();
}

std::string ObservabilityHelpText() {
  const ObservabilityFlags d;
  std::string text;
  text +=
      "  --metrics-port PORT|off serve Prometheus /metrics on PORT, 0 = any free port "
      "(default off)\n";
  text += "  --metrics-bind ADDRESS  address of the /metrics listener (default " + d.metrics_bind +
          ")\n";
  text += "  --log-format FORMAT     text | json, one line per event (default " +
          std::string(net::LogFormatName(d.log_format)) + ")\n";
  text += "  --slowlog-log-slower-than US  SLOWLOG threshold in microseconds, -1 = off (default " +
          std::to_string(d.slowlog_log_slower_than_us) + ")\n";
  text += "  --slowlog-max-len N     SLOWLOG entries kept, 0.." +
          std::to_string(limits::kSlowLogLenMax) + " (default " +
          std::to_string(d.slowlog_max_len) + ")\n";
  text +=
      "  --hotkeys-sample-every N  hot-key sampling: one keyed command in N, 1 = all (default " +
      std::to_string(d.hotkeys_sample_every) + ")\n";
  text += std::string("  --latency-tracking yes|no  time every command for INFO latencystats, ") +
          "LATENCY HISTOGRAM, SLOWLOG and /metrics (default " +
          (d.latency_tracking ? "yes" : "no") + ")\n";
  return text;
}

void ApplyObservabilityFlags(const ObservabilityFlags& flags, NodeConfig& config) {
  config.stats.slowlog_log_slower_than_us = flags.slowlog_log_slower_than_us;
  config.stats.slowlog_max_len = flags.slowlog_max_len;
  config.stats.hot_keys_sample_every = flags.hotkeys_sample_every;
  config.latency_tracking = flags.latency_tracking;
}

}  // namespace shoal::server
