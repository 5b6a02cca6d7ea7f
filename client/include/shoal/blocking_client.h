// BlockingClient: the blocking facade over Client, for programs without an event loop. It owns
// one I/O thread running a Client; each call hands its coroutine to that thread and waits for
// the result. Same calls, results and rules as Client (shoal/client.h).
//
//   shoal::BlockingClient cache({.seeds = {"127.0.0.1:7379"}});
//   if (shoal::Result<void> r = cache.Set("k", "v"); !r) std::puts(r.error().message.c_str());
//   shoal::Result<std::string> v = cache.Get("k");
//
// Thread safety: every call may be made from any thread, concurrently (calls from several
// threads are pipelined on the same connections). REQUIRES: no call is running when the
// BlockingClient is destroyed. A GetOrLoad loader runs on the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shoal/options.h"
#include "shoal/reply.h"
#include "shoal/result.h"
#include "shoal/stats.h"

namespace shoal {

class BlockingClient {
 public:
  using Loader = std::function<Result<std::string>()>;

  explicit BlockingClient(ClientOptions options);
  // Closes the connections and joins the I/O thread.
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  Result<void> Set(std::string key, std::string value, std::chrono::milliseconds ttl = {},
                   CallOptions options = {});
  Result<std::string> Get(std::string key, CallOptions options = {});
  Result<void> Delete(std::string key, CallOptions options = {});
  Result<void> Expire(std::string key, std::chrono::milliseconds ttl, CallOptions options = {});
  Result<void> ExpireAt(std::string key, std::chrono::system_clock::time_point at,
                        CallOptions options = {});
  Result<std::optional<std::chrono::milliseconds>> Ttl(std::string key, CallOptions options = {});
  Result<std::vector<std::optional<std::string>>> MGet(std::vector<std::string> keys,
                                                       CallOptions options = {});
  Result<void> MSet(std::vector<std::pair<std::string, std::string>> pairs,
                    CallOptions options = {});
  Result<std::int64_t> Incr(std::string key, std::int64_t by = 1, CallOptions options = {});
  Result<bool> SetIfAbsent(std::string key, std::string value, std::chrono::milliseconds ttl = {},
                           CallOptions options = {});
  Result<Reply> Command(std::vector<std::string> argv, CommandOptions options = {});
  Result<std::string> GetOrLoad(std::string key, Loader loader, std::chrono::milliseconds ttl = {},
                                CallOptions options = {});

  ClientStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoal
