#include "sim/event_queue.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::sim {
namespace {

struct TestEvent {
  TimeMs at = 0;
  std::uint64_t seq = 0;
  int id = 0;
};

TEST(EventQueueTest, EqualTimesPopInPushOrder) {
  EventQueue<TestEvent> q;
  q.Push({5, 0, 1});
  q.Push({3, 0, 2});
  q.Push({5, 0, 3});
  q.Push({3, 0, 4});
  q.Push({5, 0, 5});
  std::vector<int> order;
  while (!q.empty()) order.push_back(q.Pop().id);
  EXPECT_EQ(order, (std::vector<int>{2, 4, 1, 3, 5}));
}

// Model: a stable sort by time of everything pushed, interleaved with pops of the minimum.
RC_GTEST_PROP(EventQueueTest, MatchesStableSortModel,
              (std::vector<std::pair<bool, std::uint8_t>> ops)) {
  EventQueue<TestEvent> q;
  std::vector<TestEvent> model;  // kept in (at, push order)
  int next_id = 0;
  for (const auto& [push, time] : ops) {
    if (push || model.empty()) {
      TestEvent e{time % 8, 0, next_id++};
      q.Push(e);
      auto pos =
          std::upper_bound(model.begin(), model.end(), e,
                           [](const TestEvent& a, const TestEvent& b) { return a.at < b.at; });
      model.insert(pos, e);
    } else {
      const TestEvent got = q.Pop();
      RC_ASSERT(got.id == model.front().id);
      RC_ASSERT(got.at == model.front().at);
      model.erase(model.begin());
    }
    RC_ASSERT(q.size() == model.size());
  }
  while (!model.empty()) {
    RC_ASSERT(q.Pop().id == model.front().id);
    model.erase(model.begin());
  }
  RC_ASSERT(q.empty());
}

}  // namespace
}  // namespace shoal::sim
