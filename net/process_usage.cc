#include "net/process_usage.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace shoal::net {
namespace {

std::uint64_t Micros(const timeval& tv) {
  return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(tv.tv_usec);
}

// The second field of /proc/self/statm: resident pages.
std::uint64_t ResidentBytes() {
  const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  const ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  unsigned long long size = 0;
  unsigned long long resident = 0;
  if (std::sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
  return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

ProcessUsage ReadProcessUsage() {
  ProcessUsage usage;
  rusage ru{};
  if (::getrusage(RUSAGE_SELF, &ru) == 0) {
    usage.cpu_user_us = Micros(ru.ru_utime);
    usage.cpu_sys_us = Micros(ru.ru_stime);
  }
#ifdef RUSAGE_THREAD
  if (::getrusage(RUSAGE_THREAD, &ru) == 0) {
    usage.cpu_user_main_us = Micros(ru.ru_utime);
    usage.cpu_sys_main_us = Micros(ru.ru_stime);
  }
#endif
  usage.rss_bytes = ResidentBytes();
  return usage;
}

}  // namespace shoal::net
