// Fuzz target: the RESP request parser (core/resp/resp_parser.h), the first code that touches a
// stranger's bytes. For any input it checks:
//   - no crash, no undefined behaviour, no read past the buffer (every Parse sees a heap copy that
//     ends exactly where the received bytes end, so ASan reports an over-read);
//   - every kOk consumes at least one byte and no more than it was given; every argument lies in
//     the buffer or in ParsedCommand::scratch; needed_bytes() is 0 or more than the buffer holds,
//     and never more than the frame turns out to be;
//   - splitting does not matter: the same commands, the same error text and the same unconsumed
//     tail whether the bytes arrive at once or in the reads the input chooses, with or without
//     skipping calls while the buffer is shorter than needed_bytes() (what net/ does).
//
// Input: [limits byte] [ChunkPlan: count, sizes...] [flags byte: bit 0 = use needed_bytes()]
//        [payload: the bytes a client sends].
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "core/resp/resp_parser.h"
#include "core/result.h"
#include "tests/fuzz/fuzz_input.h"

namespace shoal::fuzz {
namespace {

// Small limits reach the over-limit paths with short inputs; the defaults are what shoald runs.
constexpr std::size_t kBulkBytesMaxChoices[] = {limits::kValueBytesDefault, 0, 1, 4, 16, 100};
constexpr std::size_t kArrayLenMaxChoices[] = {limits::kArrayLenMax, 0, 1, 3, 16};
constexpr std::size_t kInlineBytesMaxChoices[] = {limits::kInlineBytesMax, 0, 1, 8, 64};

ParserLimits DecodeLimits(unsigned digits) {
  ParserLimits limits;
  limits.bulk_bytes_max = Choose(digits, kBulkBytesMaxChoices);
  limits.array_len_max = Choose(digits, kArrayLenMaxChoices);
  limits.inline_bytes_max = Choose(digits, kInlineBytesMaxChoices);
  return limits;
}

// How a stream ended: the commands (skipped frames left out), and the error or unconsumed tail.
struct StreamResult {
  std::vector<std::vector<std::string>> commands;
  bool failed = false;
  std::string error;
  std::size_t leftover = 0;  // bytes received but not consumed (kNeedMore at the end)
  bool operator==(const StreamResult&) const = default;
};

// Feeds `stream` the way a connection does: append what arrived, parse every complete command,
// drop what was consumed. `plan` chooses the reads; with `use_needed`, a read that leaves the
// buffer shorter than needed_bytes() is not parsed.
StreamResult RunStream(const ParserLimits& limits, std::string_view stream, ChunkPlan plan,
                       bool use_needed) {
  RespParser parser(limits);
  ParsedCommand cmd;
  StreamResult result;
  std::string pending;  // received, not consumed
  std::size_t fed = 0;
  std::size_t needed = 0;       // needed_bytes() of the last kNeedMore, 0 if none
  std::size_t last_needed = 0;  // the same, kept until the frame completes
  while (fed < stream.size()) {
    const std::size_t n = plan.Next(stream.size() - fed);
    pending.append(stream.substr(fed, n));
    fed += n;
    if (use_needed && pending.size() < needed) continue;
    // One exactly-sized copy per read; kOk moves `offset` as dropping consumed bytes would.
    auto copy = std::make_unique<char[]>(pending.size());
    if (!pending.empty()) std::memcpy(copy.get(), pending.data(), pending.size());
    std::size_t offset = 0;
    while (true) {
      const std::string_view buffer(copy.get() + offset, pending.size() - offset);
      const ParseStatus status = parser.Parse(buffer, cmd);
      if (status == ParseStatus::kError) {
        SHOAL_ASSERT(!parser.error().empty());
        result.failed = true;
        result.error = parser.error();
        result.leftover = 0;
        return result;
      }
      if (status == ParseStatus::kNeedMore) {
        needed = parser.needed_bytes();
        SHOAL_ASSERT_MSG(needed == 0 || needed > buffer.size(), "needed_bytes() already there");
        if (needed != 0) last_needed = needed;
        break;
      }
      SHOAL_ASSERT(cmd.consumed > 0 && cmd.consumed <= buffer.size());
      SHOAL_ASSERT_MSG(last_needed <= cmd.consumed, "needed_bytes() overshot the frame");
      for (const std::string_view arg : cmd.argv) {
        const bool in_buffer =
            arg.empty() || (arg.data() >= buffer.data() &&
                            arg.data() + arg.size() <= buffer.data() + cmd.consumed);
        const bool in_scratch = arg.data() >= cmd.scratch.data() &&
                                arg.data() + arg.size() <= cmd.scratch.data() + cmd.scratch.size();
        SHOAL_ASSERT_MSG(in_buffer || in_scratch, "argument outside the frame and scratch");
      }
      if (!cmd.argv.empty()) result.commands.emplace_back(cmd.argv.begin(), cmd.argv.end());
      offset += cmd.consumed;
      needed = 0;
      last_needed = 0;
    }
    pending.erase(0, offset);
  }
  result.leftover = pending.size();
  return result;
}

}  // namespace
}  // namespace shoal::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shoal::fuzz;  // NOLINT(build/namespaces): a target is one function
  FuzzInput in(data, size);
  const shoal::ParserLimits limits = DecodeLimits(in.Byte());
  const ChunkPlan plan(in);
  const bool use_needed = (in.Byte() & 1) != 0;
  const std::string_view stream = in.Rest();
  const StreamResult whole = RunStream(limits, stream, ChunkPlan(), false);
  const StreamResult split = RunStream(limits, stream, plan, use_needed);
  SHOAL_ASSERT_MSG(whole == split, "the split changed the parse");
  return 0;
}
