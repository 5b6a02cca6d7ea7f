// Fuzz target: command execution. The input is decoded into a session of a few clients sending
// argv sequences to one single-node shoal::Node (NodeConfig::cluster null), with clock steps
// (forward, and the wall clock backwards as NTP may step it) and ticks in between. Command names
// are drawn from the command table itself (core/commands/command_spec.h), so every entry,
// subcommands included, is reached, and a new entry is reached without touching this file;
// arguments come from a dictionary of the words the handlers look for, or are raw bytes. After
// every Step and Tick:
//   - the node's and the store's invariants hold (Node::CheckInvariants(expensive), plus the
//     store's statistics against its size, and maxmemory under an evicting policy);
//   - a command produces exactly one well-formed RESP reply for its client (parsed back with the
//     client's ReplyParser, nothing left over), none once the client is closing, and none after a
//     successful SHUTDOWN; a Tick produces no output; a single node sends no peer message;
//   - the node counts exactly the clients the driver has connected.
// It also records which table entries ran their handler; replay_command prints that (acceptance:
// every entry reached by the checked-in corpus) and fails when one is missed.
//
// Input format (every byte string decodes to something):
//   [config byte]: bits 0-1 eviction (s3fifo, sieve, lru, noeviction), bits 2-3 maxmemory
//                  (unbounded, 4 KiB, 16 KiB, 256 KiB), bit 4 requirepass, bit 5 clients_max 2;
//                  max-value-bytes is always its smallest, 1 MiB.
//   then ops, each starting with an op byte o (kind = o >> 5, low bits = its parameter):
//     kind 0-3  a command from client (o & 3): [entry byte] [count byte] [block length byte,
//               or 0xff then a uint16] [block: the arguments]. o & 4: the name upper-cased;
//               o & 8: no arity padding (count & 7 arguments, so wrong arity is reachable);
//               o & 16: the name is the first argument, raw, then count & 7 arguments.
//               The entry byte selects a table entry (modulo their number); its name (and
//               subcommand name) come first, then arguments up to the entry's arity, plus
//               (count & 7) more when the arity allows. Arguments are decoded from the block
//               only (so a mutation inside it never shifts the ops after it); past its end
//               each is kWords[0]. Each: a byte a < 0xc0 picks kWords[a % size];
//               0xc0 <= a < 0xff takes the next (a - 0xc0) bytes raw; 0xff takes
//               [uint16 length] bytes raw.
//     kind 4    the clocks step forward by (byte + 1) * {1, 100, 10^4, 10^6}[o & 3] ms.
//     kind 5    the wall clock steps back by (byte + 1) * {1, 100, 10^4, 10^6}[o & 3] ms.
//     kind 6    (o & 31) + 1 ticks.
//     kind 7    client (o & 3) disconnects (it reconnects, with a new id, on its next command).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/state/reply_parser.h"
#include "core/commands/command_spec.h"
#include "core/limits.h"
#include "core/node.h"
#include "core/node_config.h"
#include "core/result.h"
#include "core/time.h"
#include "tests/fuzz/fuzz_input.h"

