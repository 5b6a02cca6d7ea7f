// Connection commands through ExecuteCommand: PING, ECHO, HELLO (RESP3 switching), AUTH and the
// NOAUTH gate, CLIENT *, SELECT, QUIT, READONLY and CLUSTER.
#include "gtest/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

const std::string kNoAuth = Err("NOAUTH Authentication required.");
const std::string kWrongPass = Err("WRONGPASS invalid username-password pair or user is disabled.");

std::string HelloMap(RespVersion resp, long long id) {
  const bool v3 = resp == RespVersion::kResp3;
  return std::string(v3 ? "%7\r\n" : "*14\r\n") + Bulk("server") + Bulk("shoal") + Bulk("version") +
         Bulk("7.0.0") + Bulk("proto") + Int(v3 ? 3 : 2) + Bulk("id") + Int(id) + Bulk("mode") +
         Bulk("standalone") + Bulk("role") + Bulk("master") + Bulk("modules") + "*0\r\n";
}

TEST(ConnectionCommands, PingEcho) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"ping"}), "+PONG\r\n");
  EXPECT_EQ(h.Run({"PING", "hi there"}), Bulk("hi there"));
  EXPECT_EQ(h.Run({"ping", "a", "b"}), Err("ERR wrong number of arguments for 'ping' command"));
  EXPECT_EQ(h.Run({"echo", "x\r\ny"}), Bulk("x\r\ny"));
  EXPECT_EQ(h.Run({"echo"}), Err("ERR wrong number of arguments for 'echo' command"));
}

TEST(ConnectionCommands, HelloSwitchesProtocol) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"hello"}), HelloMap(RespVersion::kResp2, 7));
  EXPECT_EQ(h.Run({"get", "missing"}), "$-1\r\n");
  EXPECT_EQ(h.Run({"hello", "3"}), HelloMap(RespVersion::kResp3, 7));
  EXPECT_EQ(h.session().resp, RespVersion::kResp3);
  EXPECT_EQ(h.Run({"get", "missing"}), "_\r\n");
  EXPECT_EQ(h.Run({"client", "getname"}), "_\r\n");
  EXPECT_EQ(h.Run({"config", "get", "port"}), "%1\r\n" + Bulk("port") + Bulk("7379"));
  EXPECT_EQ(h.Run({"hello"}), HelloMap(RespVersion::kResp3, 7));  // no version: unchanged
  EXPECT_EQ(h.Run({"hello", "2"}), HelloMap(RespVersion::kResp2, 7));
  EXPECT_EQ(h.Run({"get", "missing"}), "$-1\r\n");
}

TEST(ConnectionCommands, HelloErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"hello", "4"}), Err("NOPROTO unsupported protocol version"));
  EXPECT_EQ(h.Run({"hello", "1"}), Err("NOPROTO unsupported protocol version"));
  EXPECT_EQ(h.Run({"hello", "three"}),
            Err("ERR Protocol version is not an integer or out of range"));
  EXPECT_EQ(h.Run({"hello", "3", "SETNAME"}), Err("ERR Syntax error in HELLO option 'SETNAME'"));
  EXPECT_EQ(h.Run({"hello", "3", "AUTH", "default"}),
            Err("ERR Syntax error in HELLO option 'AUTH'"));
  EXPECT_EQ(h.Run({"hello", "3", "bogus"}), Err("ERR Syntax error in HELLO option 'bogus'"));
  EXPECT_EQ(h.Run({"hello", "3", "SETNAME", "bad name"}),
            Err("ERR Client names cannot contain spaces, newlines or special characters."));
  EXPECT_EQ(h.session().resp, RespVersion::kResp2);  // nothing changed on error
  EXPECT_EQ(h.Run({"hello", "2", "setname", "worker-1"}), HelloMap(RespVersion::kResp2, 7));
  EXPECT_EQ(h.Run({"client", "getname"}), Bulk("worker-1"));
}

TEST(ConnectionCommands, AuthWithoutPassword) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"auth", "secret"}),
            Err("ERR AUTH <password> called without any password configured for the default "
                "user. Are you sure your configuration is correct?"));
  EXPECT_EQ(h.Run({"auth", "default", "anything"}), kOk);  // default user is nopass
  EXPECT_EQ(h.Run({"auth", "alice", "anything"}), kWrongPass);
  EXPECT_EQ(h.Run({"auth", "a", "b", "c"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"auth"}), Err("ERR wrong number of arguments for 'auth' command"));
  EXPECT_EQ(h.Run({"get", "k"}), kNil);
}

