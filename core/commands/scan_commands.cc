// Keyspace walks: KEYS, SCAN and RANDOMKEY (Redis 7.0 db.c keysCommand, scanGenericCommand,
// randomkeyCommand). All three read the store through Store::Scan, whose cursor is a position in
// hash order that survives the table growing or shrinking (docs/design.md, "SCAN's cursor"), and
// skip expired items (without removing them: Scan may not mutate) and, on a node of a cluster,
// keys of slots this node is not primary of (the backup copies it also holds).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/commands/command_gate.h"
#include "core/commands/command_util.h"
#include "core/commands/glob.h"
#include "core/commands/handlers.h"
#include "core/limits.h"
#include "core/slot.h"

namespace shoal::commands {
namespace {

constexpr std::size_t kVisitsUnbounded = std::numeric_limits<std::size_t>::max();

// Whether SCAN, KEYS and RANDOMKEY may answer with `entry`: live, and this node's own.
bool Answerable(const CommandContext& ctx, const StoreEntry& entry) {
  if (entry.expire_at != kNoExpiry && entry.expire_at <= ctx.now) return false;
  return ctx.gate == nullptr || ctx.gate->OwnsSlot(KeySlot(entry.key));
}

void ReplyKeys(CommandContext& ctx, const std::vector<std::string_view>& keys) {
  ctx.reply.ArrayHeader(keys.size());
  for (std::string_view key : keys) ctx.reply.Bulk(key);
}

// Redis's parseScanCursorOrReply: strtoul(base 10) that must consume the whole argument and must
// not start with a space. So "" is cursor 0, a leading '+' is allowed, and a leading '-' negates
// modulo 2^64 ("-1" is 18446744073709551615) as strtoul does; overflow is invalid.
std::optional<std::uint64_t> ParseScanCursor(std::string_view s) {
  if (s.empty()) return 0;
  std::size_t i = 0;
  const bool negative = s[0] == '-';
  if (s[0] == '+' || s[0] == '-') i = 1;
  if (i == s.size()) return std::nullopt;  // a sign alone: strtoul parses nothing
  std::uint64_t value = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    if (__builtin_mul_overflow(value, 10, &value) ||
        __builtin_add_overflow(value, static_cast<std::uint64_t>(s[i] - '0'), &value)) {
      return std::nullopt;  // ERANGE
    }
  }
  return negative ? std::uint64_t{0} - value : value;
}

// A pseudo-random 32-bit scan position for RANDOMKEY. The core draws no random numbers (the
// simulator replays it), so this mixes what differs between calls: the command count and the
// clock (SplitMix64's finaliser).
std::uint64_t RandomPosition(const CommandContext& ctx) {
  std::uint64_t z = ctx.counters.total_commands_processed * 0x9e3779b97f4a7c15ULL +
                    static_cast<std::uint64_t>(ctx.now);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return (z ^ (z >> 31)) & 0xffffffffULL;
}

}  // namespace

void Keys(CommandContext& ctx, CommandArgs argv) {
  const std::string_view pattern = argv[1];
  const bool all = pattern == "*";
  std::vector<std::string_view> keys;
  const std::uint64_t end = ctx.store.Scan(0, kVisitsUnbounded, [&](const StoreEntry& e) {
    if (Answerable(ctx, e) && (all || GlobMatch(pattern, e.key))) keys.push_back(e.key);
    return true;
  });
  SHOAL_ASSERT(end == Store::kScanDone);
  ReplyKeys(ctx, keys);
}

void Scan(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::uint64_t> cursor = ParseScanCursor(argv[1]);
  if (!cursor) {
    ctx.reply.Error("ERR invalid cursor");
    return;
  }
  // Options in Redis's order of checks: each is read as it comes, the first bad one answers.
  std::int64_t count = limits::kScanCountDefault;
  std::optional<std::string_view> pattern;
  std::optional<std::string_view> type;
  for (std::size_t i = 2; i < argv.size(); i += 2) {
    const bool has_value = i + 1 < argv.size();
    if (EqualsLower(argv[i], "count") && has_value) {
      const std::optional<std::int64_t> n = ParseInt64(argv[i + 1]);
      if (!n) {
        ctx.reply.Error(kErrNotInteger);
        return;
      }
      if (*n < 1) {
        ctx.reply.Error(kErrSyntax);
        return;
      }
      count = *n;
    } else if (EqualsLower(argv[i], "match") && has_value) {
      pattern = argv[i + 1];
      if (*pattern == "*") pattern.reset();  // matches every key, as in Redis
    } else if (EqualsLower(argv[i], "type") && has_value) {
      type = argv[i + 1];
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  // Every value is a string: TYPE string (any case) keeps all keys, any other type none (Redis
  // 7.0 does not refuse an unknown type name).
  const bool type_matches = !type || EqualsLower(*type, "string");
  std::vector<std::string_view> keys;
  std::uint64_t next = Store::kScanDone;
  if (*cursor < Store::kScanDone) {
    next = ctx.store.Scan(*cursor, static_cast<std::size_t>(count), [&](const StoreEntry& e) {
      if (type_matches && Answerable(ctx, e) && (!pattern || GlobMatch(*pattern, e.key))) {
        keys.push_back(e.key);
      }
      return true;
    });
  }
  ctx.reply.ArrayHeader(2);
  char buf[24];
  ctx.reply.Bulk(next == Store::kScanDone ? std::string_view("0")
                                          : FormatInt64(static_cast<std::int64_t>(next), buf));
  ReplyKeys(ctx, keys);
}

void RandomKey(CommandContext& ctx, CommandArgs /*argv*/) {
  // The first answerable key at or after a random position, wrapping around once. Not uniform:
  // a key's chance is the share of hash positions between it and the key before it.
  std::optional<std::string_view> found;
  auto take_first = [&](const StoreEntry& e) {
    if (!found && Answerable(ctx, e)) found = e.key;
    return !found;
  };
  const std::uint64_t start = RandomPosition(ctx);
  if (ctx.store.size() > 0) ctx.store.Scan(start, kVisitsUnbounded, take_first);
  if (!found && start > 0 && ctx.store.size() > 0) {
    ctx.store.Scan(0, kVisitsUnbounded, take_first);
  }
  if (found) {
    ctx.reply.Bulk(*found);
  } else {
    ctx.reply.Nil();
  }
}

}  // namespace shoal::commands
