// Server commands: COMMAND (and COUNT/INFO/DOCS/LIST), CONFIG GET/SET/RESETSTAT, TIME, SHUTDOWN,
// and the HELP subcommand of every container command.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/commands/command_util.h"
#include "core/commands/glob.h"
#include "core/commands/handlers.h"
#include "core/limits.h"
#include "core/stats/node_stats.h"
#include "core/store/eviction_kind.h"

namespace shoal::commands {
namespace {

struct FlagName {
  CommandFlag flag;
  std::string_view name;
};
// In Redis's order (addReplyFlagsForCommand).
constexpr FlagName kFlagNames[] = {
    {kCmdWrite, "write"},    {kCmdReadonly, "readonly"},        {kCmdDenyOom, "denyoom"},
    {kCmdAdmin, "admin"},    {kCmdNoScript, "noscript"},        {kCmdLoading, "loading"},
    {kCmdStale, "stale"},    {kCmdSkipSlowlog, "skip_slowlog"}, {kCmdFast, "fast"},
    {kCmdNoAuth, "no_auth"}, {kCmdAllowBusy, "allow_busy"},
};

// ACL categories derived from flags and group, the way Redis derives most of them, in Redis's
// order (acl.c ACLCommandCategories: keyspace, read, write, string, bitmap, admin, fast, slow,
// dangerous, connection).
std::vector<std::string_view> Categories(const CommandSpec& spec) {
  std::vector<std::string_view> cats;
  if (spec.group == CommandGroup::kKeyspace) cats.push_back("@keyspace");
  if (spec.Has(kCmdReadonly)) cats.push_back("@read");
  if (spec.Has(kCmdWrite)) cats.push_back("@write");
  if (spec.group == CommandGroup::kString) cats.push_back("@string");
  if (spec.group == CommandGroup::kBitmap) cats.push_back("@bitmap");
  if (spec.Has(kCmdAdmin)) cats.push_back("@admin");
  cats.push_back(spec.Has(kCmdFast) ? "@fast" : "@slow");
  if (spec.Has(kCmdAdmin) || spec.Has(kCmdDangerous)) cats.push_back("@dangerous");
  if (spec.group == CommandGroup::kConnection) cats.push_back("@connection");
  return cats;
}

// One key spec in Redis 7's shape: flags (space-separated in `flags`), begin_search by index,
// find_keys by range.
void WriteKeySpec(RespWriter& w, std::string_view flags, int begin_index, int last_key,
                  int key_step) {
  w.MapHeader(3);
  w.Bulk("flags");
  std::vector<std::string_view> words;
  for (std::size_t at = 0; at < flags.size();) {
    std::size_t space = flags.find(' ', at);
    if (space == std::string_view::npos) space = flags.size();
    words.push_back(flags.substr(at, space - at));
    at = space + 1;
  }
  SetHeader(w, words.size());
  for (std::string_view word : words) w.Simple(word);
  w.Bulk("begin_search");
  w.MapHeader(2);
  w.Bulk("type");
  w.Bulk("index");
  w.Bulk("spec");
  w.MapHeader(1);
  w.Bulk("index");
  w.Integer(begin_index);
  w.Bulk("find_keys");
  w.MapHeader(2);
  w.Bulk("type");
  w.Bulk("range");
  w.Bulk("spec");
  w.MapHeader(3);
  w.Bulk("lastkey");
  w.Integer(last_key);
  w.Bulk("keystep");
  w.Integer(key_step);
  w.Bulk("limit");
  w.Integer(0);
}

// Redis 7's addReplyCommandInfo: name, arity, flags, first key, last key, step, ACL categories,
// tips, key specs, subcommands.
void WriteCommandInfo(RespWriter& w, const CommandSpec& spec) {
  w.ArrayHeader(10);
  w.Bulk(spec.full_name);
  w.Integer(spec.arity);
  std::size_t flag_count = 0;
  for (const FlagName& f : kFlagNames) flag_count += spec.Has(f.flag) ? 1 : 0;
  SetHeader(w, flag_count);
  for (const FlagName& f : kFlagNames) {
    if (spec.Has(f.flag)) w.Simple(f.name);
  }
  w.Integer(spec.first_key);
  w.Integer(spec.last_key);
  w.Integer(spec.key_step);
  const std::vector<std::string_view> cats = Categories(spec);
  SetHeader(w, cats.size());
  for (std::string_view c : cats) w.Simple(c);
  SetHeader(w, spec.tips.size());
  for (std::string_view tip : spec.tips) w.Bulk(tip);
  if (!spec.key_specs.empty()) {
    w.ArrayHeader(spec.key_specs.size());
    for (const KeySpec& k : spec.key_specs) {
      WriteKeySpec(w, k.flags, k.begin_index, k.last_key, k.key_step);
    }
  } else if (spec.first_key > 0) {
    // One spec derived from the legacy (first, last, step) range.
    w.ArrayHeader(1);
    WriteKeySpec(w, spec.Has(kCmdWrite) ? "RW update" : "RO access", spec.first_key,
                 spec.last_key < 0 ? spec.last_key : spec.last_key - spec.first_key, spec.key_step);
  } else {
    w.ArrayHeader(0);
  }
  w.ArrayHeader(spec.subcommands.size());
  for (const CommandSpec& sub : spec.subcommands) WriteCommandInfo(w, sub);
}

void WriteAllCommandInfo(RespWriter& w) {
  const std::span<const CommandSpec> all = AllCommands();
  w.ArrayHeader(all.size());
  for (const CommandSpec& spec : all) WriteCommandInfo(w, spec);
}

// The parameters CONFIG GET knows, rendered from the configuration. All but the two slow log
// settings are fixed at start-up (CONFIG SET refuses them); those two are integers in [min, max]
// that `apply` sets.
struct ConfigParam {
  std::string_view name;
  std::string (*value)(const CommandContext& ctx);
  void (*apply)(CommandContext& ctx, std::int64_t value) = nullptr;  // null: immutable
  std::int64_t min = 0;
  std::int64_t max = 0;
};
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr ConfigParam kConfigParams[] = {
    {"maxmemory",
     [](const CommandContext& c) { return std::to_string(c.store.options().maxmemory_bytes); }},
    {"maxmemory-policy",
     [](const CommandContext& c) {
       return std::string(EvictionKindName(c.store.options().eviction));
     }},
    {"maxclients", [](const CommandContext& c) { return std::to_string(c.config.clients_max); }},
    {"port", [](const CommandContext& c) { return std::to_string(c.config.port); }},
    {"bind", [](const CommandContext& c) { return c.config.bind; }},
    {"timeout", [](const CommandContext& c) { return std::to_string(c.config.idle_timeout_s); }},
    {"protected-mode",
     [](const CommandContext& c) { return std::string(c.config.protected_mode ? "yes" : "no"); }},
    {"save", [](const CommandContext&) { return std::string(); }},
    {"appendonly", [](const CommandContext&) { return std::string("no"); }},
    {"databases", [](const CommandContext&) { return std::string("1"); }},
    // Redis returns the password itself; we never echo a secret back over the wire.
    {"requirepass", [](const CommandContext&) { return std::string(); }},
    {"proto-max-bulk-len",
     [](const CommandContext& c) { return std::to_string(c.store.options().value_bytes_max); }},
    {"cluster-enabled", [](const CommandContext&) { return std::string("no"); }},
    {"slowlog-log-slower-than",
     [](const CommandContext& c) {
       return std::to_string(c.stats != nullptr ? c.stats->slowlog.slower_than_us()
                                                : c.config.stats.slowlog_log_slower_than_us);
     },
     [](CommandContext& c, std::int64_t v) {
       if (c.stats != nullptr) c.stats->slowlog.set_slower_than_us(v);
     },
     -1, kInt64Max},
    {"slowlog-max-len",
     [](const CommandContext& c) {
       return std::to_string(c.stats != nullptr ? c.stats->slowlog.max_len()
                                                : c.config.stats.slowlog_max_len);
     },
     [](CommandContext& c, std::int64_t v) {
       if (c.stats != nullptr) c.stats->slowlog.set_max_len(static_cast<std::uint64_t>(v));
     },
     0, static_cast<std::int64_t>(limits::kSlowLogLenMax)},
    // Latency tracking (--latency-tracking) with Redis's default percentiles; no latency monitor.
    {"latency-tracking",
     [](const CommandContext& c) { return std::string(c.config.latency_tracking ? "yes" : "no"); }},
    {"latency-tracking-info-percentiles",
     [](const CommandContext&) { return std::string("50 99 99.9"); }},
    {"latency-monitor-threshold", [](const CommandContext&) { return std::string("0"); }},
};
static_assert(std::size(kConfigParams) <= 64, "ConfigGet tracks matches in a 64-bit mask");

const ConfigParam* FindConfigParam(std::string_view name) {
  for (const ConfigParam& p : kConfigParams) {
    if (EqualsLower(name, p.name)) return &p;
  }
  return nullptr;
}

void ReplyConfigSetFailed(CommandContext& ctx, std::string_view name, std::string_view reason) {
  std::string message = "ERR CONFIG SET failed (possibly related to argument '";
  message.append(name);
  message.append("') - ");
  message.append(reason);
  ReplyErrorSanitized(ctx, message);
}

void ListHelp(CommandContext& ctx, const CommandSpec& container) {
  std::string upper;
  for (char c : container.name)
    upper.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c);
  ctx.reply.ArrayHeader(container.subcommands.size() + 1);
  ctx.reply.Simple(upper + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (const CommandSpec& sub : container.subcommands) {
    std::string line;
    for (char c : sub.name) line.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c);
    ctx.reply.Simple(line);
  }
}

}  // namespace

