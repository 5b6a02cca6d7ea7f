// Fuzz target: the client's RESP2/RESP3 reply parser (client/state/reply_parser.h), which reads
// whatever a server (or a man in the middle) sends. For any input it checks:
//   - no crash, no undefined behaviour, bounded recursion (depth_max);
//   - kNeedMore leaves the buffer untouched (invariant 1) and kOk consumes bytes (invariant 2);
//   - splitting does not matter: the same replies and the same final status whether the bytes
//     arrive at once or in the reads the input chooses;
//   - every parsed reply, written back as RESP, parses to an equal reply.
//
// Input: [limits byte] [ChunkPlan: count, sizes...] [payload: the bytes a server sends].
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/state/reply_parser.h"
#include "core/result.h"
#include "tests/fuzz/fuzz_input.h"

namespace shoal::fuzz {
namespace {

using client::Reply;
using client::ReplyLimits;
using client::ReplyParser;
using client::ReplyStatus;

constexpr std::size_t kBulkBytesMaxChoices[] = {ReplyLimits{}.bulk_bytes_max, 0, 3, 64};
constexpr std::size_t kArrayLenMaxChoices[] = {ReplyLimits{}.array_len_max, 0, 2, 16};
constexpr std::size_t kDepthMaxChoices[] = {ReplyLimits{}.depth_max, 0, 1, 3};
constexpr std::size_t kLineBytesMaxChoices[] = {ReplyLimits{}.line_bytes_max, 0, 8};
// Replies taken from one stream.
constexpr std::size_t kRepliesMax = 4096;
// Longer inputs are ignored. ReplyParser re-parses a partial reply from its first byte on every
// Next(), which is quadratic in the reply's size when it arrives a byte at a time: 4 KiB inputs
// cost about 1 ms each under ASan; 1 KiB still reaches every path, several times faster.
constexpr std::size_t kInputBytesMax = 1024;

ReplyLimits DecodeLimits(unsigned digits) {
  ReplyLimits limits;
  limits.bulk_bytes_max = Choose(digits, kBulkBytesMaxChoices);
  limits.array_len_max = Choose(digits, kArrayLenMaxChoices);
  limits.depth_max = Choose(digits, kDepthMaxChoices);
  limits.line_bytes_max = Choose(digits, kLineBytesMaxChoices);
  return limits;
}

bool Equal(const Reply& a, const Reply& b) {
  if (a.type != b.type || a.text != b.text || a.integer != b.integer ||
      a.elements.size() != b.elements.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.elements.size(); ++i) {
    if (!Equal(a.elements[i], b.elements[i])) return false;
  }
  return true;
}

// RESP for a parsed reply, in the plainest spelling that parses back to it (maps come back as
// the flat arrays the parser turns them into, verbatim strings as bulk strings).
void Write(const Reply& r, std::string& out) {
  switch (r.type) {
    case Reply::Type::kSimple:
      out += "+" + r.text + "\r\n";
      break;
    case Reply::Type::kError:
      out += "-" + r.text + "\r\n";
      break;
    case Reply::Type::kInteger:
      out += ":" + std::to_string(r.integer) + "\r\n";
      break;
    case Reply::Type::kBulk:
      out += "$" + std::to_string(r.text.size()) + "\r\n" + r.text + "\r\n";
      break;
    case Reply::Type::kNil:
      out += "_\r\n";
      break;
    case Reply::Type::kArray:
      out += "*" + std::to_string(r.elements.size()) + "\r\n";
      for (const Reply& e : r.elements) Write(e, out);
      break;
    case Reply::Type::kBool:
      out += r.integer != 0 ? "#t\r\n" : "#f\r\n";
      break;
    case Reply::Type::kDouble:
      out += "," + r.text + "\r\n";
      break;
  }
}

struct StreamResult {
  std::vector<Reply> replies;
  ReplyStatus last = ReplyStatus::kNeedMore;
};

StreamResult RunStream(const ReplyLimits& limits, std::string_view stream, ChunkPlan plan) {
  ReplyParser parser(limits);
  StreamResult result;
  std::size_t fed = 0;
  while (fed < stream.size()) {
    const std::size_t n = plan.Next(stream.size() - fed);
    parser.Append(stream.substr(fed, n));
    fed += n;
    while (result.replies.size() < kRepliesMax) {
      const std::size_t before = parser.buffered_bytes();
      Reply reply;
      result.last = parser.Next(reply);
      if (result.last == ReplyStatus::kError) return result;
      if (result.last == ReplyStatus::kNeedMore) {
        SHOAL_ASSERT_MSG(parser.buffered_bytes() == before, "kNeedMore consumed bytes");
        break;
      }
      SHOAL_ASSERT_MSG(parser.buffered_bytes() < before, "kOk consumed nothing");
      result.replies.push_back(std::move(reply));
    }
    if (result.replies.size() == kRepliesMax) return result;
  }
  return result;
}

}  // namespace
}  // namespace shoal::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shoal::fuzz;  // NOLINT(build/namespaces): a target is one function
  if (size > kInputBytesMax) return 0;
  FuzzInput in(data, size);
  const ReplyLimits limits = DecodeLimits(in.Byte());
  const ChunkPlan plan(in);
  const std::string_view stream = in.Rest();
  const StreamResult whole = RunStream(limits, stream, ChunkPlan());
  const StreamResult split = RunStream(limits, stream, plan);
  SHOAL_ASSERT_MSG(whole.last == split.last, "the split changed the final status");
  SHOAL_ASSERT_MSG(whole.replies.size() == split.replies.size(), "the split changed the replies");
  for (std::size_t i = 0; i < whole.replies.size(); ++i) {
    SHOAL_ASSERT_MSG(Equal(whole.replies[i], split.replies[i]), "the split changed a reply");
    // Written back with generous limits (the original's depth is within depth_max already).
    std::string written;
    Write(whole.replies[i], written);
    ReplyParser again;
    again.Append(written);
    Reply reparsed;
    SHOAL_ASSERT_MSG(again.Next(reparsed) == ReplyStatus::kOk, "a written reply does not parse");
    SHOAL_ASSERT_MSG(again.buffered_bytes() == 0, "a written reply parses short");
    SHOAL_ASSERT_MSG(Equal(whole.replies[i], reparsed), "a reply does not round-trip");
  }
  return 0;
}