namespace shoal::fuzz {
namespace {

constexpr std::size_t kClients = 4;
constexpr std::size_t kExtraArgsMax = 7;
constexpr std::size_t kTicksPerOpMax = 32;
constexpr TimeMs kClockStart = 1'700'000'000'000;  // a realistic Unix time, so EXAT/PXAT make sense
constexpr TimeMs kClockUnitsMs[] = {1, 100, 10'000, 1'000'000};
constexpr EvictionKind kEvictions[] = {EvictionKind::kS3Fifo, EvictionKind::kSieve,
                                       EvictionKind::kLru, EvictionKind::kNoEviction};
constexpr std::uint64_t kMaxmemoryChoices[] = {0, 4 * 1024, 16 * 1024, 256 * 1024};
constexpr char kPassword[] = "hunter2";
// Replies longer than this (COMMAND, INFO) are parsed back only once per input: building the
// reply tree of a 30 KB COMMAND reply on every execution would halve the executions per second.
constexpr std::size_t kReplyParsedBytesMax = 8 * 1024;
// A value that fills a small maxmemory in a few dozen writes.
constexpr auto kLongValue = [] {
  std::array<char, 100> bytes{};
  bytes.fill('x');
  return bytes;
}();

constexpr std::string_view kLongWord(kLongValue.data(), kLongValue.size());
constexpr std::string_view kNulWord("\0", 1);

// The words the handlers compare arguments with (options, subcommands, CONFIG and INFO names),
// keys that share a hash tag, and the numbers at the edges of every integer parse.
// Grouped by theme, a theme to a line or two.
// clang-format off
constexpr std::string_view kWords[] = {
    "k", kLongWord, "k2", "{t}a", "{t}b", "", "v", "value", "abc",
    "10", "0", "1", "-1", "2", "3", "100", "1000", "-100", "0.5", "+1", "01", " 1", "1 ",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "9223372036854",
    "1700000000", "1700000000000", "1700000000001",
    "EX", "PX", "EXAT", "PXAT", "NX", "XX", "GT", "LT", "KEEPTTL", "GET", "PERSIST",
    "ASYNC", "SYNC", "COUNT", "INFO", "DOCS", "LIST", "HELP", "FILTERBY", "MODULE", "ACLCAT",
    "PATTERN", "*", "max*", "?", "[a-z]*", "\\",
    "maxmemory", "maxmemory-policy", "requirepass", "bind", "port", "maxclients",
    "proto-max-bulk-len", "appendonly", "save", "databases", "cluster-enabled", "timeout",
    "AUTH", "SETNAME", "default", kPassword, "wrong", "lib-name", "lib-ver", "redis-py", "4.3",
    "TYPE", "normal", "master", "replica", "pubsub", "ID", "USER", "ADDR", "LADDR", "SKIPME",
    "yes", "no", "NOSAVE", "SAVE", "NOW", "FORCE", "ABORT",
    "all", "everything", "server", "clients", "memory", "stats", "keyspace", "replication",
    "persistence", "cpu", "modules",
    "get", "set", "client", "config", "command", "cluster", "keyslot", "setname",
    "name with space", "a\r\nb", kNulWord, "\xff\xfe",
    // Ranges, bits, LCS, floats (GETRANGE/SETRANGE/SUBSTR, GETBIT/SETBIT/BITCOUNT/BITPOS, LCS,
    // INCRBYFLOAT) and CLUSTER's subcommands; offsets at the edge of value_bytes_max (1 MiB here).
    "-2", "7", "8", "-8", "1048575", "1048576", "8388607", "8388608", "4294967296",
    "BYTE", "BIT", "LEN", "IDX", "MINMATCHLEN", "WITHMATCHLEN",
    "1.5", "-0", "1e308", "1e309", "inf", "-inf", "nan", "0x10", "1e-320", " 2.5", "5.0e3",
    "slots", "nodes", "shards", "myid", "countkeysinslot", "getkeysinslot",
    // KEYS / SCAN globs and options, COPY's options.
    "MATCH", "REPLACE", "DB", "16", "string", "k*", "[^k]*", "[a-]", "*\\", "18446744073709551615",
    // OBJECT and MEMORY subcommands and options.
    "encoding", "freq", "idletime", "refcount", "usage", "SAMPLES",
    // BITOP's operations.
    "AND", "OR", "XOR", "NOT"};
// clang-format on

// tests/fuzz/make_seeds.py spells the long value as word 1; an argument byte below 0xc0 picks a
// word, so every word must have an index below 0xc0.
static_assert(kWords[1] == kLongWord);
static_assert(std::size(kWords) <= 0xc0);

// A table entry that has a handler: a command, or a container's subcommand.
struct Entry {
  const CommandSpec* command;
  const CommandSpec* sub;  // nullptr for a top-level command
  const CommandSpec& spec() const { return sub != nullptr ? *sub : *command; }
  std::size_t prefix() const { return sub != nullptr ? 2 : 1; }  // names before the arguments
};

std::vector<Entry> TableEntries() {
  std::vector<Entry> entries;
  for (const CommandSpec& command : AllCommands()) {
    if (command.handler != nullptr) entries.push_back({&command, nullptr});
    for (const CommandSpec& sub : command.subcommands) entries.push_back({&command, &sub});
  }
  // One entry byte picks an entry: past 256 some would never be reached.
  SHOAL_ASSERT_MSG(entries.size() <= 256, "the command table outgrew the entry byte");
  return entries;
}

const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = TableEntries();
  return entries;
}

// How many commands reached each entry's handler, over every input this process has run.
std::vector<std::uint64_t>& ReachedCounts() {
  static std::vector<std::uint64_t> counts(Entries().size());
  return counts;
}

// Keys evicted and expired over every input this process has run: shows the corpus reaches
// eviction and expiry, which no reply names.
struct StoreTotals {
  std::uint64_t evicted = 0;
  std::uint64_t expired = 0;
};

StoreTotals& Totals() {
  static StoreTotals totals;
  return totals;
}

// The entry whose handler ExecuteCommand runs for argv if it passes arity and AUTH; or none.
const CommandSpec* Resolve(std::span<const std::string_view> argv) {
  const CommandSpec* spec = FindCommand(argv[0]);
  if (spec != nullptr && spec->IsContainer() && argv.size() >= 2) {
    spec = FindSubcommand(*spec, argv[1]);
  }
  return spec;
}

void CountReached(const CommandSpec* spec) {
  const std::vector<Entry>& entries = Entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (&entries[i].spec() == spec) {
      ReachedCounts()[i]++;
      return;
    }
  }
  SHOAL_ASSERT_MSG(false, "a handler ran for a spec that is not in the table");
}

// The two clock readings a driver hands the node: monotonic (never goes back) and wall time.
struct FuzzClock {
  TimeMs monotonic_ms = kClockStart;
  TimeMs wall_ms = kClockStart;
};

// The only place in this file that calls Node::Step and Node::Tick: `input` null means a Tick.
void Drive(Node& node, const FuzzClock& clock, const Input* input, Effects& effects) {
  effects.Clear();
  const NodeTime now{.mono = clock.monotonic_ms, .wall = clock.wall_ms};
  if (input == nullptr) {
    node.Tick(now, effects);
  } else {
    node.Step(now, *input, effects);
  }
}

NodeConfig DecodeConfig(std::uint8_t b) {
  NodeConfig config;  // config.cluster stays null: a single node
  // The smallest value bound shoald accepts, so SETRANGE/SETBIT at the largest offset allowed
  // cost 1 MiB rather than the default 8 MiB per execution.
  config.store.value_bytes_max = limits::kValueBytesMin;
  config.store.eviction = kEvictions[b & 3];
  config.store.maxmemory_bytes = kMaxmemoryChoices[(b >> 2) & 3];
  if ((b & 0x10) != 0) config.requirepass = kPassword;
  if ((b & 0x20) != 0) config.clients_max = 2;
  return config;
}

std::string_view DecodeArgument(FuzzInput& in) {
  const std::uint8_t a = in.Byte();
  if (a < 0xc0) return kWords[a % std::size(kWords)];
  if (a < 0xff) return in.Bytes(a - 0xc0);
  return in.Bytes(in.Uint16());
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// One fuzz input's run: the node, the clients the driver holds, and the checks.
class NodeHarness {
 public:
  explicit NodeHarness(const NodeConfig& config) : node_(config) {}
  ~NodeHarness() {
    StoreTotals& totals = Totals();
    totals.evicted += node_.store().stats().evicted;
    totals.expired += node_.store().stats().expired;
  }

  void Command(std::size_t slot, std::span<const std::string_view> argv) {
    Client& client = clients_[slot];
    if (client.connected && client.closing) {
      // The node must ignore a closing client (node.h invariant 2); a driver then disconnects.
      const ClientCommand command{client.id, argv};
      Step(command);
      SHOAL_ASSERT_MSG(effects_.outputs.empty(), "a reply to a closing client");
      Disconnect(slot);
      return;
    }
    if (!client.connected) Connect(slot);
    if (client.closing) return;  // refused at connect (max clients)
    const std::uint64_t rejected_before = node_.counters().rejected_commands;
    const ClientCommand command{client.id, argv};
    Step(command);
    if (node_.counters().rejected_commands == rejected_before) CountReached(Resolve(argv));
    CheckOneReply(client.id, /*shutdown_allowed=*/true);
    for (const ClientId closed : effects_.closes) {
      SHOAL_ASSERT(closed == client.id);
      client.closing = true;
    }
  }

  void Disconnect(std::size_t slot) {
    Client& client = clients_[slot];
    if (!client.connected) return;
    const ClientDisconnected disconnected{client.id};
    Step(disconnected);
    SHOAL_ASSERT(effects_.outputs.empty() && effects_.closes.empty());
    client = Client{};
    connected_count_--;
    CheckConnectedCount();
  }

  void Tick() {
    Drive(node_, clock_, nullptr, effects_);
    SHOAL_ASSERT_MSG(effects_.outputs.empty() && effects_.closes.empty() && effects_.sends.empty(),
                     "a single node's Tick produced effects");
    CheckStore();
  }

  void StepClocks(TimeMs delta_ms, bool wall_backwards) {
    if (wall_backwards) {
      clock_.wall_ms -= delta_ms;
    } else {
      clock_.monotonic_ms += delta_ms;
      clock_.wall_ms += delta_ms;
    }
  }

 private:
  struct Client {
    bool connected = false;
    bool closing = false;  // the node asked to close it; the driver has not disconnected yet
    ClientId id = 0;
  };

  void Connect(std::size_t slot) {
    Client& client = clients_[slot];
    client = Client{.connected = true, .closing = false, .id = next_id_++};
    const ClientConnected connected{client.id, "127.0.0.1:40000"};
    Step(connected);
    connected_count_++;
    CheckConnectedCount();
    if (!effects_.closes.empty()) {
      // Over clients_max: one error reply, then the close.
      SHOAL_ASSERT(effects_.closes.size() == 1 && effects_.closes[0] == client.id);
      CheckOneReply(client.id, /*shutdown_allowed=*/false);
      client.closing = true;
    } else {
      SHOAL_ASSERT(effects_.outputs.empty());
    }
  }

  void Step(const Input& input) {
    Drive(node_, clock_, &input, effects_);
    SHOAL_ASSERT_MSG(effects_.sends.empty(), "a single node sent a peer message");
    CheckStore();
  }

  // The effects hold exactly one complete RESP reply, to `id` (or nothing after SHUTDOWN).
  void CheckOneReply(ClientId id, bool shutdown_allowed) {
    if (effects_.shutdown && shutdown_allowed) {
      SHOAL_ASSERT_MSG(effects_.bytes.empty(), "SHUTDOWN wrote a reply");
      return;
    }
    SHOAL_ASSERT_MSG(effects_.outputs.size() == 1, "a command did not get exactly one reply run");
    const Effects::Output& out = effects_.outputs[0];
    SHOAL_ASSERT(out.client == id);
    SHOAL_ASSERT(out.begin == 0 && out.end == effects_.bytes.size() && out.begin < out.end);
    SHOAL_ASSERT_MSG(effects_.bytes.ends_with("\r\n"), "a reply without its CRLF");
    if (effects_.bytes.size() > kReplyParsedBytesMax) {
      if (long_reply_parsed_) return;
      long_reply_parsed_ = true;
    }
    client::ReplyParser parser;
    parser.Append(effects_.bytes);
    client::Reply reply;
    SHOAL_ASSERT_MSG(parser.Next(reply) == client::ReplyStatus::kOk, "a malformed reply");
    SHOAL_ASSERT_MSG(parser.buffered_bytes() == 0, "bytes after the reply");
  }

  void CheckStore() const {
    node_.CheckInvariants(/*expensive=*/true);  // the store's walk and the sessions included
    const Store& store = node_.store();
    const StoreStats& stats = store.stats();
    SHOAL_ASSERT(stats.keys == store.size());
    SHOAL_ASSERT(stats.keys_with_expiry <= stats.keys);
    SHOAL_ASSERT(stats.used_bytes == store.used_bytes());
    // store.h invariant 2: with a policy that may evict, writes keep the store within maxmemory.
    const StoreOptions& options = store.options();
    if (options.maxmemory_bytes != 0 && options.eviction != EvictionKind::kNoEviction) {
      SHOAL_ASSERT_MSG(store.used_bytes() <= options.maxmemory_bytes, "store over maxmemory");
    }
  }

  void CheckConnectedCount() const {
    SHOAL_ASSERT(node_.counters().connected_clients == connected_count_);
  }

  Node node_;
  Effects effects_;
  FuzzClock clock_;
  std::array<Client, kClients> clients_{};
  std::uint64_t connected_count_ = 0;
  ClientId next_id_ = 1;
  bool long_reply_parsed_ = false;  // one reply over kReplyParsedBytesMax was parsed back
};

// Decodes one command op (see the format above) and runs it.
void RunCommandOp(NodeHarness& harness, std::uint8_t op, FuzzInput& in) {
  const std::vector<Entry>& entries = Entries();
  const Entry& entry = entries[in.Byte() % entries.size()];
  const std::uint8_t count = in.Byte();
  std::size_t block_bytes = in.Byte();
  if (block_bytes == 0xff) block_bytes = in.Uint16();
  FuzzInput block = in.Sub(block_bytes);
  const bool upper = (op & 4) != 0;
  const bool exact_count = (op & 8) != 0;
  const bool raw_name = (op & 16) != 0;

  std::vector<std::string> names;  // owned spellings of the names (upper-cased or not)
  if (raw_name) {
    names.emplace_back(DecodeArgument(block));
  } else {
    names.push_back(upper ? Upper(entry.command->name) : std::string(entry.command->name));
    if (entry.sub != nullptr) {
      names.push_back(upper ? Upper(entry.sub->name) : std::string(entry.sub->name));
    }
  }
  std::size_t args = count & kExtraArgsMax;
  if (!exact_count && !raw_name) {
    const int arity = entry.spec().arity;
    const std::size_t needed = static_cast<std::size_t>(arity > 0 ? arity : -arity);
    const std::size_t padding = needed > entry.prefix() ? needed - entry.prefix() : 0;
    args = arity > 0 ? padding : padding + args;
  }
  std::vector<std::string_view> argv(names.begin(), names.end());
  for (std::size_t i = 0; i < args; ++i) argv.push_back(DecodeArgument(block));
  harness.Command(op & 3, argv);
}

}  // namespace

// Called by replay_main.cc after the inputs ran: prints which table entries ran their handler.
// Returns non-zero when one was never reached.
int Report() {
  const std::vector<Entry>& entries = Entries();
  const std::vector<std::uint64_t>& counts = ReachedCounts();
  std::size_t reached = 0;
  std::string missed;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (counts[i] > 0) {
      reached++;
    } else {
      missed += " " + std::string(entries[i].spec().full_name);
    }
  }
  std::printf("command table coverage: %zu of %zu entries reached\n", reached, entries.size());
  std::printf("store: %llu keys evicted, %llu expired\n",
              static_cast<unsigned long long>(Totals().evicted),
              static_cast<unsigned long long>(Totals().expired));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::printf("  %-24s %llu\n", std::string(entries[i].spec().full_name).c_str(),
                static_cast<unsigned long long>(counts[i]));
  }
  if (!missed.empty()) std::printf("not reached:%s\n", missed.c_str());
  return missed.empty() ? 0 : 1;
}

}  // namespace shoal::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shoal::fuzz;  // NOLINT(build/namespaces): a target is one function
  FuzzInput in(data, size);
  NodeHarness harness(DecodeConfig(in.Byte()));
  while (!in.empty()) {
    const std::uint8_t op = in.Byte();
    const std::uint8_t param = op & 0x1f;
    switch (op >> 5) {
      case 4:
      case 5: {
        const shoal::TimeMs delta = (shoal::TimeMs{in.Byte()} + 1) * kClockUnitsMs[param & 3];
        harness.StepClocks(delta, (op >> 5) == 5);
        break;
      }
      case 6:
        for (std::size_t i = 0; i <= param && i < kTicksPerOpMax; ++i) harness.Tick();
        break;
      case 7:
        harness.Disconnect(param & 3);
        break;
      default:
        RunCommandOp(harness, op, in);
        break;
    }
  }
  return 0;
}
