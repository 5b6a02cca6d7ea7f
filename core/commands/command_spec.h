// CommandSpec: one row of the declarative command table (name, arity, flags, key positions,
// handler, subcommands), plus the flag and group vocabularies that COMMAND reports.
//
// Thread safety: specs are constexpr data, immutable; safe to read from any thread.
// Invariants:
//   1. `name` is lower case ASCII, at most kCommandNameBytesMax bytes.
//   2. arity follows Redis: N > 0 means exactly N arguments (name included), -N at least N.
//   3. A container (subcommands non-empty) has no handler of its own; each subcommand has one.
//   4. first_key/last_key/key_step are Redis's legacy key range (0 0 0 for no keys; last_key -1
//      means "to the end of argv"). The cluster gate checks every key of that range.
//   5. key_specs, when given, cover the same keys as the legacy range; rows without them get one
//      spec derived from the range (COMMAND INFO).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace shoal {

struct CommandContext;

// The arguments of one command; argv[0] is the command name as the client spelled it.
using CommandArgs = std::span<const std::string_view>;
using CommandHandler = void (*)(CommandContext& ctx, CommandArgs argv);

// Longest command or subcommand name (lower-cased into a stack buffer during lookup).
inline constexpr std::size_t kCommandNameBytesMax = 32;

// Redis's command flags, as COMMAND spells them (addReplyFlagsForCommand).
enum CommandFlag : std::uint32_t {
  kCmdWrite = 1u << 0,         // "write": may modify the keyspace
  kCmdReadonly = 1u << 1,      // "readonly": reads keys only
  kCmdDenyOom = 1u << 2,       // "denyoom": may grow memory use
  kCmdAdmin = 1u << 3,         // "admin"
  kCmdNoScript = 1u << 4,      // "noscript"
  kCmdLoading = 1u << 5,       // "loading": allowed while loading
  kCmdStale = 1u << 6,         // "stale": allowed on a stale replica
  kCmdFast = 1u << 7,          // "fast": O(1) or O(log N)
  kCmdNoAuth = 1u << 8,        // "no_auth": allowed before AUTH (AUTH, HELLO, QUIT)
  kCmdAllowBusy = 1u << 9,     // "allow_busy"
  kCmdSkipSlowlog = 1u << 10,  // "skip_slowlog"
  // Not a COMMAND flag: puts the command in the ACL category @dangerous (KEYS), which Redis gives
  // some commands that are not admin commands.
  kCmdDangerous = 1u << 11,
};

// One Redis 7 key specification (COMMAND INFO's key specs), for a row whose keys play different
// roles (RENAME reads and deletes its source and overwrites its destination): begin_search by
// index, find_keys by range.
struct KeySpec {
  std::string_view flags;  // Redis's spelling, one space between flags: "RW access delete"
  int begin_index = 0;
  int last_key = 0;  // find_keys "lastkey", relative to begin_index (-1: to the end of argv)
  int key_step = 1;
};

// ACL category group, reported as "@string", "@bitmap", "@keyspace", ... by COMMAND.
enum class CommandGroup : std::uint8_t {
  kString,
  kBitmap,
  kKeyspace,
  kServer,
  kConnection,
  kCluster
};

struct CommandSpec {
  std::string_view name;       // lower case; "get", or "setname" for CLIENT SETNAME
  std::string_view full_name;  // "get", or "client|setname" (Redis's fullname, used in errors)
  int arity = 0;
  std::uint32_t flags = 0;
  int first_key = 0;
  int last_key = 0;
  int key_step = 0;
  CommandGroup group = CommandGroup::kServer;
  CommandHandler handler = nullptr;
  std::span<const CommandSpec> subcommands = {};
  std::span<const KeySpec> key_specs = {};      // empty: derived from the legacy range
  std::span<const std::string_view> tips = {};  // Redis 7's command tips, as COMMAND INFO lists

  constexpr bool Has(CommandFlag flag) const { return (flags & flag) != 0; }
  constexpr bool IsContainer() const { return !subcommands.empty(); }
  // True when argc (argv.size(), name included) satisfies the arity.
  constexpr bool ArityAccepts(std::size_t argc) const {
    return arity > 0 ? argc == static_cast<std::size_t>(arity)
                     : argc >= static_cast<std::size_t>(-arity);
  }
};

// Every top-level command, in table order (the order COMMAND lists them).
std::span<const CommandSpec> AllCommands();

// Case-insensitive lookup of a top-level command; nullptr if unknown. No allocation.
const CommandSpec* FindCommand(std::string_view name);

// Case-insensitive lookup of a subcommand of `container`; nullptr if unknown.
const CommandSpec* FindSubcommand(const CommandSpec& container, std::string_view name);

// Looks up a command by Redis fullname ("get", "config|get"), case-insensitively; for COMMAND INFO.
const CommandSpec* FindCommandByFullName(std::string_view full_name);

// --- Statistics indices (observability) ---------------------------------------------------------
// Every command and subcommand has a dense index in [0, CommandStatCount()): the top-level rows in
// table order, then each container's subcommands in table order. NodeStats counts by this index.
std::size_t CommandStatCount();
const CommandSpec& CommandAtStatIndex(std::size_t index);  // REQUIRES: index < CommandStatCount()
// The index of `top` (a row of AllCommands()) or of its subcommand `sub` (one of
// top.subcommands) when sub is not null.
std::size_t CommandStatIndex(const CommandSpec& top, const CommandSpec* sub);
// Calls f(spec, index) for every command and subcommand: each top-level row, then its subcommands.
template <class F>
void ForEachCommandStat(F&& f) {
  for (const CommandSpec& top : AllCommands()) {
    f(top, CommandStatIndex(top, nullptr));
    for (const CommandSpec& sub : top.subcommands) f(sub, CommandStatIndex(top, &sub));
  }
}

}  // namespace shoal
