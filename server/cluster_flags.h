// Cluster flags of shoald (a cluster of processes whose members are fixed at start-up): parsed by
// server/flags.cc, which hands every flag named here to ApplyClusterFlag, then checked as a whole
// by ValidateClusterFlags once every flag is read. Pure functions, no I/O (unit-tested in
// tests/server/cluster_flags_test.cc).
//
//   --cluster yes|no              run as a member of a cluster (default no)
//   --cluster-members H:P,H:P,..  every member's peer address, the same list on every member; a
//                                 member's position in it is its node id
//   --peer-port PORT              this node's peer port (default: client port + 10000)
//   --copies N                    copies of each key, 1..members (default 2)
//   --announce-ip IP              the address other members and clients know this node by
//                                 (default: --bind)
//   --dir DIR                     an existing directory for the node's state: its voter state
//                                 (DIR/voter-state, net/state_file.h), written before the messages
//                                 that depend on it; without it nothing survives a restart
//
// A member's client port is its peer port - 10000 (the Redis Cluster convention): that is the
// address a -MOVED names. Invariants of a validated ClusterFlags with enabled set: members has
// 2..limits::kClusterNodesMax distinct entries, self < members.size() is the entry equal to
// (announce_ip, peer_port), every peer port is above 10000, 1 <= copies <= members.size().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"

namespace shoal::server {

// The Redis Cluster offset between a node's client port and its peer ("bus") port.
inline constexpr std::uint32_t kPeerPortOffset = limits::kClusterPeerPortOffset;

struct PeerAddress {
  std::string host;  // an IPv4 or IPv6 address
  std::uint16_t port = 0;
};

struct ClusterFlags {
  bool enabled = false;
  std::vector<PeerAddress> members;
  std::optional<std::uint16_t> peer_port;  // unset: client port + kPeerPortOffset
  std::uint32_t copies = 2;
  std::string announce_ip;  // empty: the bind address
  std::string dir;          // empty: no state kept across restarts
  // Filled by ValidateClusterFlags.
  std::uint32_t self = 0;
  std::uint16_t peer_port_resolved = 0;
};

// True for the flags this file owns (each takes a value).
bool IsClusterFlag(std::string_view name);
// Applies one cluster flag; returns an error message, or an empty string.
std::string ApplyClusterFlag(std::string_view name, std::string_view value, ClusterFlags& flags);
// Checks the combination once every flag is read (client `port` and `bind` from the other flags)
// and resolves self and the peer port; returns an error message, or an empty string.
std::string ValidateClusterFlags(ClusterFlags& flags, std::uint16_t port, std::string_view bind);
// "host:port" of member i as clients reach it (its peer port - kPeerPortOffset).
std::string ClientAddress(const PeerAddress& member);
// The --help lines of these flags.
std::string ClusterHelpText();

}  // namespace shoal::server
