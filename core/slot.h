// Key -> cluster slot mapping, exactly the Redis Cluster function: CRC16 (XMODEM: poly 0x1021,
// init 0, no reflection, no final xor) of the key, or of its hash tag, modulo limits::kSlotCount.
// Keeping Redis's function lets every Redis-Cluster-aware client route directly to the owner.
//
// Hash tag rule (Redis Cluster spec): if the key contains a '{', and a '}' follows it with at
// least one byte between, only the bytes between the first '{' and the first '}' after it are
// hashed; otherwise the whole key is hashed ("foo{}{bar}" hashes the whole key).
// Thread safety: pure functions over a constant table; callable from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace shoal {

// CRC16/XMODEM of `data` (CRC16 of "123456789" is 0x31C3).
std::uint16_t Crc16(std::string_view data);

// The part of `key` that decides its slot: the hash tag if it has a non-empty one, else the key.
std::string_view KeyHashPart(std::string_view key);

// Slot of `key`, in [0, limits::kSlotCount).
std::uint16_t KeySlot(std::string_view key);

}  // namespace shoal
