// Tests of the peer codec (core/cluster/codec.h): every message kind round-trips, the frame
// layout is what the header says, and no byte string crashes Decode (random, truncated and
// mutated frames; decode(encode(decode(b))) == decode(b) whenever the first decode succeeds).
#include "core/cluster/codec.h"

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/slot.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::cluster {
namespace {

// Keys whose slot is known: "{t}<n>" all share the slot of "t".
std::string KeyIn(const std::string& tag, int n) { return "{" + tag + "}" + std::to_string(n); }

Mutation KeysMutation(const std::string& tag, Version version, int keys) {
  Mutation m;
  m.slot = KeySlot(tag);
  m.version = version;
  for (int i = 0; i < keys; ++i) {
    KeyState k;
    k.key = KeyIn(tag, i);
    if (i % 3 == 2) {
      k.deleted = true;
    } else {
      k.value = std::string(static_cast<std::size_t>(i * 7), static_cast<char>('a' + i));
      k.expire_at = i % 2 == 0 ? kNoExpiry : 1'700'000'000'000 + i;
    }
    m.keys.push_back(std::move(k));
  }
  return m;
}

std::vector<Envelope> SampleEnvelopes() {
  std::vector<Envelope> out;
  Envelope base{.from = 3, .incarnation = 1'700'000'000'123, .config_epoch = 0};
  Envelope e = base;
  Replicate r{.to_incarnation = 1'700'000'000'999, .first_seq = 42};
  r.ack = ReplicateAck{.to_incarnation = 7, .applied_through = 99};
  r.mutations.push_back(KeysMutation("a", (std::uint64_t{1} << 60) + 5, 3));
  r.mutations.push_back(Mutation{.slot = 16383, .version = 77, .flush = true});
  e.body = r;
  out.push_back(e);
  e.body = ReplicateAck{.to_incarnation = 9, .applied_through = ~std::uint64_t{0}};
  out.push_back(e);
  e.body = SyncRequest{.chunk = 5, .cursor = {.phase = 1, .position = 1234}};
  out.push_back(e);
  SyncReply s{.to_incarnation = 8, .chunk = 5, .next = {.phase = 2, .position = 99}, .done = true};
  s.entries.push_back(KeysMutation("b", 1, 1));
  e.body = s;
  out.push_back(e);
  e.body = SyncReply{};  // empty reply
  out.push_back(e);
  e.body = IncarnationTooOld{.to_incarnation = 4, .largest_seen = 6};
  out.push_back(e);
  e.body = VoteRequest{.term = 7, .last_index = 300, .last_term = 6, .pre_vote = true};
  out.push_back(e);
  e.body = VoteReply{.term = 7, .granted = true, .pre_vote = false};
  out.push_back(e);
  AppendEntries a{.term = 9, .prev_index = 12, .prev_term = 8, .commit = 11};
  a.entries.push_back(LogEntry{.term = 9, .data = ""});
  a.entries.push_back(LogEntry{.term = 9, .data = std::string("\0change\xff", 8)});
  a.echo_ms = 123'456'789;
  a.sent_ms = 223'456'789;
  e.body = a;
  out.push_back(e);
  e.body = AppendEntries{.term = 9};  // a heartbeat
  out.push_back(e);
  e.body = AppendReply{.term = 9,
                       .success = false,
                       .rejected_index = 12,
                       .last_index = 5,
                       .sent_ms = 987'654,
                       .echo_ms = 887'654};
  out.push_back(e);
  e.body =
      InstallSnapshot{.term = 9, .snapshot = {.last_index = 100, .last_term = 8, .data = "config"}};
  out.push_back(e);
  e.body = MemberStatus{.first_life = true, .serving = false};
  out.push_back(e);
  return out;
}

TEST(CodecTest, EveryKindRoundTrips) {
  for (const Envelope& e : SampleEnvelopes()) {
    const std::string frame = Encode(e);
    const Result<Envelope> back = Decode(frame);
    ASSERT_TRUE(back.has_value()) << BodyName(e.body);
    EXPECT_EQ(back.value(), e) << BodyName(e.body);
    EXPECT_EQ(HashEnvelope(back.value()), HashEnvelope(e));
  }
}

TEST(CodecTest, FrameLayoutIsLengthVersionKind) {
  const Envelope e{
      .from = 1, .incarnation = 2, .body = ReplicateAck{.to_incarnation = 3, .applied_through = 4}};
  const std::string frame = Encode(e);
  ASSERT_GE(frame.size(), kFrameHeaderBytes + 2);
  EXPECT_EQ(static_cast<std::uint8_t>(frame[0]), frame.size() - kFrameHeaderBytes);
  EXPECT_EQ(frame[1], 0);
  EXPECT_EQ(static_cast<std::uint8_t>(frame[4]), kCodecVersion);
  EXPECT_EQ(static_cast<std::uint8_t>(frame[5]), 1);  // ReplicateAck
  std::size_t n = 0;
  EXPECT_EQ(PeekFrame(frame.substr(0, 3), n), FrameStatus::kNeedMore);
  EXPECT_EQ(PeekFrame(frame.substr(0, frame.size() - 1), n), FrameStatus::kNeedMore);
  EXPECT_EQ(PeekFrame(frame + "xyz", n), FrameStatus::kComplete);
  EXPECT_EQ(n, frame.size());
}

TEST(CodecTest, RejectsWhatIsNotOneValidFrame) {
  const std::string frame = Encode(SampleEnvelopes()[0]);
  EXPECT_FALSE(Decode(frame + "x").has_value());                        // trailing bytes
  EXPECT_FALSE(Decode(frame.substr(0, frame.size() - 1)).has_value());  // short
  std::string bad_version = frame;
  bad_version[4] = 2;
  EXPECT_FALSE(Decode(bad_version).has_value());
  std::string bad_kind = frame;
  bad_kind[5] = static_cast<char>(std::variant_size_v<Body>);  // the first unknown kind
  EXPECT_FALSE(Decode(bad_kind).has_value());
  // A frame announcing more than the limit is refused before anything is read.
  std::string huge(4, '\xff');
  std::size_t n = 0;
  EXPECT_EQ(PeekFrame(huge, n), FrameStatus::kTooLarge);
  EXPECT_EQ(Decode(huge).error(), make_error_code(Error::kLimitExceeded));
  // Limits are the decoder's: a key over key_bytes_max is refused.
  CodecLimits tight;
  tight.key_bytes_max = 2;
  EXPECT_EQ(Decode(frame, tight).error(), make_error_code(Error::kLimitExceeded));
}

// Lease times are monotonic clock readings, never negative: a peer that sends one is refused
// (a negative echo would otherwise extend a lease computed from it).
TEST(CodecTest, NegativeLeaseTimesAreRefused) {
  for (const TimeMs bad : {TimeMs{-1}, std::numeric_limits<TimeMs>::min()}) {
    Envelope e{.from = 1, .incarnation = 2};
    e.body = AppendEntries{.term = 3, .echo_ms = bad, .sent_ms = 5};
    EXPECT_EQ(Decode(Encode(e)).error(), make_error_code(Error::kProtocol));
    e.body = AppendEntries{.term = 3, .echo_ms = 5, .sent_ms = bad};
    EXPECT_EQ(Decode(Encode(e)).error(), make_error_code(Error::kProtocol));
    e.body = AppendReply{.term = 3, .sent_ms = bad, .echo_ms = 5};
    EXPECT_EQ(Decode(Encode(e)).error(), make_error_code(Error::kProtocol));
    e.body = AppendReply{.term = 3, .sent_ms = 5, .echo_ms = bad};
    EXPECT_EQ(Decode(Encode(e)).error(), make_error_code(Error::kProtocol));
  }
}

TEST(CodecTest, RejectsBrokenInvariants) {
  // A key in another slot than its mutation says.
  Envelope e{.from = 1, .incarnation = 2};
  Replicate r{.to_incarnation = 1, .first_seq = 1};
  Mutation m = KeysMutation("a", 5, 1);
  r.mutations.push_back(m);
  e.body = r;
  std::string frame = Encode(e);
  const std::string key = KeyIn("a", 0);
  const std::size_t at = frame.find(key);
  ASSERT_NE(at, std::string::npos);
  frame[at + 1] = 'z';  // "{z}0": another slot
  EXPECT_EQ(Decode(frame).error(), make_error_code(Error::kProtocol));
  // A node id beyond the cluster limit.
  Envelope far{.from = limits::kClusterNodesMax - 1, .body = ReplicateAck{}};
  std::string far_frame = Encode(far);
  EXPECT_TRUE(Decode(far_frame).has_value());
  far_frame[6] = static_cast<char>(limits::kClusterNodesMax);
  EXPECT_FALSE(Decode(far_frame).has_value());
}

// --- Properties -------------------------------------------------------------------------------

rc::Gen<KeyState> GenKeyState(const std::string& tag) {
  return rc::gen::exec([tag] {
    KeyState k;
    k.key = "{" + tag + "}" + *rc::gen::container<std::string>(rc::gen::inRange<char>(0, 127));
    k.deleted = *rc::gen::arbitrary<bool>();
    if (!k.deleted) {
      k.value = *rc::gen::arbitrary<std::string>();
      k.expire_at = *rc::gen::inRange<TimeMs>(0, std::numeric_limits<TimeMs>::max());
    }
    return k;
  });
}

rc::Gen<Mutation> GenMutation() {
  return rc::gen::exec([] {
    const std::string tag =
        *rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::inRange<char>('a', 'z' + 1)));
    Mutation m;
    m.slot = KeySlot(tag);
    m.version = *rc::gen::arbitrary<std::uint64_t>();
    m.flush = *rc::gen::arbitrary<bool>();
    if (!m.flush)
      m.keys = *rc::gen::nonEmpty(rc::gen::container<std::vector<KeyState>>(GenKeyState(tag)));
    return m;
  });
}

rc::Gen<Envelope> GenEnvelope() {
  return rc::gen::exec([] {
    Envelope e;
    e.from = *rc::gen::inRange<NodeId>(0, limits::kClusterNodesMax);
    e.incarnation = *rc::gen::arbitrary<std::uint64_t>();
    e.config_epoch = *rc::gen::arbitrary<std::uint64_t>();
    const auto cursor = [] {
      return SyncCursor{.phase = *rc::gen::inRange<std::uint8_t>(0, kSyncPhases),
                        .position = *rc::gen::arbitrary<std::uint64_t>()};
    };
    const auto u64 = [] { return *rc::gen::arbitrary<std::uint64_t>(); };
    switch (*rc::gen::inRange(0, 11)) {
      case 0:
        e.body = Replicate{.to_incarnation = *rc::gen::arbitrary<std::uint64_t>(),
                           .first_seq = *rc::gen::arbitrary<std::uint64_t>(),
                           .mutations = *rc::gen::nonEmpty(
                               rc::gen::container<std::vector<Mutation>>(GenMutation()))};
        break;
      case 1:
        e.body = ReplicateAck{.to_incarnation = *rc::gen::arbitrary<std::uint64_t>(),
                              .applied_through = *rc::gen::arbitrary<std::uint64_t>()};
        break;
      case 2:
        e.body = SyncRequest{.chunk = *rc::gen::arbitrary<std::uint64_t>(), .cursor = cursor()};
        break;
      case 3:
        e.body = SyncReply{.to_incarnation = *rc::gen::arbitrary<std::uint64_t>(),
                           .chunk = *rc::gen::arbitrary<std::uint64_t>(),
                           .next = cursor(),
                           .done = *rc::gen::arbitrary<bool>(),
                           .entries = *rc::gen::container<std::vector<Mutation>>(GenMutation())};
        break;
      case 4:
        e.body = IncarnationTooOld{.to_incarnation = *rc::gen::arbitrary<std::uint64_t>(),
                                   .largest_seen = *rc::gen::arbitrary<std::uint64_t>()};
        break;
      case 5:
        e.body = VoteRequest{.term = u64(),
                             .last_index = u64(),
                             .last_term = u64(),
                             .pre_vote = *rc::gen::arbitrary<bool>()};
        break;
      case 6:
        e.body = VoteReply{.term = u64(),
                           .granted = *rc::gen::arbitrary<bool>(),
                           .pre_vote = *rc::gen::arbitrary<bool>()};
        break;
      case 7: {
        AppendEntries a{.term = u64(), .prev_index = u64(), .prev_term = u64(), .commit = u64()};
        const auto n = *rc::gen::inRange<std::size_t>(0, 5);
        for (std::size_t i = 0; i < n; ++i) {
          a.entries.push_back(LogEntry{.term = u64(), .data = *rc::gen::arbitrary<std::string>()});
        }
        a.echo_ms = *rc::gen::inRange<TimeMs>(0, INT64_MAX);
        a.sent_ms = *rc::gen::inRange<TimeMs>(0, INT64_MAX);
        e.body = std::move(a);
        break;
      }
      case 8:
        e.body = AppendReply{.term = u64(),
                             .success = *rc::gen::arbitrary<bool>(),
                             .match_index = u64(),
                             .rejected_index = u64(),
                             .last_index = u64(),
                             .sent_ms = *rc::gen::inRange<TimeMs>(0, INT64_MAX),
                             .echo_ms = *rc::gen::inRange<TimeMs>(0, INT64_MAX)};
        break;
      case 9:
        e.body = MemberStatus{.first_life = *rc::gen::arbitrary<bool>(),
                              .serving = *rc::gen::arbitrary<bool>()};
        break;
      default:
        e.body = InstallSnapshot{.term = u64(),
                                 .snapshot = {.last_index = u64(),
                                              .last_term = u64(),
                                              .data = *rc::gen::arbitrary<std::string>()}};
        break;
    }
    return e;
  });
}

RC_GTEST_PROP(CodecProperty, EncodeThenDecodeIsTheIdentity, ()) {
  const Envelope e = *GenEnvelope();
  const Result<Envelope> back = Decode(Encode(e));
  RC_ASSERT(back.has_value());
  RC_ASSERT(back.value() == e);
}

// Whatever Decode accepts re-encodes to a frame that decodes to the same message.
void CheckStable(const std::string& bytes) {
  const Result<Envelope> first = Decode(bytes);
  if (!first.has_value()) return;
  const Result<Envelope> second = Decode(Encode(first.value()));
  RC_ASSERT(second.has_value());
  RC_ASSERT(second.value() == first.value());
}

RC_GTEST_PROP(CodecProperty, RandomBytesNeverCrashTheDecoder, ()) {
  std::string bytes = *rc::gen::arbitrary<std::string>();
  if (*rc::gen::arbitrary<bool>()) {
    // Give it a plausible header so the body parser is reached.
    const auto n = static_cast<std::uint32_t>(bytes.size());
    bytes.insert(0, std::string(reinterpret_cast<const char*>(&n), 4));
    if (bytes.size() > 4) bytes[4] = static_cast<char>(kCodecVersion);
  }
  CheckStable(bytes);
}

RC_GTEST_PROP(CodecProperty, MutatedFramesNeverCrashTheDecoder, ()) {
  std::string bytes = Encode(*GenEnvelope());
  const int edits = *rc::gen::inRange(1, 6);
  for (int i = 0; i < edits && !bytes.empty(); ++i) {
    const std::size_t at = *rc::gen::inRange<std::size_t>(0, bytes.size());
    switch (*rc::gen::inRange(0, 4)) {
      case 0:
        bytes[at] = *rc::gen::arbitrary<char>();
        break;
      case 1:
        bytes.erase(at, 1);
        break;
      case 2:
        bytes.insert(at, 1, *rc::gen::arbitrary<char>());
        break;
      default:
        bytes.resize(at);
        break;
    }
  }
  CheckStable(bytes);
  // The same bytes with their header fixed up to the new length reach the body parser.
  if (bytes.size() >= kFrameHeaderBytes) {
    const auto n = static_cast<std::uint32_t>(bytes.size() - kFrameHeaderBytes);
    std::memcpy(bytes.data(), &n, sizeof(n));
    CheckStable(bytes);
  }
}

}  // namespace
}  // namespace shoal::cluster
