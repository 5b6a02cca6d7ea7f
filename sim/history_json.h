// History export and import as JSON lines (docs/simulation.md, "History files"), so that
// independent checkers can re-check a run and the real-cluster tests can have theirs checked by
// ours (`shoal-sim --history FILE`, `shoal-sim --check-history FILE`).
//
// One object per GET, SET or DEL of the checked keys:
//   {"client": int, "key": str, "op": "get"|"set"|"del", "value": str|null, "ttl_ms": int|null,
//    "invoke_us": int, "complete_us": int|null, "result": "ok"|"miss"|"fail"|"unknown",
//    "read_value": str|null}
// (times in microseconds of true time; "value" is the unique value a SET writes; "read_value"
// what an ok GET returned; "miss" a GET that found nothing; a pending operation has complete_us
// null and result unknown). Optional members, written only when they apply: "condition":
// "nx"|"xx" and "refused": true (a conditional SET answered nil: result "fail", it did not take
// effect), "expire_at_us": int (PXAT / EXAT, true time), "keepttl": true, "id": int.
// Then one last line:
//   {"meta": {"clock_skew_bound_ms": int, "evictions": int, "all_copies_lost": [{"key": str,
//    "at_us": int}, ...]}}
// with the optional extensions "value" in each all_copies_lost entry and "evicted": [{"key": str,
// "node": int, "at_us": int}, ...] (what our checker needs to excuse misses exactly).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "sim/history.h"

namespace shoal::sim {

// The whole file's text.
std::string HistoryToJsonLines(const History& history);

// Parses such a file. Errors: Error::kProtocol with `error` set to "line N: what".
Result<History> HistoryFromJsonLines(std::string_view text, std::string& error);

}  // namespace shoal::sim
