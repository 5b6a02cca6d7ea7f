// Per-client state kept by the Node (CLIENT SETNAME, AUTH, HELLO protocol version) and the
// node-wide counters that INFO reports. Plain data.
#pragma once

#include <cstdint>
#include <string>

#include "core/resp/resp_writer.h"
#include "core/time.h"

namespace shoal {

using ClientId = std::uint64_t;

struct Session {
  ClientId id = 0;
  std::string name;     // CLIENT SETNAME; empty if unset
  std::string address;  // "ip:port" from the driver
  TimeMs connected_at = 0;
  bool authenticated = false;  // meaningful only when requirepass is set
  bool closing = false;        // QUIT or a fatal error: ignore further commands
  RespVersion resp = RespVersion::kResp2;
};

struct NodeCounters {
  std::uint64_t connected_clients = 0;
  std::uint64_t total_connections_received = 0;
  std::uint64_t total_commands_processed = 0;
  std::uint64_t rejected_commands = 0;  // unknown command, wrong arity, auth required
  TimeMs started_at = 0;
};

}  // namespace shoal
