// History: what simulated clients did and saw, recorded as Jepsen-style events, plus the facts
// about the world the checker (sim/checker.h) needs to excuse a GET miss in a cache: evictions,
// the loss of every live copy of a written value, and the clock-skew bound that widens TTL checks.
//
// Each SET writes a value unique in the whole run (across all keys), so a GET that returns a
// value names the one write it saw, and checking is near-linear per key.
//
// Plain data, no behaviour; single-threaded like the rest of sim/. The simulator
// (sim/simulator.h) writes it, the checker reads it.
//
// Times: every TimeMs here is the simulator's TRUE time (never a node's skewed clock).
//
// Invariants the writer must keep (the checker reports breaches as kMalformedHistory):
//   1. Operation ids are unique.
//   2. SET values are non-empty and unique across the whole history.
//   3. For an operation with outcome != kPending: invoke_at <= complete_at.
//   4. A GET with outcome kOk and found == true carries the value it read.
//   5. written == false only for a SET with a condition and outcome kOk.
//
// World events (what the simulator must record, see WorldEvent::Kind):
//   kEvicted       whenever a node's store evicts an item. `key` is the key, or empty when the
//                  simulator only knows that the node evicted something (then it excuses every
//                  key's misses from `at` on; coarser, still sound).
//   kAllCopiesLost whenever the last live copy of a written value disappears: when node `node`
//                  crashes (or discards data it no longer owns), for each workload key whose
//                  value V on that node is held by no other live (not crashed; a paused node is
//                  live) node's store, record {key, value = V, at = crash time}. Overwrites,
//                  DELs and expiry are NOT copy losses (they are explained by the ops). `value`
//                  may be left empty if the simulator only knows that no live node holds the key
//                  at all (then the event excuses the key's misses from `at` until the next
//                  definite write, whatever value was current).
//   kCrash, kRestart for the per-node timeline in failure reports; the checker does not need
//                  them (crash losses arrive as kAllCopiesLost).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"

namespace shoal::sim {

enum class OpKind : std::uint8_t { kGet, kSet, kDel };

// A SET's condition: NX (only if absent) or XX (only if present).
enum class SetCondition : std::uint8_t { kNone, kNx, kXx };

// How an operation ended, from the client's point of view.
enum class OpOutcome : std::uint8_t {
  kPending,  // invoked, no completion recorded (the run ended first): treat as unknown
  kOk,       // definitely took effect (SET/DEL acknowledged; GET returned `value` or a miss)
  kFail,     // definitely did not take effect (an error the protocol guarantees is clean)
  kUnknown,  // timed out or the connection broke: may or may not have taken effect, at any
             // time after invoke_at (even after complete_at, e.g. a delayed message)
};

inline constexpr std::int32_t kNoNode = -1;

struct Operation {
  std::uint64_t id = 0;  // unique, in invocation order
  std::uint32_t client = 0;
  OpKind kind = OpKind::kGet;
  std::string key;
  // SET: the unique value written. GET with kOk: the value read, or empty with `found == false`.
  std::string value;
  bool found = false;  // GET only: true if a value came back
  TimeMs ttl_ms = 0;   // SET only: relative TTL requested (PX / EX; 0: none)
  // SET only: an absolute expiry (PXAT / EXAT) converted to true time (0: none), and KEEPTTL
  // (the value inherits whatever expiry the key had: the history cannot know it).
  TimeMs expire_at = 0;
  bool keep_ttl = false;
  SetCondition condition = SetCondition::kNone;
  // SET with kOk: false when NX / XX refused it (a nil reply): it definitely did not take
  // effect, and it observed the key present (NX) or absent (XX).
  bool written = true;
  TimeMs invoke_at = 0;    // simulated (true) time of invocation
  TimeMs complete_at = 0;  // simulated (true) time of completion (0 while pending)
  OpOutcome outcome = OpOutcome::kPending;
  std::int32_t node = kNoNode;  // node that gave the final reply, if known (reports only)
};

// Facts about the world the checker may use to excuse a miss.
struct WorldEvent {
  enum class Kind : std::uint8_t {
    kEvicted,        // node `node` evicted `key` (empty key: some key, unknown which)
    kAllCopiesLost,  // the last live copy of `value` of `key` vanished (crash of `node`)
    kCrash,          // node `node` crashed (memory gone); timeline only
    kRestart,        // node `node` restarted (empty); timeline only
  };
  Kind kind = Kind::kCrash;
  TimeMs at = 0;
  std::uint32_t node = 0;
  std::string key;    // empty for kCrash / kRestart (and see kEvicted)
  std::string value;  // kAllCopiesLost: the value whose last copy vanished (may be empty)
};

struct History {
  std::vector<Operation> ops;     // in invocation order (the checker does not rely on it)
  std::vector<WorldEvent> world;  // in time order (the checker does not rely on it)
  // The largest |node clock - true clock| any node may have at any moment of this run (skew and
  // drift included). The checker lets a TTL run out up to 2x this early or late, because the
  // expiry may be set by one node's clock and enforced by another's.
  TimeMs clock_skew_bound_ms = 0;
};

}  // namespace shoal::sim
