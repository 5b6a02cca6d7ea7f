// Tests of the voter state's on-disk encoding (core/cluster/voter_state.h): every state a voter
// can persist comes back equal, and a damaged, truncated or impossible one is refused (never
// restored, never a crash).
#include "core/cluster/voter_state.h"

#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace shoal::cluster {
namespace {

VoterState Sample() {
  VoterState s{.term = 7, .vote = 2};
  s.snapshot = LogSnapshot{.last_index = 64, .last_term = 5, .data = std::string("cfg\0\xff", 5)};
  s.entries.push_back(LogEntry{.term = 5, .data = ""});
  s.entries.push_back(LogEntry{.term = 7, .data = "mark_down 3"});
  return s;
}

TEST(VoterStateTest, RoundTripsAndANewVoterToo) {
  for (const VoterState& s : {Sample(), VoterState{}}) {
    const Result<VoterState> back = DecodeVoterState(EncodeVoterState(s));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back.value(), s);
  }
}

TEST(VoterStateTest, DamagedTruncatedOrImpossibleStatesAreRefused) {
  const std::string good = EncodeVoterState(Sample());
  for (std::size_t i = 0; i < good.size(); ++i) {  // any one byte changed: the checksum
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_FALSE(DecodeVoterState(bad).has_value()) << "byte " << i;
  }
  for (std::size_t n = 0; n < good.size(); ++n) {  // a torn write
    EXPECT_FALSE(DecodeVoterState(good.substr(0, n)).has_value()) << n << " bytes";
  }
  EXPECT_FALSE(DecodeVoterState("").has_value());
  EXPECT_FALSE(DecodeVoterState(good + "x").has_value());
  // Well-formed and checksummed, but no voter could have written it.
  VoterState decreasing = Sample();
  decreasing.entries[1].term = 4;
  EXPECT_EQ(DecodeVoterState(EncodeVoterState(decreasing)).error(),
            make_error_code(Error::kProtocol));
  VoterState ahead = Sample();
  ahead.term = 6;  // an entry of term 7
  EXPECT_FALSE(DecodeVoterState(EncodeVoterState(ahead)).has_value());
  VoterState below_snapshot = Sample();
  below_snapshot.entries[0].term = 4;  // the snapshot is of term 5
  EXPECT_FALSE(DecodeVoterState(EncodeVoterState(below_snapshot)).has_value());
  VoterState no_snapshot_with_data{.term = 1};
  no_snapshot_with_data.snapshot.data = "x";
  EXPECT_FALSE(DecodeVoterState(EncodeVoterState(no_snapshot_with_data)).has_value());
  EXPECT_EQ(DecodeVoterState(std::string(limits::kVoterStateBytesMax + 1, 'S')).error(),
            make_error_code(Error::kLimitExceeded));
  VoterState too_long{.term = 1};
  too_long.entries.assign(limits::kVoterStateEntriesMax + 1, LogEntry{.term = 1});
  EXPECT_EQ(DecodeVoterState(EncodeVoterState(too_long)).error(),
            make_error_code(Error::kLimitExceeded));
  too_long.entries.pop_back();  // exactly the limit loads
  EXPECT_TRUE(DecodeVoterState(EncodeVoterState(too_long)).has_value());
}

RC_GTEST_PROP(VoterStateProperty, EveryPersistableStateRoundTrips, ()) {
  VoterState s;
  s.term = *rc::gen::inRange<Term>(0, 1'000'000);
  s.vote = *rc::gen::element(kNoNode, NodeId{0}, NodeId{4}, NodeId{63});
  if (*rc::gen::arbitrary<bool>()) {
    s.snapshot.last_index = *rc::gen::inRange<LogIndex>(1, 1'000'000);
    s.snapshot.last_term = *rc::gen::inRange<Term>(0, s.term + 1);
    s.snapshot.data = *rc::gen::arbitrary<std::string>();
  }
  Term t = s.snapshot.last_term;
  const auto entries = *rc::gen::inRange<std::size_t>(0, 20);
  for (std::size_t i = 0; i < entries; ++i) {
    t = *rc::gen::inRange<Term>(t, s.term + 1);
    s.entries.push_back(LogEntry{.term = t, .data = *rc::gen::arbitrary<std::string>()});
  }
  const Result<VoterState> back = DecodeVoterState(EncodeVoterState(s));
  RC_ASSERT(back.has_value());
  RC_ASSERT(back.value() == s);
}

}  // namespace
}  // namespace shoal::cluster
