// String commands: GET, SET and its variants, GETSET, GETDEL, GETEX, MGET, MSET, MSETNX, the INCR
// family, INCRBYFLOAT, STRLEN, APPEND. Semantics and reply texts follow Redis 7.0 (t_string.c).
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/commands/key_writes.h"
#include "core/limits.h"

namespace shoal::commands {
namespace {

enum class ExpireKind { kNone, kEx, kPx, kExAt, kPxAt };

// The parsed options of SET (and GETEX, which accepts only the expiry ones and PERSIST).
struct SetOptions {
  bool nx = false;
  bool xx = false;
  bool get = false;
  bool keepttl = false;
  bool persist = false;
  ExpireKind expire = ExpireKind::kNone;
  std::string_view expire_arg;
};

enum class OptionsFor { kSet, kGetEx };

// Redis's parseExtendedStringArgumentsOrReply: the same acceptance rules, including that a
// repeated EX is allowed (the last wins) while mixing EX with PX, KEEPTTL etc. is a syntax error.
// Replies "ERR syntax error" and returns false on failure.
bool ParseSetOptions(CommandContext& ctx, CommandArgs argv, std::size_t first, OptionsFor mode,
                     SetOptions& opts) {
  const bool is_set = mode == OptionsFor::kSet;
  for (std::size_t j = first; j < argv.size(); ++j) {
    const std::string_view opt = argv[j];
    const bool has_next = j + 1 < argv.size();
    const bool other_expire_ex = opts.expire != ExpireKind::kNone && opts.expire != ExpireKind::kEx;
    const bool other_expire_px = opts.expire != ExpireKind::kNone && opts.expire != ExpireKind::kPx;
    const bool other_expire_exat =
        opts.expire != ExpireKind::kNone && opts.expire != ExpireKind::kExAt;
    const bool other_expire_pxat =
        opts.expire != ExpireKind::kNone && opts.expire != ExpireKind::kPxAt;
    if (EqualsLower(opt, "nx") && !opts.xx && is_set) {
      opts.nx = true;
    } else if (EqualsLower(opt, "xx") && !opts.nx && is_set) {
      opts.xx = true;
    } else if (EqualsLower(opt, "get") && is_set) {
      opts.get = true;
    } else if (EqualsLower(opt, "keepttl") && !opts.persist && opts.expire == ExpireKind::kNone &&
               is_set) {
      opts.keepttl = true;
    } else if (EqualsLower(opt, "persist") && !is_set && opts.expire == ExpireKind::kNone &&
               !opts.keepttl) {
      opts.persist = true;
    } else if (EqualsLower(opt, "ex") && !opts.keepttl && !opts.persist && !other_expire_ex &&
               has_next) {
      opts.expire = ExpireKind::kEx;
      opts.expire_arg = argv[++j];
    } else if (EqualsLower(opt, "px") && !opts.keepttl && !opts.persist && !other_expire_px &&
               has_next) {
      opts.expire = ExpireKind::kPx;
      opts.expire_arg = argv[++j];
    } else if (EqualsLower(opt, "exat") && !opts.keepttl && !opts.persist && !other_expire_exat &&
               has_next) {
      opts.expire = ExpireKind::kExAt;
      opts.expire_arg = argv[++j];
    } else if (EqualsLower(opt, "pxat") && !opts.keepttl && !opts.persist && !other_expire_pxat &&
               has_next) {
      opts.expire = ExpireKind::kPxAt;
      opts.expire_arg = argv[++j];
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// Converts the parsed expiry option into an absolute time (ms); replies and returns nullopt on an
// invalid value. Must only be called when opts.expire != kNone.
std::optional<TimeMs> ResolveExpiry(CommandContext& ctx, const SetOptions& opts,
                                    std::string_view full_name) {
  switch (opts.expire) {
    case ExpireKind::kEx:
      return ParseSetExpiry(ctx, opts.expire_arg, TimeUnit::kSeconds, true, full_name);
    case ExpireKind::kPx:
      return ParseSetExpiry(ctx, opts.expire_arg, TimeUnit::kMilliseconds, true, full_name);
    case ExpireKind::kExAt:
      return ParseSetExpiry(ctx, opts.expire_arg, TimeUnit::kSeconds, false, full_name);
    case ExpireKind::kPxAt:
      return ParseSetExpiry(ctx, opts.expire_arg, TimeUnit::kMilliseconds, false, full_name);
    case ExpireKind::kNone:
      break;
  }
  SHOAL_ASSERT_MSG(false, "ResolveExpiry without an expiry option");
  return std::nullopt;
}

// Redis's setGenericCommand. `ok_reply` false means the caller replies itself (SETNX's :1/:0);
// returns true when the value was stored.
bool SetGeneric(CommandContext& ctx, std::string_view key, std::string_view value,
                const SetOptions& opts, TimeMs expire_at, bool ok_reply) {
  std::string& out = ctx.reply.out();
  const std::size_t mark = out.size();
  std::optional<ItemView> old;
  if (opts.get) {
    // SET ... GET reads like GET (statistics, eviction touch) and replies the old value first.
    old = ctx.store.Get(key, ctx.now);
    if (old) {
      ctx.reply.Bulk(old->value);
    } else {
      ctx.reply.Nil();
    }
  } else if (opts.nx || opts.xx || opts.keepttl) {
    old = ctx.store.Peek(key, ctx.now);
  }
  const bool found = old.has_value();
  if ((opts.nx && found) || (opts.xx && !found)) {
    if (!opts.get && ok_reply) ctx.reply.Nil();
    return false;
  }
  if (opts.keepttl && found) expire_at = old->expire_at;
  // `old` points into the store; it is dead after Set (its bytes are already in the reply).
  const Result<void> stored = StoreValue(ctx, key, value, expire_at);
  if (!stored) {
    out.resize(mark);  // drop the GET part: the reply is the error alone
    ReplyStoreError(ctx, stored.error());
    return false;
  }
  if (!opts.get && ok_reply) ctx.reply.Simple("OK");
  return true;
}

// INCR/DECR/INCRBY/DECRBY: Redis's incrDecrCommand. The key keeps its TTL.
void IncrDecr(CommandContext& ctx, std::string_view key, std::int64_t delta) {
  std::int64_t value = 0;
  TimeMs expire_at = kNoExpiry;
  if (const std::optional<ItemView> item = ctx.store.Peek(key, ctx.now)) {
    const std::optional<std::int64_t> parsed = ParseInt64(item->value);
    if (!parsed) {
      ctx.reply.Error(kErrNotInteger);
      return;
    }
    value = *parsed;
    expire_at = item->expire_at;
  }
  std::int64_t result = 0;
  if (__builtin_add_overflow(value, delta, &result)) {
    ctx.reply.Error(kErrOverflow);
    return;
  }
  char buf[24];
  const Result<void> stored = StoreValue(ctx, key, FormatInt64(result, buf), expire_at);
  if (!stored) {
    ReplyStoreError(ctx, stored.error());
    return;
  }
  ctx.reply.Integer(result);
}

// Redis's string2ld: strtold must consume the whole text (so an embedded NUL is refused), with no
// leading space, no NaN, and no overflow or underflow to zero. Accepts what strtold does
// otherwise: "+1", "1e5", "0x1p3", "inf".
std::optional<long double> ParseLongDouble(std::string_view text) {
  char buf[limits::kFloatTextBytesMax];
  if (text.empty() || text.size() >= sizeof(buf)) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  errno = 0;
  char* end = nullptr;
  const long double value = std::strtold(buf, &end);
  const bool range_error =
      errno == ERANGE && (std::isinf(value) || std::fpclassify(value) == FP_ZERO);
  if (std::isspace(static_cast<unsigned char>(buf[0])) || end != buf + text.size() || range_error ||
      std::isnan(value)) {
    return std::nullopt;
  }
  return value;
}

// Redis's ld2string in LD_STR_HUMAN mode: "%.17Lf", then trailing zeros (and a bare '.') removed,
// and "-0" written as "0". REQUIRES: value is finite.
std::string_view FormatLongDouble(long double value, char (&buf)[limits::kFloatTextBytesMax]) {
  SHOAL_ASSERT(std::isfinite(value));
  const int written = std::snprintf(buf, sizeof(buf), "%.17Lf", value);
  SHOAL_ASSERT(written > 0 && static_cast<std::size_t>(written) < sizeof(buf));
  std::size_t len = static_cast<std::size_t>(written);
  if (std::memchr(buf, '.', len) != nullptr) {
    while (buf[len - 1] == '0') --len;
    if (buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') {
    buf[0] = '0';
    len = 1;
  }
  return std::string_view(buf, len);
}

}  // namespace

void Get(CommandContext& ctx, CommandArgs argv) {
  if (const std::optional<ItemView> item = ctx.store.Get(argv[1], ctx.now)) {
    ctx.reply.Bulk(item->value);
  } else {
    ctx.reply.Nil();
  }
}

void Set(CommandContext& ctx, CommandArgs argv) {
  SetOptions opts;
  if (!ParseSetOptions(ctx, argv, 3, OptionsFor::kSet, opts)) return;
  TimeMs expire_at = kNoExpiry;
  if (opts.expire != ExpireKind::kNone) {
    const std::optional<TimeMs> resolved = ResolveExpiry(ctx, opts, "set");
    if (!resolved) return;
    expire_at = *resolved;
  }
  SetGeneric(ctx, argv[1], argv[2], opts, expire_at, /*ok_reply=*/true);
}

// GETSET is SET key value GET: the old value (or nil), and the TTL is cleared.
void GetSet(CommandContext& ctx, CommandArgs argv) {
  SetOptions opts;
  opts.get = true;
  SetGeneric(ctx, argv[1], argv[2], opts, kNoExpiry, /*ok_reply=*/true);
}

void SetEx(CommandContext& ctx, CommandArgs argv) {
  const std::optional<TimeMs> expire_at =
      ParseSetExpiry(ctx, argv[2], TimeUnit::kSeconds, true, "setex");
  if (!expire_at) return;
  SetGeneric(ctx, argv[1], argv[3], SetOptions{}, *expire_at, /*ok_reply=*/true);
}

void PSetEx(CommandContext& ctx, CommandArgs argv) {
  const std::optional<TimeMs> expire_at =
      ParseSetExpiry(ctx, argv[2], TimeUnit::kMilliseconds, true, "psetex");
  if (!expire_at) return;
  SetGeneric(ctx, argv[1], argv[3], SetOptions{}, *expire_at, /*ok_reply=*/true);
}

void SetNx(CommandContext& ctx, CommandArgs argv) {
  SetOptions opts;
  opts.nx = true;
  const std::size_t mark = ctx.reply.out().size();
  if (SetGeneric(ctx, argv[1], argv[2], opts, kNoExpiry, /*ok_reply=*/false)) {
    ctx.reply.Integer(1);
  } else if (ctx.reply.out().size() == mark) {  // not stored because the key exists
    ctx.reply.Integer(0);
  }
}

void GetDel(CommandContext& ctx, CommandArgs argv) {
  const std::optional<ItemView> item = ctx.store.Get(argv[1], ctx.now);
  if (!item) {
    ctx.reply.Nil();
    return;
  }
  ctx.reply.Bulk(item->value);
  DeleteKey(ctx, argv[1]);
}

void GetEx(CommandContext& ctx, CommandArgs argv) {
  SetOptions opts;
  if (!ParseSetOptions(ctx, argv, 2, OptionsFor::kGetEx, opts)) return;
  const std::optional<ItemView> item = ctx.store.Get(argv[1], ctx.now);
  if (!item) {
    ctx.reply.Nil();
    return;
  }
  TimeMs expire_at = kNoExpiry;
  if (opts.expire != ExpireKind::kNone) {
    const std::optional<TimeMs> resolved = ResolveExpiry(ctx, opts, "getex");
    if (!resolved) return;
    expire_at = *resolved;
  }
  ctx.reply.Bulk(item->value);
  if (opts.expire != ExpireKind::kNone) {
    // An absolute time already in the past deletes the key (Redis checkAlreadyExpired).
    if (expire_at <= ctx.now) {
      DeleteKey(ctx, argv[1]);
    } else {
      ChangeExpiry(ctx, argv[1], expire_at);
    }
  } else if (opts.persist) {
    ChangeExpiry(ctx, argv[1], kNoExpiry);
  }
}

void MGet(CommandContext& ctx, CommandArgs argv) {
  ctx.reply.ArrayHeader(argv.size() - 1);
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (const std::optional<ItemView> item = ctx.store.Get(argv[i], ctx.now)) {
      ctx.reply.Bulk(item->value);
    } else {
      ctx.reply.Nil();
    }
  }
}

namespace {

// Writes every key/value pair of an MSET-style argv (argv[1..] alternate key, value). Not atomic
// under memory pressure: a store error stops at the failing pair (the earlier pairs stay written),
// where Redis would have refused the whole command up front. Returns false after replying with
// the error.
bool StorePairs(CommandContext& ctx, CommandArgs argv) {
  for (std::size_t i = 1; i < argv.size(); i += 2) {
    const Result<void> stored = StoreValue(ctx, argv[i], argv[i + 1], kNoExpiry);
    if (!stored) {
      ReplyStoreError(ctx, stored.error());
      return false;
    }
  }
  return true;
}

}  // namespace

void MSet(CommandContext& ctx, CommandArgs argv) {
  if (argv.size() % 2 == 0) {
    ReplyWrongArity(ctx, "mset");
    return;
  }
  if (StorePairs(ctx, argv)) ctx.reply.Simple("OK");
}

void MSetNx(CommandContext& ctx, CommandArgs argv) {
  if (argv.size() % 2 == 0) {
    ReplyWrongArity(ctx, "msetnx");
    return;
  }
  for (std::size_t i = 1; i < argv.size(); i += 2) {
    if (ctx.store.Peek(argv[i], ctx.now)) {
      ctx.reply.Integer(0);
      return;
    }
  }
  if (StorePairs(ctx, argv)) ctx.reply.Integer(1);
}

void Incr(CommandContext& ctx, CommandArgs argv) { IncrDecr(ctx, argv[1], 1); }

void Decr(CommandContext& ctx, CommandArgs argv) { IncrDecr(ctx, argv[1], -1); }

void IncrBy(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::int64_t> delta = ParseInt64(argv[2]);
  if (!delta) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  IncrDecr(ctx, argv[1], *delta);
}

void DecrBy(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::int64_t> delta = ParseInt64(argv[2]);
  if (!delta) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  if (*delta == std::numeric_limits<std::int64_t>::min()) {
    ctx.reply.Error("ERR decrement would overflow");
    return;
  }
  IncrDecr(ctx, argv[1], -*delta);
}

// The stored value is parsed before the increment (Redis's order); the key keeps its TTL.
void IncrByFloat(CommandContext& ctx, CommandArgs argv) {
  const std::optional<ItemView> item = ctx.store.Peek(argv[1], ctx.now);
  const std::optional<long double> value =
      item ? ParseLongDouble(item->value) : std::optional<long double>(0);
  const std::optional<long double> incr = value ? ParseLongDouble(argv[2]) : std::nullopt;
  if (!incr) {
    ctx.reply.Error("ERR value is not a valid float");
    return;
  }
  const long double sum = *value + *incr;
  if (std::isnan(sum) || std::isinf(sum)) {
    ctx.reply.Error("ERR increment would produce NaN or Infinity");
    return;
  }
  char buf[limits::kFloatTextBytesMax];
  const std::string_view text = FormatLongDouble(sum, buf);
  if (!StoreValueOrReply(ctx, argv[1], text, item ? item->expire_at : kNoExpiry)) return;
  ctx.reply.Bulk(text);
}

void StrLen(CommandContext& ctx, CommandArgs argv) {
  const std::optional<ItemView> item = ctx.store.Get(argv[1], ctx.now);
  ctx.reply.Integer(item ? static_cast<std::int64_t>(item->value.size()) : 0);
}

void Append(CommandContext& ctx, CommandArgs argv) {
  std::string value;
  TimeMs expire_at = kNoExpiry;
  if (const std::optional<ItemView> item = ctx.store.Peek(argv[1], ctx.now)) {
    // Check the size before building the new value, so a client cannot make us allocate more
    // than the limit allows.
    if (item->value.size() + argv[2].size() > ctx.store.options().value_bytes_max) {
      ctx.reply.Error(kErrValueTooLarge);
      return;
    }
    value.reserve(item->value.size() + argv[2].size());
    value.append(item->value);
    expire_at = item->expire_at;
  }
  value.append(argv[2]);
  const Result<void> stored = StoreValue(ctx, argv[1], value, expire_at);
  if (!stored) {
    ReplyStoreError(ctx, stored.error());
    return;
  }
  ctx.reply.Integer(static_cast<std::int64_t>(value.size()));
}

}  // namespace shoal::commands
