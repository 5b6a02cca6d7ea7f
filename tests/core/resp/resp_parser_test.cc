// RespParser against Redis's observable behaviour: multibulk and inline commands, skipped frames,
// error messages, limits, and properties over random streams split at random points.
#include "core/resp/resp_parser.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace shoal {
namespace {

using Args = std::vector<std::string>;

std::string Multibulk(const Args& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// Inline form of `args`: every byte as a \xHH escape inside double quotes, except plain ASCII
// letters and digits, so any binary argument survives (sdssplitargs decodes it).
std::string InlineQuoted(const Args& args) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const auto& a : args) {
    out += '"';
    for (const char c : a) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        out += c;
      } else {
        const auto b = static_cast<unsigned char>(c);
        out += "\\x";
        out += kHex[b >> 4];
        out += kHex[b & 15];
      }
    }
    out += "\" ";
  }
  out += "\r\n";
  return out;
}

Args ToArgs(const std::vector<std::string_view>& argv) { return Args(argv.begin(), argv.end()); }

// One parse of an exactly-sized heap copy, so ASan catches any read past the end.
struct Outcome {
  ParseStatus status;
  Args args;
  std::size_t consumed = 0;
  std::string error;
};

Outcome ParseOnce(RespParser& parser, std::string_view bytes) {
  auto copy = std::make_unique<char[]>(bytes.size());
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  const std::string_view buffer(copy.get(), bytes.size());
  ParsedCommand cmd;
  const ParseStatus status = parser.Parse(buffer, cmd);
  Outcome o{status, ToArgs(cmd.argv), cmd.consumed, parser.error()};
  if (status == ParseStatus::kOk) {
    EXPECT_GT(cmd.consumed, 0u);
    EXPECT_LE(cmd.consumed, buffer.size());
    for (const auto arg : cmd.argv) {  // every argument lies in the buffer or in scratch
      const bool in_buffer =
          arg.data() >= buffer.data() && arg.data() + arg.size() <= buffer.data() + buffer.size();
      const bool in_scratch = arg.data() >= cmd.scratch.data() &&
                              arg.data() + arg.size() <= cmd.scratch.data() + cmd.scratch.size();
      EXPECT_TRUE(in_buffer || in_scratch);
    }
  }
  return o;
}

Outcome ParseString(std::string_view bytes, ParserLimits limits = {}) {
  RespParser parser(limits);
  return ParseOnce(parser, bytes);
}

void ExpectCommand(std::string_view bytes, const Args& args) {
  SCOPED_TRACE(testing::PrintToString(std::string(bytes)));
  const Outcome o = ParseString(bytes);
  ASSERT_EQ(o.status, ParseStatus::kOk) << o.error;
  EXPECT_EQ(o.args, args);
  EXPECT_EQ(o.consumed, bytes.size());
}

void ExpectError(std::string_view bytes, std::string_view error, ParserLimits limits = {}) {
  SCOPED_TRACE(testing::PrintToString(std::string(bytes)));
  const Outcome o = ParseString(bytes, limits);
  ASSERT_EQ(o.status, ParseStatus::kError);
  EXPECT_EQ(o.error, error);
}

void ExpectNeedMore(std::string_view bytes, ParserLimits limits = {}) {
  SCOPED_TRACE(testing::PrintToString(std::string(bytes)));
  EXPECT_EQ(ParseString(bytes, limits).status, ParseStatus::kNeedMore);
}

// The result of running a whole stream through a parser: the commands, and how it ended.
struct StreamResult {
  std::vector<Args> commands;
  ParseStatus last = ParseStatus::kNeedMore;
  std::string error;
  std::size_t leftover = 0;  // unconsumed bytes at the end
  friend bool operator==(const StreamResult&, const StreamResult&) = default;
};

