// BindAndListen: opens, binds and listens an Asio TCP acceptor on ADDRESS:PORT, for every
// listening socket of the driver (the client port in net/server.cc, /metrics in
// net/metrics_server.cc). Returns the bound port (the kernel's choice when port is 0) or a
// one-line message naming `what` ("" for the client port, "metrics " for /metrics).
//
// Thread safety: as the acceptor's (call before the acceptor's io_context runs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/asio.h"
#include "net/listen_result.h"

namespace shoal::net {

template <class Acceptor>
ListenResult BindAndListen(Acceptor& acceptor, const std::string& bind, std::uint16_t port,
                           std::string_view what) {
  using boost::asio::ip::tcp;
  boost::system::error_code ec;
  const boost::asio::ip::address address = boost::asio::ip::make_address(bind, ec);
  if (ec) return "bad " + std::string(what) + "bind address '" + bind + "': " + ec.message();
  const tcp::endpoint endpoint(address, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return "cannot listen " + std::string(what.empty() ? "" : "for metrics ") + "on " +
           endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ": " +
           ec.message();
  }
  const tcp::endpoint bound = acceptor.local_endpoint(ec);
  if (ec) return "cannot read the bound " + std::string(what) + "address: " + ec.message();
  return bound.port();
}

}  // namespace shoal::net
