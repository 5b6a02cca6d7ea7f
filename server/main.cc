// shoald: parses flags, builds the Node's configuration, and runs the Asio driver (net/server.h)
// until SIGINT/SIGTERM/SHUTDOWN has drained. Exit status: 0 after a clean shutdown, 1 when the
// port cannot be bound, 2 for bad flags.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>

#include "core/limits.h"
#include "net/log.h"
#include "net/server.h"
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
  shoal::net::SetLogLevel(flags.log_level);
  ::signal(SIGPIPE, SIG_IGN);  // a peer that vanished is an error code, not a dead process

  shoal::NodeConfig node_config = shoal::server::MakeNodeConfig(flags);
  node_config.process_id = static_cast<std::uint64_t>(::getpid());

  shoal::net::ServerOptions options;
  options.bind = flags.bind;
  options.port = flags.port;
  options.parser.bulk_bytes_max = flags.value_bytes_max;
  options.input_bytes_max = flags.value_bytes_max + shoal::limits::kPendingInputSlackBytes;
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

  shoal::net::Server server(node_config, options);
  const shoal::net::ListenResult listened = server.Listen();
  if (!listened) {
    Log(LogLevel::kWarning, "shoald: " + listened.error());
    return 1;
  }
  node_config.port = listened.value();  // only for the log line below; INFO shows the flag
  Log(LogLevel::kInfo, "config: bind=" + flags.bind + " port=" + std::to_string(listened.value()) +
                           " maxmemory=" + std::to_string(flags.maxmemory_bytes) +
                           " eviction=" + std::string(shoal::EvictionKindName(flags.eviction)) +
                           " max-value-bytes=" + std::to_string(flags.value_bytes_max) +
                           " max-clients=" + std::to_string(flags.clients_max) +
                           " requirepass=" + (flags.requirepass.empty() ? "no" : "yes") +
                           " log-level=" + std::string(shoal::net::LogLevelName(flags.log_level)) +
                           " pid=" + std::to_string(node_config.process_id));
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
  Log(LogLevel::kInfo,
      "shoald listening on " + flags.bind + ":" + std::to_string(listened.value()));
  // The contract tests rely on: one line on stdout with the real port, flushed at once.
  std::printf("shoald listening on %s:%u\n", flags.bind.c_str(),
              static_cast<unsigned>(listened.value()));
  std::fflush(stdout);

  server.Run();
  Log(LogLevel::kInfo, "shoald exiting");
  return 0;
}
