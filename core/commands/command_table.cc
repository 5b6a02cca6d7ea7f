// The declarative command table and its lookup, plus ExecuteCommand: lookup -> subcommand ->
// arity -> AUTH gate -> handler, with Redis 7.0's rejection replies.
#include "core/commands/command_table.h"

#include <array>
#include <cstdint>
#include <string>

#include "core/commands/command_gate.h"
#include "core/commands/command_spec.h"
#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/result.h"
#include "core/stats/node_stats.h"

namespace shoal {
namespace {

using namespace commands;  // NOLINT(build/namespaces): the handler names read like the table

constexpr std::uint32_t kRw = kCmdWrite;
constexpr std::uint32_t kRo = kCmdReadonly;
constexpr std::uint32_t kOom = kCmdDenyOom;
constexpr std::uint32_t kF = kCmdFast;
// The flags Redis gives to connection-level commands that must work in any state.
constexpr std::uint32_t kConn = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy;
constexpr std::uint32_t kLs = kCmdLoading | kCmdStale;
constexpr std::uint32_t kAdm = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;

using G = CommandGroup;

// Redis 7.0's key specs and tips for rows whose keys play different roles (COMMAND INFO).
constexpr KeySpec kRenameKeys[] = {{"RW access delete", 1, 0, 1}, {"OW update", 2, 0, 1}};
constexpr KeySpec kRenameNxKeys[] = {{"RW access delete", 1, 0, 1}, {"OW insert", 2, 0, 1}};
constexpr KeySpec kCopyKeys[] = {{"RO access", 1, 0, 1}, {"OW update", 2, 0, 1}};
constexpr KeySpec kTouchKeys[] = {{"RO", 1, -1, 1}};
constexpr KeySpec kBitOpKeys[] = {{"OW update", 2, 0, 1}, {"RO access", 3, -1, 1}};
constexpr std::string_view kKeysTips[] = {"request_policy:all_shards",
                                          "nondeterministic_output_order"};
constexpr std::string_view kScanTips[] = {"nondeterministic_output", "request_policy:special"};
constexpr std::string_view kRandomKeyTips[] = {"request_policy:all_shards",
                                               "nondeterministic_output"};
constexpr std::string_view kTouchTips[] = {"request_policy:multi_shard", "response_policy:agg_sum"};
constexpr std::string_view kWaitTips[] = {"request_policy:all_shards", "response_policy:agg_min"};

constexpr CommandSpec kClientSubcommands[] = {
    {"setname", "client|setname", 3, kCmdNoScript | kLs, 0, 0, 0, G::kConnection, ClientSetName},
    {"getname", "client|getname", 2, kCmdNoScript | kLs, 0, 0, 0, G::kConnection, ClientGetName},
    {"id", "client|id", 2, kCmdNoScript | kLs, 0, 0, 0, G::kConnection, ClientIdCmd},
    {"info", "client|info", 2, kCmdNoScript | kLs, 0, 0, 0, G::kConnection, ClientInfo},
    {"list", "client|list", -2, kAdm, 0, 0, 0, G::kConnection, ClientList},
    {"setinfo", "client|setinfo", 4, kCmdNoScript | kLs, 0, 0, 0, G::kConnection, ClientSetInfo},
    {"help", "client|help", 2, kLs, 0, 0, 0, G::kConnection, ContainerHelp},
};

constexpr CommandSpec kConfigSubcommands[] = {
    {"get", "config|get", -3, kAdm, 0, 0, 0, G::kServer, ConfigGet},
    {"set", "config|set", -4, kAdm, 0, 0, 0, G::kServer, ConfigSet},
    {"resetstat", "config|resetstat", 2, kAdm, 0, 0, 0, G::kServer, ConfigResetStat},
    {"help", "config|help", 2, kLs, 0, 0, 0, G::kServer, ContainerHelp},
};

constexpr CommandSpec kCommandSubcommands[] = {
    {"count", "command|count", 2, kLs, 0, 0, 0, G::kConnection, CommandCount},
    {"info", "command|info", -2, kLs, 0, 0, 0, G::kConnection, CommandInfo},
    {"docs", "command|docs", -2, kLs, 0, 0, 0, G::kConnection, CommandDocs},
    {"list", "command|list", -2, kLs, 0, 0, 0, G::kConnection, CommandList},
    {"help", "command|help", 2, kLs, 0, 0, 0, G::kConnection, ContainerHelp},
};

// On a single node only KEYSLOT works: the rest is the cluster-disabled reply of a standalone
// Redis, so that clients probing for cluster mode get the answer they expect. On a node of a
// cluster they describe it (cluster_commands.cc).
constexpr CommandSpec kClusterSubcommands[] = {
    {"keyslot", "cluster|keyslot", 3, kCmdStale, 0, 0, 0, G::kCluster, ClusterKeySlot},
    {"info", "cluster|info", 2, kCmdStale, 0, 0, 0, G::kCluster, ClusterInfo},
    {"nodes", "cluster|nodes", 2, kCmdStale, 0, 0, 0, G::kCluster, ClusterNodes},
    {"slots", "cluster|slots", 2, kCmdStale, 0, 0, 0, G::kCluster, ClusterSlots},
    {"shards", "cluster|shards", 2, kCmdStale, 0, 0, 0, G::kCluster, ClusterShards},
    {"myid", "cluster|myid", 2, kCmdStale, 0, 0, 0, G::kCluster, ClusterMyId},
    {"countkeysinslot", "cluster|countkeysinslot", 3, kCmdStale, 0, 0, 0, G::kCluster,
     ClusterCountKeysInSlot},
    {"getkeysinslot", "cluster|getkeysinslot", 4, kCmdStale, 0, 0, 0, G::kCluster, ClusterNotYet},
    {"help", "cluster|help", 2, kLs, 0, 0, 0, G::kCluster, ContainerHelp},
};

// Observability: Redis 7.0's SLOWLOG and LATENCY (HISTOGRAM answers as Redis does; LATEST and
// RESET answer as a Redis whose latency monitor is off), and HOTKEYS, Shoal's own.
constexpr CommandSpec kSlowlogSubcommands[] = {
    {"get", "slowlog|get", -2, kAdm, 0, 0, 0, G::kServer, SlowlogGet},
    {"len", "slowlog|len", 2, kAdm, 0, 0, 0, G::kServer, SlowlogLen},
    {"reset", "slowlog|reset", 2, kAdm, 0, 0, 0, G::kServer, SlowlogReset},
    {"help", "slowlog|help", 2, kLs, 0, 0, 0, G::kServer, ContainerHelp},
};

constexpr CommandSpec kLatencySubcommands[] = {
    {"histogram", "latency|histogram", -2, kAdm, 0, 0, 0, G::kServer, LatencyHistogramCmd},
    {"latest", "latency|latest", 2, kAdm, 0, 0, 0, G::kServer, LatencyLatest},
    {"reset", "latency|reset", -2, kAdm, 0, 0, 0, G::kServer, LatencyReset},
    {"help", "latency|help", 2, kLs, 0, 0, 0, G::kServer, ContainerHelp},
};

constexpr CommandSpec kHotkeysSubcommands[] = {
    {"get", "hotkeys|get", -2, kAdm, 0, 0, 0, G::kServer, HotkeysGet},
    {"reset", "hotkeys|reset", 2, kAdm, 0, 0, 0, G::kServer, HotkeysReset},
    {"help", "hotkeys|help", 2, kLs, 0, 0, 0, G::kServer, ContainerHelp},
};

// OBJECT and MEMORY: one key each, at argv[2].
constexpr KeySpec kSubcommandKey[] = {{"RO", 2, 0, 1}};
constexpr std::string_view kNondeterministicTips[] = {"nondeterministic_output"};
constexpr CommandSpec kObjectSubcommands[] = {
    {"encoding",
     "object|encoding",
     3,
     kRo,
     2,
     2,
     1,
     G::kKeyspace,
     ObjectEncoding,
     {},
     kSubcommandKey,
     kNondeterministicTips},
    {"freq",
     "object|freq",
     3,
     kRo,
     2,
     2,
     1,
     G::kKeyspace,
     ObjectFreq,
     {},
     kSubcommandKey,
     kNondeterministicTips},
    {"idletime",
     "object|idletime",
     3,
     kRo,
     2,
     2,
     1,
     G::kKeyspace,
     ObjectIdletime,
     {},
     kSubcommandKey,
     kNondeterministicTips},
    {"refcount",
     "object|refcount",
     3,
     kRo,
     2,
     2,
     1,
     G::kKeyspace,
     ObjectRefcount,
     {},
     kSubcommandKey,
     kNondeterministicTips},
    {"help", "object|help", 2, kLs, 0, 0, 0, G::kKeyspace, ContainerHelp},
};

constexpr CommandSpec kMemorySubcommands[] = {
    {"usage", "memory|usage", -3, kRo, 2, 2, 1, G::kServer, MemoryUsage, {}, kSubcommandKey},
    {"help", "memory|help", 2, kLs, 0, 0, 0, G::kServer, ContainerHelp},
};

// The table. Arity, flags and key positions are Redis 7.0's (src/commands/*.json).
constexpr CommandSpec kCommands[] = {
    // Strings.
    {"get", "get", 2, kRo | kF, 1, 1, 1, G::kString, Get},
    {"set", "set", -3, kRw | kOom, 1, 1, 1, G::kString, Set},
    {"setex", "setex", 4, kRw | kOom, 1, 1, 1, G::kString, SetEx},
    {"psetex", "psetex", 4, kRw | kOom, 1, 1, 1, G::kString, PSetEx},
    {"setnx", "setnx", 3, kRw | kOom | kF, 1, 1, 1, G::kString, SetNx},
    {"getdel", "getdel", 2, kRw | kF, 1, 1, 1, G::kString, GetDel},
    {"getex", "getex", -2, kRw | kF, 1, 1, 1, G::kString, GetEx},
    {"mget", "mget", -2, kRo | kF, 1, -1, 1, G::kString, MGet},
    {"mset", "mset", -3, kRw | kOom, 1, -1, 2, G::kString, MSet},
    {"msetnx", "msetnx", -3, kRw | kOom, 1, -1, 2, G::kString, MSetNx},
    {"incr", "incr", 2, kRw | kOom | kF, 1, 1, 1, G::kString, Incr},
    {"decr", "decr", 2, kRw | kOom | kF, 1, 1, 1, G::kString, Decr},
    {"incrby", "incrby", 3, kRw | kOom | kF, 1, 1, 1, G::kString, IncrBy},
    {"decrby", "decrby", 3, kRw | kOom | kF, 1, 1, 1, G::kString, DecrBy},
    {"strlen", "strlen", 2, kRo | kF, 1, 1, 1, G::kString, StrLen},
    {"append", "append", 3, kRw | kOom | kF, 1, 1, 1, G::kString, Append},
    {"getset", "getset", 3, kRw | kOom | kF, 1, 1, 1, G::kString, GetSet},
    {"incrbyfloat", "incrbyfloat", 3, kRw | kOom | kF, 1, 1, 1, G::kString, IncrByFloat},
    {"getrange", "getrange", 4, kRo, 1, 1, 1, G::kString, GetRange},
    {"substr", "substr", 4, kRo, 1, 1, 1, G::kString, GetRange},
    {"setrange", "setrange", 4, kRw | kOom, 1, 1, 1, G::kString, SetRange},
    {"lcs", "lcs", -3, kRo, 1, 2, 1, G::kString, Lcs},
    // Bitmaps (bit operations on string values).
    {"getbit", "getbit", 3, kRo | kF, 1, 1, 1, G::kBitmap, GetBit},
    {"setbit", "setbit", 4, kRw | kOom, 1, 1, 1, G::kBitmap, SetBit},
    {"bitcount", "bitcount", -2, kRo, 1, 1, 1, G::kBitmap, BitCount},
    {"bitop", "bitop", -4, kRw | kOom, 2, -1, 1, G::kBitmap, BitOp, {}, kBitOpKeys},
    {"bitpos", "bitpos", -3, kRo, 1, 1, 1, G::kBitmap, BitPos},
    // Keyspace.
    {"del", "del", -2, kRw, 1, -1, 1, G::kKeyspace, Del},
    {"unlink", "unlink", -2, kRw | kF, 1, -1, 1, G::kKeyspace, Del},
    {"exists", "exists", -2, kRo | kF, 1, -1, 1, G::kKeyspace, Exists},
    {"expire", "expire", -3, kRw | kF, 1, 1, 1, G::kKeyspace, Expire},
    {"pexpire", "pexpire", -3, kRw | kF, 1, 1, 1, G::kKeyspace, PExpire},
    {"expireat", "expireat", -3, kRw | kF, 1, 1, 1, G::kKeyspace, ExpireAt},
    {"pexpireat", "pexpireat", -3, kRw | kF, 1, 1, 1, G::kKeyspace, PExpireAt},
    {"ttl", "ttl", 2, kRo | kF, 1, 1, 1, G::kKeyspace, Ttl},
    {"pttl", "pttl", 2, kRo | kF, 1, 1, 1, G::kKeyspace, PTtl},
    {"expiretime", "expiretime", 2, kRo | kF, 1, 1, 1, G::kKeyspace, ExpireTime},
    {"pexpiretime", "pexpiretime", 2, kRo | kF, 1, 1, 1, G::kKeyspace, PExpireTime},
    {"persist", "persist", 2, kRw | kF, 1, 1, 1, G::kKeyspace, Persist},
    {"type", "type", 2, kRo | kF, 1, 1, 1, G::kKeyspace, Type},
    {"touch", "touch", -2, kRo | kF, 1, -1, 1, G::kKeyspace, Touch, {}, kTouchKeys, kTouchTips},
    {"keys", "keys", 2, kRo | kCmdDangerous, 0, 0, 0, G::kKeyspace, Keys, {}, {}, kKeysTips},
    {"scan", "scan", -2, kRo, 0, 0, 0, G::kKeyspace, Scan, {}, {}, kScanTips},
    {"randomkey", "randomkey", 1, kRo, 0, 0, 0, G::kKeyspace, RandomKey, {}, {}, kRandomKeyTips},
    {"rename", "rename", 3, kRw, 1, 2, 1, G::kKeyspace, Rename, {}, kRenameKeys},
    {"renamenx", "renamenx", 3, kRw | kF, 1, 2, 1, G::kKeyspace, RenameNx, {}, kRenameNxKeys},
    {"copy", "copy", -3, kRw | kOom, 1, 2, 1, G::kKeyspace, Copy, {}, kCopyKeys},
    {"dbsize", "dbsize", 1, kRo | kF, 0, 0, 0, G::kKeyspace, DbSize},
    {"flushall", "flushall", -1, kRw, 0, 0, 0, G::kKeyspace, FlushAll},
    {"flushdb", "flushdb", -1, kRw, 0, 0, 0, G::kKeyspace, FlushAll},
    // Connection.
    {"ping", "ping", -1, kF, 0, 0, 0, G::kConnection, Ping},
    {"echo", "echo", 2, kF, 0, 0, 0, G::kConnection, Echo},
    {"hello", "hello", -1, kConn | kCmdNoAuth, 0, 0, 0, G::kConnection, Hello},
    {"auth", "auth", -2, kConn | kCmdNoAuth, 0, 0, 0, G::kConnection, Auth},
    {"quit", "quit", -1, kConn | kCmdNoAuth, 0, 0, 0, G::kConnection, Quit},
    {"select", "select", 2, kLs | kF, 0, 0, 0, G::kConnection, Select},
    {"client", "client", -2, 0, 0, 0, 0, G::kConnection, nullptr, kClientSubcommands},
    {"readonly", "readonly", 1, kLs | kF, 0, 0, 0, G::kCluster, ClusterDisabled},
    {"readwrite", "readwrite", 1, kLs | kF, 0, 0, 0, G::kCluster, ClusterDisabled},
    {"cluster", "cluster", -2, 0, 0, 0, 0, G::kCluster, nullptr, kClusterSubcommands},
    // Server.
    {"command", "command", -1, kLs, 0, 0, 0, G::kConnection, Command, kCommandSubcommands},
    {"config", "config", -2, 0, 0, 0, 0, G::kServer, nullptr, kConfigSubcommands},
    {"object", "object", -2, 0, 0, 0, 0, G::kKeyspace, nullptr, kObjectSubcommands},
    {"memory", "memory", -2, 0, 0, 0, 0, G::kServer, nullptr, kMemorySubcommands},
    {"info", "info", -1, kLs, 0, 0, 0, G::kServer, Info},
    {"time", "time", 1, kLs | kF, 0, 0, 0, G::kServer, Time},
    {"wait", "wait", 3, kCmdNoScript, 0, 0, 0, G::kConnection, Wait, {}, {}, kWaitTips},
    {"shutdown", "shutdown", -1, kAdm | kCmdAllowBusy, 0, 0, 0, G::kServer, Shutdown},
    {"slowlog", "slowlog", -2, 0, 0, 0, 0, G::kServer, nullptr, kSlowlogSubcommands},
    {"latency", "latency", -2, 0, 0, 0, 0, G::kServer, nullptr, kLatencySubcommands},
    {"hotkeys", "hotkeys", -2, 0, 0, 0, 0, G::kServer, nullptr, kHotkeysSubcommands},
};

// --- Lookup --------------------------------------------------------------------------------------
// An open-addressing index from FNV-1a(lower-cased name) to a table row, built at compile time.
// Lookup lower-cases argv[0] into a stack buffer while hashing: no allocation, one or two probes.

constexpr std::size_t kIndexSlots = 256;  // power of two, > 2x the table
constexpr std::uint8_t kEmptySlot = 0xff;
static_assert(std::size(kCommands) < kIndexSlots / 2);
static_assert(std::size(kCommands) < kEmptySlot);

constexpr std::uint32_t kFnvOffset = 2166136261u;
constexpr std::uint32_t kFnvPrime = 16777619u;

constexpr char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

constexpr std::uint32_t HashLower(std::string_view lower) {
  std::uint32_t h = kFnvOffset;
  for (char c : lower) h = (h ^ static_cast<std::uint8_t>(c)) * kFnvPrime;
  return h;
}

constexpr std::array<std::uint8_t, kIndexSlots> BuildIndex() {
  std::array<std::uint8_t, kIndexSlots> slots{};
  for (auto& s : slots) s = kEmptySlot;
  for (std::size_t i = 0; i < std::size(kCommands); ++i) {
    std::size_t slot = HashLower(kCommands[i].name) & (kIndexSlots - 1);
    while (slots[slot] != kEmptySlot) slot = (slot + 1) & (kIndexSlots - 1);
    slots[slot] = static_cast<std::uint8_t>(i);
  }
  return slots;
}

constexpr std::array<std::uint8_t, kIndexSlots> kIndex = BuildIndex();

// Compile-time checks of the table's invariants (command_spec.h).
constexpr bool IsLower(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return true;
}
constexpr bool SpecsValid(std::span<const CommandSpec> specs, bool top_level) {
  for (const CommandSpec& spec : specs) {
    if (spec.name.empty() || spec.name.size() > kCommandNameBytesMax) return false;
    if (!IsLower(spec.name) || !IsLower(spec.full_name)) return false;
    if (spec.arity == 0) return false;
    // (Handlers are checked by a test: comparing a function address with nullptr is not a
    // constant expression under -fsanitize=undefined.)
    if (spec.IsContainer() && (!top_level || !SpecsValid(spec.subcommands, false))) return false;
    if (top_level && spec.name != spec.full_name) return false;
    // Key specs, where a row lists its own, start at the legacy range's first key.
    if (!spec.key_specs.empty() && spec.key_specs.front().begin_index != spec.first_key) {
      return false;
    }
  }
  return true;
}
static_assert(SpecsValid(kCommands, true));
constexpr bool NamesUnique() {
  for (std::size_t i = 0; i < std::size(kCommands); ++i) {
    for (std::size_t j = i + 1; j < std::size(kCommands); ++j) {
      if (kCommands[i].name == kCommands[j].name) return false;
    }
  }
  return true;
}
static_assert(NamesUnique());

// The row of kCommands named `name` (any case), or kNoRow. No allocation.
constexpr std::size_t kNoRow = ~std::size_t{0};
std::size_t FindRow(std::string_view name) {
  if (name.empty() || name.size() > kCommandNameBytesMax) return kNoRow;
  char lower[kCommandNameBytesMax];
  std::uint32_t h = kFnvOffset;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = LowerAscii(name[i]);
    lower[i] = c;
    h = (h ^ static_cast<std::uint8_t>(c)) * kFnvPrime;
  }
  const std::string_view key(lower, name.size());
  for (std::size_t slot = h & (kIndexSlots - 1);; slot = (slot + 1) & (kIndexSlots - 1)) {
    const std::uint8_t row = kIndex[slot];
    if (row == kEmptySlot) return kNoRow;
    if (kCommands[row].name == key) return row;
  }
}

// --- Statistics indices --------------------------------------------------------------------------
// Top-level rows first (index = row), then each container's subcommands, container by container.

constexpr std::size_t CountSubcommands() {
  std::size_t n = 0;
  for (const CommandSpec& spec : kCommands) n += spec.subcommands.size();
  return n;
}
constexpr std::size_t kStatCount = std::size(kCommands) + CountSubcommands();

// kSubcommandStatBase[row]: the index of row's first subcommand.
constexpr std::array<std::uint16_t, std::size(kCommands)> BuildSubcommandStatBase() {
  std::array<std::uint16_t, std::size(kCommands)> base{};
  std::size_t next = std::size(kCommands);
  for (std::size_t i = 0; i < std::size(kCommands); ++i) {
    base[i] = static_cast<std::uint16_t>(next);
    next += kCommands[i].subcommands.size();
  }
  return base;
}
constexpr auto kSubcommandStatBase = BuildSubcommandStatBase();
static_assert(kStatCount < UINT16_MAX);

constexpr std::array<const CommandSpec*, kStatCount> BuildByStatIndex() {
  std::array<const CommandSpec*, kStatCount> by_index{};
  for (std::size_t i = 0; i < std::size(kCommands); ++i) {
    by_index[i] = &kCommands[i];
    for (std::size_t j = 0; j < kCommands[i].subcommands.size(); ++j) {
      by_index[kSubcommandStatBase[i] + j] = &kCommands[i].subcommands[j];
    }
  }
  return by_index;
}
constexpr auto kByStatIndex = BuildByStatIndex();

// REQUIRES: row < std::size(kCommands), sub null or one of that row's subcommands (ExecuteCommand
// passes what FindRow and FindSubcommand returned; CommandStatIndex checks its callers').
[[gnu::always_inline]] inline std::size_t StatIndex(std::size_t row, const CommandSpec* sub) {
  if (sub == nullptr) return row;
  return kSubcommandStatBase[row] +
         static_cast<std::size_t>(sub - kCommands[row].subcommands.data());
}

// The error text of a reply that starts at out[begin] ("-ERR x\r\n" -> "ERR x"), or empty.
std::string_view ErrorText(const std::string& out, std::size_t begin) {
  if (begin >= out.size() || out[begin] != '-') return {};
  const std::string_view reply(out.data() + begin + 1, out.size() - begin - 1);
  return reply.substr(0, reply.find('\r'));
}

// Statistics of one command: a rejection (spec null when the name itself is unknown) or a run.
void CountRejected(CommandContext& ctx, std::size_t row, const CommandSpec* sub,
                   std::size_t reply_begin) {
  if (ctx.stats == nullptr) return;
  if (row != kNoRow) ctx.stats->commands.Rejected(StatIndex(row, sub));
  ctx.stats->errors.Count(ErrorText(ctx.reply.out(), reply_begin));
}

void CountExecuted(CommandContext& ctx, const CommandSpec* spec, std::size_t row,
                   const CommandSpec* sub, std::size_t reply_begin) {
  ctx.executed = spec;
  ctx.executed_index = StatIndex(row, sub);
  if (ctx.stats == nullptr) return;
  const std::string& out = ctx.reply.out();
  const bool failed = reply_begin < out.size() && out[reply_begin] == '-';
  ctx.stats->commands.Executed(ctx.executed_index, failed);
  if (failed) [[unlikely]] {
    ctx.stats->errors.Count(ErrorText(out, reply_begin));
  }
}

// "ERR unknown command 'foo', with args beginning with: 'a' 'b' " (Redis 7.0 processCommand:
// the name truncated to 128 bytes, then arguments while the list is shorter than 128 bytes).
void RejectUnknownCommand(CommandContext& ctx, CommandArgs argv) {
  std::string message = "ERR unknown command '";
  message.append(argv[0].substr(0, 128));
  message.append("', with args beginning with: ");
  std::string args;
  for (std::size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    const std::size_t room = 128 - args.size();
    args.push_back('\'');
    args.append(argv[i].substr(0, room));
    args.append("' ");
  }
  message.append(args);
  ReplyErrorSanitized(ctx, message);
}

// "ERR unknown subcommand 'foo'. Try CONFIG HELP."
void RejectUnknownSubcommand(CommandContext& ctx, CommandArgs argv) {
  std::string message = "ERR unknown subcommand '";
  message.append(argv[1].substr(0, 128));
  message.append("'. Try ");
  for (char c : argv[0]) message.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c);
  message.append(" HELP.");
  ReplyErrorSanitized(ctx, message);
}

}  // namespace

