// Errors are values: core functions return Result<T>, a Boost.Outcome result carrying either a T
// or a std::error_code in Shoal's own category. Programmer errors are SHOAL_ASSERT, which crashes
// loudly in every build type.
#pragma once

#include <boost/outcome/std_result.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>

namespace shoal {

namespace outcome = BOOST_OUTCOME_V2_NAMESPACE;

enum class Error {
  kOk = 0,
  kOutOfMemory,    // maxmemory reached and the policy may not (or cannot) evict
  kValueTooLarge,  // value longer than the configured max-value-bytes
  kKeyTooLarge,    // key longer than limits::kKeyBytesMax
  kNotInteger,     // INCR family on a non-integer value
  kOverflow,       // INCR family would overflow int64
  kProtocol,       // malformed RESP input
  kLimitExceeded,  // a client-controlled size beyond its limit
  kInvalidChange,  // a cluster configuration change that names no member (configuration.h)
};

const std::error_category& ErrorCategory();

inline std::error_code make_error_code(Error e) { return {static_cast<int>(e), ErrorCategory()}; }

template <class T>
using Result = outcome::std_result<T>;

[[noreturn]] void AssertFail(const char* expr, const char* file, int line, const char* msg);

}  // namespace shoal

template <>
struct std::is_error_code_enum<shoal::Error> : std::true_type {};

// Always on (cheap checks only); a failed assertion is a bug in Shoal, never bad input.
#define SHOAL_ASSERT(cond)                                     \
  do {                                                         \
    if (!(cond)) [[unlikely]]                                  \
      ::shoal::AssertFail(#cond, __FILE__, __LINE__, nullptr); \
  } while (0)
#define SHOAL_ASSERT_MSG(cond, msg)                          \
  do {                                                       \
    if (!(cond)) [[unlikely]]                                \
      ::shoal::AssertFail(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
