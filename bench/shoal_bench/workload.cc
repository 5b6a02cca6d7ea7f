#include "bench/shoal_bench/workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace shoal::bench {

namespace {

// log(1 + x) / x and (exp(x) - 1) / x, accurate near 0 (the Zipf helpers for exponent near 1).
double Helper1(double x) { return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1 - x * (0.5 - x / 3); }
double Helper2(double x) {
  return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + x / 4));
}

}  // namespace

ZipfSampler::ZipfSampler(std::uint64_t n, double exponent)
    : n_(std::max<std::uint64_t>(n, 1)), exponent_(exponent) {
  h_integral_x1_ = H(1.5) - 1;
  h_integral_n_ = H(static_cast<double>(n_) + 0.5);
  s_ = 2 - HInverse(H(2.5) - std::pow(2.0, -exponent_));
}

// The integral of x^-exponent, shifted (H(x) = (x^(1-e) - 1) / (1 - e), or log x at e = 1).
double ZipfSampler::H(double x) const {
  const double log_x = std::log(x);
  return Helper2((1 - exponent_) * log_x) * log_x;
}

double ZipfSampler::HInverse(double x) const {
  double t = x * (1 - exponent_);
  if (t < -1) t = -1;  // numerical guard
  return std::exp(Helper1(t) * x);
}

std::uint64_t ZipfSampler::Sample(std::mt19937_64& rng) const {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (;;) {
    const double u = h_integral_n_ + uniform(rng) * (h_integral_x1_ - h_integral_n_);
    const double x = HInverse(u);
    double k = std::floor(x + 0.5);
    if (k < 1) k = 1;
    if (k > static_cast<double>(n_)) k = static_cast<double>(n_);
    if (k - x <= s_ || u >= H(k + 0.5) - std::exp(-std::log(k) * exponent_)) {
      return static_cast<std::uint64_t>(k);
    }
  }
}

std::string KeyName(std::string_view prefix, std::uint64_t rank) {
  char digits[24];
  const int n =
      std::snprintf(digits, sizeof(digits), "%012llu", static_cast<unsigned long long>(rank));
  std::string key(prefix);
  key.append(digits, static_cast<std::size_t>(n));
  return key;
}

Workload::Workload(const WorkloadOptions& options)
    : options_(options),
      rng_(options.seed),
      zipf_(options.keys, options.zipf_exponent > 0 ? options.zipf_exponent : 1.0),
      values_(std::max(options.value_bytes_max, options.value_bytes_min), 'x') {}

std::uint64_t Workload::NextRank() {
  const std::uint64_t keys = std::max<std::uint64_t>(options_.keys, 1);
  switch (options_.distribution) {
    case KeyDistribution::kUniform:
      return std::uniform_int_distribution<std::uint64_t>(0, keys - 1)(rng_);
    case KeyDistribution::kZipf:
      return zipf_.Sample(rng_) - 1;
    case KeyDistribution::kGaussian: {
      std::normal_distribution<double> normal(static_cast<double>(keys) / 2,
                                              options_.gaussian_sd_fraction * keys);
      const double x = std::round(normal(rng_));
      return static_cast<std::uint64_t>(std::clamp(x, 0.0, static_cast<double>(keys - 1)));
    }
  }
  return 0;
}

Workload::Op Workload::Next() {
  Op op;
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  op.read = uniform(rng_) < options_.read_ratio;
  op.key = KeyName(options_.key_prefix, NextRank());
  if (!op.read) {
    const std::uint32_t size = std::uniform_int_distribution<std::uint32_t>(
        options_.value_bytes_min,
        std::max(options_.value_bytes_min, options_.value_bytes_max))(rng_);
    op.value = std::string_view(values_).substr(0, size);
    op.with_ttl = options_.ttl_share > 0 && uniform(rng_) < options_.ttl_share;
  }
  return op;
}

}  // namespace shoal::bench
