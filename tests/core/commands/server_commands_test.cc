// Server commands through ExecuteCommand: COMMAND (+COUNT/INFO/DOCS/LIST), CONFIG GET/SET/
// RESETSTAT, TIME, SHUTDOWN, INFO.
#include <string>

#include "core/commands/command_spec.h"
#include "core/store/eviction_kind.h"
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

// Splits an INFO payload (inside the bulk) into "field:value" lines.
std::string InfoBody(const std::string& reply) {
  const std::size_t start = reply.find("\r\n") + 2;
  return reply.substr(start, reply.size() - start - 2);
}

std::string InfoField(const std::string& body, const std::string& field) {
  const std::size_t at = body.find("\r\n" + field + ":");
  const std::size_t begin = at == std::string::npos ? body.rfind(field + ":", 0) : at + 2;
  if (begin == std::string::npos) return "<missing>";
  const std::size_t value = begin + field.size() + 1;
  return body.substr(value, body.find("\r\n", value) - value);
}

TEST(ServerCommands, CommandCountAndInfo) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"command", "count"}), Int(static_cast<long long>(AllCommands().size())));
  const std::string get_info =
      "*1\r\n*10\r\n" + Bulk("get") + Int(2) + "*2\r\n+readonly\r\n+fast\r\n" + Int(1) + Int(1) +
      Int(1) + "*3\r\n+@read\r\n+@string\r\n+@fast\r\n" + "*0\r\n" + "*1\r\n*6\r\n" +
      Bulk("flags") + "*2\r\n+RO\r\n+access\r\n" + Bulk("begin_search") + "*4\r\n" + Bulk("type") +
      Bulk("index") + Bulk("spec") + "*2\r\n" + Bulk("index") + Int(1) + Bulk("find_keys") +
      "*4\r\n" + Bulk("type") + Bulk("range") + Bulk("spec") + "*6\r\n" + Bulk("lastkey") + Int(0) +
      Bulk("keystep") + Int(1) + Bulk("limit") + Int(0) + "*0\r\n";
  EXPECT_EQ(h.Run({"command", "info", "GET"}), get_info);
  const std::string two = h.Run({"command", "info", "nope", "config|get"});
  EXPECT_EQ(two.substr(0, 9), "*2\r\n$-1\r\n");
  EXPECT_NE(two.find(Bulk("config|get") + Int(-3)), std::string::npos);
  const std::string mset = h.Run({"command", "info", "mset"});
  EXPECT_NE(mset.find(Int(1) + Int(-1) + Int(2)), std::string::npos);
}

// Rows with Redis's own key specs and tips (RENAME, KEYS), as redis-server 7.0.15 answers.
TEST(ServerCommands, CommandInfoKeySpecsAndTips) {
  CommandHarness h;
  auto spec = [](const std::string& flags, int index, int lastkey) {
    return "*6\r\n" + Bulk("flags") + flags + Bulk("begin_search") + "*4\r\n" + Bulk("type") +
           Bulk("index") + Bulk("spec") + "*2\r\n" + Bulk("index") + Int(index) +
           Bulk("find_keys") + "*4\r\n" + Bulk("type") + Bulk("range") + Bulk("spec") + "*6\r\n" +
           Bulk("lastkey") + Int(lastkey) + Bulk("keystep") + Int(1) + Bulk("limit") + Int(0);
  };
  EXPECT_EQ(h.Run({"command", "info", "rename"}),
            "*1\r\n*10\r\n" + Bulk("rename") + Int(3) + "*1\r\n+write\r\n" + Int(1) + Int(2) +
                Int(1) + "*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n" + "*0\r\n" + "*2\r\n" +
                spec("*3\r\n+RW\r\n+access\r\n+delete\r\n", 1, 0) +
                spec("*2\r\n+OW\r\n+update\r\n", 2, 0) + "*0\r\n");
  EXPECT_EQ(h.Run({"command", "info", "keys"}),
            "*1\r\n*10\r\n" + Bulk("keys") + Int(2) + "*1\r\n+readonly\r\n" + Int(0) + Int(0) +
                Int(0) + "*4\r\n+@keyspace\r\n+@read\r\n+@slow\r\n+@dangerous\r\n" + "*2\r\n" +
                Bulk("request_policy:all_shards") + Bulk("nondeterministic_output_order") +
                "*0\r\n" + "*0\r\n");
  // Categories come in Redis's order (acl.c): @connection last, @dangerous after @slow.
  EXPECT_NE(h.Run({"command", "info", "ping"}).find("*2\r\n+@fast\r\n+@connection\r\n"),
            std::string::npos);
  EXPECT_NE(
      h.Run({"command", "info", "config|get"}).find("*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n"),
      std::string::npos);
}

