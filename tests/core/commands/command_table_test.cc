// The command table and ExecuteCommand's dispatch: case-insensitive allocation-free lookup,
// unknown-command and arity replies exactly as Redis 7 formats them, rejected-command counting,
// and the table's own invariants.
#include <set>
#include <string>

#include "core/commands/command_spec.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

TEST(CommandTable, LookupIsCaseInsensitive) {
  ASSERT_NE(FindCommand("get"), nullptr);
  EXPECT_EQ(FindCommand("GET"), FindCommand("get"));
  EXPECT_EQ(FindCommand("gEt"), FindCommand("get"));
  EXPECT_EQ(FindCommand("get")->name, "get");
  EXPECT_EQ(FindCommand("PEXPIRETIME")->name, "pexpiretime");
  EXPECT_EQ(FindCommand(""), nullptr);
  EXPECT_EQ(FindCommand("ge"), nullptr);
  EXPECT_EQ(FindCommand("gett"), nullptr);
  EXPECT_EQ(FindCommand(std::string(1000, 'g')), nullptr);
  EXPECT_EQ(FindCommand(std::string_view("get\0", 4)), nullptr);
  EXPECT_EQ(FindCommandByFullName("CONFIG|Get")->full_name, "config|get");
  EXPECT_EQ(FindCommandByFullName("config|nope"), nullptr);
  EXPECT_EQ(FindCommandByFullName("ping")->full_name, "ping");
}

TEST(CommandTable, EveryCommandIsFoundUnderAnyCasing) {
  for (const CommandSpec& spec : AllCommands()) {
    std::string upper(spec.name);
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    EXPECT_EQ(FindCommand(spec.name), &spec);
    EXPECT_EQ(FindCommand(upper), &spec);
    for (const CommandSpec& sub : spec.subcommands) {
      EXPECT_EQ(FindSubcommand(spec, sub.name), &sub);
      EXPECT_EQ(FindCommandByFullName(sub.full_name), &sub);
      EXPECT_EQ(sub.full_name, std::string(spec.name) + "|" + std::string(sub.name));
    }
  }
}

RC_GTEST_PROP(CommandTable, RandomCasingFindsTheSameCommand, ()) {
  const auto all = AllCommands();
  const std::size_t index = *rc::gen::inRange<std::size_t>(0, all.size());
  std::string name(all[index].name);
  for (char& c : name) {
    if (c >= 'a' && c <= 'z' && *rc::gen::arbitrary<bool>()) c = static_cast<char>(c - 32);
  }
  RC_ASSERT(FindCommand(name) == &all[index]);
}

RC_GTEST_PROP(CommandTable, LookupMatchesLinearScan, (const std::string& name)) {
  const CommandSpec* expected = nullptr;
  for (const CommandSpec& spec : AllCommands()) {
    if (spec.name.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      same = same && c == spec.name[i];
    }
    if (same) expected = &spec;
  }
  RC_ASSERT(FindCommand(name) == expected);
}

TEST(CommandTable, EveryLeafHasAHandler) {
  for (const CommandSpec& spec : AllCommands()) {
    // A container without a handler of its own must reject argc == 1 by arity.
    if (spec.handler == nullptr) {
      EXPECT_TRUE(spec.IsContainer()) << spec.name;
      EXPECT_FALSE(spec.ArityAccepts(1)) << spec.name;
    }
    for (const CommandSpec& sub : spec.subcommands) {
      EXPECT_NE(sub.handler, nullptr) << sub.full_name;
      EXPECT_FALSE(sub.ArityAccepts(1)) << sub.full_name;
      EXPECT_TRUE(sub.subcommands.empty()) << sub.full_name;
    }
  }
}

TEST(CommandTable, ArityAndFlagsFollowRedis) {
  EXPECT_EQ(FindCommand("get")->arity, 2);
  EXPECT_EQ(FindCommand("set")->arity, -3);
  EXPECT_EQ(FindCommand("mset")->key_step, 2);
  EXPECT_EQ(FindCommand("mget")->last_key, -1);
  EXPECT_TRUE(FindCommand("get")->Has(kCmdReadonly));
  EXPECT_TRUE(FindCommand("get")->Has(kCmdFast));
  EXPECT_TRUE(FindCommand("set")->Has(kCmdWrite));
  EXPECT_TRUE(FindCommand("set")->Has(kCmdDenyOom));
  EXPECT_TRUE(FindCommand("auth")->Has(kCmdNoAuth));
  EXPECT_TRUE(FindCommand("hello")->Has(kCmdNoAuth));
  EXPECT_TRUE(FindCommand("quit")->Has(kCmdNoAuth));
  std::set<std::string_view> no_auth;
  for (const CommandSpec& spec : AllCommands()) {
    if (spec.Has(kCmdNoAuth)) no_auth.insert(spec.name);
    for (const CommandSpec& sub : spec.subcommands) EXPECT_FALSE(sub.Has(kCmdNoAuth));
  }
  EXPECT_EQ(no_auth, (std::set<std::string_view>{"auth", "hello", "quit"}));
}

TEST(CommandTable, UnknownCommandReplyMatchesRedis) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"foo"}), Err("ERR unknown command 'foo', with args beginning with: "));
  EXPECT_EQ(h.Run({"foo", "a", "b"}),
            Err("ERR unknown command 'foo', with args beginning with: 'a' 'b' "));
  // Arguments are listed while the list is shorter than 128 bytes, each cut to the room left.
  const std::string a100(100, 'a');
  const std::string b100(100, 'b');
  EXPECT_EQ(h.Run({"foo", a100, b100, "c"}),
            Err("ERR unknown command 'foo', with args beginning with: '" + a100 + "' '" +
                std::string(25, 'b') + "' "));
  // The name is cut to 128 bytes; CR/LF never reach the wire.
  EXPECT_EQ(h.Run({std::string(200, 'x')}),
            Err("ERR unknown command '" + std::string(128, 'x') + "', with args beginning with: "));
  EXPECT_EQ(h.Run({"fo\r\no", "a\nb"}),
            Err("ERR unknown command 'fo  o', with args beginning with: 'a b' "));
  EXPECT_EQ(h.counters().rejected_commands, 5u);
}

TEST(CommandTable, WrongArityUsesTheLowerCaseName) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"GET"}), Err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(h.Run({"get", "a", "b"}), Err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(h.Run({"SET", "k"}), Err("ERR wrong number of arguments for 'set' command"));
  EXPECT_EQ(h.Run({"ttl"}), Err("ERR wrong number of arguments for 'ttl' command"));
  EXPECT_EQ(h.Run({"Config", "GET"}),
            Err("ERR wrong number of arguments for 'config|get' command"));
  EXPECT_EQ(h.counters().rejected_commands, 5u);
  EXPECT_EQ(h.Run({"get", "a"}), kNil);
  EXPECT_EQ(h.counters().rejected_commands, 5u);
}

TEST(CommandTable, ArityAccepts) {
  CommandSpec exact{.name = "x", .full_name = "x", .arity = 2};
  EXPECT_FALSE(exact.ArityAccepts(1));
  EXPECT_TRUE(exact.ArityAccepts(2));
  EXPECT_FALSE(exact.ArityAccepts(3));
  CommandSpec at_least{.name = "x", .full_name = "x", .arity = -3};
  EXPECT_FALSE(at_least.ArityAccepts(2));
  EXPECT_TRUE(at_least.ArityAccepts(3));
  EXPECT_TRUE(at_least.ArityAccepts(300));
}

}  // namespace
}  // namespace shoal::testing
