// Options and public limits of the Shoal client (Client and BlockingClient).
//
// Every call has a deadline: CallOptions::deadline, or ClientOptions::deadline when that is zero,
// whose default is kDeadlineDefault (5 s). Within it the client routes, follows redirects,
// reconnects and retries with exponential backoff under the rules in docs/client.md ("Errors and
// retries"); when it passes, the call ends with Errc::kTimedOut (or kUnknownOutcome for a write
// that is not safe to repeat). No call ever waits longer than its deadline plus one timer tick.
//
// Thread safety: plain values.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shoal {

// --- Limits (qualifier last) --------------------------------------------------------------------
// The stated default deadline of a call (the issue asks for at most 5 s).
inline constexpr std::chrono::milliseconds kDeadlineDefault{5000};
// The longest deadline a call may ask for; longer ones are clamped.
inline constexpr std::chrono::milliseconds kDeadlineMax{10 * 60 * 1000};
// One attempt (one request on one connection) waits at most this long by default.
inline constexpr std::chrono::milliseconds kAttemptTimeoutDefault{1000};
// Opening a TCP connection (resolve + connect + AUTH) waits at most this long by default.
inline constexpr std::chrono::milliseconds kConnectTimeoutDefault{1000};
// Backoff between retries after refusals (LOADING, TRYAGAIN, CLUSTERDOWN, unreachable nodes)
// and lost attempts: doubles from the initial value up to the maximum.
inline constexpr std::chrono::milliseconds kBackoffInitialDefault{10};
inline constexpr std::chrono::milliseconds kBackoffMaxDefault{400};
// Attempts of one call (redirects and retries together). The deadline is what bounds retries
// (with a 400 ms backoff ceiling a 5 s call makes about 16); this bound only stops a redirect
// loop between nodes that disagree, which costs no backoff, well before the deadline.
inline constexpr std::uint32_t kAttemptsDefault = 256;
// Connections the client keeps to each node (requests are pipelined on each).
inline constexpr std::size_t kConnectionsPerNodeDefault = 2;
inline constexpr std::size_t kConnectionsPerNodeMax = 1024;
// Requests in flight on one connection; past this a request waits for another attempt (backoff).
inline constexpr std::size_t kRequestsPerConnectionMax = 64 * 1024;
// Largest bulk reply accepted (a larger one is a protocol error and drops the connection).
inline constexpr std::size_t kReplyBulkBytesMax = 512 * 1024 * 1024;
// Most elements in one reply array, and most keys in one MGet / MSet call.
inline constexpr std::size_t kReplyArrayLenMax = 1024 * 1024;
inline constexpr std::size_t kKeysPerCallMax = kReplyArrayLenMax;
// Fewest milliseconds between two refreshes of a cluster's slot map (after MOVED or a lost node).
inline constexpr std::chrono::milliseconds kSlotMapRefreshIntervalMin{100};

struct ClientOptions {
  // Where to start: "host:port" of any node of a Redis Cluster (or a Shoal node), or of a
  // standalone server. The client asks CLUSTER SLOTS; a server without cluster support answers
  // with an error and the client then sends everything to that server (standalone mode).
  std::vector<std::string> seeds{"127.0.0.1:7379"};
  std::chrono::milliseconds deadline = kDeadlineDefault;
  std::chrono::milliseconds attempt_timeout = kAttemptTimeoutDefault;
  std::chrono::milliseconds connect_timeout = kConnectTimeoutDefault;
  std::chrono::milliseconds backoff_initial = kBackoffInitialDefault;
  std::chrono::milliseconds backoff_max = kBackoffMaxDefault;
  std::uint32_t attempts_max = kAttemptsDefault;
  std::size_t connections_per_node = kConnectionsPerNodeDefault;
  // Concurrent Gets of one key share one request, when the request has not been sent yet
  // (so no Get ever sees data older than its own call).
  bool coalesce_gets = true;
  // Sent as AUTH on every new connection when not empty.
  std::string password;
};

struct CallOptions {
  // 0: ClientOptions::deadline.
  std::chrono::milliseconds deadline{0};
};

// How the client may treat a raw command when an attempt is lost (docs/client.md).
enum class CommandKind : std::uint8_t {
  kAuto,             // looked up by name: known reads and repeatable writes, anything else kWrite
  kRead,             // no effect: retried after timeouts and broken connections
  kRepeatableWrite,  // repeating it leaves the same state: retried like a read
  kWrite,            // retried only after errors that prove it did not apply
};

struct CommandOptions {
  CommandKind kind = CommandKind::kAuto;
  // The key that routes the command in a cluster; default: argv[1] (or slot 0 if none).
  std::optional<std::string> route_key;
  std::chrono::milliseconds deadline{0};  // as CallOptions::deadline
};

}  // namespace shoal
