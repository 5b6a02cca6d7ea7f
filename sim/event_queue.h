// EventQueue: the simulator's agenda. A binary min-heap of events ordered by (time, insertion
// sequence), so two events due at the same virtual time always run in the order they were
// scheduled, on every build. Events are small plain structs (payloads live elsewhere, referenced
// by index) so the heap moves a few words per step.
//
// Thread safety: none; owned by one Simulator.
// Invariants:
//   1. Pop() returns events in non-decreasing time; among equal times, in Push() order.
//   2. Sequence numbers are never reused within one queue (64-bit counter).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace shoal::sim {

// E must have public members `TimeMs at` and `std::uint64_t seq`; seq is assigned by Push().
template <class E>
class EventQueue {
 public:
  void Push(E event) {
    event.seq = next_seq_++;
    heap_.push_back(std::move(event));
    SiftUp(heap_.size() - 1);
  }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  // REQUIRES: !empty().
  const E& top() const {
    SHOAL_ASSERT(!heap_.empty());
    return heap_.front();
  }
  TimeMs next_time() const { return top().at; }

  // Removes and returns the earliest event. REQUIRES: !empty().
  E Pop() {
    SHOAL_ASSERT(!heap_.empty());
    E out = std::move(heap_.front());
    if (heap_.size() > 1) {
      heap_.front() = std::move(heap_.back());
      heap_.pop_back();
      SiftDown(0);
    } else {
      heap_.pop_back();
    }
    return out;
  }

  void Clear() {
    heap_.clear();
    next_seq_ = 0;
  }

 private:
  static bool Before(const E& a, const E& b) { return a.at != b.at ? a.at < b.at : a.seq < b.seq; }
  // A 4-ary heap, sifted by moving a hole rather than swapping: (at, seq) is a total order, so
  // the pop order is the same as any other correct heap's, with fewer moves and levels.
  static constexpr std::size_t kArity = 4;
  void SiftUp(std::size_t i) {
    E moving = std::move(heap_[i]);
    while (i > 0) {
      const std::size_t parent = (i - 1) / kArity;
      if (!Before(moving, heap_[parent])) break;
      heap_[i] = std::move(heap_[parent]);
      i = parent;
    }
    heap_[i] = std::move(moving);
  }
  void SiftDown(std::size_t i) {
    const std::size_t n = heap_.size();
    E moving = std::move(heap_[i]);
    for (;;) {
      const std::size_t first = kArity * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t last = std::min(first + kArity, n);
      for (std::size_t c = first + 1; c < last; ++c) {
        if (Before(heap_[c], heap_[best])) best = c;
      }
      if (!Before(heap_[best], moving)) break;
      heap_[i] = std::move(heap_[best]);
      i = best;
    }
    heap_[i] = std::move(moving);
  }

  std::vector<E> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace shoal::sim