void Command(CommandContext& ctx, CommandArgs argv) { WriteAllCommandInfo(ctx.reply); }

void CommandCount(CommandContext& ctx, CommandArgs argv) {
  ctx.reply.Integer(static_cast<std::int64_t>(AllCommands().size()));
}

void CommandInfo(CommandContext& ctx, CommandArgs argv) {
  if (argv.size() == 2) {
    WriteAllCommandInfo(ctx.reply);
    return;
  }
  ctx.reply.ArrayHeader(argv.size() - 2);
  for (std::size_t i = 2; i < argv.size(); ++i) {
    if (const CommandSpec* spec = FindCommandByFullName(argv[i])) {
      WriteCommandInfo(ctx.reply, *spec);
    } else {
      ctx.reply.Nil();
    }
  }
}

// No documentation is served: an empty map tells redis-cli 7 that the server speaks COMMAND DOCS
// (so it does not fall back to guessing), at the cost of no argument hints.
void CommandDocs(CommandContext& ctx, CommandArgs argv) { ctx.reply.MapHeader(0); }

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern].
void CommandList(CommandContext& ctx, CommandArgs argv) {
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  std::string_view arg;
  if (argv.size() == 5 && EqualsLower(argv[2], "filterby")) {
    arg = argv[4];
    if (EqualsLower(argv[3], "module")) {
      filter = Filter::kModule;
    } else if (EqualsLower(argv[3], "aclcat")) {
      filter = Filter::kAclCat;
    } else if (EqualsLower(argv[3], "pattern")) {
      filter = Filter::kPattern;
    }
  }
  if (argv.size() != 2 && filter == Filter::kNone) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  std::vector<std::string_view> names;
  auto consider = [&](const CommandSpec& spec) {
    bool keep = true;
    if (filter == Filter::kModule) keep = false;  // no modules
    if (filter == Filter::kPattern) keep = GlobMatch(arg, spec.full_name, true);
    if (filter == Filter::kAclCat) {
      keep = false;
      for (std::string_view c : Categories(spec)) {
        if (EqualsLower(arg, c.substr(1))) keep = true;
      }
    }
    if (keep) names.push_back(spec.full_name);
  };
  for (const CommandSpec& spec : AllCommands()) {
    consider(spec);
    for (const CommandSpec& sub : spec.subcommands) consider(sub);
  }
  ctx.reply.ArrayHeader(names.size());
  for (std::string_view n : names) ctx.reply.Bulk(n);
}

