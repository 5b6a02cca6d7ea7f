// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence of two
// string values, by Redis 7.0's dynamic programme (t_string.c lcsCommand), with the same table
// walk so that IDX reports the same ranges in the same order (last match first). Missing keys
// read as empty strings.
//
// Cost: the table has (len1 + 1) * (len2 + 1) 32-bit cells, built in full. Like Redis we refuse a
// table larger than the value limit (proto-max-bulk-len there); we also refuse one of more than
// limits::kLcsCellsMax cells, so a raised --max-value-bytes cannot make one command block the node
// for seconds.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/limits.h"

namespace shoal::commands {
namespace {

struct LcsOptions {
  bool len = false;
  bool idx = false;
  bool with_match_len = false;
  std::int64_t min_match_len = 0;
};

// Redis's option loop; replies and returns false on a syntax error or a bad MINMATCHLEN.
bool ParseLcsOptions(CommandContext& ctx, CommandArgs argv, LcsOptions& opts) {
  for (std::size_t j = 3; j < argv.size(); ++j) {
    const std::string_view opt = argv[j];
    if (EqualsLower(opt, "idx")) {
      opts.idx = true;
    } else if (EqualsLower(opt, "len")) {
      opts.len = true;
    } else if (EqualsLower(opt, "withmatchlen")) {
      opts.with_match_len = true;
    } else if (EqualsLower(opt, "minmatchlen") && j + 1 < argv.size()) {
      const std::optional<std::int64_t> n = ParseInt64(argv[++j]);
      if (!n) {
        ctx.reply.Error(kErrNotInteger);
        return false;
      }
      opts.min_match_len = *n < 0 ? 0 : *n;
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  if (opts.idx && opts.len) {
    ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
    return false;
  }
  return true;
}

// Replies the refusal and returns false when the table for a and b is over a limit.
bool TableFits(CommandContext& ctx, std::size_t a_len, std::size_t b_len) {
  const std::uint64_t cells = (std::uint64_t{a_len} + 1) * (std::uint64_t{b_len} + 1);
  if (cells * sizeof(std::uint32_t) > ctx.store.options().value_bytes_max) {
    ctx.reply.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return false;
  }
  if (cells > limits::kLcsCellsMax) {
    ctx.reply.Error("ERR LCS table of " + std::to_string(cells) + " cells exceeds lcs-cells-max (" +
                    std::to_string(limits::kLcsCellsMax) + ")");
    return false;
  }
  return true;
}

// One IDX entry: [[a_start, a_end], [b_start, b_end]] and, with WITHMATCHLEN, the length.
void WriteMatch(RespWriter& w, std::uint32_t a_start, std::uint32_t a_end, std::uint32_t b_start,
                std::uint32_t b_end, bool with_match_len) {
  w.ArrayHeader(with_match_len ? 3 : 2);
  w.ArrayHeader(2);
  w.Integer(a_start);
  w.Integer(a_end);
  w.ArrayHeader(2);
  w.Integer(b_start);
  w.Integer(b_end);
  if (with_match_len) w.Integer(a_end - a_start + 1);
}

}  // namespace

void Lcs(CommandContext& ctx, CommandArgs argv) {
  // Both reads count as keyspace reads; the views are then taken without mutating the store, so
  // the first stays valid while the second is read.
  ctx.store.Get(argv[1], ctx.now);
  ctx.store.Get(argv[2], ctx.now);
  const Store& store = ctx.store;
  const std::optional<ItemView> item_a = store.Peek(argv[1], ctx.now);
  const std::optional<ItemView> item_b = store.Peek(argv[2], ctx.now);
  const std::string_view a = item_a ? item_a->value : std::string_view();
  const std::string_view b = item_b ? item_b->value : std::string_view();

  LcsOptions opts;
  if (!ParseLcsOptions(ctx, argv, opts)) return;
  if (!TableFits(ctx, a.size(), b.size())) return;

  // lcs[j + (b_len + 1) * i] is the LCS length of a[0, i) and b[0, j).
  const auto a_len = static_cast<std::uint32_t>(a.size());
  const auto b_len = static_cast<std::uint32_t>(b.size());
  const std::size_t row = std::size_t{b_len} + 1;
  std::vector<std::uint32_t> lcs((std::size_t{a_len} + 1) * row, 0);
  auto at = [&](std::uint32_t i, std::uint32_t j) -> std::uint32_t& { return lcs[j + row * i]; };
  for (std::uint32_t i = 1; i <= a_len; ++i) {
    for (std::uint32_t j = 1; j <= b_len; ++j) {
      if (a[i - 1] == b[j - 1]) {
        at(i, j) = at(i - 1, j - 1) + 1;
      } else {
        at(i, j) = std::max(at(i - 1, j), at(i, j - 1));
      }
    }
  }
  const std::uint32_t total = at(a_len, b_len);
  if (opts.len) {
    ctx.reply.Integer(total);
    return;
  }

  // Walk back from the end, building the string backwards and emitting ranges of contiguous
  // matches as they close. The IDX array's length is known only at the end: the entries go to a
  // scratch buffer first.
  std::string result(total, '\0');
  std::string entries;
  RespWriter entry_writer(entries, ctx.reply.version());
  std::size_t entry_count = 0;
  std::uint32_t idx = total;
  std::uint32_t a_start = a_len;  // a_len: no range open
  std::uint32_t a_end = 0;
  std::uint32_t b_start = 0;
  std::uint32_t b_end = 0;
  std::uint32_t i = a_len;
  std::uint32_t j = b_len;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (a_start == a_len) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else if (a_start == i && b_start == j) {  // extends the open range backwards
        --a_start;
        --b_start;
      } else {
        emit = true;
      }
      if (a_start == 0 || b_start == 0) emit = true;  // the walk ends at the next step
      --idx;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (a_start != a_len) emit = true;
    }
    if (emit) {
      const std::uint32_t match_len = a_end - a_start + 1;
      if (opts.idx && (opts.min_match_len == 0 || match_len >= opts.min_match_len)) {
        WriteMatch(entry_writer, a_start, a_end, b_start, b_end, opts.with_match_len);
        ++entry_count;
      }
      a_start = a_len;
    }
  }
  if (!opts.idx) {
    ctx.reply.Bulk(result);
    return;
  }
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("matches");
  ctx.reply.ArrayHeader(entry_count);
  ctx.reply.out().append(entries);
  ctx.reply.Bulk("len");
  ctx.reply.Integer(total);
}

}  // namespace shoal::commands
