// ReplyParser: a small, pure, incremental parser for RESP2/RESP3 *replies* as a client sees them
// (+simple, -error, :integer, $bulk, $-1 / _ nil, *array, %map, #bool, ,double, =verbatim).
// The core's RespParser parses commands; replies are a different grammar, so the client keeps its
// own. No I/O; the caller appends received bytes and pulls whole replies out.
//
// Bounded: bulk length, array length and nesting depth are checked against ReplyLimits before
// anything is allocated; a violation is a protocol error (the connection must be dropped).
// Thread safety: none; one parser per connection.
// Invariants:
//   1. Next() never consumes a partial reply: on kNeedMore the buffer is untouched.
//   2. Bytes are consumed in order; a reply is returned exactly once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::client {

struct ReplyLimits {
  std::size_t bulk_bytes_max = 512 * 1024 * 1024;
  std::size_t array_len_max = 1024 * 1024;
  std::size_t depth_max = 8;
  std::size_t line_bytes_max = 64 * 1024;  // simple strings and errors
};

struct Reply {
  enum class Type : std::uint8_t { kSimple, kError, kInteger, kBulk, kNil, kArray, kBool, kDouble };
  Type type = Type::kNil;
  std::string text;             // kSimple, kError (without '-'), kBulk, kDouble (as sent)
  std::int64_t integer = 0;     // kInteger, kBool (0/1)
  std::vector<Reply> elements;  // kArray (maps flattened to key, value, key, value ...)

  bool IsError() const { return type == Type::kError; }
  // The first word of an error ("MOVED", "LOADING", "ERR"); empty if not an error.
  std::string_view ErrorCode() const;
};

enum class ReplyStatus : std::uint8_t {
  kOk,        // one reply parsed into `out`
  kNeedMore,  // the buffer holds only part of a reply
  kError,     // malformed or over-limit: drop the connection
};

class ReplyParser {
 public:
  explicit ReplyParser(const ReplyLimits& limits = {}) : limits_(limits) {}

  void Append(std::string_view bytes) { buffer_.append(bytes); }
  // Parses the next complete reply, if any.
  ReplyStatus Next(Reply& out);
  void Reset() {
    buffer_.clear();
    offset_ = 0;
  }
  std::size_t buffered_bytes() const { return buffer_.size() - offset_; }

 private:
  // Parses one reply starting at `pos`; on success advances pos.
  ReplyStatus ParseAt(std::size_t& pos, Reply& out, std::size_t depth);
  // Finds "\r\n" from pos; returns the line (without CRLF) and moves pos past it.
  ReplyStatus Line(std::size_t& pos, std::string_view& line);

  ReplyLimits limits_;
  std::string buffer_;
  std::size_t offset_ = 0;  // bytes of buffer_ already consumed
};

// Parses a signed decimal integer (RESP header or :integer); false on any malformation.
bool ParseReplyInteger(std::string_view text, std::int64_t& out);

}  // namespace shoal::client