TEST(ConnectionCommands, AuthFlow) {
  NodeConfig config;
  config.requirepass = "s3cret";
  CommandHarness h(config);
  const int rejected_before = static_cast<int>(h.counters().rejected_commands);
  EXPECT_EQ(h.Run({"get", "k"}), kNoAuth);
  EXPECT_EQ(h.Run({"set", "k", "v"}), kNoAuth);
  EXPECT_EQ(h.Run({"ping"}), kNoAuth);
  EXPECT_EQ(h.Run({"client", "setname", "x"}), kNoAuth);
  EXPECT_EQ(h.Run({"command"}), kNoAuth);
  // Lookup and arity come before the AUTH gate, as in Redis.
  EXPECT_EQ(h.Run({"foo"}), Err("ERR unknown command 'foo', with args beginning with: "));
  EXPECT_EQ(h.Run({"get"}), Err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(h.counters().rejected_commands, static_cast<std::uint64_t>(rejected_before + 7));

  EXPECT_EQ(h.Run({"hello", "3"}),
            Err("NOAUTH HELLO must be called with the client already authenticated, otherwise "
                "the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the "
                "client and select the RESP protocol version at the same time"));
  EXPECT_EQ(h.session().resp, RespVersion::kResp2);
  EXPECT_EQ(h.Run({"auth", "wrong"}), kWrongPass);
  EXPECT_EQ(h.Run({"auth", "S3CRET"}), kWrongPass);
  EXPECT_EQ(h.Run({"auth", "s3cret2"}), kWrongPass);
  EXPECT_EQ(h.Run({"auth", "admin", "s3cret"}), kWrongPass);
  EXPECT_EQ(h.Run({"get", "k"}), kNoAuth);
  EXPECT_EQ(h.Run({"auth", "s3cret"}), kOk);
  EXPECT_EQ(h.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v"));
  // A later failed AUTH does not log the client out (Redis keeps the previous user).
  EXPECT_EQ(h.Run({"auth", "nope"}), kWrongPass);
  EXPECT_EQ(h.Run({"get", "k"}), Bulk("v"));
}

TEST(ConnectionCommands, HelloAuth) {
  NodeConfig config;
  config.requirepass = "pw";
  CommandHarness h(config);
  EXPECT_EQ(h.Run({"hello", "3", "AUTH", "default", "bad"}), kWrongPass);
  EXPECT_EQ(h.session().resp, RespVersion::kResp2);
  EXPECT_EQ(h.Run({"hello", "3", "auth", "default", "pw", "setname", "me"}),
            HelloMap(RespVersion::kResp3, 7));
  EXPECT_TRUE(h.session().authenticated);
  EXPECT_EQ(h.Run({"get", "k"}), "_\r\n");
  EXPECT_EQ(h.Run({"client", "getname"}), Bulk("me"));
}

TEST(ConnectionCommands, QuitAllowedWithoutAuth) {
  NodeConfig config;
  config.requirepass = "pw";
  CommandHarness h(config);
  EXPECT_EQ(h.Run({"quit"}), kOk);
  EXPECT_TRUE(h.close_after_reply());
  EXPECT_EQ(h.Run({"ping"}), kNoAuth);
  EXPECT_FALSE(h.close_after_reply());
}

TEST(ConnectionCommands, ClientNames) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"client", "getname"}), kNil);
  EXPECT_EQ(h.Run({"client", "setname", "conn-1"}), kOk);
  EXPECT_EQ(h.Run({"CLIENT", "GETNAME"}), Bulk("conn-1"));
  const std::string bad =
      Err("ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(h.Run({"client", "setname", "a b"}), bad);
  EXPECT_EQ(h.Run({"client", "setname", "a\nb"}), bad);
  EXPECT_EQ(h.Run({"client", "setname", std::string("a\x7f", 2)}), bad);
  EXPECT_EQ(h.Run({"client", "setname", std::string("a\0", 2)}), bad);
  EXPECT_EQ(h.Run({"client", "setname", std::string(limits::kClientNameBytesMax, 'n')}), kOk);
  EXPECT_EQ(h.Run({"client", "setname", std::string(limits::kClientNameBytesMax + 1, 'n')}),
            Err("ERR Client name is too long (max " + std::to_string(limits::kClientNameBytesMax) +
                " bytes)"));
  EXPECT_EQ(h.Run({"client", "setname", ""}), kOk);  // clears
  EXPECT_EQ(h.Run({"client", "getname"}), kNil);
  EXPECT_EQ(h.Run({"client", "setname"}),
            Err("ERR wrong number of arguments for 'client|setname' command"));
}

