// Checker: decides whether a History (sim/history.h) is legal for a CACHE (architecture.md §5),
// key by key, in O(n log n). A cache is a linearizable register per key that may additionally
// lose its value at moments the world can explain (eviction, TTL expiry, loss of every copy).
//
// What is checked (each rule is a NECESSARY condition of some legal linearization, so the
// checker is sound: it never flags a legal history; it is not complete, see docs/design.md §9):
//   * Reads of a value v name the unique SET w of v. Flagged: no such SET (value_from_nowhere), a
//     SET on another key (value_from_other_key), a SET that definitely failed
//     (read_of_failed_write), a SET invoked after the GET completed (value_from_future).
//   * Staleness: the read of w at GET g is flagged when some event X of another value is forced
//     strictly between w and g: X invoked after w's latest possible linearization point and X
//     completed before g was invoked. X is an acknowledged SET (stale_read), an acknowledged DEL
//     (resurrected_after_delete), or another GET that returned a different value
//     (non_monotonic_read). w's latest point is min(w's ack, the earliest completion of a GET
//     that read w); unacknowledged writes that nobody read may take effect at any time.
//   * Expiry: a read of an acknowledged SET w with TTL is flagged (expired_value) when
//     g.invoke_at > w.complete_at + ttl + 2 * clock_skew_bound + slack, and a read of any SET w
//     with an absolute expiry E (PXAT / EXAT) when g.invoke_at > E + 2 * clock_skew_bound + slack.
//     KEEPTTL values inherit an unknown expiry: never flagged, and may vanish any time.
//   * Conditional writes (NX / XX): one that was refused (nil reply) definitely did not take
//     effect (a read of its value is read_of_failed_write); one that found the key absent (NX
//     written, XX refused) is also judged as a miss inside its window (lost_write below).
//   * Lost writes: a GET miss is flagged (lost_write) when some SET is definitely in effect before
//     the GET (acknowledged, or seen by an earlier GET) and no "absent" event can be the last
//     thing that happened to the key before the GET: a DEL (any outcome but kFail), the loss of
//     every live copy of a value, or the expiry of a SET with TTL (earliest: invoke + ttl -
//     2 * skew - slack); each is cancelled by a definite write or value read of ANOTHER value
//     forced between it and the GET. An eviction of the key (or of an unknown key) on any node
//     excuses misses until an acknowledged SET invoked after it completes before the GET (reads
//     do not cancel it: the value may be served by a replica that did not evict). A miss never
//     changes which values later reads may return (a replica may still hold the value).
//
// Thread safety: pure functions over const data; safe to call from any thread.
// Determinism: output order depends only on the History (keys in byte order, then time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "sim/history.h"

namespace shoal::sim {

enum class ViolationKind : std::uint8_t {
  kStaleRead,               // read a value overwritten by a write that completed before the GET
  kLostWrite,               // miss with a write definitely in effect and no excuse
  kResurrectedAfterDelete,  // read a value deleted by a DEL that completed before the GET
  kExpiredValue,            // read a value whose TTL had surely run out
  kValueFromNowhere,        // read a value no SET ever wrote
  kValueFromOtherKey,       // read a value written to a different key
  kValueFromFuture,         // read a value whose SET was invoked after the GET completed
  kReadOfFailedWrite,       // read a value whose SET definitely failed
  kNonMonotonicRead,        // a later GET returned a value older than an earlier GET's
  kMalformedHistory,        // the History breaks its own invariants (a simulator bug)
};

// Stable snake_case name, e.g. "stale_read".
const char* ViolationKindName(ViolationKind kind);

struct Violation {
  std::string key;
  ViolationKind kind = ViolationKind::kStaleRead;
  std::vector<std::uint64_t> op_ids;  // the offending GET first, then the ops that prove it
  std::string explanation;            // one human sentence or two
};

struct CheckOptions {
  // Off for runs in a documented asynchronous-replication mode, where acknowledged writes may be
  // lost by design; every other rule stays on.
  bool check_lost_writes = true;
  std::size_t violations_max = limits::kCheckerViolationsMax;
};

struct CheckStats {
  std::size_t keys = 0;
  std::size_t ops = 0;
  std::size_t reads_found = 0;     // GETs (kOk) that returned a value
  std::size_t reads_missed = 0;    // GETs (kOk) that returned nothing
  std::size_t misses_excused = 0;  // misses after a definite write, explained by an absent event
};

struct CheckResult {
  bool ok = true;
  std::vector<Violation> violations;   // at most options.violations_max, keys in byte order
  std::size_t violations_dropped = 0;  // found beyond violations_max
  CheckStats stats;
};

// Checks the whole history. Cost O(n log n) in the number of operations and world events.
CheckResult CheckHistory(const History& history, const CheckOptions& options = {});

// The operations (and world events) of one key in time order, one per line:
//   "  [invoke..complete] #id c<client> n<node> SET <value> ttl=<ms> -> ok"
// Only lines whose time window meets [from, to] are printed; the defaults print everything.
// Ops whose id is in `marked` get a leading '*'.
std::string FormatKeyOps(const History& history, std::string_view key, TimeMs from = INT64_MIN,
                         TimeMs to = INT64_MAX, const std::vector<std::uint64_t>& marked = {});

// A violation for humans: kind, key, explanation, then the key's operations around the offending
// ones (FormatKeyOps over their time span widened by `margin_ms`), offending ops marked.
std::string FormatViolation(const History& history, const Violation& violation,
                            TimeMs margin_ms = 1000);

}  // namespace shoal::sim
