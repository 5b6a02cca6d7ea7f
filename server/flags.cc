#include "server/flags.h"

#include <memory>
#include <vector>

#include "core/cluster/cluster_config.h"
#include "server/flag_text.h"

namespace shoal::server {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Every flag that takes a value; Apply handles each of them.
constexpr std::string_view kValueFlags[] = {
    "bind",        "port",        "maxmemory", "eviction", "max-value-bytes",
    "max-clients", "requirepass", "log-level"};

bool IsValueFlag(std::string_view name) {
  if (IsClusterFlag(name) || IsObservabilityFlag(name) || IsSecurityFlag(name)) return true;
  for (std::string_view flag : kValueFlags) {
    if (flag == name) return true;
  }
  return false;
}

// Applies one flag to `flags`; returns an error message or an empty string.
std::string Apply(std::string_view name, std::string_view value, ServerFlags& flags) {
  if (IsClusterFlag(name)) return ApplyClusterFlag(name, value, flags.cluster);
  if (name == "bind") {
    std::string address(value);
    if (!IsIpAddress(address)) {
      return "--bind: " + Quote(value) + " is not an IPv4 or IPv6 address";
    }
    flags.bind = std::move(address);
  } else if (name == "port") {
    const auto port = ParseUnsigned(value);
    if (!port || *port > 65535) return "--port: " + Quote(value) + " is not a port (0-65535)";
    flags.port = static_cast<std::uint16_t>(*port);
  } else if (name == "maxmemory") {
    const auto bytes = ParseBytes(value);
    if (!bytes) return "--maxmemory: " + Quote(value) + " is not a byte count (e.g. 512mb)";
    flags.maxmemory_bytes = *bytes;
  } else if (name == "eviction") {
    const auto kind = ParseEvictionKind(value);
    if (!kind) {
      return "--eviction: " + Quote(value) + " is not one of lru, sieve, s3fifo, noeviction";
    }
    flags.eviction = *kind;
  } else if (name == "max-value-bytes") {
    const auto bytes = ParseBytes(value);
    if (!bytes || *bytes < limits::kValueBytesMin || *bytes > limits::kValueBytesHardMax) {
      return "--max-value-bytes: " + Quote(value) + " must be between " +
             std::to_string(limits::kValueBytesMin) + " (1mb) and " +
             std::to_string(limits::kValueBytesHardMax) + " (512mb)";
    }
    flags.value_bytes_max = *bytes;
  } else if (name == "max-clients") {
    const auto clients = ParseUnsigned(value);
    if (!clients || *clients < 1 || *clients > limits::kClientsHardMax) {
      return "--max-clients: " + Quote(value) + " must be between 1 and " +
             std::to_string(limits::kClientsHardMax);
    }
    flags.clients_max = *clients;
  } else if (name == "requirepass") {
    flags.requirepass = std::string(value);
  } else if (name == "log-level") {
    const auto level = net::ParseLogLevel(value);
    if (!level) {
      return "--log-level: " + Quote(value) + " is not one of debug, info, warning, error";
    }
    flags.log_level = *level;
  } else if (std::optional<std::string> error =
                 ApplyObservabilityFlag(name, value, flags.observability)) {
    return *error;
  } else if (std::optional<std::string> error = ApplySecurityFlag(name, value, flags.security)) {
    return *error;
  } else {
    return "unknown flag --" + std::string(name);
  }
  return {};
}

}  // namespace

std::optional<std::uint64_t> ParseBytes(std::string_view text) {
  struct Suffix {
    std::string_view name;
    std::uint64_t multiplier;
  };
  // Longest suffixes first so "kb" is not read as "k" + garbage.
  static constexpr Suffix kSuffixes[] = {
      {"kb", 1024ULL}, {"mb", 1024ULL * 1024}, {"gb", 1024ULL * 1024 * 1024},
      {"k", 1000ULL},  {"m", 1000ULL * 1000},  {"g", 1000ULL * 1000 * 1000},
      {"b", 1ULL},
  };
  std::uint64_t multiplier = 1;
  std::string_view digits = text;
  for (const Suffix& suffix : kSuffixes) {
    if (text.size() > suffix.name.size() &&
        EqualsIgnoreCase(text.substr(text.size() - suffix.name.size()), suffix.name)) {
      multiplier = suffix.multiplier;
      digits = text.substr(0, text.size() - suffix.name.size());
      break;
    }
  }
  const auto number = ParseUnsigned(digits);
  if (!number) return std::nullopt;
  if (*number > UINT64_MAX / multiplier) return std::nullopt;
  return *number * multiplier;
}

