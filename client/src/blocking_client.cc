#include "shoal/blocking_client.h"

#include <exception>
#include <future>
#include <thread>

#include "client/src/asio.h"
#include "shoal/client.h"

namespace shoal {

using client_impl::asio::io_context;

struct BlockingClient::Impl {
  explicit Impl(ClientOptions options)
      : work(io.get_executor()), client(io.get_executor(), std::move(options)) {
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    client_impl::asio::post(io, [this] { client.Close(); });
    work.reset();
    thread.join();  // every coroutine ends once the connections are closed
  }

  // Runs `task` on the I/O thread and waits for it. Exceptions (only bad_alloc and the like can
  // escape the client's coroutines) stop here and become errors.
  template <class T>
  Result<T> Run(Task<Result<T>> task) {
    std::future<std::optional<Result<T>>> future =
        client_impl::asio::co_spawn(io, Optional(std::move(task)), client_impl::asio::use_future);
    try {
      return *future.get();
    } catch (const std::exception& e) {
      return Error{Errc::kProtocolError, std::string("exception in the client: ") + e.what()};
    }
  }

  // co_spawn needs a default-constructible result (it makes one to pass with an exception).
  template <class T>
  static Task<std::optional<Result<T>>> Optional(Task<Result<T>> task) {
    co_return co_await std::move(task);
  }

  io_context io{1};
  client_impl::asio::executor_work_guard<io_context::executor_type> work;
  Client client;
  std::thread thread;
};

BlockingClient::BlockingClient(ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

BlockingClient::~BlockingClient() = default;

Result<void> BlockingClient::Set(std::string key, std::string value, std::chrono::milliseconds ttl,
                                 CallOptions options) {
  return impl_->Run(impl_->client.Set(std::move(key), std::move(value), ttl, options));
}

Result<bool> BlockingClient::SetIfAbsent(std::string key, std::string value,
                                         std::chrono::milliseconds ttl, CallOptions options) {
  return impl_->Run(impl_->client.SetIfAbsent(std::move(key), std::move(value), ttl, options));
}

Result<std::string> BlockingClient::Get(std::string key, CallOptions options) {
  return impl_->Run(impl_->client.Get(std::move(key), options));
}

Result<void> BlockingClient::Delete(std::string key, CallOptions options) {
  return impl_->Run(impl_->client.Delete(std::move(key), options));
}

Result<void> BlockingClient::Expire(std::string key, std::chrono::milliseconds ttl,
                                    CallOptions options) {
  return impl_->Run(impl_->client.Expire(std::move(key), ttl, options));
}

Result<void> BlockingClient::ExpireAt(std::string key, std::chrono::system_clock::time_point at,
                                      CallOptions options) {
  return impl_->Run(impl_->client.ExpireAt(std::move(key), at, options));
}

Result<std::optional<std::chrono::milliseconds>> BlockingClient::Ttl(std::string key,
                                                                     CallOptions options) {
  return impl_->Run(impl_->client.Ttl(std::move(key), options));
}

Result<std::vector<std::optional<std::string>>> BlockingClient::MGet(std::vector<std::string> keys,
                                                                     CallOptions options) {
  return impl_->Run(impl_->client.MGet(std::move(keys), options));
}

Result<void> BlockingClient::MSet(std::vector<std::pair<std::string, std::string>> pairs,
                                  CallOptions options) {
  return impl_->Run(impl_->client.MSet(std::move(pairs), options));
}

Result<std::int64_t> BlockingClient::Incr(std::string key, std::int64_t by, CallOptions options) {
  return impl_->Run(impl_->client.Incr(std::move(key), by, options));
}

Result<Reply> BlockingClient::Command(std::vector<std::string> argv, CommandOptions options) {
  return impl_->Run(impl_->client.Command(std::move(argv), std::move(options)));
}

Result<std::string> BlockingClient::GetOrLoad(std::string key, Loader loader,
                                              std::chrono::milliseconds ttl, CallOptions options) {
  // The same steps as Client::GetOrLoad, with the loader on the calling thread.
  Result<std::string> cached = Get(key, options);
  if (cached || cached.error().code != Errc::kNotFound) return cached;
  Result<std::string> loaded = loader();
  if (!loaded) return loaded;
  Result<bool> written = SetIfAbsent(key, loaded.value(), ttl, options);
  if (!written || written.value()) return loaded;
  Result<std::string> winner = Get(std::move(key), options);
  return winner ? std::move(winner) : std::move(loaded);
}

ClientStats BlockingClient::stats() const {
  std::promise<ClientStats> promise;
  client_impl::asio::post(impl_->io, [&] { promise.set_value(impl_->client.stats()); });
  return promise.get_future().get();
}

}  // namespace shoal