TEST(ConnectionCommands, ClientIdInfoListSetInfo) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"client", "id"}), Int(7));
  EXPECT_EQ(h.Run({"client", "setname", "me"}), kOk);
  h.Advance(5000);
  const std::string line =
      "id=7 addr=10.0.0.1:5555 laddr=127.0.0.1:7379 name=me age=5 flags=N db=0 multi=-1 "
      "cmd=client|info user=default resp=2\n";
  EXPECT_EQ(h.Run({"client", "info"}), Bulk(line));
  std::string list_line = line;
  list_line.replace(list_line.find("client|info"), 11, "client|list");
  EXPECT_EQ(h.Run({"client", "list"}), Bulk(list_line));
  EXPECT_EQ(h.Run({"client", "list", "TYPE", "normal"}), Bulk(list_line));
  EXPECT_EQ(h.Run({"client", "list", "TYPE", "pubsub"}), Bulk(""));
  EXPECT_EQ(h.Run({"client", "list", "ID", "3", "7"}), Bulk(list_line));
  EXPECT_EQ(h.Run({"client", "list", "ID", "3"}), Bulk(""));
  EXPECT_EQ(h.Run({"client", "list", "ID", "x"}), Err("ERR Invalid client ID"));
  EXPECT_EQ(h.Run({"client", "list", "TYPE", "odd"}), Err("ERR Unknown client type 'odd'"));
  EXPECT_EQ(h.Run({"client", "list", "bogus"}), Err("ERR syntax error"));
  EXPECT_EQ(h.Run({"hello", "3"}).substr(0, 4), "%7\r\n");
  const std::string verbatim = "=" + std::to_string(line.size() + 4) + "\r\ntxt:id=7 ";
  EXPECT_EQ(h.Run({"client", "info"}).substr(0, verbatim.size()), verbatim);

  EXPECT_EQ(h.Run({"client", "setinfo", "LIB-NAME", "redis-py"}), kOk);
  EXPECT_EQ(h.Run({"client", "setinfo", "lib-ver", "5.0.1"}), kOk);
  EXPECT_EQ(h.Run({"client", "setinfo", "lib-other", "x"}),
            Err("ERR Unrecognized option 'lib-other'"));
  EXPECT_EQ(h.Run({"client", "setinfo", "lib-name", "a b"}),
            Err("ERR lib-name cannot contain spaces, newlines or special characters."));
}

TEST(ConnectionCommands, ClientSubcommandErrors) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"client"}), Err("ERR wrong number of arguments for 'client' command"));
  EXPECT_EQ(h.Run({"client", "bogus"}), Err("ERR unknown subcommand 'bogus'. Try CLIENT HELP."));
  EXPECT_EQ(h.Run({"cLiEnt", "bogus", "x"}),
            Err("ERR unknown subcommand 'bogus'. Try CLIENT HELP."));
  EXPECT_EQ(h.Run({"client", "id", "x"}),
            Err("ERR wrong number of arguments for 'client|id' command"));
  const std::string help = h.Run({"client", "help"});
  EXPECT_EQ(help.substr(0, 4), "*8\r\n");
  EXPECT_NE(help.find("+SETNAME\r\n"), std::string::npos);
}

TEST(ConnectionCommands, Select) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"select", "0"}), kOk);
  EXPECT_EQ(h.Run({"select", "1"}), Err("ERR DB index is out of range"));
  EXPECT_EQ(h.Run({"select", "-1"}), Err("ERR DB index is out of range"));
  EXPECT_EQ(h.Run({"select", "x"}), Err("ERR invalid DB index"));
  EXPECT_EQ(h.Run({"select", "99999999999"}), Err("ERR invalid DB index"));
}

TEST(ConnectionCommands, Cluster) {
  CommandHarness h;
  EXPECT_EQ(h.Run({"cluster", "keyslot", "foo"}), Int(12182));
  EXPECT_EQ(h.Run({"CLUSTER", "KEYSLOT", "{user1000}.following"}), Int(3443));
  EXPECT_EQ(h.Run({"cluster", "keyslot", "123456789"}), Int(12739));
  EXPECT_EQ(h.Run({"cluster", "keyslot"}),
            Err("ERR wrong number of arguments for 'cluster|keyslot' command"));
  const std::string disabled = Err("ERR This instance has cluster support disabled");
  EXPECT_EQ(h.Run({"cluster", "info"}), disabled);
  EXPECT_EQ(h.Run({"cluster", "slots"}), disabled);
  EXPECT_EQ(h.Run({"cluster", "shards"}), disabled);
  EXPECT_EQ(h.Run({"cluster", "nodes"}), disabled);
  EXPECT_EQ(h.Run({"readonly"}), disabled);
  EXPECT_EQ(h.Run({"readwrite"}), disabled);
  EXPECT_EQ(h.Run({"cluster", "meet"}), Err("ERR unknown subcommand 'meet'. Try CLUSTER HELP."));
}

}  // namespace
}  // namespace shoal::testing
