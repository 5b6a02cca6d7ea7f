#include "net/read_buffer.h"

#include <algorithm>
#include <cstring>

#include "core/result.h"

namespace shoal::net {

ReadBuffer::ReadBuffer(std::size_t capacity_initial)
    : capacity_initial_(capacity_initial), capacity_(0) {
  // Memory comes with the first read, not with the connection: idle clients cost no buffer.
  SHOAL_ASSERT(capacity_initial > 0);
}

std::span<char> ReadBuffer::PrepareWrite(std::size_t bytes) {
  if (capacity_ - end_ < bytes) {
    const std::size_t needed = size() + bytes;
    if (needed <= capacity_) {
      MoveToFront();  // room exists once the consumed prefix is dropped
    } else {
      Reallocate(std::max({capacity_ * 2, needed, capacity_initial_}));
    }
  }
  SHOAL_ASSERT(capacity_ - end_ >= bytes);
  prepared_ = bytes;
  return {data_.get() + end_, bytes};
}

void ReadBuffer::Commit(std::size_t bytes) {
  SHOAL_ASSERT(bytes <= prepared_);
  end_ += bytes;
  prepared_ = 0;
  SHOAL_ASSERT(end_ <= capacity_);
}

void ReadBuffer::Consume(std::size_t bytes) {
  SHOAL_ASSERT(bytes <= size());
  begin_ += bytes;
  if (begin_ == end_) begin_ = end_ = 0;  // free compaction when everything was consumed
}

void ReadBuffer::Reserve(std::size_t total_bytes) {
  if (total_bytes > capacity_) {
    Reallocate(total_bytes);
  } else if (capacity_ - begin_ < total_bytes) {
    MoveToFront();
  }
}

void ReadBuffer::Compact() {
  prepared_ = 0;
  const std::size_t held = size();
  if (capacity_ > kShrinkFactor * capacity_initial_ && held <= capacity_initial_) {
    Reallocate(capacity_initial_);
    return;
  }
  MoveToFront();
}

void ReadBuffer::MoveToFront() {
  if (begin_ == 0) return;
  const std::size_t held = size();
  std::memmove(data_.get(), data_.get() + begin_, held);
  begin_ = 0;
  end_ = held;
}

void ReadBuffer::Reallocate(std::size_t capacity_new) {
  const std::size_t held = size();
  SHOAL_ASSERT(capacity_new >= held);
  // new char[] leaves the bytes uninitialised: no memset of megabytes we are about to overwrite.
  std::unique_ptr<char[]> data_new(new char[capacity_new]);
  if (held > 0) std::memcpy(data_new.get(), data_.get() + begin_, held);
  data_ = std::move(data_new);
  capacity_ = capacity_new;
  begin_ = 0;
  end_ = held;
  prepared_ = 0;
}

}  // namespace shoal::net
