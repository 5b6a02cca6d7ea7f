// Bit commands through ExecuteCommand with a real Store: GETBIT, SETBIT (growing values, TTL kept,
// offset and bit validation), BITCOUNT (BYTE and BIT ranges, negative and reversed ranges) and
// BITPOS (Redis's -1 versus end-of-string answers). Expected replies were checked on
// redis-server 7.0.
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

const std::string kNotInt = Err("ERR value is not an integer or out of range");
const std::string kBadOffset = Err("ERR bit offset is not an integer or out of range");
const std::string kSyntax = Err("ERR syntax error");

TEST(BitCommands, GetBit) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"getbit", "k", "0"}), Int(0));
  EXPECT_EQ(h.Run({"set", "k", "\x80\x01"}), kOk);
  EXPECT_EQ(h.Run({"getbit", "k", "0"}), Int(1));
  EXPECT_EQ(h.Run({"getbit", "k", "1"}), Int(0));
  EXPECT_EQ(h.Run({"getbit", "k", "15"}), Int(1));
  EXPECT_EQ(h.Run({"getbit", "k", "16"}), Int(0));  // past the end reads as zero
  EXPECT_EQ(h.Run({"getbit", "k", "-1"}), kBadOffset);
  EXPECT_EQ(h.Run({"getbit", "k", "x"}), kBadOffset);
  EXPECT_EQ(h.Run({"getbit", "nokey", "1.5"}), kBadOffset);  // the offset is checked first
  EXPECT_EQ(h.Run({"getbit", "k"}), Err("ERR wrong number of arguments for 'getbit' command"));
}

TEST(BitCommands, SetBitGrowsTheValueWithZeros) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"setbit", "k", "7", "1"}), Int(0));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("\x01"));
  EXPECT_EQ(h.Run({"setbit", "k", "7", "1"}), Int(1));
  EXPECT_EQ(h.Run({"setbit", "k", "7", "0"}), Int(1));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk(std::string(1, '\0')));
  EXPECT_EQ(h.Run({"setbit", "k", "25", "1"}), Int(0));
  EXPECT_EQ(h.Run({"get", "k"}), Bulk(std::string("\0\0\0\x40", 4)));
  // Clearing a bit past the end still grows the value (Redis does).
  EXPECT_EQ(h.Run({"setbit", "k", "47", "0"}), Int(0));
  EXPECT_EQ(h.Run({"strlen", "k"}), Int(6));
  // The key keeps its TTL.
  EXPECT_EQ(h.Run({"expire", "k", "100"}), Int(1));
  EXPECT_EQ(h.Run({"setbit", "k", "0", "1"}), Int(0));
  EXPECT_EQ(h.Run({"ttl", "k"}), Int(100));
}

TEST(BitCommands, SetBitValidatesOffsetAndBit) {
  NodeConfig config;
  config.store.value_bytes_max = limits::kValueBytesMin;
  CommandHarness h(config);
  const std::string bad_bit = Err("ERR bit is not an integer or out of range");
  EXPECT_EQ(h.Run({"setbit", "k", "0", "2"}), bad_bit);
  EXPECT_EQ(h.Run({"setbit", "k", "0", "-1"}), bad_bit);
  EXPECT_EQ(h.Run({"setbit", "k", "0", "x"}), bad_bit);
  EXPECT_EQ(h.Run({"setbit", "k", "x", "2"}), kBadOffset);  // the offset is checked first
  EXPECT_EQ(h.Run({"setbit", "k", "-1", "1"}), kBadOffset);
  // The byte index must stay below the value limit, so SETBIT cannot grow a value past it.
  const std::string first_out = std::to_string(limits::kValueBytesMin * 8);
  const std::string last_in = std::to_string(limits::kValueBytesMin * 8 - 1);
  EXPECT_EQ(h.Run({"setbit", "k", first_out, "1"}), kBadOffset);
  EXPECT_EQ(h.Run({"getbit", "k", first_out}), kBadOffset);
  EXPECT_EQ(h.Run({"exists", "k"}), Int(0));
  EXPECT_EQ(h.Run({"setbit", "k", last_in, "1"}), Int(0));
  EXPECT_EQ(h.Run({"strlen", "k"}), Int(static_cast<long long>(limits::kValueBytesMin)));
  EXPECT_EQ(h.Run({"getbit", "k", last_in}), Int(1));
}

