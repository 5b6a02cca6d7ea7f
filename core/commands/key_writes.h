// Key writes: the only way a command handler changes the keyspace. Each call applies the write to
// the Store at once (stamped with ctx.version) and, in replicated mode (ctx.mutation set), records
// its effect: the key's new value and absolute expiry, or a tombstone. The recorded mutation is
// what the slot's backups apply, so INCR, APPEND, GETEX, SET ... GET and EXPIRE are deterministic
// on every copy (replicas never re-execute commands). On a single node the recording is one
// predictable branch.
//
// Thread safety: as the handlers (the Node's thread). Invariant: after a handler returns, applying
// ctx.mutation's keys in order to a copy that held the same state yields the primary's state.
#pragma once

#include <string_view>

#include "core/commands/command_table.h"
#include "core/result.h"

namespace shoal::commands {

void RecordValue(CommandContext& ctx, std::string_view key, std::string_view value,
                 TimeMs expire_at);
void RecordTombstone(CommandContext& ctx, std::string_view key);

// Store::Set, recorded when it succeeds (an expiry already past records a tombstone).
inline Result<void> StoreValue(CommandContext& ctx, std::string_view key, std::string_view value,
                               TimeMs expire_at) {
  Result<void> stored = ctx.store.Set(key, value, expire_at, ctx.now, ctx.version);
  if (ctx.mutation != nullptr && stored) [[unlikely]] {
    if (expire_at != kNoExpiry && expire_at <= ctx.now) {
      RecordTombstone(ctx, key);
    } else {
      RecordValue(ctx, key, value, expire_at);
    }
  }
  return stored;
}

// StoreValue for a command that replies itself afterwards: on a store error writes the error
// reply (OOM, value or key too large) and returns false.
bool StoreValueOrReply(CommandContext& ctx, std::string_view key, std::string_view value,
                       TimeMs expire_at);

// Store::Delete; a tombstone is recorded even when the key was absent here (a backup may still
// hold a copy this node evicted). Returns whether a live key was removed.
inline bool DeleteKey(CommandContext& ctx, std::string_view key) {
  const bool deleted = ctx.store.Delete(key, ctx.now);
  if (ctx.mutation != nullptr) [[unlikely]] {
    RecordTombstone(ctx, key);
  }
  return deleted;
}

// Store::SetExpiry (an expiry already past deletes the key); recorded as the key's whole new
// state. Returns false if the key does not exist (nothing is recorded).
bool ChangeExpiry(CommandContext& ctx, std::string_view key, TimeMs expire_at);

}  // namespace shoal::commands