// Feeds `stream` in chunks of the given sizes (cycled), the way a connection does: append what
// arrived, parse every complete command, erase what was consumed. With `use_needed`, skips the
// parse while the buffer is shorter than needed_bytes().
StreamResult RunStream(std::string_view stream, const std::vector<std::size_t>& chunks,
                       const ParserLimits& limits, bool use_needed = false) {
  RespParser parser(limits);
  ParsedCommand cmd;
  StreamResult result;
  std::string buffer;
  std::size_t fed = 0;
  std::size_t chunk_index = 0;
  std::size_t needed = 0;
  std::size_t last_needed = 0;  // needed_bytes() of the latest kNeedMore of this frame
  while (true) {
    bool progressed = false;
    if (!(use_needed && buffer.size() < needed)) {
      while (true) {
        // Exact-size copy so that ASan sees any over-read.
        auto copy = std::make_unique<char[]>(buffer.size());
        std::memcpy(copy.get(), buffer.data(), buffer.size());
        const ParseStatus status = parser.Parse(std::string_view(copy.get(), buffer.size()), cmd);
        if (status == ParseStatus::kError) {
          result.last = status;
          result.error = parser.error();
          result.leftover = buffer.size() + (stream.size() - fed);
          return result;
        }
        if (status == ParseStatus::kNeedMore) {
          needed = parser.needed_bytes();
          if (needed != 0) {
            RC_ASSERT(needed > buffer.size());
            last_needed = needed;
          }
          break;
        }
        RC_ASSERT(cmd.consumed <= buffer.size());
        // needed_bytes() never overshoots the frame.
        RC_ASSERT(last_needed <= cmd.consumed);
        last_needed = 0;
        needed = 0;
        if (!cmd.argv.empty()) result.commands.push_back(ToArgs(cmd.argv));
        buffer.erase(0, cmd.consumed);
        progressed = true;
      }
    }
    (void)progressed;
    if (fed == stream.size()) break;
    const std::size_t n = std::min(std::max<std::size_t>(chunks[chunk_index++ % chunks.size()], 1),
                                   stream.size() - fed);
    buffer.append(stream.substr(fed, n));
    fed += n;
  }
  result.last = ParseStatus::kNeedMore;
  result.leftover = buffer.size();
  return result;
}

// --- Examples --------------------------------------------------------------------------------

TEST(RespParser, MultibulkCommands) {
  ExpectCommand("*1\r\n$4\r\nPING\r\n", {"PING"});
  ExpectCommand("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n", {"GET", "key"});
  ExpectCommand("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", {"SET", "k", ""});
  constexpr char kBinary[] = "*2\r\n$4\r\nECHO\r\n$4\r\na\r\n\0\r\n";
  ExpectCommand(std::string(kBinary, sizeof(kBinary) - 1), {"ECHO", std::string("a\r\n\0", 4)});
}

TEST(RespParser, PipelinedCommandsParseOneAtATime) {
  const std::string stream = Multibulk({"SET", "a", "1"}) + "PING\r\n" + Multibulk({"GET", "a"});
  RespParser parser(ParserLimits{});
  ParsedCommand cmd;
  std::string_view rest = stream;
  std::vector<Args> got;
  while (parser.Parse(rest, cmd) == ParseStatus::kOk) {
    got.push_back(ToArgs(cmd.argv));
    rest.remove_prefix(cmd.consumed);
  }
  EXPECT_TRUE(rest.empty());
  EXPECT_EQ(got, (std::vector<Args>{{"SET", "a", "1"}, {"PING"}, {"GET", "a"}}));
}

TEST(RespParser, EmptyFramesAreSkipped) {
  for (const std::string_view frame :
       {"*0\r\n", "*-1\r\n", "*-5\r\n", "\r\n", "\n", "   \r\n", " \t \n"}) {
    SCOPED_TRACE(testing::PrintToString(std::string(frame)));
    const Outcome o = ParseString(frame);
    EXPECT_EQ(o.status, ParseStatus::kOk);
    EXPECT_TRUE(o.args.empty());
    EXPECT_EQ(o.consumed, frame.size());
  }
}

TEST(RespParser, PartialFramesNeedMore) {
  const std::string frame = Multibulk({"SET", "key", "value"});
  for (std::size_t n = 0; n < frame.size(); ++n) ExpectNeedMore(frame.substr(0, n));
  ExpectNeedMore("GET key");
  ExpectNeedMore("GET key\r");
  ExpectNeedMore("*1\r");  // Redis waits for a byte after the '\r'
}

