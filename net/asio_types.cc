#include "net/asio_types.h"

#include "net/log.h"

namespace shoal::net {

std::string EndpointText(const boost::asio::ip::tcp::endpoint& endpoint) {
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void LogEscapedException(std::string_view what, std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    Log(LogLevel::kWarning, std::string(what) + " ended by exception: " + e.what());
  } catch (...) {
    Log(LogLevel::kWarning, std::string(what) + " ended by unknown exception");
  }
}

}  // namespace shoal::net
