// Prng: the simulator's one source of randomness. xoshiro256** (Blackman & Vigna) seeded through
// splitmix64, with our own distribution functions in integer arithmetic only, so a seed draws the
// same numbers on every compiler, optimisation level and platform (no <random> distributions,
// whose algorithms are implementation-defined, and no floating point).
//
// Thread safety: none; one Prng per simulation run, owned by the Simulator.
// Invariants:
//   1. The state is never all zero (splitmix64 seeding guarantees it for every seed).
//   2. Every function consumes a bounded number of Next() calls except Below(), whose rejection
//      loop ends with probability 1 and takes fewer than 2 draws on average.
#pragma once

#include <cstdint>

namespace shoal::sim {

// splitmix64 step: also a good 64-bit mixer for hashing.
inline std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Prng {
 public:
  explicit Prng(std::uint64_t seed) {
    std::uint64_t s = seed;
    for (auto& word : state_) word = SplitMix64(s);
  }

  // The next raw 64-bit output.
  std::uint64_t Next() {
    const std::uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound). REQUIRES: bound > 0. Unbiased (rejection of the short top range).
  std::uint64_t Below(std::uint64_t bound);

  // Uniform in [lo, hi] (inclusive). REQUIRES: lo <= hi.
  std::int64_t Range(std::int64_t lo, std::int64_t hi);

  // True with probability numerator / denominator. REQUIRES: denominator > 0.
  bool Chance(std::uint64_t numerator, std::uint64_t denominator) {
    if (numerator == 0) return false;
    if (numerator >= denominator) return true;
    return Below(denominator) < numerator;
  }

  // True with probability ppm / 1,000,000.
  bool ChancePpm(std::uint32_t ppm) { return Chance(ppm, 1000000); }

  // Approximately exponential with the given mean (>= 0): inversion on a 1/256 grid, -ln(u)
  // tabulated in fixed point. The mean is within 0.2% of `mean`; the largest value is ~6.2x mean.
  std::int64_t Exponential(std::int64_t mean);

  // A latency in ms: uniform in [min, max] most of the time; with probability tail_ppm, an extra
  // exponential delay of mean tail_mean_ms, capped at tail_max_ms. Never below min.
  std::int64_t Latency(std::int64_t min_ms, std::int64_t max_ms, std::uint32_t tail_ppm,
                       std::int64_t tail_mean_ms, std::int64_t tail_max_ms);

  // A new independent generator (for sub-streams whose draw count must not perturb this one).
  Prng Fork() { return Prng(Next()); }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

}  // namespace shoal::sim
