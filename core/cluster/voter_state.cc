// The on-disk encoding of a voter's state (see voter_state.h).
#include "core/cluster/voter_state.h"

#include <cstring>

#include "core/cluster/wire.h"
#include "core/limits.h"

namespace shoal::cluster {
namespace {

constexpr std::size_t kChecksumBytes = 8;

}  // namespace

std::string EncodeVoterState(const VoterState& state) {
  std::string out(kVoterStateMagic);
  wire::Writer w(out);
  w.Var(state.term);
  w.Var(state.vote == kNoNode ? 0 : std::uint64_t{state.vote} + 1);
  w.Var(state.snapshot.last_index);
  w.Var(state.snapshot.last_term);
  w.Str(state.snapshot.data);
  w.Var(state.entries.size());
  for (const LogEntry& e : state.entries) {
    w.Var(e.term);
    w.Str(e.data);
  }
  const std::uint64_t sum = wire::Fnv1a64(out);
  char tail[kChecksumBytes];
  std::memcpy(tail, &sum, sizeof(tail));  // little-endian hosts (x86-64, aarch64)
  out.append(tail, sizeof(tail));
  return out;
}

Result<VoterState> DecodeVoterState(std::string_view bytes) {
  if (bytes.size() > limits::kVoterStateBytesMax) return make_error_code(Error::kLimitExceeded);
  if (bytes.size() < kVoterStateMagic.size() + kChecksumBytes ||
      bytes.substr(0, kVoterStateMagic.size()) != kVoterStateMagic) {
    return make_error_code(Error::kProtocol);
  }
  const std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  std::uint64_t sum = 0;
  std::memcpy(&sum, bytes.data() + body.size(), sizeof(sum));
  if (sum != wire::Fnv1a64(body)) return make_error_code(Error::kProtocol);
  const CodecLimits codec_limits;
  wire::Reader r(body.substr(kVoterStateMagic.size()), codec_limits);
  VoterState state;
  state.term = r.Var();
  const std::uint64_t vote = r.Var();
  if (vote > limits::kClusterNodesMax) r.Fail(Error::kProtocol);
  state.vote = vote == 0 ? kNoNode : static_cast<NodeId>(vote - 1);
  state.snapshot.last_index = r.Var();
  state.snapshot.last_term = r.Var();
  state.snapshot.data = r.Str(limits::kConfigSnapshotBytesMax);
  const std::size_t entries = r.Count(limits::kVoterStateEntriesMax);
  state.entries.reserve(entries);
  Term previous = state.snapshot.last_term;
  for (std::size_t i = 0; i < entries && r.ok(); ++i) {
    LogEntry e;
    e.term = r.Var();
    e.data = r.Str(limits::kConfigEntryBytesMax);
    if (e.term < previous) r.Fail(Error::kProtocol);  // terms never decrease
    previous = e.term;
    state.entries.push_back(std::move(e));
  }
  if (previous > state.term) r.Fail(Error::kProtocol);  // no entry newer than the term
  if (state.snapshot.last_index == 0 &&
      (state.snapshot.last_term != 0 || !state.snapshot.data.empty())) {
    r.Fail(Error::kProtocol);  // "no snapshot" carries nothing
  }
  if (r.ok() && !r.AtEnd()) r.Fail(Error::kProtocol);
  if (!r.ok()) return make_error_code(r.error());
  return state;
}

}  // namespace shoal::cluster
