// hit_ratio: replays the same synthetic key streams through a Store with each eviction policy at
// the same maxmemory and prints hit ratio and throughput per policy.
//
// Streams (all deterministic, own PRNG and Zipf sampler):
//   zipf-0.8, zipf-1.0, zipf-1.2 : Zipf over --keys keys
//   scan-mix                      : zipf-1.0 plus, every --scan-every requests, a sequential scan
//                                   of --scan-length keys that are never requested again
// Each request is cache-aside: Get; on a miss, Set the key with a --value-bytes value.
// maxmemory is --cache-percent of the bytes the whole key space would take.
//
// Usage: hit_ratio [--keys=N] [--requests=N] [--cache-percent=P] [--value-bytes=N] [--seed=N]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/store.h"

namespace {

// splitmix64 to seed xoshiro256**.
std::uint64_t SplitMix64(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) {
    for (auto& word : s_) word = SplitMix64(&seed);
  }
  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// Zipf(alpha) over ranks 0..n-1 by inverse CDF (exact; n doubles of table).
class ZipfSampler {
 public:
  ZipfSampler(std::uint32_t n, double alpha) : cdf_(n) {
    double sum = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      sum += 1.0 / std::pow(static_cast<double>(i + 1), alpha);
      cdf_[i] = sum;
    }
    for (double& c : cdf_) c /= sum;
  }
  std::uint32_t Sample(Xoshiro256& rng) const {
    const double u = rng.NextDouble();
    const auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
    return static_cast<std::uint32_t>(std::min<std::size_t>(it - cdf_.begin(), cdf_.size() - 1));
  }

 private:
  std::vector<double> cdf_;
};

struct Stream {
  std::string name;
  std::vector<std::uint64_t> ids;  // key ids; ids >= keys are scan keys, never reused
};

// Scatters ranks over the id space so that popularity does not follow key order.
std::uint64_t RankToId(std::uint32_t rank, std::uint32_t keys) {
  return (static_cast<std::uint64_t>(rank) * 2654435761ULL) % keys;
}

Stream ZipfStream(const std::string& name, std::uint32_t keys, std::uint64_t requests, double alpha,
                  std::uint64_t seed, std::uint64_t scan_every, std::uint64_t scan_length) {
  ZipfSampler zipf(keys, alpha);
  Xoshiro256 rng(seed);
  Stream stream{name, {}};
  stream.ids.reserve(requests);
  std::uint64_t next_scan_id = keys;
  while (stream.ids.size() < requests) {
    if (scan_every != 0 && !stream.ids.empty() && stream.ids.size() % scan_every == 0) {
      for (std::uint64_t i = 0; i < scan_length && stream.ids.size() < requests; ++i) {
        stream.ids.push_back(next_scan_id++);
      }
    }
    stream.ids.push_back(RankToId(zipf.Sample(rng), keys));
  }
  return stream;
}

// "key:%012llu" without snprintf.
std::string_view FormatKey(std::uint64_t id, char (&buf)[16]) {
  std::memcpy(buf, "key:", 4);
  for (int i = 15; i >= 4; --i) {
    buf[i] = static_cast<char>('0' + id % 10);
    id /= 10;
  }
  return {buf, 16};
}

std::uint64_t Flag(int argc, char** argv, const char* name, std::uint64_t fallback) {
  const std::size_t len = std::strlen(name);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], name, len) == 0 && argv[i][len] == '=') {
      return std::strtoull(argv[i] + len + 1, nullptr, 10);
    }
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const auto keys = static_cast<std::uint32_t>(Flag(argc, argv, "--keys", 1000000));
  const std::uint64_t requests = Flag(argc, argv, "--requests", 2000000);
  const std::uint64_t cache_percent = Flag(argc, argv, "--cache-percent", 10);
  const std::uint64_t value_bytes = Flag(argc, argv, "--value-bytes", 100);
  const std::uint64_t seed = Flag(argc, argv, "--seed", 42);
  const std::uint64_t scan_every = Flag(argc, argv, "--scan-every", 200000);
  const std::uint64_t scan_length = Flag(argc, argv, "--scan-length", 100000);

  // Working-set bytes as the store accounts them (item + ~12 bytes of table per key).
  const std::uint64_t working_set =
      static_cast<std::uint64_t>(keys) * (shoal::Store::ItemFootprintBytes(16, value_bytes) + 12);
  const std::uint64_t maxmemory = working_set * cache_percent / 100;
  std::printf(
      "keys=%u requests=%llu value_bytes=%llu maxmemory=%llu (%llu%% of %llu)\n", keys,
      static_cast<unsigned long long>(requests), static_cast<unsigned long long>(value_bytes),
      static_cast<unsigned long long>(maxmemory), static_cast<unsigned long long>(cache_percent),
      static_cast<unsigned long long>(working_set));

  std::vector<Stream> streams;
  streams.push_back(ZipfStream("zipf-0.8", keys, requests, 0.8, seed, 0, 0));
  streams.push_back(ZipfStream("zipf-1.0", keys, requests, 1.0, seed + 1, 0, 0));
  streams.push_back(ZipfStream("zipf-1.2", keys, requests, 1.2, seed + 2, 0, 0));
  streams.push_back(ZipfStream("scan-mix", keys, requests, 1.0, seed + 3, scan_every, scan_length));

  const shoal::EvictionKind kinds[] = {shoal::EvictionKind::kLru, shoal::EvictionKind::kSieve,
                                       shoal::EvictionKind::kS3Fifo};
  const std::string value(value_bytes, 'v');
  std::printf("\n%-10s %-8s %10s %10s %10s\n", "stream", "policy", "hit_ratio", "Mops/s",
              "evicted");
  for (const Stream& stream : streams) {
    for (shoal::EvictionKind kind : kinds) {
      shoal::StoreOptions options;
      options.eviction = kind;
      options.maxmemory_bytes = maxmemory;
      shoal::Store store(options);
      char buf[16];
      std::uint64_t hits = 0;
      const auto start = std::chrono::steady_clock::now();
      for (std::uint64_t id : stream.ids) {
        const std::string_view key = FormatKey(id, buf);
        if (store.Get(key, 0).has_value()) {
          ++hits;
        } else if (!store.Set(key, value, shoal::kNoExpiry, 0)) {
          std::fprintf(stderr, "Set failed\n");
          return 1;
        }
      }
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("%-10s %-8s %10.4f %10.2f %10llu\n", stream.name.c_str(),
                  std::string(shoal::EvictionKindName(kind)).c_str(),
                  static_cast<double>(hits) / static_cast<double>(stream.ids.size()),
                  static_cast<double>(stream.ids.size()) / seconds / 1e6,
                  static_cast<unsigned long long>(store.stats().evicted));
    }
  }
  return 0;
}
