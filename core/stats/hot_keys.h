// HotKeys: the most accessed keys, found by a bounded space-saving sketch (Metwally et al., 2005)
// fed by sampling, for HOTKEYS GET and the shoal_hot_key_accesses gauge of /metrics.
//
// Every command that names keys calls SampleNext(), which costs a decrement and a branch; about
// one command in sample_every (a pseudo-random skip between 1 and 2 * sample_every - 1, from a
// seeded generator so that runs replay) has its keys offered to the sketch. The sketch keeps at
// most `capacity` keys with a count and an error: a key not yet kept replaces the key with the
// smallest count, inheriting that count as its error. Guarantee on the sampled stream: count -
// error <= true samples <= count, and every key sampled more than (samples / capacity) times is
// kept. Counts halve every half-life (Tick), so the sketch reflects recent traffic, and reported
// values are scaled back by sample_every to estimated accesses.
//
// Cost: SampleNext is O(1); a sampled offer is one hash lookup, plus a scan of `capacity` counts
// when a new key displaces the smallest. Memory: capacity keys (each at most limits::kKeyBytesMax).
//
// Thread safety: none; owned by the Node's thread. Top() copies, for other threads.
// Invariants:
//   1. size() <= capacity(); index_ maps exactly the kept keys to their positions.
//   2. Every kept entry has count >= 1 and error < count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/time.h"

namespace shoal {

class HotKeys {
 public:
  struct Hot {
    std::string key;
    std::uint64_t accesses = 0;  // estimated accesses in the current window (count * sample_every)
    std::uint64_t error = 0;     // the estimate may be this much too high
    bool operator==(const Hot&) const = default;
  };

  // REQUIRES: capacity >= 1, sample_every >= 1, half_life_ms >= 1.
  HotKeys(std::size_t capacity, std::uint32_t sample_every, std::int64_t half_life_ms,
          std::uint64_t seed);

  // Called once per key-carrying command: true for about one call in sample_every, and then the
  // caller offers every key of that command (so each key access is sampled with the same
  // probability whatever the command). A decrement and a branch.
  bool SampleNext() {
    if (--countdown_ != 0) [[likely]] {
      return false;
    }
    countdown_ = NextSkip();
    return true;
  }
  // One access of one key: SampleNext, then Offer.
  void Access(std::string_view key) {
    if (SampleNext()) Offer(key);
  }
  // Adds one sample of `key` to the sketch (Access without the sampling; tests use it).
  void Offer(std::string_view key);
  // Halves every count once each half-life of `now` has passed (dropping keys that reach 0).
  void Tick(TimeMs now);
  // Forgets every key (HOTKEYS RESET, CONFIG RESETSTAT); the sampling schedule continues.
  void Reset();

  // The n hottest keys, hottest first; ties in key order (deterministic).
  std::vector<Hot> Top(std::size_t n) const;

  std::size_t size() const { return keys_.size(); }
  std::size_t capacity() const { return capacity_; }
  std::uint32_t sample_every() const { return sample_every_; }

 private:
  std::uint32_t NextSkip();
  void RebuildIndex();

  std::size_t capacity_;
  std::uint32_t sample_every_;
  std::int64_t half_life_ms_;
  std::uint64_t rng_;
  std::uint32_t countdown_ = 1;
  TimeMs next_decay_at_ = 0;
  // The kept keys, struct-of-arrays so that finding the smallest count scans one dense array.
  // capacity_ reserved at construction: the vectors never reallocate.
  std::vector<std::string> keys_;
  std::vector<std::uint64_t> counts_;
  std::vector<std::uint64_t> errors_;
  // Views into keys_[i]; rebuilt whenever a kept string may have moved.
  absl::flat_hash_map<std::string_view, std::uint32_t> index_;
};

}  // namespace shoal
