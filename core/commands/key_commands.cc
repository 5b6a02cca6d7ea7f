// Keyspace commands: DEL/UNLINK, EXISTS, the EXPIRE family (with Redis 7's NX|XX|GT|LT), TTL,
// PTTL, EXPIRETIME, PEXPIRETIME, PERSIST, TYPE, TOUCH, DBSIZE, FLUSHALL/FLUSHDB (expire.c, db.c).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "core/commands/command_gate.h"
#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/commands/key_writes.h"

namespace shoal::commands {
namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

enum ExpireFlag : unsigned { kExpireNx = 1, kExpireXx = 2, kExpireGt = 4, kExpireLt = 8 };

// Redis's parseExtendedExpireArgumentsOrReply.
std::optional<unsigned> ParseExpireFlags(CommandContext& ctx, CommandArgs argv) {
  unsigned flags = 0;
  for (std::size_t j = 3; j < argv.size(); ++j) {
    if (EqualsLower(argv[j], "nx")) {
      flags |= kExpireNx;
    } else if (EqualsLower(argv[j], "xx")) {
      flags |= kExpireXx;
    } else if (EqualsLower(argv[j], "gt")) {
      flags |= kExpireGt;
    } else if (EqualsLower(argv[j], "lt")) {
      flags |= kExpireLt;
    } else {
      std::string message = "ERR Unsupported option ";
      message.append(argv[j].substr(0, 128));
      ReplyErrorSanitized(ctx, message);
      return std::nullopt;
    }
  }
  if ((flags & kExpireNx) && (flags & (kExpireXx | kExpireGt | kExpireLt))) {
    ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return std::nullopt;
  }
  if ((flags & kExpireGt) && (flags & kExpireLt)) {
    ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
    return std::nullopt;
  }
  return flags;
}

// Redis's expireGenericCommand: `basetime` is now for EXPIRE/PEXPIRE and 0 for the AT forms.
void ExpireGeneric(CommandContext& ctx, CommandArgs argv, TimeMs basetime, TimeUnit unit,
                   std::string_view full_name) {
  const std::optional<unsigned> flags = ParseExpireFlags(ctx, argv);
  if (!flags) return;
  const std::optional<std::int64_t> parsed = ParseInt64(argv[2]);
  if (!parsed) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  std::int64_t when = *parsed;
  if (unit == TimeUnit::kSeconds) {
    if (when > kInt64Max / 1000 || when < kInt64Min / 1000) {
      ReplyInvalidExpire(ctx, full_name);
      return;
    }
    when *= 1000;
  }
  if (__builtin_add_overflow(when, basetime, &when)) {
    ReplyInvalidExpire(ctx, full_name);
    return;
  }

  const std::optional<ItemView> item = ctx.store.Peek(argv[1], ctx.now);
  if (!item) {
    ctx.reply.Integer(0);
    return;
  }
  // -1 stands for "no expiry" (an infinite TTL), as in Redis.
  const std::int64_t current = item->expire_at == kNoExpiry ? -1 : item->expire_at;
  if ((*flags & kExpireNx) && current != -1) {
    ctx.reply.Integer(0);
    return;
  }
  if ((*flags & kExpireXx) && current == -1) {
    ctx.reply.Integer(0);
    return;
  }
  if ((*flags & kExpireGt) && (when <= current || current == -1)) {
    ctx.reply.Integer(0);
    return;
  }
  if ((*flags & kExpireLt) && (when >= current && current != -1)) {
    ctx.reply.Integer(0);
    return;
  }
  // A time at or before now deletes the key (this also keeps `when` away from kNoExpiry == 0).
  if (when <= ctx.now) {
    DeleteKey(ctx, argv[1]);
  } else {
    ChangeExpiry(ctx, argv[1], when);
  }
  ctx.reply.Integer(1);
}

// Redis's ttlGenericCommand: -2 no key, -1 no expiry, else the remaining (or absolute) time.
void TtlGeneric(CommandContext& ctx, CommandArgs argv, bool output_ms, bool output_abs) {
  const std::optional<ItemView> item = ctx.store.Peek(argv[1], ctx.now);
  if (!item) {
    ctx.reply.Integer(-2);
    return;
  }
  if (item->expire_at == kNoExpiry) {
    ctx.reply.Integer(-1);
    return;
  }
  std::int64_t ttl = output_abs ? item->expire_at : item->expire_at - ctx.now;
  if (ttl < 0) ttl = 0;
  // Redis's (ttl + 500) / 1000, spelled so that a TTL near INT64_MAX cannot overflow.
  ctx.reply.Integer(output_ms ? ttl : ttl / 1000 + (ttl % 1000 >= 500 ? 1 : 0));
}

}  // namespace