TEST(ServerCommands, CommandListsEveryCommand) {
  CommandHarness h;
  const std::string all = h.Run({"command"});
  EXPECT_EQ(all.substr(0, all.find("\r\n")), "*" + std::to_string(AllCommands().size()));
  EXPECT_EQ(h.Run({"command", "info"}), all);
  for (const CommandSpec& spec : AllCommands()) {
    EXPECT_NE(all.find("*10\r\n" + Bulk(spec.name) + Int(spec.arity)), std::string::npos)
        << spec.name;
  }
  // Containers carry their subcommands (10th element), in Redis 7's shape.
  EXPECT_NE(all.find("*10\r\n" + Bulk("client|setname") + Int(3)), std::string::npos);
  // In RESP3 flags are sets.
  EXPECT_EQ(h.Run({"hello", "3"}).substr(0, 4), "%7\r\n");
  EXPECT_NE(h.Run({"command", "info", "get"}).find("~2\r\n+readonly\r\n+fast\r\n"),
            std::string::npos);
}

TEST(ServerCommands, CommandDocsAndList) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"command", "docs"}), "*0\r\n");
  EXPECT_EQ(h.Run({"command", "docs", "get"}), "*0\r\n");
  EXPECT_EQ(h.Run({"hello", "3"}).substr(0, 4), "%7\r\n");
  EXPECT_EQ(h.Run({"command", "docs"}), "%0\r\n");
  EXPECT_EQ(h.Run({"hello", "2"}).substr(0, 5), "*14\r\n");
  EXPECT_EQ(h.Run({"command", "list", "filterby", "pattern", "*expire*"}),
            "*6\r\n" + Bulk("expire") + Bulk("pexpire") + Bulk("expireat") + Bulk("pexpireat") +
                Bulk("expiretime") + Bulk("pexpiretime"));
  EXPECT_EQ(h.Run({"command", "list", "filterby", "pattern", "config|*"}),
            "*4\r\n" + Bulk("config|get") + Bulk("config|set") + Bulk("config|resetstat") +
                Bulk("config|help"));
  EXPECT_EQ(h.Run({"command", "list", "filterby", "module", "x"}), "*0\r\n");
  const std::string strings = h.Run({"command", "list", "filterby", "aclcat", "string"});
  EXPECT_EQ(strings.substr(0, 5), "*22\r\n");
  EXPECT_EQ(h.Run({"command", "list", "filterby", "aclcat", "bitmap"}),
            "*5\r\n" + Bulk("getbit") + Bulk("setbit") + Bulk("bitcount") + Bulk("bitop") +
                Bulk("bitpos"));
  EXPECT_EQ(h.Run({"command", "list", "bogus"}), Err("ERR syntax error"));
  const std::string list = h.Run({"command", "list"});
  EXPECT_NE(list.find(Bulk("client|setinfo")), std::string::npos);
  EXPECT_EQ(h.Run({"command", "bogus"}), Err("ERR unknown subcommand 'bogus'. Try COMMAND HELP."));
}

