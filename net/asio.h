// The one way Shoal includes Boost.Asio. Boost 1.74's asio/awaitable.hpp uses std::exchange
// without including <utility>, which g++ 12 rejects; including <utility> first fixes it.
// Only net/ and server/ may include this header (the core never sees Asio: tests/seam_check.sh).
#pragma once

// clang-format off
#include <utility>
#include <boost/asio.hpp>
// clang-format on
