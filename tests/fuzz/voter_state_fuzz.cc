// Fuzz target: the voter state a cluster node reads back from its --dir at start
// (core/cluster/voter_state.h, DecodeVoterState), a file that a crash may have torn or a disk
// damaged. For any input it checks:
//   - no crash, no undefined behaviour; a refusal is Error::kProtocol or kLimitExceeded;
//   - whatever decodes keeps the invariant a ConfigLog asserts when built from it (terms never
//     decrease from the snapshot's, none past the state's term);
//   - decode(encode(decode(b))) == decode(b).
// The input is tried twice: as the file's bytes, and as the body of a file this target frames
// itself (the magic before it, the checksum after), since random bytes almost never carry a
// valid checksum and would never reach the field decoder.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/cluster/voter_state.h"
#include "core/cluster/wire.h"
#include "core/result.h"

namespace shoal::fuzz {
namespace {

using cluster::DecodeVoterState;
using cluster::EncodeVoterState;
using cluster::VoterState;

// The file layout of voter_state.cc: magic, body, FNV-1a 64 of magic and body (little-endian).
std::string Framed(std::string_view body) {
  std::string file(cluster::kVoterStateMagic);
  file.append(body);
  const std::uint64_t h = cluster::wire::Fnv1a64(file);
  char tail[sizeof(h)];
  std::memcpy(tail, &h, sizeof(h));
  file.append(tail, sizeof(tail));
  return file;
}

void Check(std::string_view bytes) {
  const Result<VoterState> first = DecodeVoterState(bytes);
  if (!first.has_value()) {
    SHOAL_ASSERT_MSG(first.error() == make_error_code(Error::kProtocol) ||
                         first.error() == make_error_code(Error::kLimitExceeded),
                     "an unexpected refusal");
    return;
  }
  const VoterState& state = first.value();
  cluster::Term previous = state.snapshot.last_term;
  for (const cluster::LogEntry& e : state.entries) {
    SHOAL_ASSERT_MSG(e.term >= previous, "decoded entries with decreasing terms");
    previous = e.term;
  }
  SHOAL_ASSERT_MSG(previous <= state.term, "decoded an entry newer than the term");
  const Result<VoterState> second = DecodeVoterState(EncodeVoterState(state));
  SHOAL_ASSERT_MSG(second.has_value(), "an encoded voter state does not decode");
  SHOAL_ASSERT_MSG(second.value() == state, "decode(encode(decode(b))) != decode(b)");
}

}  // namespace
}  // namespace shoal::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  shoal::fuzz::Check(input);
  shoal::fuzz::Check(shoal::fuzz::Framed(input));
  return 0;
}