std::span<const CommandSpec> AllCommands() { return kCommands; }

std::size_t CommandStatCount() { return kStatCount; }

const CommandSpec& CommandAtStatIndex(std::size_t index) {
  SHOAL_ASSERT(index < kStatCount);
  return *kByStatIndex[index];
}

std::size_t CommandStatIndex(const CommandSpec& top, const CommandSpec* sub) {
  SHOAL_ASSERT(&top >= std::begin(kCommands) && &top < std::end(kCommands));
  SHOAL_ASSERT(sub == nullptr || (sub >= top.subcommands.data() &&
                                  sub < top.subcommands.data() + top.subcommands.size()));
  return StatIndex(static_cast<std::size_t>(&top - kCommands), sub);
}

const CommandSpec* FindCommand(std::string_view name) {
  const std::size_t row = FindRow(name);
  return row == kNoRow ? nullptr : &kCommands[row];
}

const CommandSpec* FindSubcommand(const CommandSpec& container, std::string_view name) {
  for (const CommandSpec& sub : container.subcommands) {
    if (EqualsLower(name, sub.name)) return &sub;
  }
  return nullptr;
}

const CommandSpec* FindCommandByFullName(std::string_view full_name) {
  const std::size_t bar = full_name.find('|');
  const CommandSpec* spec = FindCommand(full_name.substr(0, bar));
  if (spec == nullptr || bar == std::string_view::npos) return spec;
  return FindSubcommand(*spec, full_name.substr(bar + 1));
}

