// Bit commands over string values: GETBIT, SETBIT, BITCOUNT, BITPOS, BITOP. Semantics, argument
// order and reply texts follow Redis 7.0 (bitops.c), including its order of checks: a missing key
// answers BITCOUNT and BITPOS before their range arguments are parsed. Bit 0 is the most
// significant bit of the first byte.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/commands/key_writes.h"

namespace shoal::commands {
namespace {

constexpr std::string_view kErrBitOffset = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kErrBitValue = "ERR bit is not an integer or out of range";
constexpr std::string_view kErrBitArgument = "ERR The bit argument must be 1 or 0.";

// Redis's getBitOffsetFromArgument (no '#' form): a non-negative integer whose byte index is
// below the value limit, so SETBIT can never grow a value past it. Replies and returns nullopt
// otherwise.
std::optional<std::uint64_t> ParseBitOffset(CommandContext& ctx, std::string_view arg) {
  const std::optional<std::int64_t> offset = ParseInt64(arg);
  if (!offset || *offset < 0 ||
      static_cast<std::uint64_t>(*offset >> 3) >= ctx.store.options().value_bytes_max) {
    ctx.reply.Error(kErrBitOffset);
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(*offset);
}

// The optional BYTE|BIT unit of BITCOUNT and BITPOS: true for BIT. Replies "ERR syntax error" and
// returns nullopt for anything else.
std::optional<bool> ParseUnitIsBit(CommandContext& ctx, std::string_view arg) {
  if (EqualsLower(arg, "bit")) return true;
  if (EqualsLower(arg, "byte")) return false;
  ctx.reply.Error(kErrSyntax);
  return std::nullopt;
}

// A non-empty, inclusive range of bit positions inside a value.
struct BitRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

// Converts a clamped, non-empty range in the command's unit into bit positions.
BitRange ToBits(IndexRange range, bool is_bit) {
  SHOAL_ASSERT(!range.empty() && range.start >= 0);
  const auto start = static_cast<std::uint64_t>(range.start);
  const auto end = static_cast<std::uint64_t>(range.end);
  if (is_bit) return BitRange{.first = start, .last = end};
  return BitRange{.first = start * 8, .last = end * 8 + 7};
}

int BitAt(std::string_view value, std::uint64_t pos) {
  return (static_cast<std::uint8_t>(value[pos >> 3]) >> (7 - (pos & 7))) & 1;
}

// Set bits in value[begin, end) (byte indexes), eight bytes at a time.
std::uint64_t PopcountBytes(std::string_view value, std::size_t begin, std::size_t end) {
  std::uint64_t count = 0;
  std::size_t i = begin;
  for (; i + 8 <= end; i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, value.data() + i, sizeof(word));
    count += static_cast<std::uint64_t>(std::popcount(word));
  }
  for (; i < end; ++i) count += std::popcount(static_cast<std::uint8_t>(value[i]));
  return count;
}

// Set bits at positions range.first..range.last. REQUIRES: range.last < value.size() * 8.
std::uint64_t CountBits(std::string_view value, BitRange range) {
  const std::size_t first_byte = range.first >> 3;
  const std::size_t last_byte = range.last >> 3;
  std::uint64_t count = PopcountBytes(value, first_byte, last_byte + 1);
  // Take off the bits of the edge bytes that lie outside the range.
  const auto first = static_cast<std::uint8_t>(value[first_byte]);
  const auto last = static_cast<std::uint8_t>(value[last_byte]);
  const unsigned before = range.first & 7;      // bits of the first byte before the range
  const unsigned after = 7 - (range.last & 7);  // bits of the last byte after it
  count -=
      static_cast<std::uint64_t>(std::popcount(static_cast<std::uint8_t>(first >> (8 - before))));
  count -= static_cast<std::uint64_t>(
      std::popcount(static_cast<std::uint8_t>(last & ((1u << after) - 1))));
  return count;
}

// The first position in range whose bit equals `bit`, or -1 if there is none. Whole bytes that
// cannot hold it (0x00 when looking for 1, 0xff when looking for 0) are skipped.
std::int64_t FindBit(std::string_view value, BitRange range, int bit) {
  const std::uint8_t skip = bit == 1 ? 0x00 : 0xff;
  std::uint64_t pos = range.first;
  while (pos <= range.last) {
    if ((pos & 7) == 0 && pos + 7 <= range.last) {
      const auto byte = static_cast<std::uint8_t>(value[pos >> 3]);
      if (byte == skip) {
        pos += 8;
        continue;
      }
      const auto wanted = static_cast<std::uint8_t>(bit == 1 ? byte : ~byte);
      return static_cast<std::int64_t>(pos) + std::countl_zero(wanted);
    }
    if (BitAt(value, pos) == bit) return static_cast<std::int64_t>(pos);
    ++pos;
  }
  return -1;
}

}  // namespace

void GetBit(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::uint64_t> offset = ParseBitOffset(ctx, argv[2]);
  if (!offset) return;
  const std::optional<ItemView> item = ctx.store.Get(argv[1], ctx.now);
  const bool inside = item && (*offset >> 3) < item->value.size();
  ctx.reply.Integer(inside ? BitAt(item->value, *offset) : 0);
}

// Grows the value with zero bytes up to the offset's byte (creating the key if needed), as
// Redis's lookupStringForBitCommand does; writes only if the value grows or the bit changes.
// Replies the bit's previous value. The key keeps its TTL.
void SetBit(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::uint64_t> offset = ParseBitOffset(ctx, argv[2]);
  if (!offset) return;
  const std::optional<std::int64_t> on = ParseInt64(argv[3]);
  if (!on || (*on & ~std::int64_t{1}) != 0) {
    ctx.reply.Error(kErrBitValue);
    return;
  }
  const std::size_t byte = *offset >> 3;
  const std::optional<ItemView> item = ctx.store.Peek(argv[1], ctx.now);
  const bool grows = !item || item->value.size() <= byte;
  const int old_bit = grows ? 0 : BitAt(item->value, *offset);
  if (grows || old_bit != *on) {
    std::string value(item ? item->value : std::string_view());
    if (value.size() <= byte) value.resize(byte + 1, '\0');
    const auto mask = static_cast<std::uint8_t>(1u << (7 - (*offset & 7)));
    auto current = static_cast<std::uint8_t>(value[byte]);
    current = static_cast<std::uint8_t>(*on == 1 ? (current | mask) : (current & ~mask));
    value[byte] = static_cast<char>(current);
    if (!StoreValueOrReply(ctx, argv[1], value, item ? item->expire_at : kNoExpiry)) return;
  }
  ctx.reply.Integer(old_bit);
}

// BITCOUNT key [start end [BYTE|BIT]].
void BitCount(CommandContext& ctx, CommandArgs argv) {
  const std::optional<ItemView> item = ctx.store.Get(argv[1], ctx.now);
  if (!item) {
    ctx.reply.Integer(0);
    return;
  }
  const auto len = static_cast<std::int64_t>(item->value.size());
  IndexRange range{.start = 0, .end = len - 1};
  bool is_bit = false;
  if (argv.size() == 4 || argv.size() == 5) {
    const std::optional<std::int64_t> start = ParseInt64(argv[2]);
    const std::optional<std::int64_t> end = start ? ParseInt64(argv[3]) : std::nullopt;
    if (!end) {
      ctx.reply.Error(kErrNotInteger);
      return;
    }
    // Redis answers a reversed all-negative range before it looks at the unit.
    if (*start < 0 && *end < 0 && *start > *end) {
      ctx.reply.Integer(0);
      return;
    }
    if (argv.size() == 5) {
      const std::optional<bool> unit = ParseUnitIsBit(ctx, argv[4]);
      if (!unit) return;
      is_bit = *unit;
    }
    range = ClampRange(*start, *end, is_bit ? len * 8 : len);
  } else if (argv.size() != 2) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  if (range.empty()) {
    ctx.reply.Integer(0);
    return;
  }
  ctx.reply.Integer(static_cast<std::int64_t>(CountBits(item->value, ToBits(range, is_bit))));
}

// BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is all zeros: 0 for bit 0, -1 for bit 1.
// When no bit is found: -1, except a search for 0 without an explicit end, which answers the first
// position past the value (the value reads as padded with zeros on the right).
void BitPos(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::int64_t> bit = ParseInt64(argv[2]);
  if (!bit) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  if (*bit != 0 && *bit != 1) {
    ctx.reply.Error(kErrBitArgument);
    return;
  }
  const std::optional<ItemView> item = ctx.store.Get(argv[1], ctx.now);
  if (!item) {
    ctx.reply.Integer(*bit == 1 ? -1 : 0);
    return;
  }
  const auto len = static_cast<std::int64_t>(item->value.size());
  IndexRange range{.start = 0, .end = len - 1};
  bool is_bit = false;
  bool end_given = false;
  if (argv.size() >= 4 && argv.size() <= 6) {
    const std::optional<std::int64_t> start = ParseInt64(argv[3]);
    if (!start) {
      ctx.reply.Error(kErrNotInteger);
      return;
    }
    if (argv.size() == 6) {  // Redis reads the unit before the end
      const std::optional<bool> unit = ParseUnitIsBit(ctx, argv[5]);
      if (!unit) return;
      is_bit = *unit;
    }
    std::int64_t end = len - 1;  // with no end only BYTE is possible
    if (argv.size() >= 5) {
      const std::optional<std::int64_t> parsed = ParseInt64(argv[4]);
      if (!parsed) {
        ctx.reply.Error(kErrNotInteger);
        return;
      }
      end = *parsed;
      end_given = true;
    }
    range = ClampRange(*start, end, is_bit ? len * 8 : len);
  } else if (argv.size() != 3) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  if (range.empty()) {
    ctx.reply.Integer(-1);
    return;
  }
  const BitRange bits = ToBits(range, is_bit);
  const std::int64_t found = FindBit(item->value, bits, static_cast<int>(*bit));
  if (found >= 0 || *bit == 1 || end_given) {
    ctx.reply.Integer(found);
  } else {
    ctx.reply.Integer(static_cast<std::int64_t>(bits.last) + 1);
  }
}

// BITOP AND|OR|XOR|NOT destkey key [key ...] (Redis 7.0 bitopCommand). A missing source is a
// string of zero bytes; the result is as long as the longest source (shorter sources are padded
// with zero bytes before the operation). It replaces destkey without a TTL; an empty result
// deletes destkey. Replies the result's length. The sources are read as GET reads them (a hit or
// a miss, an access for eviction). The result is never longer than the longest source, so it
// fits the value limit; one source at a time is copied into it (views into the store are not
// kept across the next read).
void BitOp(CommandContext& ctx, CommandArgs argv) {
  enum class Op { kAnd, kOr, kXor, kNot };
  Op op;
  if (EqualsLower(argv[1], "and")) {
    op = Op::kAnd;
  } else if (EqualsLower(argv[1], "or")) {
    op = Op::kOr;
  } else if (EqualsLower(argv[1], "xor")) {
    op = Op::kXor;
  } else if (EqualsLower(argv[1], "not")) {
    op = Op::kNot;
  } else {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  if (op == Op::kNot && argv.size() != 4) {
    ctx.reply.Error("ERR BITOP NOT must be called with a single source key.");
    return;
  }
  std::string result;
  for (std::size_t i = 3; i < argv.size(); ++i) {
    const std::optional<ItemView> item = ctx.store.Get(argv[i], ctx.now);
    const std::string_view source = item ? item->value : std::string_view();
    if (i == 3) {
      result.assign(source);
      continue;
    }
    // Both sides padded with zero bytes to the longer one: x AND 0 = 0, x OR 0 = x XOR 0 = x.
    // Only the bytes both had are combined.
    const std::size_t common = std::min(source.size(), result.size());
    if (source.size() > result.size()) {
      result.resize(source.size(), '\0');
      if (op != Op::kAnd) {
        std::memcpy(result.data() + common, source.data() + common, source.size() - common);
      }
    } else if (op == Op::kAnd) {
      std::memset(result.data() + common, 0, result.size() - common);
    }
    for (std::size_t b = 0; b < common; ++b) {
      const auto x = static_cast<unsigned char>(result[b]);
      const auto y = static_cast<unsigned char>(source[b]);
      const unsigned char r = op == Op::kAnd ? (x & y) : op == Op::kOr ? (x | y) : (x ^ y);
      result[b] = static_cast<char>(r);
    }
  }
  if (op == Op::kNot) {
    for (char& c : result) c = static_cast<char>(~static_cast<unsigned char>(c));
  }
  if (result.empty()) {
    DeleteKey(ctx, argv[2]);
    ctx.reply.Integer(0);
    return;
  }
  if (!StoreValueOrReply(ctx, argv[2], result, kNoExpiry)) return;
  ctx.reply.Integer(static_cast<std::int64_t>(result.size()));
}

}  // namespace shoal::commands
