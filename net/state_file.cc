// Durable, atomic replacement of a small file (see state_file.h).
#include "net/state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace shoal::net {
namespace {

std::string Failed(const char* what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

std::string DirectoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::string WriteFileDurably(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Failed("cannot create", tmp);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string error = Failed("cannot write", tmp);
      ::close(fd);
      return error;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    std::string error = Failed("cannot fsync", tmp);
    ::close(fd);
    return error;
  }
  if (::close(fd) != 0) return Failed("cannot close", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Failed("cannot rename over", path);
  // The rename is durable only once the directory entry is.
  const std::string dir = DirectoryOf(path);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Failed("cannot open directory", dir);
  const bool synced = ::fsync(dir_fd) == 0;
  std::string error = synced ? std::string() : Failed("cannot fsync directory", dir);
  ::close(dir_fd);
  return error;
}

FileRead ReadWholeFile(const std::string& path, std::size_t bytes_max) {
  FileRead result;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) result.error = Failed("cannot open", path);
    return result;
  }
  std::string contents;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result.error = Failed("cannot read", path);
      ::close(fd);
      return result;
    }
    if (n == 0) break;
    contents.append(buf, static_cast<std::size_t>(n));
    if (contents.size() > bytes_max) {
      result.error = path + " is larger than " + std::to_string(bytes_max) + " bytes";
      ::close(fd);
      return result;
    }
  }
  ::close(fd);
  result.contents = std::move(contents);
  return result;
}

}  // namespace shoal::net
