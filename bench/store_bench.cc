// Store micro-benchmarks per eviction policy: Get hit, Get miss, Set overwrite (same size, in
// place), Set of new keys under maxmemory (every write evicts).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/store.h"

namespace {

constexpr std::uint64_t kKeys = 100000;

std::string KeyOf(std::uint64_t i) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "key:%012llu", static_cast<unsigned long long>(i));
  return std::string(buf, static_cast<std::size_t>(n));
}

std::vector<std::string> Keys(std::uint64_t base, std::uint64_t n) {
  std::vector<std::string> keys;
  keys.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) keys.push_back(KeyOf(base + i));
  return keys;
}

shoal::EvictionKind KindOf(const benchmark::State& state) {
  return static_cast<shoal::EvictionKind>(state.range(0));
}

void SetPolicyLabel(benchmark::State& state) {
  state.SetLabel(std::string(shoal::EvictionKindName(KindOf(state))));
}

void BM_GetHit(benchmark::State& state) {
  shoal::StoreOptions options;
  options.eviction = KindOf(state);
  shoal::Store store(options);
  const auto keys = Keys(0, kKeys);
  const std::string value(100, 'v');
  for (const auto& k : keys) (void)store.Set(k, value, shoal::kNoExpiry, 0);
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto v = store.Get(keys[i], 0);
    benchmark::DoNotOptimize(v);
    i = (i + 7919) % kKeys;
  }
  state.SetItemsProcessed(state.iterations());
  SetPolicyLabel(state);
}

void BM_GetMiss(benchmark::State& state) {
  shoal::StoreOptions options;
  options.eviction = KindOf(state);
  shoal::Store store(options);
  const auto keys = Keys(0, kKeys);
  const auto absent = Keys(kKeys, kKeys);
  const std::string value(100, 'v');
  for (const auto& k : keys) (void)store.Set(k, value, shoal::kNoExpiry, 0);
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto v = store.Get(absent[i], 0);
    benchmark::DoNotOptimize(v);
    i = (i + 7919) % kKeys;
  }
  state.SetItemsProcessed(state.iterations());
  SetPolicyLabel(state);
}

void BM_SetOverwrite(benchmark::State& state) {
  shoal::StoreOptions options;
  options.eviction = KindOf(state);
  shoal::Store store(options);
  const auto keys = Keys(0, kKeys);
  const std::string value(100, 'v');
  for (const auto& k : keys) (void)store.Set(k, value, shoal::kNoExpiry, 0);
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto r = store.Set(keys[i], value, shoal::kNoExpiry, 0);
    benchmark::DoNotOptimize(r);
    i = (i + 7919) % kKeys;
  }
  state.SetItemsProcessed(state.iterations());
  SetPolicyLabel(state);
}

// New keys into a full store: each Set evicts about one item.
void BM_SetNewWithEviction(benchmark::State& state) {
  shoal::StoreOptions options;
  options.eviction = KindOf(state);
  options.maxmemory_bytes = kKeys * (shoal::Store::ItemFootprintBytes(16, 100) + 12);
  shoal::Store store(options);
  const std::string value(100, 'v');
  char buf[16];
  std::memcpy(buf, "key:", 4);
  std::uint64_t next = 0;
  auto set_next = [&] {
    std::uint64_t id = next++;
    for (int d = 15; d >= 4; --d) {
      buf[d] = static_cast<char>('0' + id % 10);
      id /= 10;
    }
    return store.Set(std::string_view(buf, 16), value, shoal::kNoExpiry, 0);
  };
  for (std::uint64_t i = 0; i < 2 * kKeys; ++i) (void)set_next();  // fill and start evicting
  for (auto _ : state) {
    auto r = set_next();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  SetPolicyLabel(state);
}

void Policies(benchmark::internal::Benchmark* b) {
  for (auto kind :
       {shoal::EvictionKind::kLru, shoal::EvictionKind::kSieve, shoal::EvictionKind::kS3Fifo}) {
    b->Arg(static_cast<int>(kind));
  }
}

BENCHMARK(BM_GetHit)->Apply(Policies);
BENCHMARK(BM_GetMiss)->Apply(Policies);
BENCHMARK(BM_SetOverwrite)->Apply(Policies);
BENCHMARK(BM_SetNewWithEviction)->Apply(Policies);

}  // namespace

BENCHMARK_MAIN();
