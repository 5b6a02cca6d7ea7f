// shoald: parses flags, builds the Node's configuration, and runs the Asio driver (net/server.h)
// until SIGINT/SIGTERM/SHUTDOWN has drained. Exit status: 0 after a clean shutdown, 1 when a port
// cannot be bound or the voter state under --dir cannot be read (or, later, written), 2 for bad
// flags.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include "core/cluster/voter_state.h"
#include "core/limits.h"
#include "net/cycle_clock.h"
#include "net/log.h"
#include "net/server.h"
#include "net/state_file.h"
#include "server/flags.h"

int main(int argc, char** argv) {
  using shoal::net::Log;
  using shoal::net::LogLevel;
  const shoal::server::FlagsResult parsed = shoal::server::ParseFlags(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "shoald: %s\nTry 'shoald --help'.\n", parsed.error().c_str());
    return 2;
  }
  const shoal::server::ServerFlags& flags = parsed.value();
  if (flags.help) {
    std::fputs(shoal::server::HelpText().c_str(), stdout);
    return 0;
  }
  const shoal::server::ObservabilityFlags& obs = flags.observability;
  shoal::net::SetLogLevel(flags.log_level);
  shoal::net::SetLogFormat(obs.log_format);
  ::signal(SIGPIPE, SIG_IGN);  // a peer that vanished is an error code, not a dead process
  shoal::net::CycleClock::Init();

  shoal::NodeConfig node_config = shoal::server::MakeNodeConfig(flags);
  node_config.process_id = static_cast<std::uint64_t>(::getpid());
  node_config.monotonic_clock = shoal::net::CycleClock::Describe();
  // The configuration log's election timeouts: a different sequence on every node and every life.
  std::random_device entropy;
  node_config.election_seed = (std::uint64_t{entropy()} << 32) ^ entropy();

  shoal::net::ServerOptions options;
  if (!flags.cluster.dir.empty()) {
    // The voter state an earlier life kept: without it this node would forget its term and vote
    // (and take its next life for its first).
    struct stat dir_stat {};
    if (::stat(flags.cluster.dir.c_str(), &dir_stat) != 0 || !S_ISDIR(dir_stat.st_mode)) {
      std::fprintf(stderr, "shoald: --dir %s is not an existing directory\n",
                   flags.cluster.dir.c_str());
      return 2;
    }
    options.voter_state_path = flags.cluster.dir + "/voter-state";
    const shoal::net::FileRead read =
        shoal::net::ReadWholeFile(options.voter_state_path, shoal::limits::kVoterStateBytesMax);
    if (!read.error.empty()) {
      Log(LogLevel::kError, "shoald: " + read.error);
      return 1;
    }
    if (read.contents) {
      shoal::Result<shoal::cluster::VoterState> restored =
          shoal::cluster::DecodeVoterState(*read.contents);
      if (!restored) {
        Log(LogLevel::kError, "shoald: " + options.voter_state_path +
                                  " is not a voter state this version can read, or is damaged (" +
                                  restored.error().message() + "); move it away to start anew");
        return 1;
      }
      const shoal::cluster::VoterState& v = restored.value();
      Log(LogLevel::kInfo,
          "cluster: restored the voter state from " + options.voter_state_path + ": term " +
              std::to_string(v.term) + ", " + std::to_string(v.entries.size()) +
              " entries after a snapshot through index " + std::to_string(v.snapshot.last_index));
      node_config.voter_state =
          std::make_shared<const shoal::cluster::VoterState>(std::move(restored).value());
    }
  }
  options.bind = flags.bind;
  options.port = flags.port;
  options.parser.bulk_bytes_max = flags.value_bytes_max;
  options.input_bytes_max = flags.value_bytes_max + shoal::limits::kPendingInputSlackBytes;
  options.protected_mode = flags.security.protected_mode;
  options.idle_timeout_ms = static_cast<std::int64_t>(flags.security.timeout_s) * 1000;
  if (flags.cluster.enabled) {
    shoal::net::PeerLinksOptions peers;
    peers.self = flags.cluster.self;
    peers.bind = flags.bind;
    peers.peer_port = flags.cluster.peer_port_resolved;
    for (const shoal::server::PeerAddress& member : flags.cluster.members) {
      peers.members.emplace_back(boost::asio::ip::make_address(member.host), member.port);
    }
    options.peers = std::move(peers);
  }
  if (obs.metrics_port) {
    options.metrics =
        shoal::net::MetricsOptions{.bind = obs.metrics_bind, .port = *obs.metrics_port};
  }

  shoal::net::Server server(node_config, options);
  const shoal::net::ListenResult listened = server.Listen();
  if (!listened) {
    Log(LogLevel::kError, "shoald: " + listened.error());
    return 1;
  }
  const std::string port = std::to_string(listened.value());
  const std::string metrics_host = obs.metrics_bind.find(':') == std::string::npos
                                       ? obs.metrics_bind
                                       : "[" + obs.metrics_bind + "]";  // IPv6
  const std::string metrics =
      server.metrics_port() ? metrics_host + ":" + std::to_string(*server.metrics_port()) : "off";
  // The start-up banner: the effective configuration, one event (fields in text or JSON).
  Log(LogLevel::kInfo, "shoald " + node_config.version + " starting",
      {{"pid", std::to_string(node_config.process_id)},
       {"bind", flags.bind},
       {"port", port},
       {"maxmemory", std::to_string(flags.maxmemory_bytes)},
       {"eviction", std::string(shoal::EvictionKindName(flags.eviction))},
       {"max-value-bytes", std::to_string(flags.value_bytes_max)},
       {"max-clients", std::to_string(flags.clients_max)},
       {"requirepass", flags.requirepass.empty() ? "no" : "yes"},
       {"protected-mode", flags.security.protected_mode ? "yes" : "no"},
       {"timeout", std::to_string(flags.security.timeout_s)},
       {"log-level", std::string(shoal::net::LogLevelName(flags.log_level))},
       {"log-format", std::string(shoal::net::LogFormatName(obs.log_format))},
       {"metrics", metrics},
       {"slowlog-log-slower-than", std::to_string(obs.slowlog_log_slower_than_us)},
       {"slowlog-max-len", std::to_string(obs.slowlog_max_len)},
       {"hotkeys-sample-every", std::to_string(obs.hotkeys_sample_every)},
       {"latency-tracking", obs.latency_tracking ? "yes" : "no"},
       {"monotonic-clock", node_config.monotonic_clock},
       {"cluster", flags.cluster.enabled ? "yes" : "no"}});
  if (flags.cluster.enabled) {
    std::string members;
    for (const shoal::server::PeerAddress& member : flags.cluster.members) {
      members += (members.empty() ? "" : ",") + member.host + ":" + std::to_string(member.port);
    }
    Log(LogLevel::kInfo, "cluster: node " + std::to_string(flags.cluster.self) + " of " +
                             std::to_string(flags.cluster.members.size()) + ", copies " +
                             std::to_string(flags.cluster.copies) + ", peer port " +
                             std::to_string(flags.cluster.peer_port_resolved) + ", members " +
                             members);
  }
  Log(LogLevel::kInfo, "shoald listening on " + flags.bind + ":" + port);
  // The contract tests rely on: one line on stdout with the real port, flushed at once (and the
  // metrics address on a second line when metrics are on).
  std::printf("shoald listening on %s:%s\n", flags.bind.c_str(), port.c_str());
  if (server.metrics_port()) {
    Log(LogLevel::kInfo, "shoald metrics on http://" + metrics + "/metrics");
    std::printf("shoald metrics on %s\n", metrics.c_str());
  }
  std::fflush(stdout);

  server.Run();
  Log(LogLevel::kInfo, "shoald exiting");
  return 0;
}
