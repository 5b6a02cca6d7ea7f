// Fuzz target: the peer message codec (core/cluster/codec.h), which decodes whatever another
// member (or anything that reaches the peer port) sends. For any input it checks:
//   - Decode never crashes, reads past its frame, or fails with an error other than kProtocol or
//     kLimitExceeded;
//   - whenever Decode(b) succeeds: Decode(Encode(Decode(b))) == Decode(b) under the same limits,
//     the re-encoding is canonical (encoding it again gives the same bytes) and no longer than b,
//     and HashEnvelope agrees;
//   - PeekFrame on every prefix of a stream: kNeedMore until the header and then the whole frame
//     are there, kTooLarge (from the header on) or kComplete with the same frame size after;
//   - splitting does not matter: a transport that appends each read and takes every complete
//     frame (PeekFrame, then Decode) gets the same envelopes, the same errors, the same final
//     status and the same unconsumed tail whether the bytes arrive at once or in the reads the
//     input chooses.
// The target decodes whatever kinds codec.h knows: a new message kind is fuzzed without a change
// here (add seeds for it in make_seeds.py).
//
// Input: [limits: 2 bytes] [ChunkPlan: count, sizes...] [payload: the bytes a peer sends].
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/cluster/codec.h"
#include "core/cluster/messages.h"
#include "core/result.h"
#include "tests/fuzz/fuzz_input.h"

