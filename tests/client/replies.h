// Reply builders for the client state tests (the replies a node would send).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "client/state/reply_parser.h"

namespace shoal::client::testing {

inline Reply MakeReply(Reply::Type type, std::string text = {}, std::int64_t integer = 0) {
  Reply r;
  r.type = type;
  r.text = std::move(text);
  r.integer = integer;
  return r;
}
inline Reply ErrorReply(std::string text) {
  return MakeReply(Reply::Type::kError, std::move(text));
}
inline Reply OkReply() { return MakeReply(Reply::Type::kSimple, "OK"); }
inline Reply BulkReply(std::string text) { return MakeReply(Reply::Type::kBulk, std::move(text)); }
inline Reply IntegerReply(std::int64_t v) { return MakeReply(Reply::Type::kInteger, {}, v); }
inline Reply ArrayReply(std::vector<Reply> elements) {
  Reply r = MakeReply(Reply::Type::kArray);
  r.elements = std::move(elements);
  return r;
}

}  // namespace shoal::client::testing
