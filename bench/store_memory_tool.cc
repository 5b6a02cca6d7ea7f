// store_memory: loads N items shaped like the memory acceptance test (keys "key:%012d", 16
// bytes; 100-byte values) into a Store and prints the process RSS growth per item, next to the
// Store's own accounting. Compare with Redis 7 (docs/design.md has the procedure).
// replicated=1 stores the items as a replicated node does (a version in each item, keys counted
// per slot), so running it with 0 and 1 gives the replicated/single-node bytes-per-item ratio.
//
// Usage: store_memory [items=1000000] [value_bytes=100] [policy=<default>] [ttl=0|1]
//                     [replicated=0|1]
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/store/store.h"

namespace {

long RssBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long pages_total = 0;
  long pages_resident = 0;
  if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
  std::fclose(f);
  return pages_resident * sysconf(_SC_PAGESIZE);
}

}  // namespace

int main(int argc, char** argv) {
  const long items = argc > 1 ? std::atol(argv[1]) : 1000000;
  const long value_bytes = argc > 2 ? std::atol(argv[2]) : 100;
  shoal::StoreOptions options;
  if (argc > 3) {
    auto kind = shoal::ParseEvictionKind(argv[3]);
    if (!kind) {
      std::fprintf(stderr, "unknown policy %s\n", argv[3]);
      return 2;
    }
    options.eviction = *kind;
  }
  const bool ttl = argc > 4 && std::atoi(argv[4]) != 0;
  const bool replicated = argc > 5 && std::atoi(argv[5]) != 0;
  options.count_slots = replicated;
  const std::string value(static_cast<std::size_t>(value_bytes), 'v');
  const long rss_before = RssBytes();
  {
    shoal::Store store(options);
    char key[32];
    for (long i = 0; i < items; ++i) {
      std::snprintf(key, sizeof(key), "key:%012ld", i);
      const shoal::TimeMs expire_at = ttl ? 1'000'000'000 + i : shoal::kNoExpiry;
      // Versions as a primary mints them: its incarnation in the high bits, a sequence below.
      const std::uint64_t version = replicated ? (std::uint64_t{1} << 40) + i + 1 : 0;
      if (!store.Set(key, value, expire_at, 0, version)) {
        std::fprintf(stderr, "Set failed at %ld\n", i);
        return 1;
      }
    }
    const long rss_after = RssBytes();
    std::printf("policy=%s items=%ld value_bytes=%ld ttl=%d replicated=%d\n",
                std::string(shoal::EvictionKindName(options.eviction)).c_str(), items, value_bytes,
                ttl ? 1 : 0, replicated ? 1 : 0);
    std::printf("rss_per_item=%.1f used_bytes_per_item=%.1f item_footprint=%llu\n",
                static_cast<double>(rss_after - rss_before) / static_cast<double>(items),
                static_cast<double>(store.used_bytes()) / static_cast<double>(items),
                static_cast<unsigned long long>(shoal::Store::ItemFootprintBytes(
                    16, static_cast<std::size_t>(value_bytes), ttl)));
  }
  return 0;
}
