// The peer codec (see codec.h for the frame layout), on the field encoding of wire.h.
#include "core/cluster/codec.h"

#include <cstring>
#include <type_traits>

#include "core/cluster/wire.h"
#include "core/slot.h"

namespace shoal::cluster {
namespace {

using wire::Reader;
using wire::Writer;

enum class Kind : std::uint8_t {
  kReplicate = 0,
  kReplicateAck = 1,
  kSyncRequest = 2,
  kSyncReply = 3,
  kIncarnationTooOld = 4,
  kVoteRequest = 5,
  kVoteReply = 6,
  kAppendEntries = 7,
  kAppendReply = 8,
  kInstallSnapshot = 9,
  kMemberStatus = 10,
};
constexpr std::uint8_t kKindCount = 11;
static_assert(std::variant_size_v<Body> == kKindCount);

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

void PutBody(Writer& w, const MemberStatus& b) {
  w.Bool(b.first_life);
  w.Bool(b.serving);
}
void GetBody(Reader& r, MemberStatus& b) {
  b.first_life = r.Bool();
  b.serving = r.Bool();
}

void PutBody(Writer& w, const VoteRequest& b) {
  w.Var(b.term);
  w.Var(b.last_index);
  w.Var(b.last_term);
  w.Bool(b.pre_vote);
}
void GetBody(Reader& r, VoteRequest& b) {
  b.term = r.Var();
  b.last_index = r.Var();
  b.last_term = r.Var();
  b.pre_vote = r.Bool();
}

void PutBody(Writer& w, const VoteReply& b) {
  w.Var(b.term);
  w.Bool(b.granted);
  w.Bool(b.pre_vote);
}
void GetBody(Reader& r, VoteReply& b) {
  b.term = r.Var();
  b.granted = r.Bool();
  b.pre_vote = r.Bool();
}

void PutBody(Writer& w, const AppendEntries& b) {
  w.Var(b.term);
  w.Var(b.prev_index);
  w.Var(b.prev_term);
  w.Var(b.commit);
  w.Var(b.entries.size());
  for (const LogEntry& e : b.entries) {
    w.Var(e.term);
    w.Str(e.data);
  }
  w.Signed(b.echo_ms);
  w.Signed(b.sent_ms);
}
void GetBody(Reader& r, AppendEntries& b) {
  b.term = r.Var();
  b.prev_index = r.Var();
  b.prev_term = r.Var();
  b.commit = r.Var();
  b.entries.resize(r.Count(r.limits().log_entries_max));
  for (LogEntry& e : b.entries) {
    if (!r.ok()) return;
    e.term = r.Var();
    e.data = r.Str(r.limits().log_entry_bytes_max);
  }
  b.echo_ms = r.Signed();
  b.sent_ms = r.Signed();
  if (b.echo_ms < 0 || b.sent_ms < 0) r.Fail(Error::kProtocol);
}

void PutBody(Writer& w, const AppendReply& b) {
  w.Var(b.term);
  w.Bool(b.success);
  w.Var(b.match_index);
  w.Var(b.rejected_index);
  w.Var(b.last_index);
  w.Signed(b.sent_ms);
  w.Signed(b.echo_ms);
}
void GetBody(Reader& r, AppendReply& b) {
  b.term = r.Var();
  b.success = r.Bool();
  b.match_index = r.Var();
  b.rejected_index = r.Var();
  b.last_index = r.Var();
  b.sent_ms = r.Signed();
  b.echo_ms = r.Signed();
  if (b.sent_ms < 0 || b.echo_ms < 0) r.Fail(Error::kProtocol);
}

void PutBody(Writer& w, const InstallSnapshot& b) {
  w.Var(b.term);
  w.Var(b.snapshot.last_index);
  w.Var(b.snapshot.last_term);
  w.Str(b.snapshot.data);
}
void GetBody(Reader& r, InstallSnapshot& b) {
  b.term = r.Var();
  b.snapshot.last_index = r.Var();
  b.snapshot.last_term = r.Var();
  b.snapshot.data = r.Str(r.limits().snapshot_bytes_max);
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
    case 5:
      return "vote_request";
    case 6:
      return "vote_reply";
    case 7:
      return "append_entries";
    case 8:
      return "append_reply";
    case 9:
      return "install_snapshot";
    case 10:
      return "member_status";
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
    case Kind::kVoteRequest:
      GetBodyAt<5>(r, e.body);
      break;
    case Kind::kVoteReply:
      GetBodyAt<6>(r, e.body);
      break;
    case Kind::kAppendEntries:
      GetBodyAt<7>(r, e.body);
      break;
    case Kind::kAppendReply:
      GetBodyAt<8>(r, e.body);
      break;
    case Kind::kInstallSnapshot:
      GetBodyAt<9>(r, e.body);
      break;
    case Kind::kMemberStatus:
      GetBodyAt<10>(r, e.body);
      break;
  }
  if (r.ok() && !r.AtEnd()) r.Fail(Error::kProtocol);
  if (!r.ok()) return make_error_code(r.error());
  return e;
}

std::uint64_t HashEnvelope(const Envelope& envelope) {
  std::string bytes;
  EncodeTo(envelope, bytes);
  return wire::Fnv1a64(bytes);
}

}  // namespace shoal::cluster
