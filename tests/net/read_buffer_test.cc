// Tests for net/read_buffer.h: the buffer runs in lockstep with a std::string model through
// random sequences of reads, consumes, reserves and compactions (LevelDB habit).
#include "net/read_buffer.h"

#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal::net {
namespace {

void Write(ReadBuffer& buffer, std::string_view bytes) {
  std::span<char> space = buffer.PrepareWrite(bytes.size());
  ASSERT_EQ(space.size(), bytes.size());
  std::memcpy(space.data(), bytes.data(), bytes.size());
  buffer.Commit(bytes.size());
}

TEST(ReadBufferTest, NoMemoryBeforeTheFirstRead) {
  ReadBuffer buffer(16 * 1024);
  EXPECT_EQ(buffer.capacity(), 0u);
  EXPECT_TRUE(buffer.Readable().empty());
  buffer.Compact();
  EXPECT_EQ(buffer.capacity(), 0u);
  Write(buffer, "x");
  EXPECT_EQ(buffer.capacity(), 16u * 1024);  // the first read gets the whole chunk
}

TEST(ReadBufferTest, ConsumeAndCompactKeepTheTail) {
  ReadBuffer buffer(8);
  Write(buffer, "PING\r\nGE");
  EXPECT_EQ(buffer.Readable(), "PING\r\nGE");
  buffer.Consume(6);
  EXPECT_EQ(buffer.Readable(), "GE");
  buffer.Compact();
  EXPECT_EQ(buffer.Readable(), "GE");
  Write(buffer, "T k\r\n");
  EXPECT_EQ(buffer.Readable(), "GET k\r\n");
  EXPECT_EQ(buffer.capacity(), 8u);  // the consumed prefix made room: no growth
}

TEST(ReadBufferTest, ConsumingEverythingResetsForFree) {
  ReadBuffer buffer(4);
  Write(buffer, "abcd");
  buffer.Consume(4);
  EXPECT_TRUE(buffer.empty());
  Write(buffer, "efgh");  // fits without growing: the offsets went back to 0
  EXPECT_EQ(buffer.capacity(), 4u);
  EXPECT_EQ(buffer.Readable(), "efgh");
}

TEST(ReadBufferTest, PartialCommitAndGrowth) {
  ReadBuffer buffer(4);
  std::span<char> space = buffer.PrepareWrite(16);
  EXPECT_GE(buffer.capacity(), 16u);
  std::memcpy(space.data(), "xy", 2);
  buffer.Commit(2);  // a short read
  EXPECT_EQ(buffer.Readable(), "xy");
}

TEST(ReadBufferTest, LargeFrameShrinksBackAfterCompact) {
  ReadBuffer buffer(16);
  buffer.Reserve(1000);
  EXPECT_GE(buffer.capacity(), 1000u);
  Write(buffer, std::string(1000, 'v'));
  buffer.Consume(995);
  buffer.Compact();
  EXPECT_EQ(buffer.capacity(), 16u);
  EXPECT_EQ(buffer.Readable(), "vvvvv");
}

TEST(ReadBufferTest, ReserveKeepsContent) {
  ReadBuffer buffer(8);
  Write(buffer, "12345678");
  buffer.Consume(3);
  buffer.Reserve(100);
  EXPECT_EQ(buffer.Readable(), "45678");
  EXPECT_GE(buffer.capacity(), 100u);
}

// Model-based: any sequence of operations leaves Readable() equal to the model string, and the
// capacity never runs away (at most twice what was ever needed, or the initial capacity).
RC_GTEST_PROP(ReadBufferProperty, MatchesStringModel, ()) {
  const std::size_t capacity_initial = *rc::gen::inRange<std::size_t>(1, 64);
  ReadBuffer buffer(capacity_initial);
  std::string model;
  std::size_t needed_max = capacity_initial;
  const int steps = *rc::gen::inRange(1, 200);
  char next = 'a';
  for (int i = 0; i < steps; ++i) {
    const int op = *rc::gen::inRange(0, 4);
    if (op == 0) {  // a read of up to `asked` bytes that returns `got`
      const std::size_t asked = *rc::gen::inRange<std::size_t>(0, 300);
      const std::size_t got = *rc::gen::inRange<std::size_t>(0, asked + 1);
      std::span<char> space = buffer.PrepareWrite(asked);
      RC_ASSERT(space.size() == asked);
      for (std::size_t j = 0; j < got; ++j) {
        space[j] = next;
        model.push_back(next);
        next = next == 'z' ? 'a' : static_cast<char>(next + 1);
      }
      buffer.Commit(got);
      needed_max = std::max(needed_max, model.size() + asked);
    } else if (op == 1) {
      const std::size_t n = *rc::gen::inRange<std::size_t>(0, model.size() + 1);
      buffer.Consume(n);
      model.erase(0, n);
    } else if (op == 2) {
      const std::size_t total = *rc::gen::inRange<std::size_t>(0, 400);
      buffer.Reserve(total);
      RC_ASSERT(buffer.capacity() >= total);
      needed_max = std::max(needed_max, total);
    } else {
      buffer.Compact();
      if (model.size() <= capacity_initial) {
        RC_ASSERT(buffer.capacity() <= ReadBuffer::kShrinkFactor * capacity_initial);
      }
    }
    RC_ASSERT(buffer.Readable() == model);
    RC_ASSERT(buffer.size() == model.size());
    RC_ASSERT(buffer.capacity() <= 2 * needed_max);
  }
}

}  // namespace
}  // namespace shoal::net