namespace shoal::fuzz {
namespace {

using cluster::CodecLimits;
using cluster::Envelope;
using cluster::FrameStatus;

// Small limits reach every over-limit path with short inputs; the defaults are what shoald runs.
constexpr std::size_t kFrameBytesMaxChoices[] = {CodecLimits{}.frame_bytes_max, 0, 8, 40, 1024};
constexpr std::size_t kMutationsMaxChoices[] = {CodecLimits{}.mutations_max, 0, 1, 2};
constexpr std::size_t kKeysPerMutationMaxChoices[] = {CodecLimits{}.keys_per_mutation_max, 0, 1, 3};
constexpr std::size_t kKeyBytesMaxChoices[] = {CodecLimits{}.key_bytes_max, 0, 4};
constexpr std::size_t kValueBytesMaxChoices[] = {CodecLimits{}.value_bytes_max, 0, 8};
// Frames taken from one stream; an input is at most a few KiB.
constexpr std::size_t kFramesMax = 256;

CodecLimits DecodeLimits(unsigned digits) {
  CodecLimits limits;
  limits.frame_bytes_max = Choose(digits, kFrameBytesMaxChoices);
  limits.mutations_max = Choose(digits, kMutationsMaxChoices);
  limits.keys_per_mutation_max = Choose(digits, kKeysPerMutationMaxChoices);
  limits.key_bytes_max = Choose(digits, kKeyBytesMaxChoices);
  limits.value_bytes_max = Choose(digits, kValueBytesMaxChoices);
  return limits;
}

// A frame's decode: the envelope, or the error. Equal when both failed the same way or both
// decoded to equal envelopes.
struct Decoded {
  bool ok = false;
  Error error = Error::kOk;
  Envelope envelope;
  bool operator==(const Decoded&) const = default;
};

// Decodes one frame (exactly `frame`) and checks the round trip of a success.
Decoded DecodeChecked(std::string_view frame, const CodecLimits& limits) {
  // A heap copy that ends where the frame ends, so ASan sees any read past it.
  auto copy = std::make_unique<char[]>(frame.size());
  if (!frame.empty()) std::memcpy(copy.get(), frame.data(), frame.size());
  const std::string_view exact(copy.get(), frame.size());
  const Result<Envelope> first = cluster::Decode(exact, limits);
  Decoded out;
  if (!first) {
    SHOAL_ASSERT(first.error().category() == ErrorCategory());
    out.error = static_cast<Error>(first.error().value());
    SHOAL_ASSERT_MSG(out.error == Error::kProtocol || out.error == Error::kLimitExceeded,
                     "Decode failed with an unexpected error");
    return out;
  }
  out.ok = true;
  out.envelope = first.value();
  const std::string encoded = cluster::Encode(out.envelope);
  SHOAL_ASSERT_MSG(encoded.size() <= frame.size(), "the re-encoding is longer than the frame");
  const Result<Envelope> second = cluster::Decode(encoded, limits);
  SHOAL_ASSERT_MSG(second.has_value(), "an encoded envelope does not decode");
  SHOAL_ASSERT_MSG(second.value() == out.envelope, "decode(encode(decode(b))) != decode(b)");
  SHOAL_ASSERT_MSG(cluster::Encode(second.value()) == encoded, "the encoding is not canonical");
  SHOAL_ASSERT(cluster::HashEnvelope(second.value()) == cluster::HashEnvelope(out.envelope));
  SHOAL_ASSERT(cluster::Decode(encoded, CodecLimits{}).has_value());  // within shoald's limits
  return out;
}

// PeekFrame on every prefix of `buffer`: once it answers kComplete or kTooLarge, every longer
// prefix gets the same answer (and frame size); before that, kNeedMore.
void CheckPrefixes(std::string_view buffer, const CodecLimits& limits) {
  FrameStatus settled = FrameStatus::kNeedMore;
  std::size_t settled_bytes = 0;
  for (std::size_t n = 0; n <= buffer.size(); ++n) {
    std::size_t frame_bytes = 0;
    const FrameStatus status = cluster::PeekFrame(buffer.substr(0, n), frame_bytes, limits);
    if (n < cluster::kFrameHeaderBytes) SHOAL_ASSERT(status == FrameStatus::kNeedMore);
    if (settled != FrameStatus::kNeedMore) {
      SHOAL_ASSERT_MSG(status == settled, "PeekFrame changed its answer on a longer prefix");
      if (status == FrameStatus::kComplete) SHOAL_ASSERT(frame_bytes == settled_bytes);
      continue;
    }
    settled = status;
    if (status == FrameStatus::kComplete) {
      SHOAL_ASSERT(frame_bytes >= cluster::kFrameHeaderBytes && frame_bytes == n);
      SHOAL_ASSERT(frame_bytes - cluster::kFrameHeaderBytes <= limits.frame_bytes_max);
      settled_bytes = frame_bytes;
    }
  }
}

struct StreamResult {
  std::vector<Decoded> frames;
  FrameStatus last = FrameStatus::kNeedMore;  // PeekFrame's last answer
  std::size_t leftover = 0;                   // bytes of the stream not taken as frames
  bool operator==(const StreamResult&) const = default;
};

// Feeds `stream` the way a peer link does: append each read, take every complete frame, stop
// at kTooLarge (the link is dropped).
StreamResult RunStream(std::string_view stream, const CodecLimits& limits, ChunkPlan plan,
                       bool check_round_trips) {
  StreamResult result;
  std::string pending;
  std::size_t fed = 0;
  std::size_t taken = 0;
  while (fed < stream.size()) {
    const std::size_t n = plan.Next(stream.size() - fed);
    pending.append(stream.substr(fed, n));
    fed += n;
    std::size_t offset = 0;
    while (result.frames.size() < kFramesMax) {
      std::size_t frame_bytes = 0;
      result.last =
          cluster::PeekFrame(std::string_view(pending).substr(offset), frame_bytes, limits);
      if (result.last == FrameStatus::kTooLarge) {
        result.leftover = stream.size() - taken;  // the link is dropped with these unread
        return result;
      }
      if (result.last == FrameStatus::kNeedMore) break;
      SHOAL_ASSERT(frame_bytes <= pending.size() - offset);
      const std::string_view frame = std::string_view(pending).substr(offset, frame_bytes);
      if (check_round_trips) {
        result.frames.push_back(DecodeChecked(frame, limits));
      } else {
        const Result<Envelope> e = cluster::Decode(frame, limits);
        result.frames.push_back(e ? Decoded{.ok = true, .envelope = e.value()}
                                  : Decoded{.error = static_cast<Error>(e.error().value())});
      }
      offset += frame_bytes;
      taken += frame_bytes;
    }
    pending.erase(0, offset);
    if (result.frames.size() == kFramesMax) break;
  }
  // Not pending.size(): when kFramesMax stops the loop, a split stream has not been fed whole.
  result.leftover = stream.size() - taken;
  return result;
}

}  // namespace
}  // namespace shoal::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shoal::fuzz;  // NOLINT(build/namespaces): a target is one function
  FuzzInput in(data, size);
  const CodecLimits limits = DecodeLimits(in.Uint16());
  const ChunkPlan plan(in);
  const std::string_view stream = in.Rest();
  DecodeChecked(stream, limits);  // the whole payload as one frame
  CheckPrefixes(stream, limits);
  const StreamResult whole = RunStream(stream, limits, ChunkPlan(), /*check_round_trips=*/true);
  const StreamResult split = RunStream(stream, limits, plan, /*check_round_trips=*/false);
  SHOAL_ASSERT_MSG(whole == split, "the split changed what the frames decode to");
  return 0;
}
