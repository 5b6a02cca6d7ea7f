// Introspection of one key: OBJECT ENCODING / FREQ / IDLETIME / REFCOUNT and MEMORY USAGE
// (Redis 7.0 object.c objectCommand, memoryCommand). Every value is a string, so the answers
// follow Redis's rules for strings from the value itself; none of them records an access.
//   ENCODING  "int" for a value Redis would store as a number (string2l, at most 20 bytes),
//             "embstr" up to 44 bytes, "raw" beyond. Redis also turns a value that APPEND or
//             SETRANGE modified into "raw" whatever its length; Shoal keeps no such history.
//   FREQ      the eviction policy's own access counter: S3-FIFO's (0..3) or SIEVE's visited bit
//             (0/1), not Redis's logarithmic LFU counter; LRU and noeviction keep none and say so.
//   IDLETIME  no policy keeps an access time, so it is refused with the reason.
//   REFCOUNT  2147483647 for 0..9999 (the shared integers of a Redis without maxmemory), else 1.
//   USAGE     the bytes the store accounts the item at (Store::UsageBytes); SAMPLES is parsed as
//             Redis parses it and has nothing to sample.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/limits.h"
#include "core/store/eviction_kind.h"

namespace shoal::commands {
namespace {

// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT and OBJ_SHARED_INTEGERS.
constexpr std::size_t kEmbstrBytesMax = 44;
constexpr std::int64_t kSharedIntegers = 10000;
constexpr std::int64_t kSharedRefcount = 2147483647;  // OBJ_SHARED_REFCOUNT (INT_MAX)
constexpr std::size_t kIntEncodingBytesMax = 20;

// The live value of `key`, or a nil reply (Redis's objectCommandLookupOrReply).
std::optional<std::string_view> ValueOrNil(CommandContext& ctx, std::string_view key) {
  const Store& store = ctx.store;
  const std::optional<ItemView> item = store.Peek(key, ctx.now);
  if (!item) {
    ctx.reply.Nil();
    return std::nullopt;
  }
  return item->value;
}

std::optional<std::int64_t> AsSharedCandidate(std::string_view value) {
  if (value.size() > kIntEncodingBytesMax) return std::nullopt;
  return ParseInt64(value);
}

}  // namespace

void ObjectEncoding(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::string_view> value = ValueOrNil(ctx, argv[2]);
  if (!value) return;
  if (AsSharedCandidate(*value)) {
    ctx.reply.Bulk("int");
  } else {
    ctx.reply.Bulk(value->size() <= kEmbstrBytesMax ? "embstr" : "raw");
  }
}

void ObjectRefcount(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::string_view> value = ValueOrNil(ctx, argv[2]);
  if (!value) return;
  const std::optional<std::int64_t> n = AsSharedCandidate(*value);
  ctx.reply.Integer(n && *n >= 0 && *n < kSharedIntegers ? kSharedRefcount : 1);
}

void ObjectFreq(CommandContext& ctx, CommandArgs argv) {
  // Redis looks the key up first: a missing key is nil whatever the policy.
  if (!ValueOrNil(ctx, argv[2])) return;
  const Store& store = ctx.store;
  if (!store.KeepsAccessFrequency()) {
    ctx.reply.Error("ERR The " + std::string(EvictionKindName(store.options().eviction)) +
                    " eviction policy keeps no access frequency (s3fifo and sieve do), "
                    "access frequency not tracked.");
    return;
  }
  ctx.reply.Integer(*store.AccessFrequency(argv[2], ctx.now));
}

void ObjectIdletime(CommandContext& ctx, CommandArgs argv) {
  if (!ValueOrNil(ctx, argv[2])) return;
  ctx.reply.Error(
      "ERR Shoal's eviction policies keep no access time, idle time not tracked. "
      "OBJECT FREQ shows what s3fifo and sieve keep.");
}

void MemoryUsage(CommandContext& ctx, CommandArgs argv) {
  for (std::size_t j = 3; j < argv.size(); ++j) {
    if (EqualsLower(argv[j], "samples") && j + 1 < argv.size()) {
      const std::optional<std::int64_t> samples = ParseInt64(argv[j + 1]);
      if (!samples) {
        ctx.reply.Error(kErrNotInteger);
        return;
      }
      if (*samples < 0) {
        ctx.reply.Error(kErrSyntax);
        return;
      }
      ++j;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  const Store& store = ctx.store;
  const std::optional<std::uint64_t> bytes = store.UsageBytes(argv[2], ctx.now);
  if (!bytes) {
    ctx.reply.Nil();
    return;
  }
  ctx.reply.Integer(static_cast<std::int64_t>(*bytes));
}

}  // namespace shoal::commands
