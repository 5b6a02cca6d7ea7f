#include "server/cluster_flags.h"

#include <algorithm>

#include "core/limits.h"
#include "server/flag_text.h"

namespace shoal::server {
namespace {

std::optional<std::uint16_t> ParsePort(std::string_view text) {
  const std::optional<std::uint64_t> value = ParseUnsigned(text);
  if (!value || *value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(*value);
}

// "10.0.0.1:17001" or "[::1]:17001".
std::optional<PeerAddress> ParseMember(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto port = ParsePort(text.substr(colon + 1));
  PeerAddress member{.host = std::string(host), .port = port.value_or(0)};
  if (!port || *port == 0 || !IsIpAddress(member.host)) return std::nullopt;
  return member;
}

}  // namespace

bool IsClusterFlag(std::string_view name) {
  return name == "cluster" || name == "cluster-members" || name == "peer-port" ||
         name == "copies" || name == "announce-ip" || name == "dir";
}

std::string ApplyClusterFlag(std::string_view name, std::string_view value, ClusterFlags& flags) {
  if (name == "cluster") {
    const std::optional<bool> on = ParseYesNo(value);
    if (!on) return "--cluster: " + Quote(value) + " is not yes or no";
    flags.enabled = *on;
  } else if (name == "cluster-members") {
    flags.members.clear();
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t comma = std::min(value.find(',', start), value.size());
      const std::string_view item = value.substr(start, comma - start);
      const std::optional<PeerAddress> member = ParseMember(item);
      if (!member) {
        return "--cluster-members: " + Quote(item) + " is not IP:PEERPORT (e.g. 127.0.0.1:17001)";
      }
      flags.members.push_back(*member);
      start = comma + 1;
    }
  } else if (name == "peer-port") {
    const auto port = ParsePort(value);
    if (!port || *port == 0) return "--peer-port: " + Quote(value) + " is not a port (1-65535)";
    flags.peer_port = *port;
  } else if (name == "copies") {
    const std::optional<std::uint64_t> copies = ParseUnsigned(value);
    if (!copies || *copies < 1 || *copies > limits::kReplicationFactorMax) {
      return "--copies: " + Quote(value) + " must be between 1 and " +
             std::to_string(limits::kReplicationFactorMax);
    }
    flags.copies = static_cast<std::uint32_t>(*copies);
  } else if (name == "announce-ip") {
    std::string ip(value);
    if (!IsIpAddress(ip))
      return "--announce-ip: " + Quote(value) + " is not an IPv4 or IPv6 address";
    flags.announce_ip = std::move(ip);
  } else if (name == "dir") {
    if (value.empty()) return "--dir: needs a directory";
    flags.dir = std::string(value);
    while (flags.dir.size() > 1 && flags.dir.back() == '/') flags.dir.pop_back();
  } else {
    return "unknown flag --" + std::string(name);
  }
  return {};
}

std::string ValidateClusterFlags(ClusterFlags& flags, std::uint16_t port, std::string_view bind) {
  if (!flags.enabled) {
    if (!flags.members.empty() || flags.peer_port || !flags.announce_ip.empty() ||
        !flags.dir.empty()) {
      return "--cluster-members, --peer-port, --announce-ip and --dir need --cluster yes";
    }
    return {};
  }
  const std::size_t n = flags.members.size();
  if (n < 2 || n > limits::kClusterNodesMax) {
    return "--cluster yes needs --cluster-members with 2 to " +
           std::to_string(limits::kClusterNodesMax) + " members";
  }
  if (flags.copies > n) {
    return "--copies " + std::to_string(flags.copies) + " is more than the " + std::to_string(n) +
           " members";
  }
  if (port == 0) return "--cluster yes needs a fixed --port (members are known by their ports)";
  for (std::size_t i = 0; i < n; ++i) {
    if (flags.members[i].port <= kPeerPortOffset) {
      return "--cluster-members: peer port " + std::to_string(flags.members[i].port) +
             " must be above " + std::to_string(kPeerPortOffset) +
             " (client port = peer port - 10000)";
    }
    for (std::size_t j = i + 1; j < n; ++j) {
      if (flags.members[i].host == flags.members[j].host &&
          flags.members[i].port == flags.members[j].port) {
        return "--cluster-members: " + flags.members[i].host + ":" +
               std::to_string(flags.members[i].port) + " is listed twice";
      }
    }
  }
  const std::uint32_t peer_port = flags.peer_port.value_or(port + kPeerPortOffset);
  if (peer_port > 65535) return "--peer-port: client port + 10000 is past 65535; give --peer-port";
  if (peer_port != static_cast<std::uint32_t>(port) + kPeerPortOffset) {
    return "--peer-port must be --port + 10000 (clients find members by that rule)";
  }
  flags.peer_port_resolved = static_cast<std::uint16_t>(peer_port);
  const std::string self_ip = flags.announce_ip.empty() ? std::string(bind) : flags.announce_ip;
  for (std::size_t i = 0; i < n; ++i) {
    if (flags.members[i].host == self_ip && flags.members[i].port == peer_port) {
      flags.self = static_cast<std::uint32_t>(i);
      return {};
    }
  }
  return "--cluster-members does not list this node (" + self_ip + ":" + std::to_string(peer_port) +
         "; set --announce-ip if others know it by another address)";
}

std::string ClientAddress(const PeerAddress& member) {
  const std::string host =
      member.host.find(':') == std::string::npos ? member.host : "[" + member.host + "]";
  return host + ":" + std::to_string(member.port - kPeerPortOffset);
}

std::string ClusterHelpText() {
  std::string text;
  text += "  --cluster yes|no        run as a member of a fixed cluster (default no)\n";
  text += "  --cluster-members LIST  IP:PEERPORT of every member, comma-separated, the same on\n";
  text += "                          every member; the position in it is the node's id\n";
  text += "  --peer-port PORT        peer port, must be --port + 10000 (the default)\n";
  text += "  --copies N              copies of each key, 1..members (default 2)\n";
  text += "  --announce-ip IP        the address the members list names this node by\n";
  text += "                          (default: --bind)\n";
  text +=
      "  --dir DIR               an existing directory for the voter state (DIR/voter-state);\n";
  text += "                          without it a restarted node forgets its term and vote\n";
  return text;
}

}  // namespace shoal::server