TEST(RespParser, NeededBytesIsExactOnceLastBulkHeaderIsKnown) {
  const std::string value(1 << 20, 'v');
  const std::string frame = Multibulk({"SET", "k", value});
  const std::size_t header_end = frame.size() - value.size() - 2;
  RespParser parser(ParserLimits{});
  ParsedCommand cmd;
  ASSERT_EQ(parser.Parse(std::string_view(frame).substr(0, header_end), cmd),
            ParseStatus::kNeedMore);
  EXPECT_EQ(parser.needed_bytes(), frame.size());
  ASSERT_EQ(parser.Parse(std::string_view(frame).substr(0, header_end + 16384), cmd),
            ParseStatus::kNeedMore);
  EXPECT_EQ(parser.needed_bytes(), frame.size());
  ASSERT_EQ(parser.Parse(frame, cmd), ParseStatus::kOk);
  EXPECT_EQ(cmd.consumed, frame.size());
  ASSERT_EQ(cmd.argv.size(), 3u);
  EXPECT_EQ(cmd.argv[2], value);
}

TEST(RespParser, ResetForgetsPartialFrame) {
  RespParser parser(ParserLimits{});
  ParsedCommand cmd;
  ASSERT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n", cmd), ParseStatus::kNeedMore);
  parser.Reset();
  ASSERT_EQ(parser.Parse("PING\r\n", cmd), ParseStatus::kOk);
  EXPECT_EQ(ToArgs(cmd.argv), Args{"PING"});
}

TEST(RespParser, InlineCommands) {
  ExpectCommand("PING\r\n", {"PING"});
  ExpectCommand("PING\n", {"PING"});
  ExpectCommand("SET  k \t v\r\n", {"SET", "k", "v"});
  ExpectCommand("  GET k  \n", {"GET", "k"});
  ExpectCommand("GET k\r\r\n", {"GET", "k"});      // a stray '\r' is a blank
  ExpectCommand("ECHO a\vb\n", {"ECHO", "a\vb"});  // \v separates only leading blanks
  ExpectCommand("ECHO \v\fa\n", {"ECHO", "a"});
  ExpectCommand("$3\r\n", {"$3"});  // not '*': inline
}

TEST(RespParser, InlineQuoting) {
  ExpectCommand("SET k \"hello world\"\r\n", {"SET", "k", "hello world"});
  ExpectCommand("SET k 'hello world'\r\n", {"SET", "k", "hello world"});
  ExpectCommand("ECHO \"a\\nb\\rc\\td\\be\\af\"\n", {"ECHO", "a\nb\rc\td\be\af"});
  ExpectCommand("ECHO \"\\x41\\x4a\\x00z\"\n", {"ECHO", std::string("AJ\0z", 4)});
  ExpectCommand("ECHO \"\\xZZ\"\n", {"ECHO", "xZZ"});          // not hex: \x is just 'x'
  ExpectCommand("ECHO \"\\q\\\\\\\"\"\n", {"ECHO", "q\\\""});  // \<other> is that byte
  ExpectCommand("ECHO 'it\\'s' 'a\\nb'\n", {"ECHO", "it's", "a\\nb"});
  ExpectCommand("ECHO \"\" ''\n", {"ECHO", "", ""});
  ExpectCommand("ECHO ab\"c d\"\n", {"ECHO", "abc d"});  // a quote may open mid-argument
  ExpectCommand("ECHO \"a\"\tb\n", {"ECHO", "a", "b"});
  ExpectCommand("ECHO \"a\"\vb\n", {"ECHO", "a", "b"});  // closing quote then isspace()
}

TEST(RespParser, InlineUnbalancedQuotes) {
  constexpr std::string_view kError = "ERR Protocol error: unbalanced quotes in request";
  ExpectError("ECHO \"abc\r\n", kError);
  ExpectError("ECHO 'abc\n", kError);
  ExpectError("ECHO \"a\"b\n", kError);  // closing quote must be followed by a blank
  ExpectError("ECHO 'a'b\n", kError);
  ExpectError("ECHO \"abc\\\"\n", kError);
  ExpectError("ECHO \"abc\\\n", kError);
}

TEST(RespParser, MultibulkProtocolErrors) {
  ExpectError("*x\r\n", "ERR Protocol error: invalid multibulk length");
  ExpectError("*\r\n", "ERR Protocol error: invalid multibulk length");
  ExpectError("*01\r\n", "ERR Protocol error: invalid multibulk length");
  ExpectError("*+1\r\n", "ERR Protocol error: invalid multibulk length");
  ExpectError("*1 \r\n", "ERR Protocol error: invalid multibulk length");
  ExpectError("*2147483648\r\n", "ERR Protocol error: invalid multibulk length");
  ExpectError("*1\r\n$x\r\n", "ERR Protocol error: invalid bulk length");
  ExpectError("*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length");
  ExpectError("*1\r\n$\r\n", "ERR Protocol error: invalid bulk length");
  ExpectError("*1\r\n$12345678901234567890\r\n", "ERR Protocol error: invalid bulk length");
  ExpectError("*1\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'");
  ExpectError("*1\r\nGET\r\n", "ERR Protocol error: expected '$', got 'G'");
  ExpectError("*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '");
}

