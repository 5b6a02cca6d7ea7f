// Network: the simulator's model of the wires between endpoints (nodes 0..N-1, then clients).
// It decides, for each message sent, whether it is delivered and when (latency with a tail,
// loss, duplication, reordering, partitions, clogged links); it carries nothing itself; the
// Simulator schedules the deliveries it decides.
//
// Peer (node<->node) links behave like datagrams when reordering is on (each message draws its
// own latency) and like FIFO streams otherwise. Client<->node links are always FIFO (TCP): they
// may lose a message (the connection stalls; the client times out) but never duplicate or reorder.
//
// Thread safety: none; owned by one Simulator.
// Invariants:
//   1. A blocked link (partition count > 0) delivers nothing sent while it is blocked.
//   2. With reorder_ppm == 0, deliveries on one link are in send order (FIFO).
//   3. Every latency is within [latency_min_ms, latency_max_ms + tail_max_ms + clog + reorder];
//      a stale copy's within [stale_delay_min_ms, stale_delay_max_ms].
#pragma once

#include <cstdint>
#include <vector>

#include "core/time.h"
#include "sim/prng.h"

namespace shoal::sim {

inline constexpr std::uint32_t kStalePpmHardMax = 100'000;
inline constexpr TimeMs kStaleDelayHardMaxMs = 30'000;

// Every network knob, with its bound. Fault mixes draw values within these bounds per seed.
struct NetworkOptions {
  TimeMs latency_min_ms = 1;          // one-way, base; bound [0, 100]
  TimeMs latency_max_ms = 4;          // bound [latency_min_ms, 200]
  std::uint32_t tail_ppm = 0;         // chance of a tail delay; bound [0, 200000] (20%)
  TimeMs tail_mean_ms = 50;           // mean extra delay of the tail (exponential); bound 500
  TimeMs tail_max_ms = 400;           // cap of the tail; bound 2000
  std::uint32_t loss_ppm = 0;         // peer messages lost; bound [0, 1000000] (100% in tests)
  std::uint32_t duplicate_ppm = 0;    // peer messages delivered twice; bound [0, 500000]
  std::uint32_t reorder_ppm = 0;      // peer messages given an extra delay that breaks FIFO
  TimeMs reorder_delay_max_ms = 30;   // bound 500
  std::uint32_t client_loss_ppm = 0;  // client requests/replies lost (=> timeout); bound 100000
  // Stale delivery: a copy of a peer message is held back (a packet stuck in a router queue) and
  // delivered much later, to whatever process then runs at the address, across restarts of
  // either end and regardless of partitions by then. Bound [0, 100000] (10%); delay bound 30 s.
  std::uint32_t stale_ppm = 0;
  TimeMs stale_delay_min_ms = 200;
  TimeMs stale_delay_max_ms = 8000;
};

// What the network decided for one message.
struct Delivery {
  bool delivered = false;
  TimeMs at = 0;            // delivery time (true time)
  bool duplicated = false;  // deliver a second copy at `duplicate_at`
  TimeMs duplicate_at = 0;
  bool stale = false;  // also deliver a held-back copy at `stale_at` (to any incarnation)
  TimeMs stale_at = 0;
};

class Network {
 public:
  // `node_count` nodes (endpoints 0..node_count-1) and `client_count` clients (endpoints after).
  Network(std::uint32_t node_count, std::uint32_t client_count, const NetworkOptions& options);

  std::uint32_t node_count() const { return node_count_; }
  std::uint32_t endpoint_count() const { return endpoint_count_; }
  std::uint32_t ClientEndpoint(std::uint32_t client) const { return node_count_ + client; }

  NetworkOptions& options() { return options_; }
  const NetworkOptions& options() const { return options_; }

  // Decides the fate of a message sent now from `from` to `to` (endpoint indices).
  Delivery Send(TimeMs now, std::uint32_t from, std::uint32_t to, Prng& prng);

  // Partitions are counted so that overlapping faults heal independently.
  void Block(std::uint32_t from, std::uint32_t to);
  void Unblock(std::uint32_t from, std::uint32_t to);
  bool Blocked(std::uint32_t from, std::uint32_t to) const { return link(from, to).blocked > 0; }
  // Adds `delay_ms` to every message on the link (both directions are separate links).
  void Clog(std::uint32_t from, std::uint32_t to, TimeMs delay_ms);
  void Unclog(std::uint32_t from, std::uint32_t to, TimeMs delay_ms);
  // Removes every partition and clog (the quiet phase) and zeroes loss, duplication, reordering,
  // stale delivery and the latency tail (copies already held back still arrive).
  void HealAll();

  // Forgets FIFO history of links touching `endpoint` (its connections were reset by a crash).
  void ResetEndpoint(std::uint32_t endpoint);

 private:
  struct Link {
    std::uint32_t blocked = 0;
    TimeMs clog_ms = 0;
    TimeMs last_delivery = 0;  // for FIFO
  };
  Link& link(std::uint32_t from, std::uint32_t to) { return links_[from * endpoint_count_ + to]; }
  const Link& link(std::uint32_t from, std::uint32_t to) const {
    return links_[from * endpoint_count_ + to];
  }

  std::uint32_t node_count_;
  std::uint32_t endpoint_count_;
  NetworkOptions options_;
  std::vector<Link> links_;
};

}  // namespace shoal::sim