TEST(ServerCommands, ConfigGet) {
  NodeConfig config;
  config.store.maxmemory_bytes = 1 << 20;
  config.store.eviction = EvictionKind::kLru;
  config.clients_max = 123;
  config.port = 6400;
  config.requirepass = "hidden";
  CommandHarness h(config);
  ASSERT_EQ(h.Run({"auth", "hidden"}), kOk);
  EXPECT_EQ(h.Run({"config", "get", "maxmemory"}), "*2\r\n" + Bulk("maxmemory") + Bulk("1048576"));
  EXPECT_EQ(h.Run({"config", "get", "MAXMEMORY*"}), "*4\r\n" + Bulk("maxmemory") + Bulk("1048576") +
                                                        Bulk("maxmemory-policy") + Bulk("lru"));
  EXPECT_EQ(h.Run({"config", "get", "save", "appendonly", "save"}),
            "*4\r\n" + Bulk("save") + Bulk("") + Bulk("appendonly") + Bulk("no"));
  EXPECT_EQ(h.Run({"config", "get", "databases"}), "*2\r\n" + Bulk("databases") + Bulk("1"));
  EXPECT_EQ(h.Run({"config", "get", "maxclients"}), "*2\r\n" + Bulk("maxclients") + Bulk("123"));
  EXPECT_EQ(h.Run({"config", "get", "requirepass"}), "*2\r\n" + Bulk("requirepass") + Bulk(""));
  EXPECT_EQ(h.Run({"config", "get", "port"}), "*2\r\n" + Bulk("port") + Bulk("6400"));
  EXPECT_EQ(h.Run({"config", "get", "bind"}), "*2\r\n" + Bulk("bind") + Bulk("127.0.0.1"));
  EXPECT_EQ(h.Run({"config", "get", "timeout"}), "*2\r\n" + Bulk("timeout") + Bulk("0"));
  EXPECT_EQ(h.Run({"config", "get", "protected-mode"}),
            "*2\r\n" + Bulk("protected-mode") + Bulk("yes"));
  EXPECT_EQ(
      h.Run({"config", "get", "proto-max-bulk-len"}),
      "*2\r\n" + Bulk("proto-max-bulk-len") + Bulk(std::to_string(config.store.value_bytes_max)));
  EXPECT_EQ(h.Run({"config", "get", "nothing-like-this"}), "*0\r\n");
  EXPECT_EQ(h.Run({"config", "get", "[bp]o?t"}), "*2\r\n" + Bulk("port") + Bulk("6400"));
  const std::string all = h.Run({"config", "get", "*"});
  EXPECT_EQ(all.substr(0, 5), "*36\r\n");
  EXPECT_EQ(h.Run({"config", "get"}),
            Err("ERR wrong number of arguments for 'config|get' command"));
  EXPECT_EQ(h.Run({"config"}), Err("ERR wrong number of arguments for 'config' command"));
  EXPECT_EQ(h.Run({"hello", "3"}).substr(0, 4), "%7\r\n");
  EXPECT_EQ(h.Run({"config", "get", "port"}), "%1\r\n" + Bulk("port") + Bulk("6400"));
}

TEST(ServerCommands, ConfigSetAndResetStat) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"config", "set", "maxmemory", "100"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - can't set "
                "immutable config"));
  EXPECT_EQ(h.Run({"config", "set", "foo", "1"}),
            Err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"));
  EXPECT_EQ(h.Run({"config", "set", "maxmemory", "1", "port"}),
            Err("ERR wrong number of arguments for 'config|set' command"));
  EXPECT_EQ(h.Run({"config", "set", "maxmemory"}),
            Err("ERR wrong number of arguments for 'config|set' command"));

  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(h.Run({"get", "x"}), kNil);
  EXPECT_EQ(h.store().stats().hits, 1u);
  EXPECT_GT(h.counters().rejected_commands, 0u);
  EXPECT_EQ(h.Run({"config", "resetstat"}), kOk);
  EXPECT_EQ(h.store().stats().hits, 0u);
  EXPECT_EQ(h.store().stats().misses, 0u);
  EXPECT_EQ(h.counters().rejected_commands, 0u);
  EXPECT_EQ(h.counters().total_commands_processed, 0u);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v"));  // data kept
}

TEST(ServerCommands, TimeUsesTheSimulatedClock) {
  CommandHarness h;
  h.Advance(1234);  // now = 1'700'000'001'234 ms
  EXPECT_EQ(h.Run({"time"}), "*2\r\n" + Bulk("1700000001") + Bulk("234000"));
  EXPECT_EQ(h.Run({"time", "x"}), Err("ERR wrong number of arguments for 'time' command"));
}

TEST(ServerCommands, Shutdown) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"shutdown", "bogus"}), Err("ERR syntax error"));
  EXPECT_FALSE(h.shutdown());
  EXPECT_EQ(h.Run({"shutdown", "abort"}), Err("ERR No shutdown in progress."));
  EXPECT_FALSE(h.shutdown());
  EXPECT_EQ(h.Run({"shutdown", "NOSAVE"}), "");
  EXPECT_TRUE(h.shutdown());
  EXPECT_TRUE(h.close_after_reply());
}

