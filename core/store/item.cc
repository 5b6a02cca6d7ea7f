#include "core/store/item.h"

#include <cstdlib>

#include "core/result.h"

namespace shoal::store_internal {

Item* NewItem(std::string_view key, std::string_view value, TimeMs expire_at,
              std::uint64_t version) {
  const bool has_expiry = expire_at != kNoExpiry;
  const bool has_version = version != 0;
  const std::size_t bytes = ItemAllocBytes(key.size(), value.size(), has_expiry, has_version);
  auto* item = static_cast<Item*>(std::malloc(bytes));
  SHOAL_ASSERT_MSG(item != nullptr, "malloc failed");
  item->prev = nullptr;
  item->next = nullptr;
  item->flags =
      static_cast<std::uint8_t>((has_expiry ? kFlagExpiry : 0) | (has_version ? kFlagVersion : 0));
  unsigned char* p = reinterpret_cast<unsigned char*>(item) + kItemFixedBytes;
  p = PutVarint(p, key.size());
  p = PutVarint(p, value.size());
  if (has_expiry) {
    std::memcpy(p, &expire_at, sizeof(expire_at));
    const std::uint32_t pos = 0;
    std::memcpy(p + sizeof(expire_at), &pos, sizeof(pos));
    p += kItemExpiryBytes;
  }
  if (has_version) {
    std::memcpy(p, &version, sizeof(version));
    p += kItemVersionBytes;
  }
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  if (!value.empty()) std::memcpy(p + key.size(), value.data(), value.size());
  return item;
}

void FreeItem(Item* item) { std::free(item); }

}  // namespace shoal::store_internal
