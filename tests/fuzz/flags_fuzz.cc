// Fuzz target: shoald's command-line flags (server/flags.h), the one configuration input Shoal
// has (there is no configuration file parser to fuzz). The input is the argument list, split at
// NUL bytes. For any arguments it checks:
//   - no crash; a refusal carries a non-empty message;
//   - the span and the argc/argv entry points agree;
//   - accepted flags are within their limits (max-value-bytes, max-clients, a known eviction
//     policy and log level; with --cluster yes, 2..kClusterNodesMax members, copies within them,
//     and this node among them), and written back, in either spelling ("--flag=value" and
//     "--flag value"), they parse to the same flags, the cluster flags included;
//   - arguments all spelled "--flag=value" mean the same spelled "--flag" "value" (this covers
//     flags the target does not name);
//   - ParseBytes of every argument, when it succeeds, round-trips through its decimal spelling.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cluster/cluster_config.h"
#include "core/limits.h"
#include "core/result.h"
#include "core/store/eviction_kind.h"
#include "net/log.h"
#include "server/flags.h"
#include "tests/fuzz/fuzz_input.h"

namespace shoal::fuzz {
namespace {

using server::FlagsResult;
using server::ServerFlags;

// Arguments taken from one input; shoald gets a handful.
constexpr std::size_t kArgsMax = 64;

using server::ClusterFlags;
using server::PeerAddress;

bool SameCluster(const ClusterFlags& a, const ClusterFlags& b) {
  if (a.members.size() != b.members.size()) return false;
  for (std::size_t i = 0; i < a.members.size(); ++i) {
    if (a.members[i].host != b.members[i].host || a.members[i].port != b.members[i].port) {
      return false;
    }
  }
  return a.enabled == b.enabled && a.peer_port == b.peer_port && a.copies == b.copies &&
         a.announce_ip == b.announce_ip && a.dir == b.dir && a.self == b.self &&
         a.peer_port_resolved == b.peer_port_resolved;
}

// "10.0.0.1:17001" or "[::1]:17001", as --cluster-members reads a member.
std::string SpellMember(const PeerAddress& member) {
  const bool v6 = member.host.find(':') != std::string::npos;
  return (v6 ? "[" + member.host + "]" : member.host) + ":" + std::to_string(member.port);
}

bool SameFlags(const ServerFlags& a, const ServerFlags& b) {
  return SameCluster(a.cluster, b.cluster) && a.help == b.help && a.bind == b.bind &&
         a.port == b.port && a.maxmemory_bytes == b.maxmemory_bytes && a.eviction == b.eviction &&
         a.value_bytes_max == b.value_bytes_max && a.clients_max == b.clients_max &&
         a.requirepass == b.requirepass && a.log_level == b.log_level &&
         a.security.protected_mode == b.security.protected_mode &&
         a.security.timeout_s == b.security.timeout_s;
}

bool SameResult(const FlagsResult& a, const FlagsResult& b) {
  if (a.has_value() != b.has_value()) return false;
  return a.has_value() ? SameFlags(a.value(), b.value()) : a.error() == b.error();
}

// `flags` as arguments, every flag given, in one of the two spellings.
std::vector<std::string> Spell(const ServerFlags& flags, bool with_equals) {
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"bind", flags.bind},
      {"port", std::to_string(flags.port)},
      {"maxmemory", std::to_string(flags.maxmemory_bytes)},
      {"eviction", std::string(EvictionKindName(flags.eviction))},
      {"max-value-bytes", std::to_string(flags.value_bytes_max)},
      {"max-clients", std::to_string(flags.clients_max)},
      {"requirepass", flags.requirepass},
      {"log-level", std::string(net::LogLevelName(flags.log_level))},
      {"cluster", flags.cluster.enabled ? "yes" : "no"},
      {"copies", std::to_string(flags.cluster.copies)},
      {"protected-mode", flags.security.protected_mode ? "yes" : "no"},
      {"timeout", std::to_string(flags.security.timeout_s)},
  };
  std::string members;
  for (const PeerAddress& member : flags.cluster.members) {
    members += (members.empty() ? "" : ",") + SpellMember(member);
  }
  if (!members.empty()) pairs.emplace_back("cluster-members", members);
  if (flags.cluster.peer_port) {
    pairs.emplace_back("peer-port", std::to_string(*flags.cluster.peer_port));
  }
  if (!flags.cluster.announce_ip.empty())
    pairs.emplace_back("announce-ip", flags.cluster.announce_ip);
  if (!flags.cluster.dir.empty()) pairs.emplace_back("dir", flags.cluster.dir);
  std::vector<std::string> args;
  if (flags.help) args.emplace_back("--help");
  for (const auto& [name, value] : pairs) {
    if (with_equals) {
      args.push_back("--" + name + "=" + value);
    } else {
      args.push_back("--" + name);
      args.push_back(value);
    }
  }
  return args;
}

