#include "core/commands/key_writes.h"

#include <string>

#include "core/cluster/messages.h"
#include "core/commands/command_util.h"

namespace shoal::commands {

void RecordValue(CommandContext& ctx, std::string_view key, std::string_view value,
                 TimeMs expire_at) {
  ctx.mutation->keys.push_back(cluster::KeyState{
      .key = std::string(key), .value = std::string(value), .expire_at = expire_at});
}

void RecordTombstone(CommandContext& ctx, std::string_view key) {
  ctx.mutation->keys.push_back(cluster::KeyState{.key = std::string(key), .deleted = true});
}

bool StoreValueOrReply(CommandContext& ctx, std::string_view key, std::string_view value,
                       TimeMs expire_at) {
  const Result<void> stored = StoreValue(ctx, key, value, expire_at);
  if (!stored) ReplyStoreError(ctx, stored.error());
  return static_cast<bool>(stored);
}

bool ChangeExpiry(CommandContext& ctx, std::string_view key, TimeMs expire_at) {
  if (!ctx.store.SetExpiry(key, expire_at, ctx.now, ctx.version)) return false;
  if (ctx.mutation != nullptr) {
    const std::optional<ItemView> item = ctx.store.Peek(key, ctx.now);
    if (item) {
      RecordValue(ctx, key, item->value, item->expire_at);
    } else {
      RecordTombstone(ctx, key);  // the new expiry had already passed: deleted
    }
  }
  return true;
}

}  // namespace shoal::commands
