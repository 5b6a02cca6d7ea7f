// ReadBuffer: one connection's received-but-not-yet-executed bytes, reused for the connection's
// whole life so the hot path allocates nothing. Bytes arrive at the back (PrepareWrite + Commit,
// straight from read(2)), commands leave from the front (Consume, which only moves an offset, so
// argv string_views handed out by the parser stay valid until the next Compact/PrepareWrite).
// Compact, called once per batch, moves the unconsumed tail to the front and gives back memory a
// large frame needed once. No memory is allocated before the first PrepareWrite.
//
// Thread safety: none; owned by one connection.
// Invariants:
//   1. begin_ <= end_ <= capacity_.
//   2. Readable() is exactly the bytes committed and not yet consumed, in arrival order.
//   3. After Compact(): begin_ == 0, and if capacity_ had grown past
//      kShrinkFactor * capacity_initial while size() <= capacity_initial, capacity_ is back to
//      capacity_initial.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

namespace shoal::net {

class ReadBuffer {
 public:
  // A buffer that grew past this multiple of its initial capacity shrinks back on Compact when
  // what it holds fits the initial capacity (one 8 MB value must not pin 8 MB per idle client).
  static constexpr std::size_t kShrinkFactor = 4;

  explicit ReadBuffer(std::size_t capacity_initial);

  std::string_view Readable() const { return {data_.get() + begin_, end_ - begin_}; }
  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  std::size_t capacity() const { return capacity_; }

  // Returns exactly `bytes` writable bytes after the readable ones, growing (doubling) or moving
  // the readable bytes to the front if needed. Invalidates views into Readable().
  std::span<char> PrepareWrite(std::size_t bytes);
  // REQUIRES: bytes <= the size of the span the last PrepareWrite returned.
  void Commit(std::size_t bytes);
  // Drops bytes from the front. REQUIRES: bytes <= size(). Never moves memory.
  void Consume(std::size_t bytes);
  // Ensures the buffer can hold `total_bytes` readable bytes without further growth (used when
  // the parser announces the size of a large frame). Invalidates views.
  void Reserve(std::size_t total_bytes);
  // Moves the unconsumed bytes to the front; shrinks an oversized buffer. Invalidates views.
  void Compact();

 private:
  void Reallocate(std::size_t capacity_new);
  void MoveToFront();

  std::unique_ptr<char[]> data_;
  std::size_t capacity_initial_;
  std::size_t capacity_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t prepared_ = 0;  // size of the last PrepareWrite span, for Commit's check
};

}  // namespace shoal::net
