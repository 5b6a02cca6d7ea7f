// TraceHash: a running 64-bit fingerprint of everything that happened in a run (delivered
// messages, client replies, faults, operations). Two runs of one seed must end with the same
// value; any divergence, however small, changes it with overwhelming probability.
// Integer-only and byte-order independent (we fold values, never memory images of structs).
// Thread safety: none.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace shoal::sim {

class TraceHash {
 public:
  void Fold(std::uint64_t x) {
    // splitmix64 finaliser over (state rotated ^ x): cheap and well mixed.
    std::uint64_t z = ((state_ << 23) | (state_ >> 41)) ^ (x + 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    state_ = z ^ (z >> 31);
  }
  void FoldBytes(std::string_view bytes) {
    // FNV-1a-like over 8-byte words read as little-endian (so the same on any byte order), then
    // the tail bytewise, then folded with the length.
    std::uint64_t h = 0xCBF29CE484222325ULL;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, sizeof(w));
      if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
      h = (h ^ w) * 0x100000001B3ULL;
      h ^= h >> 29;
    }
    for (; i < bytes.size(); ++i) {
      h ^= p[i];
      h *= 0x100000001B3ULL;
    }
    Fold(h);
    Fold(bytes.size());
  }
  std::uint64_t value() const { return state_; }

 private:
  std::uint64_t state_ = 0x5348'4F41'4C53'494DULL;  // "SHOALSIM"
};

}  // namespace shoal::sim
