// node_ops: drives one single-node Node with N SET or GET commands straight through Node::Step
// (no sockets, no parser), so that callgrind counts only the core's command path: lookup, arity,
// gate, handler, store, reply. bench/instructions_per_op.sh runs it twice per operation (N and 2N)
// and prints the difference per command, which cancels start-up exactly.
//
// Usage: node_ops set|get N        (keys "key:%012d" over 10,000 keys, 100-byte values)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/node.h"

#if __has_include("core/effects.h")
#define SHOAL_NODE_TWO_CLOCKS 1  // Step takes NodeTime{mono, wall} (since cluster core part 1)
#endif

int main(int argc, char** argv) {
  if (argc != 3 || (std::strcmp(argv[1], "set") != 0 && std::strcmp(argv[1], "get") != 0)) {
    std::fprintf(stderr, "usage: node_ops set|get N\n");
    return 2;
  }
  const bool set = std::strcmp(argv[1], "set") == 0;
  const long n = std::atol(argv[2]);
  constexpr int kKeys = 10000;
  std::vector<std::string> keys;
  keys.reserve(kKeys);
  char buf[32];
  for (int i = 0; i < kKeys; ++i) {
    std::snprintf(buf, sizeof(buf), "key:%012d", i);
    keys.emplace_back(buf);
  }
  const std::string value(100, 'v');
  shoal::NodeConfig config;
  shoal::Node node(config);
  shoal::Effects effects;
#ifdef SHOAL_NODE_TWO_CLOCKS
  const shoal::NodeTime now{.mono = 1000, .wall = 1'700'000'000'000};
#else
  const shoal::TimeMs now = 1'700'000'000'000;
#endif
  node.Step(now, shoal::ClientConnected{.client = 1, .address = "127.0.0.1:1"}, effects);
  // Every key exists before the measured commands (GETs hit; SETs overwrite).
  for (int i = 0; i < kKeys; ++i) {
    const std::string_view args[] = {"SET", keys[i], value};
    effects.Clear();
    node.Step(now, shoal::ClientCommand{.client = 1, .argv = args}, effects);
  }
  std::size_t reply_bytes = 0;
  for (long i = 0; i < n; ++i) {
    const std::string& key = keys[static_cast<std::size_t>(i * 7919) % kKeys];
    const std::string_view set_args[] = {"SET", key, value};
    const std::string_view get_args[] = {"GET", key};
    effects.Clear();
    if (set) {
      node.Step(now, shoal::ClientCommand{.client = 1, .argv = set_args}, effects);
    } else {
      node.Step(now, shoal::ClientCommand{.client = 1, .argv = get_args}, effects);
    }
    reply_bytes += effects.bytes.size();
  }
  std::printf("%s n=%ld reply_bytes=%zu\n", argv[1], n, reply_bytes);
  return 0;
}
