#include "core/cluster/message.h"

#include <string_view>

namespace shoal::cluster {
namespace {

class Fnv1a {
 public:
  void Byte(std::uint8_t b) {
    hash_ ^= b;
    hash_ *= 0x100000001B3ULL;
  }
  void U64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) Byte(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void Str(std::string_view s) {
    U64(s.size());
    for (char c : s) Byte(static_cast<std::uint8_t>(c));
  }
  std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 0xCBF29CE484222325ULL;
};

}  // namespace

std::uint64_t HashMessage(const Message& message) {
  Fnv1a h;
  h.Byte(static_cast<std::uint8_t>(message.kind));
  h.U64(message.epoch);
  h.U64(message.request_id);
  h.U64(message.sequence);
  h.Byte(message.flags);
  h.Byte(message.cursor.set ? 1 : 0);
  h.U64(message.cursor.slot);
  h.Str(message.cursor.key);
  h.U64(message.entries.size());
  for (const Entry& e : message.entries) {
    h.Str(e.key);
    h.Str(e.value);
    h.U64(e.version);
    h.U64(static_cast<std::uint64_t>(e.expire_at));
    h.Byte(e.deleted ? 1 : 0);
  }
  return h.value();
}

}  // namespace shoal::cluster
