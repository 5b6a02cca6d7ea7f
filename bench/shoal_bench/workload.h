// The synthetic load of shoal-bench: which key, which operation, how big a value. Pure and
// seeded (one generator per load thread), so two runs with one seed send the same requests.
//
// Key distributions over ranks 0..keys-1 (rank r is the key "<prefix><r as %012d>", the format of
// redis-benchmark -r, so the same key space can be compared):
//   uniform        every key equally likely
//   zipf:S         P(rank r) ~ 1 / (r + 1)^S, by rejection-inversion sampling (Hormann and
//                  Derflinger 1996): O(1) time and memory for any key count, any S > 0
//   gaussian:F     normal around the middle key, standard deviation F * keys, clamped
//
// Thread safety: none; one Workload per thread. Invariants: Key() < keys; value sizes within
// [value_bytes_min, value_bytes_max].
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace shoal::bench {

enum class KeyDistribution : std::uint8_t { kUniform, kZipf, kGaussian };

struct WorkloadOptions {
  std::uint64_t keys = 100000;
  KeyDistribution distribution = KeyDistribution::kUniform;
  double zipf_exponent = 0.99;
  double gaussian_sd_fraction = 0.1;
  double read_ratio = 0.5;  // GET share; the rest are SETs
  std::uint32_t value_bytes_min = 100;
  std::uint32_t value_bytes_max = 100;
  double ttl_share = 0.0;  // share of SETs sent with a TTL
  std::string key_prefix = "key:";
  std::uint64_t seed = 1;
};

// Rejection-inversion Zipf sampler over 1..n (Apache Commons RejectionInversionZipfSampler).
class ZipfSampler {
 public:
  // REQUIRES: n >= 1, exponent > 0.
  ZipfSampler(std::uint64_t n, double exponent);
  // A rank in [1, n].
  std::uint64_t Sample(std::mt19937_64& rng) const;

 private:
  double H(double x) const;
  double HInverse(double x) const;
  std::uint64_t n_;
  double exponent_;
  double h_integral_x1_;
  double h_integral_n_;
  double s_;
};

class Workload {
 public:
  explicit Workload(const WorkloadOptions& options);

  struct Op {
    bool read = true;
    bool with_ttl = false;
    std::string key;
    std::string_view value;  // SET only; points into the workload's value pattern
  };
  // The next operation (REQUIRES: the previous Op's value is no longer used... it stays valid:
  // values are views into one immutable buffer).
  Op Next();
  std::uint64_t NextRank();

 private:
  WorkloadOptions options_;
  std::mt19937_64 rng_;
  ZipfSampler zipf_;
  std::string values_;  // value_bytes_max bytes of 'x', as redis-benchmark sends
};

// "<prefix>%012d" of rank.
std::string KeyName(std::string_view prefix, std::uint64_t rank);

}  // namespace shoal::bench