// `strings` with "--name=value" split into "--name" "value", when every argument is a flag with
// an inline value or --help/-h (so each is in flag position); empty otherwise.
std::vector<std::string> SplitInlineValues(const std::vector<std::string>& strings) {
  std::vector<std::string> split;
  for (const std::string& s : strings) {
    if (s == "--help" || s == "-h") {
      split.push_back(s);
      continue;
    }
    const std::size_t eq = s.find('=');
    if (!s.starts_with("--") || eq == std::string::npos || eq < 3 ||
        s.substr(2, eq - 2) == "help") {
      return {};
    }
    split.push_back(s.substr(0, eq));
    split.push_back(s.substr(eq + 1));
  }
  return split;
}

FlagsResult ParseStrings(const std::vector<std::string>& strings) {
  const std::vector<std::string_view> args(strings.begin(), strings.end());
  return server::ParseFlags(std::span<const std::string_view>(args));
}

void CheckAccepted(const ServerFlags& flags) {
  SHOAL_ASSERT(flags.value_bytes_max >= limits::kValueBytesMin);
  SHOAL_ASSERT(flags.value_bytes_max <= limits::kValueBytesHardMax);
  SHOAL_ASSERT(flags.clients_max >= 1 && flags.clients_max <= limits::kClientsHardMax);
  SHOAL_ASSERT(ParseEvictionKind(EvictionKindName(flags.eviction)) == flags.eviction);
  SHOAL_ASSERT(net::ParseLogLevel(net::LogLevelName(flags.log_level)) == flags.log_level);
  const ClusterFlags& cluster = flags.cluster;
  if (cluster.enabled && !flags.help) {
    SHOAL_ASSERT(cluster.members.size() >= 2 && cluster.members.size() <= limits::kClusterNodesMax);
    SHOAL_ASSERT(cluster.copies >= 1 && cluster.copies <= cluster.members.size());
    SHOAL_ASSERT(cluster.self < cluster.members.size());
    SHOAL_ASSERT(cluster.members[cluster.self].port == cluster.peer_port_resolved);
    SHOAL_ASSERT(flags.port != 0 &&
                 cluster.peer_port_resolved == flags.port + server::kPeerPortOffset);
  }
  if (!flags.help) {  // shoald prints the help and exits: it makes no NodeConfig then
    const NodeConfig config = server::MakeNodeConfig(flags);
    SHOAL_ASSERT(config.store.value_bytes_max == flags.value_bytes_max);
    SHOAL_ASSERT(config.clients_max == flags.clients_max);
    SHOAL_ASSERT((config.cluster != nullptr) == cluster.enabled);
  }
  for (const bool with_equals : {true, false}) {
    const FlagsResult again = ParseStrings(Spell(flags, with_equals));
    SHOAL_ASSERT_MSG(again.has_value(), "accepted flags, written back, are refused");
    SHOAL_ASSERT_MSG(SameFlags(again.value(), flags), "flags do not round-trip");
  }
}

}  // namespace
}  // namespace shoal::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shoal::fuzz;  // NOLINT(build/namespaces): a target is one function
  FuzzInput in(data, size);
  const std::string_view bytes = in.Rest();
  std::vector<std::string> strings;  // NUL-free, so the argv form sees the same arguments
  for (std::size_t start = 0; start <= bytes.size() && strings.size() < kArgsMax;) {
    std::size_t end = bytes.find('\0', start);
    if (end == std::string_view::npos) end = bytes.size();
    strings.emplace_back(bytes.substr(start, end - start));
    start = end + 1;
  }
  if (bytes.empty()) strings.clear();
  const FlagsResult result = ParseStrings(strings);
  std::vector<const char*> argv = {"shoald"};
  for (const std::string& s : strings) argv.push_back(s.c_str());
  const FlagsResult from_argv =
      shoal::server::ParseFlags(static_cast<int>(argv.size()), argv.data());
  SHOAL_ASSERT_MSG(SameResult(result, from_argv), "ParseFlags(argc, argv) differs");
  if (result.has_value()) {
    CheckAccepted(result.value());
    if (const std::vector<std::string> split = SplitInlineValues(strings); !split.empty()) {
      const FlagsResult again = ParseStrings(split);
      SHOAL_ASSERT_MSG(again.has_value(), "--flag=value accepted, --flag value refused");
      SHOAL_ASSERT_MSG(SameFlags(again.value(), result.value()), "the two spellings differ");
    }
  } else {
    SHOAL_ASSERT(!result.error().empty());
  }
  for (const std::string& s : strings) {
    if (const auto value = shoal::server::ParseBytes(s)) {
      SHOAL_ASSERT_MSG(shoal::server::ParseBytes(std::to_string(*value)) == value,
                       "ParseBytes does not round-trip");
    }
  }
  return 0;
}
