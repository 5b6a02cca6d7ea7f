#include "sim/network.h"

#include <algorithm>

#include "core/result.h"

namespace shoal::sim {

Network::Network(std::uint32_t node_count, std::uint32_t client_count,
                 const NetworkOptions& options)
    : node_count_(node_count),
      endpoint_count_(node_count + client_count),
      options_(options),
      links_(static_cast<std::size_t>(endpoint_count_) * endpoint_count_) {
  SHOAL_ASSERT(node_count > 0);
  SHOAL_ASSERT(options.latency_min_ms >= 0 && options.latency_min_ms <= options.latency_max_ms);
  SHOAL_ASSERT(options.stale_ppm <= kStalePpmHardMax);
  SHOAL_ASSERT(options.stale_delay_min_ms >= 0 &&
               options.stale_delay_min_ms <= options.stale_delay_max_ms &&
               options.stale_delay_max_ms <= kStaleDelayHardMaxMs);
}

Delivery Network::Send(TimeMs now, std::uint32_t from, std::uint32_t to, Prng& prng) {
  SHOAL_ASSERT(from < endpoint_count_ && to < endpoint_count_ && from != to);
  Delivery d;
  Link& l = link(from, to);
  if (l.blocked > 0) return d;
  const bool peer = from < node_count_ && to < node_count_;
  // The stale copy is taken as the message leaves (before loss): the original may still be lost.
  if (peer && options_.stale_ppm > 0 && prng.ChancePpm(options_.stale_ppm)) {
    d.stale = true;
    d.stale_at =
        now + prng.Range(options_.stale_delay_min_ms,
                         std::max(options_.stale_delay_min_ms, options_.stale_delay_max_ms));
  }
  const std::uint32_t loss = peer ? options_.loss_ppm : options_.client_loss_ppm;
  if (loss > 0 && prng.ChancePpm(loss)) return d;
  TimeMs latency = prng.Latency(options_.latency_min_ms, options_.latency_max_ms, options_.tail_ppm,
                                options_.tail_mean_ms, options_.tail_max_ms);
  latency += l.clog_ms;
  // While reordering is on, peer links are datagram-like: no FIFO, and some messages get an
  // extra delay so that later ones overtake them.
  const bool reordering = peer && options_.reorder_ppm > 0;
  if (reordering && prng.ChancePpm(options_.reorder_ppm)) {
    latency += prng.Range(1, std::max<TimeMs>(1, options_.reorder_delay_max_ms));
  }
  const bool fifo = !reordering;
  d.delivered = true;
  d.at = now + latency;
  if (fifo) d.at = std::max(d.at, l.last_delivery);
  l.last_delivery = std::max(l.last_delivery, d.at);
  if (peer && options_.duplicate_ppm > 0 && prng.ChancePpm(options_.duplicate_ppm)) {
    d.duplicated = true;
    d.duplicate_at = d.at + prng.Range(0, std::max<TimeMs>(options_.latency_max_ms, 1));
  }
  return d;
}

void Network::Block(std::uint32_t from, std::uint32_t to) { link(from, to).blocked++; }

void Network::Unblock(std::uint32_t from, std::uint32_t to) {
  Link& l = link(from, to);
  if (l.blocked > 0) l.blocked--;
}

void Network::Clog(std::uint32_t from, std::uint32_t to, TimeMs delay_ms) {
  link(from, to).clog_ms += delay_ms;
}

void Network::Unclog(std::uint32_t from, std::uint32_t to, TimeMs delay_ms) {
  Link& l = link(from, to);
  l.clog_ms = std::max<TimeMs>(0, l.clog_ms - delay_ms);
}

void Network::HealAll() {
  for (Link& l : links_) {
    l.blocked = 0;
    l.clog_ms = 0;
  }
  options_.loss_ppm = 0;
  options_.duplicate_ppm = 0;
  options_.reorder_ppm = 0;
  options_.tail_ppm = 0;
  options_.client_loss_ppm = 0;
  options_.stale_ppm = 0;
}

void Network::ResetEndpoint(std::uint32_t endpoint) {
  for (std::uint32_t other = 0; other < endpoint_count_; ++other) {
    if (other == endpoint) continue;
    link(endpoint, other).last_delivery = 0;
    link(other, endpoint).last_delivery = 0;
  }
}

}  // namespace shoal::sim
