// History: what simulated clients did and saw, recorded as Jepsen-style events, plus what the
// checker needs to know about the world (evictions and expiry are legal reasons for a miss; the
// loss of every copy of a key is legal; the clock-skew bound widens TTL checks).
//
// Each SET writes a value unique in the whole run, so a GET that returns a value names the one
// write it saw, and checking is near-linear per key.
// Plain data; the checker (sim/checker.h) reads it, the simulator (sim/simulator.h) writes it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"

namespace shoal::sim {

enum class OpKind : std::uint8_t { kGet, kSet, kDel };

// How an operation ended, from the client's point of view.
enum class OpOutcome : std::uint8_t {
  kPending,  // invoked, no completion recorded (the run ended first): treat as unknown
  kOk,       // definitely took effect (SET/DEL acknowledged; GET returned `value` or a miss)
  kFail,     // definitely did not take effect (an error the protocol guarantees is clean)
  kUnknown,  // timed out or the connection broke: may or may not have taken effect
};

struct Operation {
  std::uint64_t id = 0;        // unique, in invocation order
  std::uint32_t client = 0;
  OpKind kind = OpKind::kGet;
  std::string key;
  // SET: the unique value written. GET with kOk: the value read, or empty with `found == false`.
  std::string value;
  bool found = false;          // GET only: true if a value came back
  TimeMs ttl_ms = 0;           // SET only: relative TTL requested (0: none)
  TimeMs invoke_at = 0;        // simulated (true) time of invocation
  TimeMs complete_at = 0;      // simulated (true) time of completion (0 while pending)
  OpOutcome outcome = OpOutcome::kPending;
};

// Facts about the world the checker may use to excuse a miss.
struct WorldEvent {
  enum class Kind : std::uint8_t {
    kEvicted,         // node `node` evicted `key` (reported by the node's store)
    kAllCopiesLost,   // every node that held `key` crashed at some point after its last write
    kCrash,           // node `node` crashed (memory gone)
  };
  Kind kind = Kind::kCrash;
  TimeMs at = 0;
  std::uint32_t node = 0;
  std::string key;  // empty for kCrash
};

struct History {
  std::vector<Operation> ops;       // in invocation order
  std::vector<WorldEvent> world;    // in time order
  TimeMs clock_skew_bound_ms = 0;   // the largest |node clock - true clock| allowed in this run
};

}  // namespace shoal::sim
