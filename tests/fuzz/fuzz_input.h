// FuzzInput: reads a libFuzzer input front to back for the targets' small input formats (control
// bytes, lengths, strings). Past the end it yields zeros and empty strings, so every input decodes
// to something and no target reads out of bounds. ChunkPlan turns control bytes into the chunk
// sizes that the split-equivalence targets feed their parsers with.
//
// Thread safety: none needed; one input per call of LLVMFuzzerTestOneInput.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace shoal::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  std::size_t remaining() const { return size_ - pos_; }

  // The next byte, or 0 past the end.
  std::uint8_t Byte() { return empty() ? 0 : data_[pos_++]; }

  // Big-endian, so that a hand-written seed reads naturally.
  std::uint16_t Uint16() {
    const std::uint16_t high = Byte();
    return static_cast<std::uint16_t>((high << 8) | Byte());
  }

  // The next n bytes, or fewer if the input ends first.
  std::string_view Bytes(std::size_t n) {
    n = std::min(n, remaining());
    const std::string_view out(reinterpret_cast<const char*>(data_) + pos_, n);
    pos_ += n;
    return out;
  }

  std::string_view Rest() { return Bytes(remaining()); }

  // The next n bytes (or fewer) as an input of their own, for a length-prefixed block.
  FuzzInput Sub(std::size_t n) {
    const std::string_view bytes = Bytes(n);
    return FuzzInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// One of `choices`, picked by the low mixed-radix digit of `digits`, which keeps the rest: one
// control byte chooses several limits.
template <class T, std::size_t N>
T Choose(unsigned& digits, const T (&choices)[N]) {
  const T choice = choices[digits % N];
  digits /= N;
  return choice;
}

// How a stream is split into reads: up to kChunkSizesMax sizes (each 1..256), used in turn.
// Encoded as one count byte then that many size bytes; a count of 0 means "all at once".
class ChunkPlan {
 public:
  static constexpr std::size_t kChunkSizesMax = 16;

  ChunkPlan() = default;  // all at once
  explicit ChunkPlan(FuzzInput& in) {
    const std::size_t count = in.Byte() % (kChunkSizesMax + 1);
    for (std::size_t i = 0; i < count; ++i) sizes_.push_back(std::size_t{in.Byte()} + 1);
  }

  // The size of the next read, at most `left` (the bytes not yet delivered).
  std::size_t Next(std::size_t left) {
    if (sizes_.empty()) return left;
    const std::size_t n = sizes_[next_++ % sizes_.size()];
    return std::min(n, left);
  }

 private:
  std::vector<std::size_t> sizes_;
  std::size_t next_ = 0;
};

}  // namespace shoal::fuzz
