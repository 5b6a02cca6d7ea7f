// Operation: the life of one client operation (GET / SET [NX|XX] [PX|EX|PXAT|EXAT|KEEPTTL] / DEL /
// any other command) from invocation to a final
// outcome, as a pure state machine shared by the simulator and the real client library. It
// routes by the SlotRouter, follows -MOVED / -ASK, retries -LOADING / -TRYAGAIN / -CLUSTERDOWN
// with exponential backoff, and decides what the caller may conclude about the operation's effect.
//
// The driver (sim/ or the client library) does the I/O:
//   Action a = op.Start(now, spec, router);
//   loop: a.kind == kSend  -> send op.argv() to a.node now; arm a timer for op.attempt_deadline()
//         a.kind == kSleep -> call op.OnWake(a.at, router) at time a.at
//         a.kind == kDone  -> op.result() is final
//   on a reply: a = op.OnReply(now, reply, router); on the attempt timer: a = op.OnTimeout(now).
// After a timeout the driver must drop the connection: a late reply can no longer be matched.
//
// Outcome rules (what makes the consistency check sound):
//   - MOVED / ASK / LOADING / TRYAGAIN / CLUSTERDOWN: the node refused before executing (Shoal's
//     replica answers TRYAGAIN only when it holds too many writes, before accepting this one);
//     the attempt had no effect, the operation continues (same op, same unique value).
//   - A timed-out attempt ends the operation as kUnknown at once: the request may still execute
//     later, so even a successful retry could be overtaken by it.
//   - Any other error: a GET (or a command with write == false) fails cleanly (reads have no
//     effect); a write is kUnknown (we cannot tell a validation error from a partial replication
//     failure by its text).
//   - SET with NX or XX: a nil reply is kOk with written == false (definitely not applied).
//   - Running out of attempts or of the operation deadline: kFail (no attempt had an effect).
//
// Opt-in rules for the real client library (off by default, so the simulator's history keeps
// "timeout => unknown", which its consistency checker needs):
//   - RetryPolicy::retry_after_timeout: a read, or a write whose OpSpec says `repeatable` (SET
//     without GET, DEL, EXPIRE with an absolute time, PERSIST, MSET), is retried with backoff
//     after a timed-out attempt (OnTimeout) or a connection lost after sending (OnConnectionLost)
//     until the deadline. A repeatable write that then runs out of time is kUnknown (an attempt
//     may have applied); a read is kFail. Other writes still end as kUnknown at once.
//   - OnNotSent: the driver proves the request never left (the connection could not be opened):
//     a clean refusal, retried with backoff like LOADING, for every kind of operation.
//   - RetryPolicy::learn_addresses: a MOVED / ASK naming an address the router does not know
//     adds it to the router (a Redis Cluster client learns nodes from redirects) instead of
//     failing the operation.
//   - Action::asking: a kSend that follows an -ASK redirect; the driver sends ASKING first.
//   - OpResult::end says why the operation ended, for the library's error mapping.
//
// Thread safety: none. Invariants: once kDone is returned, every further call asserts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/state/reply_parser.h"
#include "client/state/router.h"
#include "core/time.h"

