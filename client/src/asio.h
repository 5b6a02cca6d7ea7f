// The one way the client library includes Boost.Asio (private to client/src/). Boost 1.74's
// asio/awaitable.hpp uses std::exchange without including <utility>, which g++ 12 rejects, so
// <utility> comes first. Also the aliases every client source uses.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio.hpp>
// clang-format on
#include <chrono>

namespace shoal::client_impl {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

// Awaits with the error in `ec` instead of an exception (the library throws nothing of its own).
inline auto Await(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

}  // namespace shoal::client_impl