void Del(CommandContext& ctx, CommandArgs argv) {
  std::int64_t deleted = 0;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (DeleteKey(ctx, argv[i])) deleted++;
  }
  ctx.reply.Integer(deleted);
}

void Exists(CommandContext& ctx, CommandArgs argv) {
  std::int64_t count = 0;  // a key named twice counts twice, as in Redis
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (ctx.store.Peek(argv[i], ctx.now)) count++;
  }
  ctx.reply.Integer(count);
}

void Expire(CommandContext& ctx, CommandArgs argv) {
  ExpireGeneric(ctx, argv, ctx.now, TimeUnit::kSeconds, "expire");
}

void PExpire(CommandContext& ctx, CommandArgs argv) {
  ExpireGeneric(ctx, argv, ctx.now, TimeUnit::kMilliseconds, "pexpire");
}

void ExpireAt(CommandContext& ctx, CommandArgs argv) {
  ExpireGeneric(ctx, argv, 0, TimeUnit::kSeconds, "expireat");
}

void PExpireAt(CommandContext& ctx, CommandArgs argv) {
  ExpireGeneric(ctx, argv, 0, TimeUnit::kMilliseconds, "pexpireat");
}

void Ttl(CommandContext& ctx, CommandArgs argv) { TtlGeneric(ctx, argv, false, false); }

void PTtl(CommandContext& ctx, CommandArgs argv) { TtlGeneric(ctx, argv, true, false); }

void ExpireTime(CommandContext& ctx, CommandArgs argv) { TtlGeneric(ctx, argv, false, true); }

void PExpireTime(CommandContext& ctx, CommandArgs argv) { TtlGeneric(ctx, argv, true, true); }

void Persist(CommandContext& ctx, CommandArgs argv) {
  const std::optional<ItemView> item = ctx.store.Peek(argv[1], ctx.now);
  if (!item || item->expire_at == kNoExpiry) {
    ctx.reply.Integer(0);
    return;
  }
  ChangeExpiry(ctx, argv[1], kNoExpiry);
  ctx.reply.Integer(1);
}

void Type(CommandContext& ctx, CommandArgs argv) {
  ctx.reply.Simple(ctx.store.Peek(argv[1], ctx.now) ? "string" : "none");
}

void Touch(CommandContext& ctx, CommandArgs argv) {
  // Redis's lookupKeyRead: a hit or a miss, and an access the eviction policy hears about.
  std::int64_t touched = 0;  // a key named twice counts twice, as in Redis
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (ctx.store.Get(argv[i], ctx.now)) touched++;
  }
  ctx.reply.Integer(touched);
}

void DbSize(CommandContext& ctx, CommandArgs argv) {
  // In replicated mode the node's keys are those of the slots it is primary of (Redis Cluster).
  const std::uint64_t keys = ctx.gate != nullptr ? ctx.gate->OwnedKeys() : ctx.store.size();
  ctx.reply.Integer(static_cast<std::int64_t>(keys));
}

void FlushAll(CommandContext& ctx, CommandArgs argv) {
  // Redis's getFlushCommandFlags: at most one argument, SYNC or ASYNC. Both are synchronous here:
  // Clear() frees items in place, and a cache-sized table clears fast enough for one step.
  if (argv.size() > 2 ||
      (argv.size() == 2 && !EqualsLower(argv[1], "sync") && !EqualsLower(argv[1], "async"))) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  if (ctx.gate != nullptr) {
    ctx.gate->FlushOwned(ctx);  // the node's own slots, on every copy
  } else {
    ctx.store.Clear();
  }
  ctx.reply.Simple("OK");
}

}  // namespace shoal::commands