// CONFIG GET pattern [pattern ...]: a map of every parameter matching any pattern (glob, case
// insensitive), each listed once, in table order.
void ConfigGet(CommandContext& ctx, CommandArgs argv) {
  std::uint64_t matched = 0;
  for (std::size_t i = 2; i < argv.size(); ++i) {
    for (std::size_t p = 0; p < std::size(kConfigParams); ++p) {
      if (GlobMatch(argv[i], kConfigParams[p].name, true)) matched |= std::uint64_t{1} << p;
    }
  }
  ctx.reply.MapHeader(static_cast<std::size_t>(__builtin_popcountll(matched)));
  for (std::size_t p = 0; p < std::size(kConfigParams); ++p) {
    if (matched & (std::uint64_t{1} << p)) {
      ctx.reply.Bulk(kConfigParams[p].name);
      ctx.reply.Bulk(kConfigParams[p].value(ctx));
    }
  }
}

// CONFIG SET parameter value [parameter value ...], all or nothing as in Redis 7.0: every name
// is checked first (unknown, immutable, given twice), then every value, then all are applied.
void ConfigSet(CommandContext& ctx, CommandArgs argv) {
  if (argv.size() % 2 != 0) {
    ReplyWrongArity(ctx, "config|set");
    return;
  }
  std::vector<std::pair<const ConfigParam*, std::int64_t>> changes;
  for (std::size_t i = 2; i < argv.size(); i += 2) {
    const ConfigParam* param = FindConfigParam(argv[i]);
    if (param == nullptr) {
      std::string message = "ERR Unknown option or number of arguments for CONFIG SET - '";
      message.append(argv[i].substr(0, 128));
      message.append("'");
      ReplyErrorSanitized(ctx, message);
      return;
    }
    if (param->apply == nullptr) {
      ReplyConfigSetFailed(ctx, argv[i], "can't set immutable config");
      return;
    }
    for (const auto& change : changes) {
      if (change.first == param) {
        ReplyConfigSetFailed(ctx, argv[i], "duplicate parameter");
        return;
      }
    }
    changes.emplace_back(param, 0);
  }
  for (std::size_t c = 0; c < changes.size(); ++c) {
    const ConfigParam& param = *changes[c].first;
    const std::string_view name = argv[2 + 2 * c];
    const std::optional<std::int64_t> value = ParseInt64(argv[3 + 2 * c]);
    if (!value) {
      ReplyConfigSetFailed(ctx, name, "argument couldn't be parsed into an integer");
      return;
    }
    if (*value < param.min || *value > param.max) {
      ReplyConfigSetFailed(ctx, name,
                           "argument must be between " + std::to_string(param.min) + " and " +
                               std::to_string(param.max) + " inclusive");
      return;
    }
    changes[c].second = *value;
  }
  for (const auto& [param, value] : changes) param->apply(ctx, value);
  ctx.reply.Simple("OK");
}

