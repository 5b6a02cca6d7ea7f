// The command table: every client command Shoal understands, declared once (name, arity, flags,
// handler), in the Dragonfly/Redis style. The Node looks a command up here and runs its handler;
// tests go through the same table.
//
// Thread safety: the table is immutable after construction; handlers run on the Node's thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/cluster/messages.h"
#include "core/node_config.h"
#include "core/resp/resp_writer.h"
#include "core/session.h"
#include "core/store/store.h"
#include "core/time.h"

namespace shoal {

class CommandGate;
struct CommandSpec;
struct NodeStats;

// What a handler may touch while running one command.
struct CommandContext {
  TimeMs now = 0;  // the wall clock: expiry and TTLs
  Store& store;
  Session& session;
  NodeCounters& counters;
  const NodeConfig& config;
  RespWriter& reply;
  bool close_after_reply = false;  // QUIT
  bool shutdown = false;           // SHUTDOWN
  // Replicated mode only (null on a single node). The gate admits or refuses the command (see
  // command_gate.h); handlers write through core/commands/key_writes.h, which applies each write
  // to the store stamped with `version` and records its effect in `mutation` for replication.
  CommandGate* gate = nullptr;
  cluster::Mutation* mutation = nullptr;
  std::uint64_t version = 0;
  // Observability. In: where ExecuteCommand counts the command (calls, failures, rejections,
  // error replies by kind) and where INFO, SLOWLOG, LATENCY, HOTKEYS and CONFIG read and reset
  // statistics; null: nothing is counted and those commands answer as an idle node would.
  NodeStats* stats = nullptr;
  // Out: the command or subcommand whose handler ran (null if it was rejected before running)
  // and its statistics index (CommandStatCount() in command_spec.h).
  const CommandSpec* executed = nullptr;
  std::size_t executed_index = 0;
};

// Runs one command (argv[0] is the name, any case): lookup -> subcommand -> arity -> AUTH ->
// ctx.gate (replicated mode) -> handler. Writes exactly one reply, including for unknown
// commands, wrong arity, AUTH-required and the gate's refusals; the one exception is a successful
// SHUTDOWN, which (as in Redis) writes nothing and sets shutdown and close_after_reply. QUIT
// replies +OK and sets close_after_reply. Never throws for client input. Lookup is case-insensitive
// and allocation-free (see command_spec.h for the table itself).
void ExecuteCommand(CommandContext& ctx, std::span<const std::string_view> argv);

// Bit i set: argv[i] is a secret (a password) that SLOWLOG shows as "(redacted)", as Redis does
// for AUTH, HELLO ... AUTH and CONFIG SET requirepass.
std::uint64_t SecretArguments(const CommandSpec& spec, std::span<const std::string_view> argv);

}  // namespace shoal
