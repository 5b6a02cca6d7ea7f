// The peer codec (see codec.h for the frame layout). Writer appends fields; Reader consumes them
// with every bound checked and remembers the first error, so a decode reads straight through and
// tests the error once per message.
#include "core/cluster/codec.h"

#include <cstring>
#include <type_traits>

#include "core/slot.h"

namespace shoal::cluster {
namespace {

enum class Kind : std::uint8_t {
  kReplicate = 0,
  kReplicateAck = 1,
  kSyncRequest = 2,
  kSyncReply = 3,
  kIncarnationTooOld = 4,
};
constexpr std::uint8_t kKindCount = 5;
static_assert(std::variant_size_v<Body> == kKindCount);

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Bool(bool v) { U8(v ? 1 : 0); }
  void Var(std::uint64_t v) {
    if (v < 0x80) {  // most lengths, counts and ids: one byte
      U8(static_cast<std::uint8_t>(v));
      return;
    }
    char bytes[10];
    std::size_t n = 0;
    while (v >= 0x80) {
      bytes[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    bytes[n++] = static_cast<char>(v);
    out_.append(bytes, n);
  }
  void Signed(std::int64_t v) {
    Var((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void Str(std::string_view s) {
    Var(s.size());
    out_.append(s);
  }

 private:
  std::string& out_;
};

class Reader {
 public:
  Reader(std::string_view in, const CodecLimits& limits) : in_(in), limits_(limits) {}

  bool ok() const { return error_ == Error::kOk; }
  Error error() const { return error_; }
  bool AtEnd() const { return pos_ == in_.size(); }
  void Fail(Error e) {
    if (error_ == Error::kOk) error_ = e;
    pos_ = in_.size();
  }

  std::uint8_t U8() {
    if (pos_ >= in_.size()) {
      Fail(Error::kProtocol);
      return 0;
    }
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  bool Bool() {
    const std::uint8_t b = U8();
    if (b > 1) Fail(Error::kProtocol);
    return b == 1;
  }
  std::uint64_t Var() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t b = U8();
      if (!ok()) return 0;
      const std::uint64_t bits = b & 0x7f;
      if (shift == 63 && bits > 1) {  // the tenth byte may carry only the top bit
        Fail(Error::kProtocol);
        return 0;
      }
      v |= bits << shift;
      if ((b & 0x80) == 0) return v;
    }
    Fail(Error::kProtocol);
    return 0;
  }
  std::int64_t Signed() {
    const std::uint64_t z = Var();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string Str(std::size_t max) {
    const std::uint64_t n = Var();
    if (!ok()) return {};
    if (n > max) {
      Fail(Error::kLimitExceeded);
      return {};
    }
    if (n > in_.size() - pos_) {
      Fail(Error::kProtocol);
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A count of elements that take at least one byte each: bounded by `max` and the bytes left.
  std::size_t Count(std::size_t max) {
    const std::uint64_t n = Var();
    if (!ok()) return 0;
    if (n > max) {
      Fail(Error::kLimitExceeded);
      return 0;
    }
    if (n > in_.size() - pos_) {
      Fail(Error::kProtocol);
      return 0;
    }
    return static_cast<std::size_t>(n);
  }
  const CodecLimits& limits() const { return limits_; }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  const CodecLimits& limits_;
  Error error_ = Error::kOk;
};

// --- Fields --------------------------------------------------------------------------------------

void Put(Writer& w, const KeyState& k) {
  w.Str(k.key);
  w.Str(k.value);
  w.Signed(k.expire_at);
  w.Bool(k.deleted);
}
void Get(Reader& r, KeyState& k) {
  k.key = r.Str(r.limits().key_bytes_max);
  k.value = r.Str(r.limits().value_bytes_max);
  k.expire_at = r.Signed();
  k.deleted = r.Bool();
  if (k.deleted && (!k.value.empty() || k.expire_at != kNoExpiry)) r.Fail(Error::kProtocol);
  if (k.expire_at < 0) r.Fail(Error::kProtocol);
}

bool MutationValid(const Mutation& m) {
  if (m.slot >= limits::kSlotCount) return false;
  if (m.flush) return m.keys.empty();
  if (m.keys.empty()) return false;
  for (const KeyState& k : m.keys) {
    if (KeySlot(k.key) != m.slot) return false;
  }
  return true;
}

void Put(Writer& w, const Mutation& m) {
  SHOAL_ASSERT_MSG(MutationValid(m), "encoding a malformed mutation");
  w.Var(m.slot);
  w.Var(m.version);
  w.Bool(m.flush);
  w.Var(m.keys.size());
  for (const KeyState& k : m.keys) Put(w, k);
}
void Get(Reader& r, Mutation& m) {
  const std::uint64_t slot = r.Var();
  m.slot = static_cast<std::uint16_t>(slot);
  m.version = r.Var();
  m.flush = r.Bool();
  const std::size_t n = r.Count(r.limits().keys_per_mutation_max);
  m.keys.resize(n);
  for (KeyState& k : m.keys) {
    if (!r.ok()) return;
    Get(r, k);
  }
  if (r.ok() && (slot >= limits::kSlotCount || !MutationValid(m))) r.Fail(Error::kProtocol);
}

void PutMutations(Writer& w, const std::vector<Mutation>& ms) {
  w.Var(ms.size());
  for (const Mutation& m : ms) Put(w, m);
}
void GetMutations(Reader& r, std::vector<Mutation>& ms) {
  ms.resize(r.Count(r.limits().mutations_max));
  for (Mutation& m : ms) {
    if (!r.ok()) return;
    Get(r, m);
  }
}

void PutCursor(Writer& w, const SyncCursor& c) {
  w.U8(c.phase);
  w.Var(c.position);
}
void GetCursor(Reader& r, SyncCursor& c) {
  c.phase = r.U8();
  c.position = r.Var();
  if (c.phase >= kSyncPhases) r.Fail(Error::kProtocol);
}

// --- Bodies --------------------------------------------------------------------------------------

void PutBody(Writer& w, const Replicate& b) {
  SHOAL_ASSERT(!b.mutations.empty());
  w.Var(b.to_incarnation);
  w.Var(b.first_seq);
  PutMutations(w, b.mutations);
  w.Var(b.ack.to_incarnation);
  w.Var(b.ack.applied_through);
}
void GetBody(Reader& r, Replicate& b) {
  b.to_incarnation = r.Var();
  b.first_seq = r.Var();
  GetMutations(r, b.mutations);
  b.ack.to_incarnation = r.Var();
  b.ack.applied_through = r.Var();
  if (r.ok() && b.mutations.empty()) r.Fail(Error::kProtocol);
}

void PutBody(Writer& w, const ReplicateAck& b) {
  w.Var(b.to_incarnation);
  w.Var(b.applied_through);
}
void GetBody(Reader& r, ReplicateAck& b) {
  b.to_incarnation = r.Var();
  b.applied_through = r.Var();
}

void PutBody(Writer& w, const SyncRequest& b) {
  w.Var(b.chunk);
  PutCursor(w, b.cursor);
}
void GetBody(Reader& r, SyncRequest& b) {
  b.chunk = r.Var();
  GetCursor(r, b.cursor);
}

void PutBody(Writer& w, const SyncReply& b) {
  w.Var(b.to_incarnation);
  w.Var(b.chunk);
  PutCursor(w, b.next);
  w.Bool(b.done);
  PutMutations(w, b.entries);
}
void GetBody(Reader& r, SyncReply& b) {
  b.to_incarnation = r.Var();
  b.chunk = r.Var();
  GetCursor(r, b.next);
  b.done = r.Bool();
  GetMutations(r, b.entries);
}

void PutBody(Writer& w, const IncarnationTooOld& b) {
  w.Var(b.to_incarnation);
  w.Var(b.largest_seen);
}
void GetBody(Reader& r, IncarnationTooOld& b) {
  b.to_incarnation = r.Var();
  b.largest_seen = r.Var();
}

template <std::size_t I>
void GetBodyAt(Reader& r, Body& body) {
  body.emplace<I>();
  GetBody(r, std::get<I>(body));
}

std::uint32_t LoadLe32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof(v));  // x86-64 and aarch64 are little-endian
  return v;
}

}  // namespace

const char* BodyName(const Body& body) {
  switch (body.index()) {
    case 0:
      return "replicate";
    case 1:
      return "replicate_ack";
    case 2:
      return "sync_request";
    case 3:
      return "sync_reply";
    case 4:
      return "incarnation_too_old";
  }
  return "?";
}

void EncodeTo(const Envelope& envelope, std::string& out) {
  const std::size_t start = out.size();
  out.append(kFrameHeaderBytes, '\0');
  Writer w(out);
  w.U8(kCodecVersion);
  w.U8(static_cast<std::uint8_t>(envelope.body.index()));
  w.Var(envelope.from);
  w.Var(envelope.incarnation);
  w.Var(envelope.config_epoch);
  std::visit([&](const auto& body) { PutBody(w, body); }, envelope.body);
  const std::size_t payload = out.size() - start - kFrameHeaderBytes;
  SHOAL_ASSERT_MSG(payload <= limits::kPeerFrameBytesMax, "peer frame over the limit");
  const auto n = static_cast<std::uint32_t>(payload);
  std::memcpy(out.data() + start, &n, sizeof(n));
}

std::string Encode(const Envelope& envelope) {
  std::string out;
  EncodeTo(envelope, out);
  return out;
}

FrameStatus PeekFrame(std::string_view buffer, std::size_t& frame_bytes,
                      const CodecLimits& limits) {
  if (buffer.size() < kFrameHeaderBytes) return FrameStatus::kNeedMore;
  const std::uint32_t payload = LoadLe32(buffer.data());
  if (payload > limits.frame_bytes_max) return FrameStatus::kTooLarge;
  if (buffer.size() - kFrameHeaderBytes < payload) return FrameStatus::kNeedMore;
  frame_bytes = kFrameHeaderBytes + payload;
  return FrameStatus::kComplete;
}

Result<Envelope> Decode(std::string_view frame, const CodecLimits& limits) {
  std::size_t frame_bytes = 0;
  switch (PeekFrame(frame, frame_bytes, limits)) {
    case FrameStatus::kNeedMore:
      return make_error_code(Error::kProtocol);
    case FrameStatus::kTooLarge:
      return make_error_code(Error::kLimitExceeded);
    case FrameStatus::kComplete:
      break;
  }
  if (frame_bytes != frame.size()) return make_error_code(Error::kProtocol);
  Reader r(frame.substr(kFrameHeaderBytes), limits);
  if (r.U8() != kCodecVersion) return make_error_code(Error::kProtocol);
  const std::uint8_t kind = r.U8();
  if (!r.ok() || kind >= kKindCount) return make_error_code(Error::kProtocol);
  Envelope e;
  const std::uint64_t from = r.Var();
  if (from >= limits::kClusterNodesMax) r.Fail(Error::kProtocol);
  e.from = static_cast<NodeId>(from);
  e.incarnation = r.Var();
  e.config_epoch = r.Var();
  switch (static_cast<Kind>(kind)) {
    case Kind::kReplicate:
      GetBodyAt<0>(r, e.body);
      break;
    case Kind::kReplicateAck:
      GetBodyAt<1>(r, e.body);
      break;
    case Kind::kSyncRequest:
      GetBodyAt<2>(r, e.body);
      break;
    case Kind::kSyncReply:
      GetBodyAt<3>(r, e.body);
      break;
    case Kind::kIncarnationTooOld:
      GetBodyAt<4>(r, e.body);
      break;
  }
  if (r.ok() && !r.AtEnd()) r.Fail(Error::kProtocol);
  if (!r.ok()) return make_error_code(r.error());
  return e;
}

std::uint64_t HashEnvelope(const Envelope& envelope) {
  std::string bytes;
  EncodeTo(envelope, bytes);
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

}  // namespace shoal::cluster
