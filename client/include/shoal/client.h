// Client: the asynchronous Shoal client, on Boost.Asio C++20 coroutines. It speaks RESP2, so it
// works against a Shoal node, a Redis server and a Redis Cluster. In a cluster it reads the slot
// map (CLUSTER SLOTS), sends each key to its slot's primary, follows -MOVED (and refreshes the
// map) and -ASK, keeps a few pipelined connections per node, and splits MGet / MSet by slot.
// The routing and retry rules are the state machines of client/state/, the same ones the
// deterministic simulator runs.
//
//   boost::asio::io_context io;
//   shoal::Client client(io.get_executor(), {.seeds = {"127.0.0.1:7379"}});
//   boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
//     co_await client.Set("greeting", "hello", std::chrono::seconds(60));
//     shoal::Result<std::string> r = co_await client.Get("greeting");
//     client.Close();  // the loop runs while connections are open
//   }, boost::asio::detached);
//   io.run();
//
// Thread safety: none inside; a Client belongs to one executor that runs on one thread at a time
// (an io_context run by one thread, or a strand). REQUIRES: every call is made from a coroutine
// on that executor; the Client outlives its calls. Many calls may run concurrently (they are
// pipelined). BlockingClient (shoal/blocking_client.h) is the thread-safe blocking facade.
// Invariants: every call completes (success or Error) by its deadline; a write that is not
// safe to repeat is sent at most once per call unless an error proves it was not applied.
//
// g++ 12 caveat (docs/client.md): inside a co_await expression, do not pass aggregate
// temporaries (CommandOptions{...}), capturing lambdas, or braced lists of literals
// (Command({"PING"})); name them first. g++ 12 destroys such temporaries twice.
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
// clang-format off
#include <utility>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
// clang-format on
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

template <class T>
using Task = boost::asio::awaitable<T>;

class Client {
 public:
  // Loads the value of a missed key for GetOrLoad (e.g. from a database).
  using Loader = std::function<Task<Result<std::string>>()>;

  // Connects lazily: the first call discovers the topology.
  Client(boost::asio::any_io_executor executor, ClientOptions options);
  // Closes every connection; calls still running end with Errc::kClosed.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // SET key value [PX ttl] (ttl 0: no expiry). Repeatable.
  Task<Result<void>> Set(std::string key, std::string value, std::chrono::milliseconds ttl = {},
                         CallOptions options = {});
  // GET key: the value, or Errc::kNotFound.
  Task<Result<std::string>> Get(std::string key, CallOptions options = {});
  // DEL key: afterwards the key does not exist (whether or not it did before). Repeatable.
  Task<Result<void>> Delete(std::string key, CallOptions options = {});
  // PEXPIRE key ttl: relative, so not repeatable (a lost attempt ends as kUnknownOutcome).
  // Errc::kNotFound if the key does not exist.
  Task<Result<void>> Expire(std::string key, std::chrono::milliseconds ttl,
                            CallOptions options = {});
  // PEXPIREAT key at: absolute, so repeatable. Errc::kNotFound if the key does not exist.
  Task<Result<void>> ExpireAt(std::string key, std::chrono::system_clock::time_point at,
                              CallOptions options = {});
  // PTTL key: the time left, std::nullopt for a key without expiry, or Errc::kNotFound.
  Task<Result<std::optional<std::chrono::milliseconds>>> Ttl(std::string key,
                                                             CallOptions options = {});
  // MGET: one entry per key, in order (std::nullopt for a missing key). In a cluster the keys
  // are grouped by slot and the groups fetched concurrently.
  Task<Result<std::vector<std::optional<std::string>>>> MGet(std::vector<std::string> keys,
                                                             CallOptions options = {});
  // MSET: in a cluster one MSET per slot, concurrently (atomic per slot only). Repeatable. On
  // an error some slots' keys may have been written.
  Task<Result<void>> MSet(std::vector<std::pair<std::string, std::string>> pairs,
                          CallOptions options = {});
  // INCRBY key by: the new value. Not repeatable.
  Task<Result<std::int64_t>> Incr(std::string key, std::int64_t by = 1, CallOptions options = {});
  // SET key value NX [PX ttl]: true if written, false if the key already existed. Repeatable
  // (after a retried attempt, false may mean this call's own earlier attempt wrote it).
  Task<Result<bool>> SetIfAbsent(std::string key, std::string value,
                                 std::chrono::milliseconds ttl = {}, CallOptions options = {});
  // Any command (argv[0] is its name). An error reply is Errc::kServerError.
  Task<Result<Reply>> Command(std::vector<std::string> argv, CommandOptions options = {});
  // Cache-aside: Get; on a miss, call `loader` and write its value with SET NX [PX ttl], so a
  // concurrent writer wins (then its value is returned). A failure to write the loaded value
  // into the cache is not an error: the loaded value is returned.
  Task<Result<std::string>> GetOrLoad(std::string key, Loader loader,
                                      std::chrono::milliseconds ttl = {}, CallOptions options = {});

  // Closes every connection now; later calls end with Errc::kClosed.
  void Close();
  ClientStats stats() const;
  const boost::asio::any_io_executor& executor() const;

  struct Impl;  // client/src/client_impl.h

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace shoal