void ExecuteCommand(CommandContext& ctx, std::span<const std::string_view> argv) {
  SHOAL_ASSERT(!argv.empty());
  const std::size_t reply_begin = ctx.reply.out().size();
  const std::size_t row = FindRow(argv[0]);
  if (row == kNoRow) [[unlikely]] {
    ctx.counters.rejected_commands++;
    RejectUnknownCommand(ctx, argv);
    CountRejected(ctx, kNoRow, nullptr, reply_begin);
    return;
  }
  const CommandSpec* top = &kCommands[row];
  const CommandSpec* sub = nullptr;
  if (top->IsContainer() && argv.size() >= 2) {
    sub = FindSubcommand(*top, argv[1]);
    if (sub == nullptr) {
      ctx.counters.rejected_commands++;
      RejectUnknownSubcommand(ctx, argv);
      CountRejected(ctx, kNoRow, nullptr, reply_begin);  // Redis: no command to count it on
      return;
    }
  }
  const CommandSpec* spec = sub != nullptr ? sub : top;
  if (!spec->ArityAccepts(argv.size())) [[unlikely]] {
    ctx.counters.rejected_commands++;
    ReplyWrongArity(ctx, spec->full_name);
    CountRejected(ctx, row, sub, reply_begin);
    return;
  }
  // Redis checks AUTH after lookup and arity (processCommand), so an unauthenticated client still
  // learns about unknown commands and wrong arity.
  if (!ctx.config.requirepass.empty() && !ctx.session.authenticated && !spec->Has(kCmdNoAuth))
      [[unlikely]] {
    ctx.counters.rejected_commands++;
    ctx.reply.Error(kErrNoAuth);
    CountRejected(ctx, row, sub, reply_begin);
    return;
  }
  if (ctx.gate != nullptr && !ctx.gate->Admit(ctx, *spec, argv)) {
    // Redis Cluster counts a redirection (-MOVED, -TRYAGAIN, ...) as a rejected call.
    CountRejected(ctx, row, sub, reply_begin);
    return;
  }
  SHOAL_ASSERT(spec->handler != nullptr);
  spec->handler(ctx, argv);
  CountExecuted(ctx, spec, row, sub, reply_begin);
}

std::uint64_t SecretArguments(const CommandSpec& spec, std::span<const std::string_view> argv) {
  std::uint64_t mask = 0;
  auto secret = [&](std::size_t i) {
    if (i < argv.size() && i < 64) mask |= std::uint64_t{1} << i;
  };
  if (spec.full_name == "auth") {
    for (std::size_t i = 1; i < argv.size(); ++i) secret(i);
  } else if (spec.full_name == "hello") {
    // HELLO [protover [AUTH username password] [SETNAME name]]
    for (std::size_t i = 2; i < argv.size(); ++i) {
      if (EqualsLower(argv[i], "auth") && i + 2 < argv.size()) {
        secret(i + 1);
        secret(i + 2);
        i += 2;
      } else if (EqualsLower(argv[i], "setname")) {
        ++i;  // a client named "auth" is not a password
      }
    }
  } else if (spec.full_name == "config|set") {
    for (std::size_t i = 2; i + 1 < argv.size(); i += 2) {
      if (EqualsLower(argv[i], "requirepass") || EqualsLower(argv[i], "masterauth")) secret(i + 1);
    }
  }
  return mask;
}

}  // namespace shoal
