// The smallest program on the installed Shoal client: sets, gets and deletes a key, and exits 0
// only if all three behaved. Usage: consumer HOST:PORT
#include <cstdio>
#include <string>

#include "shoal/blocking_client.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer HOST:PORT\n");
    return 2;
  }
  shoal::ClientOptions options;
  options.seeds = {argv[1]};
  shoal::BlockingClient client(options);
  const shoal::Result<void> set = client.Set("consumer:key", "consumer-value");
  if (!set) {
    std::fprintf(stderr, "set: %s\n", set.error().message.c_str());
    return 1;
  }
  const shoal::Result<std::string> got = client.Get("consumer:key");
  if (!got || got.value() != "consumer-value") {
    std::fprintf(stderr, "get: %s\n", got ? got.value().c_str() : got.error().message.c_str());
    return 1;
  }
  const shoal::Result<void> deleted = client.Delete("consumer:key");
  const shoal::Result<std::string> gone = client.Get("consumer:key");
  if (!deleted || gone || gone.error().code != shoal::Errc::kNotFound) {
    std::fprintf(stderr, "delete did not remove the key\n");
    return 1;
  }
  std::printf("set, get, delete: ok\n");
  return 0;
}
