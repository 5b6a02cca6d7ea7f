#include "core/result.h"

namespace shoal {
namespace {

class ShoalErrorCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "shoal"; }
  std::string message(int code) const override {
    switch (static_cast<Error>(code)) {
      case Error::kOk:
        return "ok";
      case Error::kOutOfMemory:
        return "OOM command not allowed when used memory > 'maxmemory'.";
      case Error::kValueTooLarge:
        return "value is larger than max-value-bytes";
      case Error::kKeyTooLarge:
        return "key is larger than the key size limit";
      case Error::kNotInteger:
        return "value is not an integer or out of range";
      case Error::kOverflow:
        return "increment or decrement would overflow";
      case Error::kProtocol:
        return "Protocol error";
      case Error::kLimitExceeded:
        return "limit exceeded";
      case Error::kInvalidChange:
        return "invalid cluster configuration change";
    }
    return "unknown shoal error";
  }
};

}  // namespace

const std::error_category& ErrorCategory() {
  static const ShoalErrorCategory category;
  return category;
}

void AssertFail(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "shoal: assertion failed: %s at %s:%d%s%s\n", expr, file, line,
               msg ? ": " : "", msg ? msg : "");
  std::abort();
}

}  // namespace shoal