FlagsResult ParseFlags(std::span<const std::string_view> args) {
  ServerFlags flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      flags.help = true;
      continue;
    }
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      return std::string("unexpected argument ") + Quote(arg) + " (flags start with --)";
    }
    std::string_view name = arg.substr(2);
    std::string_view value;
    if (const auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (!IsValueFlag(name)) return "unknown flag --" + std::string(name);
      if (i + 1 >= args.size()) return "--" + std::string(name) + " needs a value";
      value = args[++i];
    }
    if (std::string error = Apply(name, value, flags); !error.empty()) return error;
  }
  if (flags.help) return flags;
  if (std::string error = ValidateClusterFlags(flags.cluster, flags.port, flags.bind);
      !error.empty()) {
    return error;
  }
  return flags;
}

FlagsResult ParseFlags(int argc, const char* const* argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return ParseFlags(std::span<const std::string_view>(args));
}

std::string HelpText() {
  const ServerFlags d;
  std::string text;
  text += "usage: shoald [FLAGS]   (\"--flag value\" or \"--flag=value\")\n";
  text += "Shoal cache node: speaks RESP (redis-cli, redis-py, redis-benchmark work unchanged).\n";
  text += "\n";
  text += "  --bind ADDRESS          IPv4/IPv6 address to listen on (default " + d.bind + ")\n";
  text += "  --port PORT             TCP port, 0 = any free port (default " +
          std::to_string(d.port) + ")\n";
  text += "  --maxmemory BYTES       memory bound for keys and values, 0 = unbounded (default " +
          std::to_string(d.maxmemory_bytes) + ")\n";
  text += "  --eviction POLICY       lru | sieve | s3fifo | noeviction (default " +
          std::string(EvictionKindName(d.eviction)) + ")\n";
  text += "  --max-value-bytes BYTES largest value and bulk argument, 1mb..512mb (default " +
          std::to_string(d.value_bytes_max) + " = 8mb)\n";
  text += "  --max-clients N         connected clients, 1.." +
          std::to_string(limits::kClientsHardMax) + " (default " + std::to_string(d.clients_max) +
          ")\n";
  text += "  --requirepass PASSWORD  clients must AUTH first (default: none)\n";
  text += "  --log-level LEVEL       debug | info | warning | error (default " +
          std::string(net::LogLevelName(d.log_level)) + ")\n";
  text += ClusterHelpText();
  text += ObservabilityHelpText();
  text += SecurityHelpText();
  text += "  -h, --help              this text\n";
  text += "\n";
  text +=
      "BYTES take redis.conf suffixes, any case: k=1000 kb=1024 m=10^6 mb=2^20 g=10^9 gb=2^30.\n";
  text +=
      "On start shoald prints \"shoald listening on ADDRESS:PORT\" to stdout (the real port).\n";
  text += "SIGINT/SIGTERM or SHUTDOWN: stop accepting, finish received commands, flush, exit 0.\n";
  text += "Bad flags: a message on stderr and exit status 2.\n";
  return text;
}

NodeConfig MakeNodeConfig(const ServerFlags& flags) {
  NodeConfig config;
  config.store.maxmemory_bytes = flags.maxmemory_bytes;
  config.store.eviction = flags.eviction;
  config.store.value_bytes_max = flags.value_bytes_max;
  config.requirepass = flags.requirepass;
  config.clients_max = flags.clients_max;
  config.bind = flags.bind;
  config.port = flags.port;
  config.idle_timeout_s = flags.security.timeout_s;
  config.protected_mode = flags.security.protected_mode;
  if (flags.cluster.enabled) {
    auto cluster = std::make_shared<cluster::ClusterConfig>();
    cluster->node_id = flags.cluster.self;
    cluster->node_count = static_cast<std::uint32_t>(flags.cluster.members.size());
    cluster->replication_factor = flags.cluster.copies;
    cluster->vnodes_per_node = limits::kVnodesPerNodeServer;
    for (const PeerAddress& member : flags.cluster.members) {
      cluster->node_addresses.push_back(ClientAddress(member));
    }
    config.cluster = std::move(cluster);
  }
  ApplyObservabilityFlags(flags.observability, config);
  return config;
}

}  // namespace shoal::server
