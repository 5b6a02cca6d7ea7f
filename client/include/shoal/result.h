// Results of the Shoal client: every call returns a Result<T>, a Boost.Outcome value holding
// either the T or an Error. Errors are values; the client throws nothing of its own.
//
//   shoal::Result<std::string> r = client.Get("user:42");
//   if (r) use(r.value());
//   else if (r.error().code == shoal::Errc::kNotFound) load_from_database();
//   else log(r.error().message);
//
// What each code lets the caller conclude (docs/client.md, "Errors and retries"):
//   kNotFound           the key does not exist (Get, Ttl, Expire, ExpireAt).
//   kTimedOut           the call's deadline passed. A read had no effect; a repeatable write
//                       (Set, Delete, ExpireAt, MSet) may or may not have applied, and repeating
//                       it is safe.
//   kUnknownOutcome     a write that is not safe to repeat (Incr, Expire, APPEND, SET ... GET,
//                       any raw command not known to be repeatable) may have applied: an attempt
//                       timed out or its connection broke after the request was sent. The client
//                       never repeats such a write on its own.
//   kClusterUnavailable no node could serve the key before the deadline (nodes unreachable, or
//                       answering CLUSTERDOWN / TRYAGAIN / LOADING, or redirects that could not be
//                       followed). A non-repeatable write was not applied; a repeatable write
//                       that was retried after a timeout may have been.
//   kServerError        the server answered with an error (`message` holds it, e.g. "ERR value is
//                       not an integer or out of range"). Redis and Shoal answer a write with an
//                       error only before executing it: the write was not applied.
//   kProtocolError      the reply was malformed, or of a type the call does not expect.
//   kInvalidArgument    the call is invalid (e.g. an empty command); nothing was sent.
//   kClosed             the client was closed.
//
// Thread safety: plain values.
#pragma once

#include <boost/outcome/basic_result.hpp>
#include <boost/outcome/policy/terminate.hpp>
#include <cstdint>
#include <string>

namespace shoal {

enum class Errc : std::uint8_t {
  kNotFound = 1,
  kTimedOut,
  kUnknownOutcome,
  kClusterUnavailable,
  kServerError,
  kProtocolError,
  kInvalidArgument,
  kClosed,
};

// "not found", "timed out", ... (for logs).
const char* ErrcName(Errc code);

struct Error {
  Errc code = Errc::kServerError;
  std::string message;  // the server's error text, or what went wrong

  bool operator==(Errc other) const { return code == other; }
};

// Observing the wrong side (value() of an error, error() of a value) terminates the program:
// check with `if (result)` or has_value() first.
template <class T>
using Result = boost::outcome_v2::basic_result<T, Error, boost::outcome_v2::policy::terminate>;

}  // namespace shoal