// --- Limits ----------------------------------------------------------------------------------

TEST(RespParser, BulkLengthLimitFailsBeforeTheData) {
  ExpectError("*2\r\n$3\r\nGET\r\n$2147483648\r\n", "ERR Protocol error: invalid bulk length");
  ParserLimits limits;
  limits.bulk_bytes_max = 10;
  ExpectNeedMore("*1\r\n$10\r\n", limits);
  ExpectError("*1\r\n$11\r\n", "ERR Protocol error: invalid bulk length", limits);
}

TEST(RespParser, ArrayLengthLimit) {
  ParserLimits limits;
  limits.array_len_max = 3;
  ExpectNeedMore("*3\r\n", limits);
  ExpectError("*4\r\n", "ERR Protocol error: invalid multibulk length", limits);
  ExpectError("*1048577\r\n", "ERR Protocol error: invalid multibulk length");
  ExpectNeedMore("*1048576\r\n");
}

TEST(RespParser, HeaderLengthLimit) {
  const std::string digits(limits::kHeaderBytesMax - 1, '1');
  ExpectNeedMore("*" + digits.substr(0, digits.size() - 1));
  ExpectError("*" + digits, "ERR Protocol error: too big mbulk count string");
  ExpectNeedMore("*1\r\n$" + digits.substr(0, digits.size() - 1));
  ExpectError("*1\r\n$" + digits, "ERR Protocol error: too big bulk count string");
  ExpectError("*1\r\n" + std::string(limits::kHeaderBytesMax, 'x'),
              "ERR Protocol error: too big bulk count string");
}

TEST(RespParser, InlineLengthLimit) {
  ParserLimits limits;
  limits.inline_bytes_max = 16;
  const std::string line(16, 'a');
  ExpectNeedMore(line, limits);
  ExpectError(line + "a", "ERR Protocol error: too big inline request", limits);
  EXPECT_EQ(ParseString(line + "\n", limits).args, Args{line});
  EXPECT_EQ(ParseString(line + "\r\n", limits).status, ParseStatus::kError);  // '\r' is byte 17
  ExpectError(std::string(limits::kInlineBytesMax + 1, 'a'),
              "ERR Protocol error: too big inline request");
}

// --- Properties ------------------------------------------------------------------------------

// Arguments with every byte value, biased towards the ones that matter to the protocol.
rc::Gen<std::string> GenArg() {
  return rc::gen::container<std::string>(rc::gen::oneOf(
      rc::gen::elementOf(std::vector<char>{'\r', '\n', '*', '$', '"', '\'', '\\', ' ', '\0'}),
      rc::gen::map(rc::gen::inRange(0, 256), [](int b) { return static_cast<char>(b); })));
}

rc::Gen<Args> GenCommand() {
  return rc::gen::resize(12, rc::gen::nonEmpty(rc::gen::container<Args>(GenArg())));
}

rc::Gen<std::vector<std::size_t>> GenChunks() {
  return rc::gen::nonEmpty(rc::gen::container<std::vector<std::size_t>>(
      rc::gen::oneOf(rc::gen::inRange<std::size_t>(1, 4), rc::gen::inRange<std::size_t>(1, 64))));
}

RC_GTEST_PROP(RespParserProperty, AnySplitOfAValidStreamParsesToTheSameCommands, ()) {
  const auto commands = *rc::gen::resize(20, rc::gen::container<std::vector<Args>>(GenCommand()));
  const auto chunks = *GenChunks();
  const bool use_needed = *rc::gen::arbitrary<bool>();
  std::string stream;
  for (const auto& c : commands) {
    // Inline form too, when sdssplitargs can carry the arguments (always, with \xHH quoting).
    stream += *rc::gen::arbitrary<bool>() ? Multibulk(c) : InlineQuoted(c);
    if (*rc::gen::inRange(0, 8) == 0)
      stream += *rc::gen::elementOf(std::vector<std::string>{"*0\r\n", "*-1\r\n", "\r\n", "  \n"});
  }
  const StreamResult result = RunStream(stream, chunks, ParserLimits{}, use_needed);
  RC_ASSERT(result.last == ParseStatus::kNeedMore);
  RC_ASSERT(result.leftover == 0u);
  RC_ASSERT(result.commands == commands);
}

