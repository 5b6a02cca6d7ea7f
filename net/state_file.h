// A small file written durably and replaced atomically: the voter state a cluster node keeps
// under --dir (core/cluster/voter_state.h). WriteFileDurably writes `bytes` to PATH.tmp, fsyncs
// it, renames it over PATH and fsyncs the directory, so after a crash PATH holds either the old
// contents or the new ones, never a mix; ReadWholeFile reads PATH back.
//
// Who calls it: the server's driver (net/server.cc) before it sends a step's messages, and
// server/main.cc at start. Thread safety: none needed (one caller per path). Errors are values:
// a message naming the path and strerror(errno).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shoal::net {

// Empty on success, else what failed.
std::string WriteFileDurably(const std::string& path, std::string_view bytes);

struct FileRead {
  std::optional<std::string> contents;  // unset: the file does not exist
  std::string error;                    // non-empty: it exists but could not be read
};
// Reads at most `bytes_max` bytes (a larger file is an error).
FileRead ReadWholeFile(const std::string& path, std::size_t bytes_max);

}  // namespace shoal::net
