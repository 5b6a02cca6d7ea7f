// RespParser: an I/O-free, bounded, incremental parser for client commands in RESP2 multibulk
// form ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and Redis inline form ("GET k\r\n").
//
// Zero-copy: the arguments are string_views into the caller's buffer; they stay valid while that
// buffer is neither modified nor moved. The parser keeps no pointer into the buffer between calls.
// Incremental: on a partial frame it reports kNeedMore and, where it knows it, how many bytes the
// frame needs in total, so the caller need not re-parse a 1 MB value on every read.
// Bounded: every client-controlled size is checked against ParserLimits before any allocation.
// Thread safety: none; one parser per connection.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"

namespace shoal {

struct ParserLimits {
  std::size_t bulk_bytes_max = limits::kValueBytesDefault;
  std::size_t array_len_max = limits::kArrayLenMax;
  std::size_t inline_bytes_max = limits::kInlineBytesMax;
};

enum class ParseStatus {
  kOk,        // one command parsed; `consumed` bytes may be dropped from the buffer
  kNeedMore,  // the buffer holds only part of a command; read more
  kError,     // malformed or over-limit input: reply with `error` and close the connection
};

struct ParsedCommand {
  std::vector<std::string_view> argv;  // empty for an empty inline line (skip it)
  std::size_t consumed = 0;
};

class RespParser {
 public:
  explicit RespParser(const ParserLimits& limits);

  // Parses at most one command from the front of `buffer`.
  // kOk: `out` holds the command and the bytes it used. kNeedMore: `needed_bytes()` is a lower
  // bound on the buffer size at which to try again (0 if unknown). kError: `error()` holds a
  // Redis-style message without the leading '-' (e.g. "ERR Protocol error: invalid bulk length").
  ParseStatus Parse(std::string_view buffer, ParsedCommand& out);

  std::size_t needed_bytes() const { return needed_bytes_; }
  const std::string& error() const { return error_; }
  const ParserLimits& limits() const { return limits_; }

 private:
  ParserLimits limits_;
  std::size_t needed_bytes_ = 0;
  std::string error_;
};

}  // namespace shoal