TEST(BitCommands, BitCountBytes) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"bitcount", "k"}), Int(0));
  EXPECT_EQ(h.Run({"set", "k", "foobar"}), kOk);
  EXPECT_EQ(h.Run({"bitcount", "k"}), Int(26));
  EXPECT_EQ(h.Run({"bitcount", "k", "0", "0"}), Int(4));
  EXPECT_EQ(h.Run({"bitcount", "k", "1", "1"}), Int(6));
  EXPECT_EQ(h.Run({"bitcount", "k", "1", "1", "BYTE"}), Int(6));
  EXPECT_EQ(h.Run({"bitcount", "k", "0", "-1"}), Int(26));
  EXPECT_EQ(h.Run({"bitcount", "k", "-2", "-1"}), Int(7));  // "ar"
  EXPECT_EQ(h.Run({"bitcount", "k", "-100", "100"}), Int(26));
  EXPECT_EQ(h.Run({"bitcount", "k", "3", "1"}), Int(0));        // start > end
  EXPECT_EQ(h.Run({"bitcount", "k", "-1", "-3"}), Int(0));      // reversed negatives
  EXPECT_EQ(h.Run({"bitcount", "k", "-100", "-200"}), Int(0));  // not clamped to [0, 0]
  EXPECT_EQ(h.Run({"bitcount", "k", "10", "20"}), Int(0));      // past the end
  EXPECT_EQ(h.Run({"set", "e", ""}), kOk);
  EXPECT_EQ(h.Run({"bitcount", "e", "0", "-1"}), Int(0));
}

TEST(BitCommands, BitCountBits) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", "foobar"}), kOk);
  EXPECT_EQ(h.Run({"bitcount", "k", "5", "30", "BIT"}), Int(17));
  EXPECT_EQ(h.Run({"bitcount", "k", "0", "0", "bit"}), Int(0));  // 'f' = 0110 0110
  EXPECT_EQ(h.Run({"bitcount", "k", "1", "2", "bit"}), Int(2));
  EXPECT_EQ(h.Run({"bitcount", "k", "0", "-1", "bit"}), Int(26));
  EXPECT_EQ(h.Run({"bitcount", "k", "-8", "-1", "bit"}), Int(4));  // 'r' = 0111 0010
  EXPECT_EQ(h.Run({"bitcount", "k", "-3", "-1", "bit"}), Int(1));
  EXPECT_EQ(h.Run({"bitcount", "k", "9", "9", "bit"}), Int(1));
  EXPECT_EQ(h.Run({"bitcount", "k", "47", "1000", "bit"}), Int(0));
}

TEST(BitCommands, BitCountArgumentOrder) {
  CommandHarness h;
  // A missing key answers 0 before the arguments are looked at.
  EXPECT_EQ(h.Run({"bitcount", "nokey", "1"}), Int(0));
  EXPECT_EQ(h.Run({"bitcount", "nokey", "a", "b", "c"}), Int(0));
  EXPECT_EQ(h.Run({"set", "k", "Hello World"}), kOk);
  EXPECT_EQ(h.Run({"bitcount", "k", "1"}), kSyntax);
  EXPECT_EQ(h.Run({"bitcount", "k", "1", "2", "BIT", "x"}), kSyntax);
  EXPECT_EQ(h.Run({"bitcount", "k", "a", "b"}), kNotInt);
  EXPECT_EQ(h.Run({"bitcount", "k", "1", "a", "foo"}), kNotInt);
  EXPECT_EQ(h.Run({"bitcount", "k", "1", "2", "foo"}), kSyntax);
  // A reversed all-negative range answers 0 before the unit is checked.
  EXPECT_EQ(h.Run({"bitcount", "k", "-1", "-2", "foo"}), Int(0));
  EXPECT_EQ(h.Run({"bitcount"}), Err("ERR wrong number of arguments for 'bitcount' command"));
}

TEST(BitCommands, BitPosBytes) {
  CommandHarness h;
  // A missing key is an infinite run of zeros.
  EXPECT_EQ(h.Run({"bitpos", "nokey", "0"}), Int(0));
  EXPECT_EQ(h.Run({"bitpos", "nokey", "1"}), Int(-1));
  EXPECT_EQ(h.Run({"bitpos", "nokey", "1", "x"}), Int(-1));  // before the range is parsed
  EXPECT_EQ(h.Run({"set", "k", std::string("\xff\xf0\x00", 3)}), kOk);
  EXPECT_EQ(h.Run({"bitpos", "k", "0"}), Int(12));
  EXPECT_EQ(h.Run({"bitpos", "k", "1"}), Int(0));
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "2"}), Int(-1));
  EXPECT_EQ(h.Run({"bitpos", "k", "0", "2"}), Int(16));
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "-2", "-1"}), Int(8));
  EXPECT_EQ(h.Run({"bitpos", "k", "0", "5"}), Int(-1));       // start past the end: empty range
  EXPECT_EQ(h.Run({"bitpos", "k", "0", "2", "1"}), Int(-1));  // start > end
  // All ones: looking for 0 without an end answers the first bit past the value; with an
  // explicit end it answers -1.
  EXPECT_EQ(h.Run({"set", "ones", "\xff\xff"}), kOk);
  EXPECT_EQ(h.Run({"bitpos", "ones", "0"}), Int(16));
  EXPECT_EQ(h.Run({"bitpos", "ones", "0", "1"}), Int(16));
  EXPECT_EQ(h.Run({"bitpos", "ones", "0", "0", "-1"}), Int(-1));
  EXPECT_EQ(h.Run({"bitpos", "ones", "0", "0", "-1", "BYTE"}), Int(-1));
  // All zeros: no 1 anywhere.
  EXPECT_EQ(h.Run({"set", "zeros", std::string(3, '\0')}), kOk);
  EXPECT_EQ(h.Run({"bitpos", "zeros", "1"}), Int(-1));
  EXPECT_EQ(h.Run({"bitpos", "zeros", "0", "1"}), Int(8));
  // An existing empty value holds no bit at all.
  EXPECT_EQ(h.Run({"set", "e", ""}), kOk);
  EXPECT_EQ(h.Run({"bitpos", "e", "0"}), Int(-1));
  EXPECT_EQ(h.Run({"bitpos", "e", "1"}), Int(-1));
}

