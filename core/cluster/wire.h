// Writer and Reader: the field encoding of the peer codec (core/cluster/codec.h: LEB128 varints,
// zig-zag signed values, one-byte bools, length-prefixed strings), shared by the codec and by the
// configuration's own encodings (core/cluster/configuration.h). Writer appends to a string;
// Reader consumes a view with every bound checked and remembers the first error (after which
// every read returns zero and AtEnd() holds), so a decoder reads straight through and tests the
// error once.
//
// Who calls it: core/cluster/ decoders and encoders (and the fuzz target that frames voter-state
// files). Thread safety: none (values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/cluster/codec.h"
#include "core/result.h"

namespace shoal::cluster::wire {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Bool(bool v) { U8(v ? 1 : 0); }
  void Var(std::uint64_t v) {
    if (v < 0x80) {  // most lengths, counts and ids: one byte
      U8(static_cast<std::uint8_t>(v));
      return;
    }
    char bytes[10];
    std::size_t n = 0;
    while (v >= 0x80) {
      bytes[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    bytes[n++] = static_cast<char>(v);
    out_.append(bytes, n);
  }
  void Signed(std::int64_t v) {
    Var((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void Str(std::string_view s) {
    Var(s.size());
    out_.append(s);
  }

 private:
  std::string& out_;
};

class Reader {
 public:
  Reader(std::string_view in, const CodecLimits& limits) : in_(in), limits_(limits) {}

  bool ok() const { return error_ == Error::kOk; }
  Error error() const { return error_; }
  bool AtEnd() const { return pos_ == in_.size(); }
  void Fail(Error e) {
    if (error_ == Error::kOk) error_ = e;
    pos_ = in_.size();
  }

  std::uint8_t U8() {
    if (pos_ >= in_.size()) {
      Fail(Error::kProtocol);
      return 0;
    }
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  bool Bool() {
    const std::uint8_t b = U8();
    if (b > 1) Fail(Error::kProtocol);
    return b == 1;
  }
  std::uint64_t Var() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t b = U8();
      if (!ok()) return 0;
      const std::uint64_t bits = b & 0x7f;
      if (shift == 63 && bits > 1) {  // the tenth byte may carry only the top bit
        Fail(Error::kProtocol);
        return 0;
      }
      v |= bits << shift;
      if ((b & 0x80) == 0) return v;
    }
    Fail(Error::kProtocol);
    return 0;
  }
  std::int64_t Signed() {
    const std::uint64_t z = Var();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string Str(std::size_t max) {
    const std::uint64_t n = Var();
    if (!ok()) return {};
    if (n > max) {
      Fail(Error::kLimitExceeded);
      return {};
    }
    if (n > in_.size() - pos_) {
      Fail(Error::kProtocol);
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A count of elements that take at least one byte each: bounded by `max` and the bytes left.
  std::size_t Count(std::size_t max) {
    const std::uint64_t n = Var();
    if (!ok()) return 0;
    if (n > max) {
      Fail(Error::kLimitExceeded);
      return 0;
    }
    if (n > in_.size() - pos_) {
      Fail(Error::kProtocol);
      return 0;
    }
    return static_cast<std::size_t>(n);
  }
  const CodecLimits& limits() const { return limits_; }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  const CodecLimits& limits_;
  Error error_ = Error::kOk;
};

// 64-bit FNV-1a of `bytes`: the codec's envelope hash and the voter-state file's checksum.
inline std::uint64_t Fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

}  // namespace shoal::cluster::wire
