// Commands that move or copy a key's value to another key: RENAME, RENAMENX and COPY (Redis 7.0
// db.c renameGenericCommand, copyCommand), with Redis's replies and order of checks. The value
// and its absolute expiry go to the new key through key_writes.h (StoreValue, DeleteKey), so on a
// node of a cluster the effect replicates as any other write; the command table's key range
// covers both keys, so the cluster gate answers CROSSSLOT unless they share a slot.
//
// One difference from Redis: Redis moves the value object, we store a copy under the new key
// before deleting the old one, so at the memory limit under noeviction RENAME can answer OOM
// where Redis would not (the source is kept: nothing is lost).
#include <cstdint>
#include <optional>
#include <string>

#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/commands/key_writes.h"
#include "core/limits.h"

namespace shoal::commands {
namespace {

void RenameGeneric(CommandContext& ctx, CommandArgs argv, bool nx) {
  const std::string_view from = argv[1];
  const std::string_view to = argv[2];
  // lookupKeyWrite: expires the source if due, counts no hit or miss.
  const std::optional<ItemView> item = ctx.store.Peek(from, ctx.now);
  if (!item) {
    ctx.reply.Error("ERR no such key");
    return;
  }
  if (from == to) {
    if (nx) {
      ctx.reply.Integer(0);
    } else {
      ctx.reply.Simple("OK");
    }
    return;
  }
  // Copied out: the next store call may expire `to`, which invalidates the view.
  const std::string value(item->value);
  const TimeMs expire_at = item->expire_at;
  if (nx && ctx.store.Peek(to, ctx.now)) {
    ctx.reply.Integer(0);
    return;
  }
  if (!StoreValueOrReply(ctx, to, value, expire_at)) return;
  DeleteKey(ctx, from);
  if (nx) {
    ctx.reply.Integer(1);
  } else {
    ctx.reply.Simple("OK");
  }
}

}  // namespace

void Rename(CommandContext& ctx, CommandArgs argv) { RenameGeneric(ctx, argv, false); }

void RenameNx(CommandContext& ctx, CommandArgs argv) { RenameGeneric(ctx, argv, true); }

void Copy(CommandContext& ctx, CommandArgs argv) {
  // Shoal has database 0 only. A standalone node answers for any other index as a Redis started
  // with `databases 1` does; a node of a cluster as Redis Cluster does (16 databases exist, and
  // copying to another one is refused after the options are read).
  const std::int64_t databases = ctx.gate != nullptr ? limits::kRedisDatabasesDefault : 1;
  bool replace = false;
  std::int64_t db = 0;
  for (std::size_t j = 3; j < argv.size(); ++j) {
    if (EqualsLower(argv[j], "replace")) {
      replace = true;
    } else if (EqualsLower(argv[j], "db") && j + 1 < argv.size()) {
      const std::optional<std::int64_t> index = ParseInt64(argv[j + 1]);
      if (!index) {
        ctx.reply.Error(kErrNotInteger);
        return;
      }
      if (*index < 0 || *index >= databases) {
        ctx.reply.Error("ERR DB index is out of range");
        return;
      }
      db = *index;
      ++j;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  if (db != 0) {
    ctx.reply.Error("ERR Copying to another database is not allowed in cluster mode");
    return;
  }
  const std::string_view from = argv[1];
  const std::string_view to = argv[2];
  if (from == to) {
    ctx.reply.Error("ERR source and destination objects are the same");
    return;
  }
  // lookupKeyRead: counts a hit or a miss and an access, as GET does.
  const std::optional<ItemView> item = ctx.store.Get(from, ctx.now);
  if (!item) {
    ctx.reply.Integer(0);
    return;
  }
  const std::string value(item->value);  // copied out, as in RenameGeneric
  const TimeMs expire_at = item->expire_at;
  if (!replace && ctx.store.Peek(to, ctx.now)) {
    ctx.reply.Integer(0);
    return;
  }
  // Overwriting is Redis's dbDelete + dbAdd in one write; the new key takes the source's TTL.
  if (!StoreValueOrReply(ctx, to, value, expire_at)) return;
  ctx.reply.Integer(1);
}

}  // namespace shoal::commands