TEST(BitCommands, BitPosBits) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"set", "k", std::string("\x00\xff\xf0", 3)}), kOk);
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "7", "15", "bit"}), Int(8));
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "0", "7", "BIT"}), Int(-1));
  EXPECT_EQ(h.Run({"bitpos", "k", "0", "8", "19", "bit"}), Int(-1));
  EXPECT_EQ(h.Run({"bitpos", "k", "0", "8", "20", "bit"}), Int(20));
  EXPECT_EQ(h.Run({"bitpos", "k", "0", "10", "-1", "bit"}), Int(20));
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "-5", "-1", "bit"}), Int(19));
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "-12", "-1", "bit"}), Int(12));
  EXPECT_EQ(h.Run({"bitpos", "k", "0", "3", "5", "bit"}), Int(3));
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "9", "9", "bit"}), Int(9));
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "30", "40", "bit"}), Int(-1));
}

TEST(BitCommands, BitPosArgumentErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"bitpos", "nokey", "2"}), Err("ERR The bit argument must be 1 or 0."));
  EXPECT_EQ(h.Run({"bitpos", "nokey", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"set", "k", "Hello World"}), kOk);
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "a"}), kNotInt);
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "1", "2", "3", "4"}), kSyntax);
  // The unit is read before the end.
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "0", "x", "foo"}), kSyntax);
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "x", "0", "foo"}), kNotInt);
  EXPECT_EQ(h.Run({"bitpos", "k", "1", "0", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"bitpos", "k"}), Err("ERR wrong number of arguments for 'bitpos' command"));
}

TEST(BitCommands, BitOpPadsShorterSourcesWithZeroBytes) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"mset", "a", "foobar", "b", "abc"}), kOk);
  EXPECT_EQ(h.Run({"set", "d", "x", "ex", "100"}), kOk);
  EXPECT_EQ(h.Run({"bitop", "and", "d", "a", "b"}), Int(6));
  EXPECT_EQ(h.Run({"get", "d"}), Bulk(std::string("`bc\0\0\0", 6)));
  EXPECT_EQ(h.Run({"ttl", "d"}), Int(-1));  // the destination is replaced without a TTL
  EXPECT_EQ(h.Run({"bitop", "or", "d", "a", "b"}), Int(6));
  EXPECT_EQ(h.Run({"get", "d"}), Bulk("goobar"));
  // A longer source after a shorter one: its tail is taken as it is (x XOR 0 = x), and a
  // missing key counts as empty.
  EXPECT_EQ(h.Run({"bitop", "XOR", "d", "b", "nokey", "a"}), Int(6));
  EXPECT_EQ(h.Run({"get", "d"}), Bulk("\a\r\fbar"));
  EXPECT_EQ(h.Run({"bitop", "and", "d", "a", "nokey"}), Int(6));
  EXPECT_EQ(h.Run({"get", "d"}), Bulk(std::string(6, '\0')));
  EXPECT_EQ(h.Run({"bitop", "not", "d", "b"}), Int(3));
  EXPECT_EQ(h.Run({"get", "d"}), Bulk("\x9e\x9d\x9c"));
  EXPECT_EQ(h.Run({"bitop", "and", "d", "a", "d"}), Int(6));  // the destination as a source
  EXPECT_EQ(h.Run({"get", "d"}), Bulk(std::string("\x06\x0d\x0c\0\0\0", 6)));
  // An empty result deletes the destination.
  EXPECT_EQ(h.Run({"bitop", "or", "d", "nokey1", "nokey2"}), Int(0));
  EXPECT_EQ(h.Run({"exists", "d"}), Int(0));
}

TEST(BitCommands, BitOpErrorsAsRedis) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"bitop", "nand", "d", "a"}), kSyntax);
  EXPECT_EQ(h.Run({"bitop", "not", "d", "a", "b"}),
            Err("ERR BITOP NOT must be called with a single source key."));
  EXPECT_EQ(h.Run({"bitop", "and", "d"}), Err("ERR wrong number of arguments for 'bitop' command"));
}

}  // namespace
}  // namespace shoal::testing
