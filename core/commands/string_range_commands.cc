// Byte-range commands over string values: GETRANGE (and its old name SUBSTR) and SETRANGE.
// Semantics and reply texts follow Redis 7.0 (t_string.c), including the order of checks:
// GETRANGE parses both indexes before it looks the key up.
#include <cstdint>
#include <optional>
#include <string>

#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/commands/key_writes.h"

namespace shoal::commands {

void GetRange(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::int64_t> start = ParseInt64(argv[2]);
  const std::optional<std::int64_t> end = start ? ParseInt64(argv[3]) : std::nullopt;
  if (!end) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  const std::optional<ItemView> item = ctx.store.Get(argv[1], ctx.now);
  // A reversed all-negative range is empty before conversion (clamping would make it [0, 0]).
  if (!item || (*start < 0 && *end < 0 && *start > *end)) {
    ctx.reply.Bulk("");
    return;
  }
  const IndexRange range = ClampRange(*start, *end, static_cast<std::int64_t>(item->value.size()));
  if (range.empty()) {
    ctx.reply.Bulk("");
    return;
  }
  ctx.reply.Bulk(item->value.substr(static_cast<std::size_t>(range.start),
                                    static_cast<std::size_t>(range.end - range.start + 1)));
}

// Overwrites the value from `offset` on, padding with zero bytes when the value is shorter (a
// missing key reads as empty). An empty patch writes nothing and answers the current length.
// The key keeps its TTL.
void SetRange(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::int64_t> offset = ParseInt64(argv[2]);
  if (!offset) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  if (*offset < 0) {
    ctx.reply.Error("ERR offset is out of range");
    return;
  }
  const std::string_view patch = argv[3];
  const std::optional<ItemView> item = ctx.store.Peek(argv[1], ctx.now);
  if (patch.empty()) {
    ctx.reply.Integer(item ? static_cast<std::int64_t>(item->value.size()) : 0);
    return;
  }
  // Checked before anything is allocated; offset <= INT64_MAX, so the sum cannot wrap.
  const auto at = static_cast<std::uint64_t>(*offset);
  if (at + patch.size() > ctx.store.options().value_bytes_max) {
    ctx.reply.Error(kErrStringTooLong);
    return;
  }
  std::string value(item ? item->value : std::string_view());
  if (value.size() < at + patch.size()) value.resize(at + patch.size(), '\0');
  value.replace(at, patch.size(), patch);
  if (!StoreValueOrReply(ctx, argv[1], value, item ? item->expire_at : kNoExpiry)) return;
  ctx.reply.Integer(static_cast<std::int64_t>(value.size()));
}

}  // namespace shoal::commands
