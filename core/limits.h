// Every bound in Shoal, in one place (TigerBeetle habit: a limit on everything, qualifier last).
// Drivers may lower a limit through flags; none may exceed the hard maxima here. Related limits
// are tied together with static_asserts at the bottom.
#pragma once

#include <cstddef>
#include <cstdint>

namespace shoal::limits {

// --- Keys and values ---------------------------------------------------------------------------
// Keys are short in every cache workload we know; a hard cap keeps item headers small.
inline constexpr std::size_t kKeyBytesMax = 64 * 1024;
// Default largest value (R13 asks for 1 MB); --max-value-bytes may raise it up to the hard max.
inline constexpr std::size_t kValueBytesDefault = 8 * 1024 * 1024;
inline constexpr std::size_t kValueBytesMin = 1 * 1024 * 1024;
inline constexpr std::size_t kValueBytesHardMax = 512 * 1024 * 1024;

// --- RESP protocol -----------------------------------------------------------------------------
// Largest number of arguments in one command (Redis: 1024*1024*1024; ours is tighter).
inline constexpr std::size_t kArrayLenMax = 1024 * 1024;
// Longest inline command line (Redis PROTO_INLINE_MAX_SIZE is 64 KiB).
inline constexpr std::size_t kInlineBytesMax = 64 * 1024;
// Longest header line ("*<n>\r\n" or "$<n>\r\n"); anything longer is garbage.
inline constexpr std::size_t kHeaderBytesMax = 32;

// --- Connections -------------------------------------------------------------------------------
inline constexpr std::size_t kClientsDefault = 10000;
inline constexpr std::size_t kClientsHardMax = 1000000;
// Bytes read from a socket in one read.
inline constexpr std::size_t kReadChunkBytes = 16 * 1024;
// Pending (received, not yet executed) input per connection: one largest command plus slack.
inline constexpr std::size_t kPendingInputSlackBytes = 1024 * 1024;
// Output queued for a client that does not read; past this the connection is closed
// (Redis client-output-buffer-limit normal is unlimited; we are stricter on purpose).
inline constexpr std::size_t kOutputBytesMax = 64 * 1024 * 1024;
// Commands executed from one connection before yielding to the others (fairness).
inline constexpr std::size_t kCommandsPerReadMax = 1024;
// Client name length (CLIENT SETNAME).
inline constexpr std::size_t kClientNameBytesMax = 256;

// --- Store maintenance -------------------------------------------------------------------------
// Active expiry: keys examined per Tick; never a full scan.
inline constexpr std::size_t kActiveExpireKeysPerTick = 200;
// Tick period the drivers use (ms).
inline constexpr std::int64_t kTickIntervalMs = 100;
// Items evicted per write before giving up (keeps a single write bounded).
inline constexpr std::size_t kEvictionsPerWriteMax = 1024;

// --- Tied limits -------------------------------------------------------------------------------
static_assert(kValueBytesMin <= kValueBytesDefault && kValueBytesDefault <= kValueBytesHardMax);
static_assert(kKeyBytesMax < kValueBytesMin);
static_assert(kHeaderBytesMax >= sizeof("*18446744073709551615\r\n"));
static_assert(kInlineBytesMax <= kPendingInputSlackBytes);

}  // namespace shoal::limits
