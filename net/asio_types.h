// The Asio types the drivers in net/ share: every I/O object and coroutine uses the concrete
// io_context executor, not the type-erased any_io_executor (no virtual-ish dispatch, no executor
// copies through `prefer` on the hot path), and two helpers every driver's coroutines use. Only
// net/ includes this (through net/asio.h).
#pragma once

#include <chrono>
#include <exception>
#include <string>
#include <string_view>

#include "net/asio.h"

namespace shoal::net {

using Executor = boost::asio::io_context::executor_type;
template <class T = void>
using Task = boost::asio::awaitable<T, Executor>;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
using Acceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, Executor>;
using Timer = boost::asio::basic_waitable_timer<
    std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;
using SignalSet = boost::asio::basic_signal_set<Executor>;
using Pipe = boost::asio::posix::basic_stream_descriptor<Executor>;
inline constexpr boost::asio::use_awaitable_t<Executor> kAwait;

// "ip:port".
std::string EndpointText(const boost::asio::ip::tcp::endpoint& endpoint);
// Completion handler for co_spawn: a coroutine that escapes with an exception is a bug in the
// driver, never a reason to take the server down silently; it is logged as `what`.
void LogEscapedException(std::string_view what, std::exception_ptr error);

}  // namespace shoal::net
