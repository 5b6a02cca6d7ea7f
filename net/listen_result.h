// ListenResult: what binding a listening socket returns in the driver (Server::Listen,
// MetricsServer::Listen): the bound port, or a one-line message saying why not.
#pragma once

#include <boost/outcome/basic_result.hpp>
#include <boost/outcome/policy/terminate.hpp>
#include <cstdint>
#include <string>

namespace shoal::net {

using ListenResult =
    BOOST_OUTCOME_V2_NAMESPACE::basic_result<std::uint16_t, std::string,
                                             BOOST_OUTCOME_V2_NAMESPACE::policy::terminate>;

}  // namespace shoal::net