void ConfigResetStat(CommandContext& ctx, CommandArgs argv) {
  ctx.store.ResetStats();
  ctx.counters.total_commands_processed = 0;
  ctx.counters.total_connections_received = 0;
  ctx.counters.rejected_commands = 0;
  if (ctx.stats != nullptr) {  // Redis: commandstats, errorstats, latencystats, peak memory
    ctx.stats->commands.Reset();
    ctx.stats->errors.Reset();
    ctx.stats->used_memory_peak = ctx.store.used_bytes();
  }
  ctx.reply.Simple("OK");
}

void Time(CommandContext& ctx, CommandArgs argv) {
  const TimeMs now = ctx.now < 0 ? 0 : ctx.now;
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(now / 1000));
  ctx.reply.Bulk(std::to_string((now % 1000) * 1000));
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. Like Redis, a successful SHUTDOWN writes no reply:
// the connection just closes (redis-py treats a reply as "SHUTDOWN seems to have failed").
void Shutdown(CommandContext& ctx, CommandArgs argv) {
  bool abort = false;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (EqualsLower(argv[i], "abort")) {
      abort = true;
    } else if (!EqualsLower(argv[i], "nosave") && !EqualsLower(argv[i], "save") &&
               !EqualsLower(argv[i], "now") && !EqualsLower(argv[i], "force")) {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  if (abort) {
    if (argv.size() != 2) {
      ctx.reply.Error(kErrSyntax);
    } else {
      ctx.reply.Error("ERR No shutdown in progress.");
    }
    return;
  }
  ctx.shutdown = true;
  ctx.close_after_reply = true;
}

void ContainerHelp(CommandContext& ctx, CommandArgs argv) {
  const CommandSpec* container = FindCommand(argv[0]);
  SHOAL_ASSERT(container != nullptr && container->IsContainer());
  ListHelp(ctx, *container);
}

}  // namespace shoal::commands