TEST(ServerCommands, InfoSectionsAndFields) {
  NodeConfig config;
  config.store.maxmemory_bytes = 3 * 1024 * 1024 / 2;
  config.process_id = 4242;
  config.port = 6390;
  config.version = "0.9.1";
  CommandHarness h(config);
  h.Advance(90'000);
  EXPECT_EQ(h.Run({"set", "a", "1"}), kOk);
  EXPECT_EQ(h.Run({"set", "b", "2", "EX", "100"}), kOk);
  EXPECT_EQ(h.Run({"get", "a"}), Bulk("1"));
  EXPECT_EQ(h.Run({"get", "a"}), Bulk("1"));
  EXPECT_EQ(h.Run({"get", "a"}), Bulk("1"));
  EXPECT_EQ(h.Run({"get", "zz"}), kNil);
  EXPECT_EQ(h.Run({"nosuch"}), Err("ERR unknown command 'nosuch', with args beginning with: "));

  const std::string body = InfoBody(h.Run({"info"}));
  EXPECT_EQ(body.substr(0, 10), "# Server\r\n");
  for (const char* section : {"# Server\r\n", "\r\n\r\n# Clients\r\n", "\r\n\r\n# Memory\r\n",
                              "\r\n\r\n# Stats\r\n", "\r\n\r\n# Keyspace\r\n"}) {
    EXPECT_NE(body.find(section), std::string::npos) << section;
  }
  EXPECT_EQ(InfoField(body, "redis_version"), "7.0.0");
  EXPECT_EQ(InfoField(body, "shoal_version"), "0.9.1");
  EXPECT_EQ(InfoField(body, "process_id"), "4242");
  EXPECT_EQ(InfoField(body, "tcp_port"), "6390");
  EXPECT_EQ(InfoField(body, "uptime_in_seconds"), "90");
  EXPECT_EQ(InfoField(body, "connected_clients"), "1");
  EXPECT_EQ(InfoField(body, "maxclients"), std::to_string(config.clients_max));
  EXPECT_EQ(InfoField(body, "used_memory"), std::to_string(h.store().used_bytes()));
  EXPECT_EQ(InfoField(body, "maxmemory"), "1572864");
  EXPECT_EQ(InfoField(body, "maxmemory_human"), "1.50M");
  EXPECT_EQ(InfoField(body, "maxmemory_policy"), EvictionKindName(config.store.eviction));
  EXPECT_EQ(InfoField(body, "total_connections_received"), "1");
  EXPECT_EQ(InfoField(body, "total_commands_processed"), "8");
  EXPECT_EQ(InfoField(body, "rejected_calls"), "1");
  EXPECT_EQ(InfoField(body, "keyspace_hits"), "3");
  EXPECT_EQ(InfoField(body, "keyspace_misses"), "1");
  EXPECT_EQ(InfoField(body, "keyspace_hit_ratio"), "0.7500");
  EXPECT_EQ(InfoField(body, "expired_keys"), "0");
  EXPECT_EQ(InfoField(body, "evicted_keys"), "0");
  EXPECT_EQ(InfoField(body, "db0"), "keys=2,expires=1,avg_ttl=0");
  EXPECT_EQ(body.substr(body.size() - 2), "\r\n");
}

TEST(ServerCommands, InfoSectionSelection) {
  CommandHarness h;
  const std::string keyspace = h.Run({"info", "keyspace"});
  EXPECT_EQ(keyspace, Bulk("# Keyspace\r\n"));  // no db line while empty
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"INFO", "KEYSPACE"}), Bulk("# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"));
  const std::string two = InfoBody(h.Run({"info", "clients", "memory"}));
  EXPECT_EQ(two.substr(0, 11), "# Clients\r\n");
  EXPECT_NE(two.find("\r\n\r\n# Memory\r\n"), std::string::npos);
  EXPECT_EQ(two.find("# Server"), std::string::npos);
  EXPECT_EQ(h.Run({"info", "nosuchsection"}), Bulk(""));
  // all and everything name the same sections, and so do default and no argument: all without
  // commandstats and latencystats, as in Redis 7.0 (the counts of INFO itself move on).
  auto without_counts = [](std::string reply) {
    for (std::string_view field : {"total_commands_processed:", "cmdstat_info:"}) {
      const std::size_t at = reply.find(field);
      if (at != std::string::npos) reply.erase(at, reply.find("\r\n", at) - at);
    }
    return reply.substr(reply.find("\r\n"));  // without the bulk length
  };
  const std::string all = without_counts(h.Run({"info", "all"}));
  EXPECT_EQ(without_counts(h.Run({"info", "everything"})), all);
  const std::string default_sections = without_counts(h.Run({"info", "default"}));
  EXPECT_EQ(without_counts(h.Run({"info"})), default_sections);
  for (std::string_view section : {"# Commandstats", "# Latencystats"}) {
    EXPECT_NE(all.find(section), std::string::npos) << section;
    EXPECT_EQ(default_sections.find(section), std::string::npos) << section;
  }
  for (std::string_view section :
       {"# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU",
        "# Errorstats", "# Cluster", "# Keyspace"}) {
    EXPECT_NE(default_sections.find(section), std::string::npos) << section;
  }
  EXPECT_EQ(h.Run({"hello", "3"}).substr(0, 4), "%7\r\n");
  const std::string text = "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n";
  EXPECT_EQ(h.Run({"info", "keyspace"}),
            "=" + std::to_string(text.size() + 4) + "\r\ntxt:" + text + "\r\n");
}

}  // namespace
}  // namespace shoal::testing
