// MetricsServer: /metrics over HTTP/1.1 (Boost.Beast) for Prometheus, on a thread of its own that
// only reads snapshots. A scrape raises a flag and waits (at most limits::kMetricsSnapshotWaitMs)
// for the request loop, which checks the flag once per tick, to publish a fresh MetricsSnapshot (a
// copy of the Node's counters, core/stats/metrics.h); it then formats it (FormatMetrics) on this
// thread. Nothing here ever touches the Node or the request loop, so a scrape, a slow or
// malicious HTTP client, or many of them, cannot stall request processing: the loop's whole share
// is an atomic exchange per tick and, per tick in which someone scraped, one copy and a pointer
// swap under a mutex held for nothing else.
//
//   MetricsServer metrics({.bind = "127.0.0.1", .port = 9121});
//   auto port = metrics.Listen();        // binds; the real port when port == 0
//   metrics.Start();                     // serving thread
//   if (metrics.SnapshotWanted()) metrics.Publish(snapshot);   // the Node's thread, every tick
//   metrics.Stop();                      // joins (also done by the destructor)
//
// Routes: GET|HEAD /metrics (text format 0.0.4), GET / (a pointer to /metrics); other paths 404,
// other methods 405. Keep-alive is honoured. Bounded: limits::kMetricsConnectionsMax connections
// (more are closed at once), limits::kMetricsRequestBytesMax bytes of request, and
// limits::kMetricsIdleTimeoutMs per request or idle keep-alive gap.
//
// Thread safety: construct, Listen, Start and Stop on one thread; Publish from any thread.
// Invariant: a scrape answers a snapshot published after it began, or (after the wait) the newest
// one there is, or 503 if none yet.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/stats/metrics.h"
#include "net/listen_result.h"

namespace shoal::net {

struct MetricsOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
};

class MetricsServer {
 public:
  explicit MetricsServer(const MetricsOptions& options);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and listens. Returns the bound port, or a message saying why not.
  ListenResult Listen();
  // Starts the serving thread. REQUIRES: Listen() succeeded.
  void Start();
  // Stops serving and joins the thread; idempotent.
  void Stop();
  // True when a scrape is waiting for a fresh snapshot (and clears the request). Any thread; one
  // atomic exchange.
  bool SnapshotWanted();
  // Makes `snapshot` the one scrapes answer from now on and wakes the waiting ones. Any thread;
  // never waits for a scrape (the lock guards a pointer swap and a counter only).
  void Publish(std::shared_ptr<const MetricsSnapshot> snapshot);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoal::net