namespace shoal::client {

enum class OpType : std::uint8_t { kGet, kSet, kDel, kCommand };

// Options of a SET operation (the simulator's conditional and expiring writes).
enum class SetCondition : std::uint8_t { kNone, kNx, kXx };
enum class SetExpiry : std::uint8_t { kNone, kPx, kEx, kPxAt, kExAt, kKeepTtl };

struct OpSpec {
  OpType type = OpType::kGet;
  // Routes the operation by its slot (kCommand: the command's first key).
  std::string key;
  std::string value;  // kSet only
  // kSet only: with expiry kNone, ttl_ms > 0 means PX ttl_ms (the original form); with kPx the
  // same, with kEx whole seconds (ttl_ms / 1000 is sent).
  TimeMs ttl_ms = 0;
  SetCondition condition = SetCondition::kNone;  // kSet only
  SetExpiry expiry = SetExpiry::kNone;           // kSet only
  TimeMs expire_at_ms = 0;  // kSet with PXAT (ms) or EXAT (expire_at_ms / 1000 is sent)
  // kCommand: the whole command (argv[0] is its name) and whether it may modify data, which
  // decides what an error means (see the outcome rules above).
  std::vector<std::string> argv;
  bool write = true;
  // A write whose repetition leaves the same state (see RetryPolicy::retry_after_timeout). Reads
  // are always repeatable; this flag matters only for writes, and only under that policy.
  bool repeatable = false;
};

enum class OpOutcome : std::uint8_t { kOk, kFail, kUnknown };

// What ended the operation (the last event it saw). The simulator reads only the outcome.
enum class OpEnd : std::uint8_t {
  kReply,           // a reply decided it (kOk, or an unexpected reply type)
  kErrorReply,      // an error reply that is not a redirect or a retryable refusal
  kTimeout,         // an attempt timed out (or, retrying timeouts, the deadline ran out)
  kConnectionLost,  // the connection broke after the request may have been sent
  kRefused,         // LOADING / TRYAGAIN / CLUSTERDOWN / unsent requests until out of attempts
  kRedirectFailed,  // a MOVED / ASK that could not be followed, or too many of them
};

struct OpResult {
  OpOutcome outcome = OpOutcome::kUnknown;
  bool found = false;    // GET kOk: a value came back
  std::string value;     // GET kOk && found: the value
  bool written = false;  // SET kOk: +OK (false: NX / XX refused it with a nil reply)
  Reply reply;           // kCommand kOk: the reply
  std::string error;     // the last error text, if any (for logs)
  std::uint32_t attempts = 0;
  std::uint32_t redirects = 0;
  std::uint32_t moved = 0;  // MOVED redirects among `redirects` (the slot map is stale)
  OpEnd end = OpEnd::kReply;
};

struct RetryPolicy {
  std::uint32_t attempts_max = 16;
  TimeMs backoff_initial_ms = 10;
  TimeMs backoff_max_ms = 400;
  TimeMs attempt_timeout_ms = 1000;  // per attempt; expiry => kUnknown
  TimeMs op_deadline_ms = 5000;      // no new attempt starts after invoke + this
  // Opt-in (see the header comment): retry reads and repeatable writes after a timeout or a lost
  // connection; learn node addresses from redirects.
  bool retry_after_timeout = false;
  bool learn_addresses = false;
};

class Operation {
 public:
  struct Action {
    enum class Kind : std::uint8_t { kSend, kSleep, kDone };
    Kind kind = Kind::kDone;
    NodeIndex node = kNoNode;  // kSend
    TimeMs at = 0;             // kSleep: wake-up time
    bool asking = false;       // kSend after -ASK: precede the command with ASKING
  };

  explicit Operation(const RetryPolicy& policy = {}) : policy_(policy) {}

  Action Start(TimeMs now, OpSpec spec, const SlotRouter& router);
  Action OnReply(TimeMs now, const Reply& reply, SlotRouter& router);
  Action OnTimeout(TimeMs now);
  Action OnWake(TimeMs now, const SlotRouter& router);
  // The connection broke while the attempt was in flight (its request may have executed).
  // Without RetryPolicy::retry_after_timeout the same as OnTimeout.
  Action OnConnectionLost(TimeMs now);
  // The attempt's request provably never reached the node (e.g. connecting failed): retried
  // with backoff like a LOADING refusal. REQUIRES: in_flight().
  Action OnNotSent(TimeMs now);

  // The command of the current attempt (valid after a kSend until the next call).
  const std::vector<std::string>& argv() const { return argv_; }
  TimeMs attempt_deadline() const { return attempt_deadline_; }
  NodeIndex target() const { return target_; }
  const OpSpec& spec() const { return spec_; }
  const OpResult& result() const { return result_; }
  bool done() const { return done_; }
  bool in_flight() const { return in_flight_; }

 private:
  Action Send(TimeMs now, NodeIndex node, bool asking = false);
  Action Retry(TimeMs now);  // after a clean refusal (or a lost repeatable attempt), with backoff
  Action Finish(OpOutcome outcome);
  // Out of attempts or time: kFail, or kUnknown once a write attempt may have applied.
  Action Exhausted();
  // A timed-out or lost attempt: retried under retry_after_timeout when Repeatable().
  Action OnAttemptLost(TimeMs now, OpEnd end, const char* error);
  void BuildArgv();
  bool IsWrite() const {
    return spec_.type == OpType::kCommand ? spec_.write : spec_.type != OpType::kGet;
  }
  bool Repeatable() const { return !IsWrite() || spec_.repeatable; }

  RetryPolicy policy_;
  OpSpec spec_;
  std::uint16_t slot_ = 0;
  std::vector<std::string> argv_;
  OpResult result_;
  TimeMs invoked_at_ = 0;
  TimeMs attempt_deadline_ = 0;
  TimeMs backoff_ms_ = 0;
  NodeIndex target_ = kNoNode;
  bool in_flight_ = false;
  bool done_ = true;
  // A write attempt timed out or lost its connection (it may have applied): running out of
  // time or attempts afterwards is kUnknown, not kFail.
  bool maybe_applied_ = false;
};

const char* OpTypeName(OpType type);
const char* OpOutcomeName(OpOutcome outcome);

}  // namespace shoal::client
