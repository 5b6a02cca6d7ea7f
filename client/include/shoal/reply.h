// Reply: a RESP2/RESP3 reply as the raw Client::Command returns it. Maps are flattened to
// key, value, key, value ...; an error reply to the command itself is returned as
// Errc::kServerError, never as a Reply (errors nested in an array stay elements of type kError).
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shoal {

struct Reply {
  enum class Type : std::uint8_t { kSimple, kError, kInteger, kBulk, kNil, kArray, kBool, kDouble };
  Type type = Type::kNil;
  std::string text;             // kSimple, kError, kBulk, kDouble (as the server wrote it)
  std::int64_t integer = 0;     // kInteger, kBool (0 or 1)
  std::vector<Reply> elements;  // kArray
};

}  // namespace shoal
