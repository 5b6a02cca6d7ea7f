// Item: one key/value pair as ONE heap allocation (header + key + value), the unit the Store's
// table points at and the eviction policies link together.
//
// Layout (bytes, no padding):
//   [0..8)   Item* prev     eviction-list link (toward older)
//   [8..16)  Item* next     eviction-list link (toward newer)
//   [16]     flags          kFlagExpiry | kFlagVersion | policy bits (SIEVE visited, S3-FIFO)
//   varint   key_len        LEB128, 1 byte for keys < 128 bytes
//   varint   value_len      LEB128, 1 byte for values < 128 bytes
//   [if kFlagExpiry: int64 expire_at, uint32 expiry_pos]   (unaligned, memcpy)
//   [if kFlagVersion: uint64 version]                      (replicated mode only)
//   key bytes, value bytes
// A 16-byte key and a 100-byte value take 19 + 116 = 135 bytes, a 144-byte malloc chunk.
// Items without a TTL pay nothing for expiry, and items of a single node nothing for a version;
// giving an item a TTL (or a version) reallocates it.
//
// Thread safety: none (owned by one Store). Invariants: key_len <= limits::kKeyBytesMax,
// value_len <= limits::kValueBytesHardMax; expiry_pos is the item's index in the Store's dense
// array of expiring items; a version, when present, is nonzero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/time.h"

