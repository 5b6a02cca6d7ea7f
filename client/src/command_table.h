// What the client may assume about a raw command it sends with CommandKind::kAuto: whether it
// writes, and whether repeating it is harmless (docs/client.md, "Errors and retries"). Unknown
// commands are treated as writes that are not safe to repeat, the cautious default.
//
// Thread safety: pure functions over a constant table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace shoal::client_impl {

struct CommandTraits {
  bool write = true;
  bool repeatable = false;
};

// REQUIRES: argv non-empty.
CommandTraits LookupCommand(const std::vector<std::string>& argv);

}  // namespace shoal::client_impl