// Random bytes: no crash, no read past the buffer (ASan), and the outcome does not depend on how
// the bytes were split: the same commands, then the same error or the same leftover.
RC_GTEST_PROP(RespParserProperty, RandomBytesParseTheSameWhateverTheSplit, ()) {
  // Protocol-shaped noise finds more paths than uniform bytes.
  const auto pieces = *rc::gen::container<std::vector<std::string>>(
      rc::gen::oneOf(rc::gen::elementOf(std::vector<std::string>{
                         "*",      "$",      "\r\n", "\n", "\r",       "*1\r\n", "*2\r\n", "$1\r\n",
                         "$0\r\n", "$3\r\n", "-",    "0",  "1",        "9",      "\"",     "'",
                         "\\",     "\\x4",   " ",    "a",  "PING\r\n", "*-1\r\n"}),
                     GenArg()));
  std::string stream;
  for (const auto& p : pieces) stream += p;
  ParserLimits limits;
  limits.bulk_bytes_max = *rc::gen::inRange<std::size_t>(0, 40);
  limits.array_len_max = *rc::gen::inRange<std::size_t>(0, 10);
  limits.inline_bytes_max = *rc::gen::inRange<std::size_t>(0, 80);
  const StreamResult whole = RunStream(stream, {stream.size() + 1}, limits);
  const StreamResult split = RunStream(stream, *GenChunks(), limits, *rc::gen::arbitrary<bool>());
  RC_TAG(whole.last == ParseStatus::kError ? "error" : "need more",
         whole.commands.empty() ? "no command" : "commands");
  RC_ASSERT(whole == split);
}

// Each limit is enforced: a command whose size is over the limit is refused, at or under it is
// accepted (the others limits being generous).
RC_GTEST_PROP(RespParserProperty, LimitsAreEnforced, ()) {
  const auto limit = *rc::gen::inRange<std::size_t>(1, 200);
  const auto size = *rc::gen::inRange<std::size_t>(0, 400);
  {  // bulk length
    ParserLimits limits;
    limits.bulk_bytes_max = limit;
    const Outcome o = ParseString(Multibulk({"SET", "k", std::string(size, 'v')}), limits);
    RC_ASSERT((o.status == ParseStatus::kOk) == (size <= limit && 3 <= limit));
  }
  {  // array length
    ParserLimits limits;
    limits.array_len_max = limit;
    const Outcome o = ParseString(Multibulk(Args(size + 1, "a")), limits);
    RC_ASSERT((o.status == ParseStatus::kOk) == (size + 1 <= limit));
  }
  {  // inline length: the line without its "\n"
    ParserLimits limits;
    limits.inline_bytes_max = limit;
    const Outcome o = ParseString("ECHO " + std::string(size, 'a') + "\n", limits);
    RC_ASSERT((o.status == ParseStatus::kOk) == (5 + size <= limit));
  }
  {  // header length: zero padding makes the number invalid, so only the length decides
    const std::string header = "*1\r\n$" + std::string(size % 40, '7');
    const Outcome o = ParseString(header, ParserLimits{});
    RC_ASSERT((o.status == ParseStatus::kError) == (size % 40 + 1 >= limits::kHeaderBytesMax));
  }
}

RC_GTEST_PROP(RespParserProperty, ReusedCommandHoldsNoStaleArguments, ()) {
  const auto a = *GenCommand();
  const auto b = *GenCommand();
  RespParser parser(ParserLimits{});
  ParsedCommand cmd;
  const std::string first = InlineQuoted(a);
  RC_ASSERT(parser.Parse(first, cmd) == ParseStatus::kOk);
  RC_ASSERT(ToArgs(cmd.argv) == a);
  const std::string second = Multibulk(b);
  RC_ASSERT(parser.Parse(second, cmd) == ParseStatus::kOk);
  RC_ASSERT(ToArgs(cmd.argv) == b);
  RC_ASSERT(cmd.consumed == second.size());
}

}  // namespace
}  // namespace shoal
