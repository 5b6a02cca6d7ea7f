// The command table: every client command Shoal understands, declared once (name, arity, flags,
// handler), in the Dragonfly/Redis style. The Node looks a command up here and runs its handler;
// tests go through the same table.
//
// Thread safety: the table is immutable after construction; handlers run on the Node's thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/node_config.h"
#include "core/resp/resp_writer.h"
#include "core/session.h"
#include "core/store/store.h"
#include "core/time.h"

namespace shoal {

// What a handler may touch while running one command.
struct CommandContext {
  TimeMs now = 0;
  Store& store;
  Session& session;
  NodeCounters& counters;
  const NodeConfig& config;
  RespWriter& reply;
  bool close_after_reply = false;  // QUIT
  bool shutdown = false;           // SHUTDOWN
};

// Runs one command (argv[0] is the name, any case). Writes exactly one reply, including for
// unknown commands, wrong arity and AUTH-required; the one exception is a successful SHUTDOWN,
// which (as in Redis) writes nothing and sets shutdown and close_after_reply. QUIT replies +OK
// and sets close_after_reply. Never throws for client input.
// Lookup is case-insensitive and allocation-free (see command_spec.h for the table itself).
void ExecuteCommand(CommandContext& ctx, std::span<const std::string_view> argv);

}  // namespace shoal
