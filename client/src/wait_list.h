// WaitList: coroutines waiting for one event (a discovery finishing, a coalesced Get's reply, a
// backoff that Close cuts short), each with its own deadline. NotifyAll wakes every waiter now.
//
// Thread safety: none; used on the client's executor only. Invariants: a waiter is in the list
// exactly while its Wait is suspended; NotifyAll empties the list.
#pragma once

#include <algorithm>
#include <vector>

#include "client/src/asio.h"

namespace shoal::client_impl {

class WaitList {
 public:
  // Waits until NotifyAll or `deadline`; true if notified.
  asio::awaitable<bool> Wait(const asio::any_io_executor& executor, Clock::time_point deadline) {
    Waiter waiter{asio::steady_timer(executor, deadline)};
    waiters_.push_back(&waiter);
    error_code ec;
    co_await waiter.timer.async_wait(Await(ec));
    if (!waiter.notified) std::erase(waiters_, &waiter);
    co_return waiter.notified;
  }

  void NotifyAll() {
    std::vector<Waiter*> waiters;
    waiters.swap(waiters_);
    for (Waiter* waiter : waiters) {
      waiter->notified = true;
      waiter->timer.cancel();
    }
  }

  bool empty() const { return waiters_.empty(); }

 private:
  struct Waiter {
    asio::steady_timer timer;
    bool notified = false;
  };
  std::vector<Waiter*> waiters_;
};

}  // namespace shoal::client_impl
