// CommandHarness: runs commands through ExecuteCommand against a real Store, a Session and a
// simulated clock, and returns the exact RESP bytes of each reply. Shared by the command tests.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/commands/command_spec.h"
#include "core/commands/command_table.h"
#include "core/node_config.h"
#include "core/session.h"
#include "core/stats/node_stats.h"
#include "core/store/store.h"
#include "core/time.h"

namespace shoal::testing {

class CommandHarness {
 public:
  explicit CommandHarness(const NodeConfig& config = NodeConfig{}) : config_(config) {
    store_ = std::make_unique<Store>(config_.store);
    session_.id = 7;
    session_.address = "10.0.0.1:5555";
    session_.connected_at = now_;
    counters_.started_at = now_;
    counters_.connected_clients = 1;
    counters_.total_connections_received = 1;
  }

  // Runs one command; returns its reply bytes. Counts it as Node::OnCommand does.
  std::string Run(const std::vector<std::string>& args) {
    std::vector<std::string_view> argv(args.begin(), args.end());
    std::string out;
    RespWriter writer(out, session_.resp);
    CommandContext ctx{.now = now_,
                       .store = *store_,
                       .session = session_,
                       .counters = counters_,
                       .config = config_,
                       .reply = writer,
                       .stats = &stats_};
    counters_.total_commands_processed++;
    ExecuteCommand(ctx, argv);
    close_after_reply_ = ctx.close_after_reply;
    shutdown_ = ctx.shutdown;
    return out;
  }
  std::string Run(std::initializer_list<std::string> args) {
    return Run(std::vector<std::string>(args));
  }

  void Advance(TimeMs ms) { now_ += ms; }
  TimeMs now() const { return now_; }
  Store& store() { return *store_; }
  Session& session() { return session_; }
  NodeCounters& counters() { return counters_; }
  NodeStats& stats() { return stats_; }
  const NodeConfig& config() const { return config_; }
  bool close_after_reply() const { return close_after_reply_; }
  bool shutdown() const { return shutdown_; }

 private:
  NodeConfig config_;
  std::unique_ptr<Store> store_;
  Session session_;
  NodeCounters counters_;
  NodeStats stats_{CommandStatCount(), config_.stats};
  TimeMs now_ = 1'700'000'000'000;  // a realistic Unix time in ms, so EXAT/PXAT make sense
  bool close_after_reply_ = false;
  bool shutdown_ = false;
};

// RESP spelling helpers for expectations.
inline std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline std::string Int(long long v) { return ":" + std::to_string(v) + "\r\n"; }
inline std::string Err(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
inline const std::string kOk = "+OK\r\n";
inline const std::string kNil = "$-1\r\n";

}  // namespace shoal::testing
