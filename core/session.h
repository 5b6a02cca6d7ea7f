// Per-client state kept by the Node (CLIENT SETNAME, AUTH, HELLO protocol version) and the
// node-wide counters that INFO reports. Plain data.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "core/resp/resp_writer.h"
#include "core/time.h"

namespace shoal {

using ClientId = std::uint64_t;

// A reply held back until the write it depends on commits (replicated mode, pipelining): the
// connection's later replies queue behind it, so replies leave in command order.
struct HeldReply {
  std::string bytes;
  std::uint64_t wait = 0;  // cluster::WriteId that must commit first; 0: none
};

struct Session {
  ClientId id = 0;
  std::string name;     // CLIENT SETNAME; empty if unset
  std::string address;  // "ip:port" from the driver
  TimeMs connected_at = 0;
  bool authenticated = false;  // meaningful only when requirepass is set
  bool closing = false;        // QUIT or a fatal error: ignore further commands
  RespVersion resp = RespVersion::kResp2;
  std::deque<HeldReply> held;     // replicated mode only; oldest first
  bool close_after_held = false;  // QUIT behind held replies: close once they are sent
};

struct NodeCounters {
  std::uint64_t connected_clients = 0;
  std::uint64_t total_connections_received = 0;
  std::uint64_t total_commands_processed = 0;
  std::uint64_t rejected_commands = 0;  // unknown command, wrong arity, auth required
  TimeMs started_at = 0;
};

}  // namespace shoal