namespace shoal::store_internal {

struct Item {
  Item* prev;
  Item* next;
  std::uint8_t flags;
  // Variable part follows; never use sizeof(Item).
};

inline constexpr std::size_t kItemFixedBytes = offsetof(Item, flags) + 1;  // 17
inline constexpr std::size_t kItemExpiryBytes = sizeof(std::int64_t) + sizeof(std::uint32_t);
inline constexpr std::size_t kItemVersionBytes = sizeof(std::uint64_t);

inline constexpr std::uint8_t kFlagExpiry = 0x01;
inline constexpr std::uint8_t kFlagVisited = 0x02;  // SIEVE
inline constexpr std::uint8_t kFreqShift = 2;       // S3-FIFO access counter, 2 bits (0..3)
inline constexpr std::uint8_t kFreqMask = 0x0c;
inline constexpr std::uint8_t kFlagMain = 0x10;  // S3-FIFO: item is in the main queue
inline constexpr std::uint8_t kFreqMax = 3;
inline constexpr std::uint8_t kFlagVersion = 0x20;  // an 8-byte version follows the expiry

inline std::size_t VarintBytes(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline unsigned char* PutVarint(unsigned char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<unsigned char>(v);
  return p;
}

inline const unsigned char* GetVarint(const unsigned char* p, std::uint32_t* v) {
  std::uint32_t result = 0;
  int shift = 0;
  while (*p & 0x80) {
    result |= static_cast<std::uint32_t>(*p & 0x7f) << shift;
    shift += 7;
    ++p;
  }
  *v = result | (static_cast<std::uint32_t>(*p) << shift);
  return p + 1;
}

// Bytes requested from malloc for an item.
inline std::size_t ItemAllocBytes(std::size_t key_len, std::size_t value_len, bool has_expiry,
                                  bool has_version = false) {
  return kItemFixedBytes + VarintBytes(key_len) + VarintBytes(value_len) +
         (has_expiry ? kItemExpiryBytes : 0) + (has_version ? kItemVersionBytes : 0) + key_len +
         value_len;
}

// What malloc really consumes for a request of n bytes (glibc x86-64: 8-byte chunk header,
// 16-byte granularity, 32-byte minimum chunk). Accounting uses this so that used_bytes tracks
// RSS rather than the bytes we asked for.
inline std::uint64_t MallocChunkBytes(std::size_t n) {
  const std::uint64_t chunk = (static_cast<std::uint64_t>(n) + 8 + 15) & ~std::uint64_t{15};
  return chunk < 32 ? 32 : chunk;
}

// Decoded view of an item's variable part.
struct ItemLayout {
  std::uint32_t key_len;
  std::uint32_t value_len;
  const unsigned char* expiry;   // nullptr when the item has no TTL
  const unsigned char* version;  // nullptr when the item has no version
  const unsigned char* key;
};

inline ItemLayout Decode(const Item* item) {
  ItemLayout layout;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(item) + kItemFixedBytes;
  if (p[0] < 0x80 && p[1] < 0x80) [[likely]] {
    layout.key_len = p[0];
    layout.value_len = p[1];
    p += 2;
  } else {
    p = GetVarint(p, &layout.key_len);
    p = GetVarint(p, &layout.value_len);
  }
  if (item->flags & kFlagExpiry) {
    layout.expiry = p;
    p += kItemExpiryBytes;
  } else {
    layout.expiry = nullptr;
  }
  if (item->flags & kFlagVersion) [[unlikely]] {
    layout.version = p;
    p += kItemVersionBytes;
  } else {
    layout.version = nullptr;
  }
  layout.key = p;
  return layout;
}

inline std::string_view ItemKey(const Item* item) {
  const ItemLayout l = Decode(item);
  return {reinterpret_cast<const char*>(l.key), l.key_len};
}

inline std::string_view ItemValue(const Item* item) {
  const ItemLayout l = Decode(item);
  return {reinterpret_cast<const char*>(l.key) + l.key_len, l.value_len};
}

inline bool ItemHasExpiry(const Item* item) { return (item->flags & kFlagExpiry) != 0; }

inline TimeMs ItemExpireAt(const Item* item) {
  if (!ItemHasExpiry(item)) return kNoExpiry;
  const ItemLayout l = Decode(item);
  TimeMs at;
  std::memcpy(&at, l.expiry, sizeof(at));
  return at;
}

// REQUIRES: ItemHasExpiry(item).
inline void ItemSetExpireAt(Item* item, TimeMs at) {
  const ItemLayout l = Decode(item);
  std::memcpy(const_cast<unsigned char*>(l.expiry), &at, sizeof(at));
}

// REQUIRES: ItemHasExpiry(item).
inline std::uint32_t ItemExpiryPos(const Item* item) {
  const ItemLayout l = Decode(item);
  std::uint32_t pos;
  std::memcpy(&pos, l.expiry + sizeof(TimeMs), sizeof(pos));
  return pos;
}

inline void ItemSetExpiryPos(Item* item, std::uint32_t pos) {
  const ItemLayout l = Decode(item);
  std::memcpy(const_cast<unsigned char*>(l.expiry) + sizeof(TimeMs), &pos, sizeof(pos));
}

inline bool ItemHasVersion(const Item* item) { return (item->flags & kFlagVersion) != 0; }

// 0 for an item without a version.
inline std::uint64_t ItemVersion(const Item* item) {
  if (!ItemHasVersion(item)) return 0;
  const ItemLayout l = Decode(item);
  std::uint64_t v;
  std::memcpy(&v, l.version, sizeof(v));
  return v;
}

// REQUIRES: ItemHasVersion(item) and version != 0.
inline void ItemSetVersion(Item* item, std::uint64_t version) {
  const ItemLayout l = Decode(item);
  std::memcpy(const_cast<unsigned char*>(l.version), &version, sizeof(version));
}

inline std::size_t ItemAllocBytes(const Item* item) {
  const ItemLayout l = Decode(item);
  return ItemAllocBytes(l.key_len, l.value_len, l.expiry != nullptr, l.version != nullptr);
}

// Accounted bytes of a live item (its malloc chunk).
inline std::uint64_t ItemFootprint(const Item* item) {
  return MallocChunkBytes(ItemAllocBytes(item));
}

inline std::uint8_t ItemFreq(const Item* item) { return (item->flags & kFreqMask) >> kFreqShift; }
inline void ItemSetFreq(Item* item, std::uint8_t freq) {
  item->flags = static_cast<std::uint8_t>((item->flags & ~kFreqMask) | (freq << kFreqShift));
}

// Allocates and fills an item (with a version field when version != 0); links are null, policy
// bits clear. Never returns nullptr (aborts if the process is out of memory: maxmemory is what
// bounds a cache, not malloc failure).
Item* NewItem(std::string_view key, std::string_view value, TimeMs expire_at,
              std::uint64_t version = 0);
void FreeItem(Item* item);

}  // namespace shoal::store_internal
