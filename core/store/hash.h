// A small deterministic 64-bit string hash for the store's table and the S3-FIFO ghost queue.
//
// Why not absl::Hash: its seed depends on the process (ASLR), so the table layout and the
// ghost's fingerprint collisions would differ between runs, and simulation must be replayable.
// The seed comes from StoreOptions (the driver may pick a random one to resist hash flooding).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace shoal::store_internal {

inline std::uint64_t HashMix(std::uint64_t a, std::uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

// Quality: every input byte passes through a 64x64->128 multiply; the final splitmix64
// finaliser spreads the result over all bits (the table uses the low 32 bits for the position
// and the top 8 for a tag, the ghost uses the top 32).
inline std::uint64_t HashKey(std::string_view key, std::uint64_t seed) {
  constexpr std::uint64_t kMul0 = 0x9e3779b97f4a7c15ULL;
  constexpr std::uint64_t kMul1 = 0xbf58476d1ce4e5b9ULL;
  const char* p = key.data();
  std::size_t n = key.size();
  std::uint64_t h = HashMix(seed ^ kMul0, n ^ kMul1);
  while (n >= 16) {
    std::uint64_t a;
    std::uint64_t b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, 8);
    h = HashMix(a ^ h ^ kMul0, b ^ kMul1) ^ (h << 1);
    p += 16;
    n -= 16;
  }
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  if (n >= 8) {
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);  // overlapping tail read, still inside the key
  } else if (n > 0) {
    std::memcpy(&a, p, n);
  }
  h = HashMix(a ^ h ^ kMul0, b ^ kMul1 ^ n);
  // splitmix64 finaliser.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

}  // namespace shoal::store_internal
