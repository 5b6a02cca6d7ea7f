// ClientStats: counters of a Client since it was made (for load generators and logs), read with
// Client::stats() / BlockingClient::stats().
//
// Thread safety: a plain value (a copy taken on the client's thread).
#pragma once

#include <cstdint>

namespace shoal {

struct ClientStats {
  std::uint64_t calls = 0;               // operations sent to the network (coalesced Gets excluded)
  std::uint64_t attempts = 0;            // requests sent, retries and redirects included
  std::uint64_t redirects_moved = 0;     // -MOVED followed
  std::uint64_t redirects_ask = 0;       // -ASK followed
  std::uint64_t retries = 0;             // attempts after a refusal, timeout or broken connection
  std::uint64_t timeouts = 0;            // attempts that timed out
  std::uint64_t coalesced_gets = 0;      // Gets answered by another Get's request
  std::uint64_t slot_map_refreshes = 0;  // CLUSTER SLOTS replies applied
  std::uint64_t connections_opened = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t connections_lost = 0;  // broken after opening (reset, EOF, protocol error)
  bool cluster = false;                // a node answered CLUSTER SLOTS with a slot map
};

}  // namespace shoal
