// RespParser: an I/O-free, bounded, incremental parser for client commands in RESP2 multibulk
// form ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and Redis inline form ("GET k\r\n"), with Redis's
// observable behaviour (networking.c processMultibulkBuffer / processInlineBuffer, sdssplitargs):
// the same commands, the same skipped frames, the same error messages.
//
// Zero-copy: the arguments are string_views into the caller's buffer (or, for inline arguments
// that needed unquoting, into ParsedCommand::scratch); they stay valid while that buffer is
// neither modified nor moved and `out` is not parsed into again. The parser keeps no pointer into
// the buffer between calls: only offsets of the partially parsed frame.
// Incremental: on a partial frame it reports kNeedMore and, once it knows it, the buffer size the
// frame needs, so the caller need not re-parse a 1 MB value on every read. A resumed call
// continues where the previous one stopped (work is linear in the frame size, however split).
// Bounded: every client-controlled size is checked against ParserLimits before any allocation.
// Thread safety: none; one parser per connection.
//
// Caller contract (REQUIRES): after kNeedMore, the next Parse() gets the same bytes at the front
// of its buffer (plus any that arrived since), until kOk or kError; to parse an unrelated buffer,
// call Reset() first. After kOk, drop `out.consumed` bytes from the front before the next call.
// kOk with an empty argv means "nothing to run" (an empty inline line, "*0" or "*-1"): drop the
// bytes and go on.
#pragma once

#include <cstddef>
#include <cstdint>
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
  // Backing bytes for inline arguments that were quoted ("a b", '\x00'); argv may point here, so
  // do not modify or move this struct while using argv. Its capacity is reused between calls.
  std::string scratch;
};

class RespParser {
 public:
  explicit RespParser(const ParserLimits& limits);

  // Parses at most one command from the front of `buffer`.
  // kOk: `out` holds the command and the bytes it used. kNeedMore: `needed_bytes()` is a lower
  // bound on the buffer size at which to try again (0 if unknown); once the header of the last
  // argument has been read it is the exact size of the frame. kError: `error()` holds a
  // Redis-style message without the leading '-' (e.g. "ERR Protocol error: invalid bulk length").
  ParseStatus Parse(std::string_view buffer, ParsedCommand& out);

  // Forgets any partially parsed frame (e.g. the connection's buffer was discarded).
  void Reset();

  std::size_t needed_bytes() const { return needed_bytes_; }
  const std::string& error() const { return error_; }
  const ParserLimits& limits() const { return limits_; }

 private:
  // Where the parser stands inside the frame at the front of the buffer.
  enum class Mode : std::uint8_t {
    kIdle,       // at a frame boundary
    kMultibulk,  // "*n" header read; reading bulks at pos_
    kInline,     // scanning an inline line; inline_scanned_ bytes hold no '\n'
  };
  struct ArgSpan {
    std::size_t offset;
    std::size_t length;
  };

  ParseStatus ParseMultibulk(std::string_view buffer, ParsedCommand& out);
  ParseStatus ParseInline(std::string_view buffer, ParsedCommand& out);
  // Saves the frame's progress (arguments as offsets from `base`) and reports kNeedMore.
  ParseStatus SaveNeedMore(std::size_t pos, const char* base, ParsedCommand& out);
  ParseStatus Fail(const char* message);

  ParserLimits limits_;
  std::size_t needed_bytes_ = 0;
  std::string error_;

  // Resumable state of the frame at the front of the buffer (offsets only, never pointers).
  // Invariants: mode_ == kIdle implies spans_ empty, pos_ == 0, args_left_ == 0,
  // bulk_len_ < 0 and inline_scanned_ == 0; in kMultibulk, spans_.size() + args_left_ is the
  // frame's argument count and every span ends before pos_.
  Mode mode_ = Mode::kIdle;
  std::size_t pos_ = 0;         // next unparsed byte of the multibulk frame
  std::size_t args_left_ = 0;   // bulks still to read
  std::int64_t bulk_len_ = -1;  // length of the bulk whose header was read; -1 if none
  std::size_t inline_scanned_ = 0;
  std::vector<ArgSpan> spans_;  // arguments read so far
};

}  // namespace shoal
