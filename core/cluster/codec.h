// The peer codec: versioned, length-prefixed, bounds-checked binary framing of an Envelope
// (core/cluster/messages.h). Pure: no Asio, no I/O. The simulator round-trips every message
// through it, the peer transport (net/) writes and reads exactly these frames.
//
// Frame:   u32 little-endian payload length N, then N payload bytes:
//          u8 codec version (kCodecVersion), u8 body kind, varint from, varint incarnation,
//          varint config_epoch, then the body's fields in declaration order.
// Fields:  unsigned integers as LEB128 varints (at most 10 bytes, no overflow), TimeMs as a
//          zig-zag varint, bool as one byte 0 or 1, strings as varint length + bytes, vectors as
//          varint count + elements.
//
// Decode never crashes and never allocates more than the frame's own size suggests: every count
// and length is checked against CodecLimits and against the bytes left before anything is
// reserved. It returns an error for a short frame, a frame over the limit, an unknown codec
// version or kind, a malformed field, an invariant of messages.h broken, or trailing bytes.
//
// Thread safety: pure functions. Invariant: Decode(Encode(e)) == e for every valid e.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/cluster/messages.h"
#include "core/limits.h"
#include "core/result.h"

namespace shoal::cluster {

inline constexpr std::uint8_t kCodecVersion = 1;
inline constexpr std::size_t kFrameHeaderBytes = 4;

struct CodecLimits {
  std::size_t frame_bytes_max = limits::kPeerFrameBytesMax;  // payload bytes
  std::size_t mutations_max = limits::kPeerMutationsPerMessageMax;
  std::size_t keys_per_mutation_max = limits::kPeerKeysPerMutationMax;
  std::size_t key_bytes_max = limits::kKeyBytesMax;
  std::size_t value_bytes_max = limits::kValueBytesHardMax;
  std::size_t log_entries_max = limits::kConfigAppendEntriesMax;
  std::size_t log_entry_bytes_max = limits::kConfigEntryBytesMax;
  std::size_t snapshot_bytes_max = limits::kConfigSnapshotBytesMax;
};

// Appends the frame of `envelope` to `out`. REQUIRES: the envelope keeps the invariants of
// messages.h and its frame fits CodecLimits{} (asserted).
void EncodeTo(const Envelope& envelope, std::string& out);
std::string Encode(const Envelope& envelope);

enum class FrameStatus : std::uint8_t {
  kComplete,  // `frame_bytes` is the size of the first frame, header included
  kNeedMore,  // the buffer holds only part of a frame (or of its header)
  kTooLarge,  // the header announces more than limits.frame_bytes_max: drop the peer
};
// For stream transports: is a whole frame at the front of `buffer`?
FrameStatus PeekFrame(std::string_view buffer, std::size_t& frame_bytes,
                      const CodecLimits& limits = {});

// Decodes exactly one frame (header included, nothing after it). Errors: Error::kProtocol
// (malformed, unknown version or kind, broken invariant, trailing bytes), Error::kLimitExceeded
// (a count, length or the frame beyond `limits`).
Result<Envelope> Decode(std::string_view frame, const CodecLimits& limits = {});

// A stable 64-bit hash of the envelope's frame (FNV-1a over Encode): the same value on every
// build, for the simulator's trace hash.
std::uint64_t HashEnvelope(const Envelope& envelope);

}  // namespace shoal::cluster
