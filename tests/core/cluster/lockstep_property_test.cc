// Lockstep property (cluster core part 1): random command sequences over hash-tagged keys (so
// each command's keys share a slot) run against a single Node and against a replicated cluster
// (TestCluster, no faults), and every reply must be byte-identical: one command path, the same
// semantics. Excluded: DBSIZE and FLUSHALL, whose scope is the node's own slots in a cluster.
#include <string>
#include <vector>

#include "core/node.h"
#include "core/slot.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"
#include "tests/core/cluster/test_cluster.h"

namespace shoal::cluster {
namespace {

using testing::TestCluster;

const std::vector<std::string> kTags = {"{a}", "{b}", "{c}"};

std::string GenKey(const std::string& tag) {
  return tag + *rc::gen::elementOf(std::vector<std::string>{"x", "y", "z"});
}

std::string GenValue() {
  switch (*rc::gen::inRange(0, 4)) {
    case 0:
      return std::to_string(*rc::gen::inRange(-5, 100));
    case 1:
      return "";
    case 2:
      return "9223372036854775807";
    default:
      return *rc::gen::elementOf(std::vector<std::string>{"a", "hello", "v2", " 1"});
  }
}

std::string GenTime(bool absolute, TimeMs wall, bool seconds) {
  if (*rc::gen::inRange(0, 8) == 0) {
    return *rc::gen::elementOf(std::vector<std::string>{"0", "-1", "x", "9223372036854775807"});
  }
  const TimeMs delta = *rc::gen::inRange<TimeMs>(-2000, 20000);
  if (!absolute) return std::to_string(seconds ? delta / 1000 : delta);
  const TimeMs at = wall + delta;
  return std::to_string(seconds ? at / 1000 : at);
}

// One random command whose keys share the tag's slot.
std::vector<std::string> GenCommand(TimeMs wall) {
  const std::string tag = *rc::gen::elementOf(kTags);
  const std::string key = GenKey(tag);
  switch (*rc::gen::inRange(0, 33)) {
    case 0:
      return {"GET", key};
    case 1: {
      std::vector<std::string> argv = {"SET", key, GenValue()};
      for (int i = *rc::gen::inRange(0, 4); i > 0; --i) {
        switch (*rc::gen::inRange(0, 8)) {
          case 0:
            argv.push_back("NX");
            break;
          case 1:
            argv.push_back("XX");
            break;
          case 2:
            argv.push_back("GET");
            break;
          case 3:
            argv.push_back("KEEPTTL");
            break;
          case 4:
            argv.insert(argv.end(), {"EX", GenTime(false, wall, true)});
            break;
          case 5:
            argv.insert(argv.end(), {"PX", GenTime(false, wall, false)});
            break;
          case 6:
            argv.insert(argv.end(), {"EXAT", GenTime(true, wall, true)});
            break;
          default:
            argv.insert(argv.end(), {"PXAT", GenTime(true, wall, false)});
            break;
        }
      }
      return argv;
    }
    case 2:
      return {"SETNX", key, GenValue()};
    case 3:
      return {"SETEX", key, GenTime(false, wall, true), GenValue()};
    case 4:
      return {"PSETEX", key, GenTime(false, wall, false), GenValue()};
    case 5:
      return {"GETDEL", key};
    case 6: {
      std::vector<std::string> argv = {"GETEX", key};
      switch (*rc::gen::inRange(0, 4)) {
        case 0:
          break;
        case 1:
          argv.push_back("PERSIST");
          break;
        case 2:
          argv.insert(argv.end(), {"PX", GenTime(false, wall, false)});
          break;
        default:
          argv.insert(argv.end(), {"EXAT", GenTime(true, wall, true)});
          break;
      }
      return argv;
    }
    case 7:
    case 8: {
      std::vector<std::string> argv = {
          *rc::gen::elementOf(std::vector<std::string>{"DEL", "UNLINK", "EXISTS"})};
      for (int i = *rc::gen::inRange(1, 4); i > 0; --i) argv.push_back(GenKey(tag));
      return argv;
    }
    case 9: {
      const bool at = *rc::gen::arbitrary<bool>();
      const bool seconds = *rc::gen::arbitrary<bool>();
      std::string name = std::string(seconds ? "" : "P") + "EXPIRE" + (at ? "AT" : "");
      std::vector<std::string> argv = {name, key, GenTime(at, wall, seconds)};
      if (*rc::gen::inRange(0, 3) == 0) {
        argv.push_back(
            *rc::gen::elementOf(std::vector<std::string>{"NX", "XX", "GT", "LT", "BAD"}));
      }
      return argv;
    }
    case 10:
      return {
          *rc::gen::elementOf(std::vector<std::string>{"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}),
          key};
    case 11:
      return {"PERSIST", key};
    case 12: {
      std::vector<std::string> argv = {"MGET"};
      for (int i = *rc::gen::inRange(1, 4); i > 0; --i) argv.push_back(GenKey(tag));
      return argv;
    }
    case 13:
    case 14: {
      std::vector<std::string> argv = {*rc::gen::arbitrary<bool>() ? "MSET" : "MSETNX"};
      for (int i = *rc::gen::inRange(1, 4); i > 0; --i) {
        argv.push_back(GenKey(tag));
        argv.push_back(GenValue());
      }
      return argv;
    }
    case 15:
      return {"INCR", key};
    case 16:
      return {"DECR", key};
    case 17:
      return {"INCRBY", key, GenValue()};
    case 18:
      return {"DECRBY", key, GenValue()};
    case 19:
      return {"APPEND", key, GenValue()};
    case 20:
      return {"STRLEN", key};
    case 21:
      return {"TYPE", key};
    case 22:
      return {"SET", key};  // wrong arity
    case 23:
      return {"GETSET", key, GenValue()};
    case 24:
      return {"INCRBYFLOAT", key,
              *rc::gen::elementOf(std::vector<std::string>{"1.5", "-0.5", "10.50", "x"})};
    case 25:
      return {"SETRANGE", key, std::to_string(*rc::gen::inRange(-1, 12)), GenValue()};
    case 26:
      return {*rc::gen::elementOf(std::vector<std::string>{"GETRANGE", "SUBSTR"}), key,
              std::to_string(*rc::gen::inRange(-6, 6)), std::to_string(*rc::gen::inRange(-6, 6))};
    case 27:
      return {"SETBIT", key, std::to_string(*rc::gen::inRange(-1, 40)),
              *rc::gen::elementOf(std::vector<std::string>{"0", "1", "2"})};
    case 28:
      return {"GETBIT", key, std::to_string(*rc::gen::inRange(0, 40))};
    case 29:
      return {"BITCOUNT", key, std::to_string(*rc::gen::inRange(-6, 6)),
              std::to_string(*rc::gen::inRange(-6, 6)),
              *rc::gen::elementOf(std::vector<std::string>{"BYTE", "BIT"})};
    case 30:
      return {"BITPOS", key, *rc::gen::elementOf(std::vector<std::string>{"0", "1"}),
              std::to_string(*rc::gen::inRange(-6, 6))};
    case 31:
      return {"LCS", key, GenKey(tag),
              *rc::gen::elementOf(std::vector<std::string>{"LEN", "IDX", "WITHMATCHLEN"})};
    default:
      return {"PING"};
  }
}

RC_GTEST_PROP(LockstepProperty, ReplicatedRepliesEqualSingleNodeReplies, ()) {
  TestCluster cluster(3, 3);
  RC_ASSERT(cluster.Settle());
  for (NodeId n = 0; n < 3; ++n) cluster.Connect(n, 100 + n);

  Node single{NodeConfig{}};
  Effects effects;
  const ClientId kSingle = 1;
  single.Step(cluster.time(), ClientConnected{kSingle, "test"}, effects);
  auto run_single = [&](const std::vector<std::string>& argv) {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    effects.Clear();
    single.Step(cluster.time(), ClientCommand{kSingle, views}, effects);
    std::string reply;
    for (const auto& out : effects.outputs)
      reply.append(effects.bytes, out.begin, out.end - out.begin);
    return reply;
  };

  const int commands = *rc::gen::inRange(1, 60);
  for (int i = 0; i < commands; ++i) {
    if (*rc::gen::inRange(0, 5) == 0) cluster.Advance(*rc::gen::inRange<TimeMs>(1, 3000));
    const std::vector<std::string> argv = GenCommand(cluster.wall());
    for (const std::string& a : argv) RC_LOG() << a << " ";
    RC_LOG() << "@" << cluster.now() << "\n";
    // Route as a cluster client would: to the primary of the command's slot.
    std::string first_key = argv.size() > 1 ? argv[1] : "";
    const NodeId primary = cluster.placement().PrimaryOfKey(first_key);
    const std::string expected = run_single(argv);
    // (Delivering the replication takes simulated time, but replies are computed when the
    // command executes, at the same time as on the single node.)
    RC_ASSERT(cluster.Call(100 + primary, argv) == expected);
  }
  RC_ASSERT(cluster.Settle());
  cluster.CheckInvariants();
  single.CheckInvariants(/*expensive=*/true);
  // Every copy holds the single node's state: the same value and absolute expiry, and the
  // primary's version (replicas apply effects, never re-execute).
  for (const std::string& tag : kTags) {
    for (const char* name : {"x", "y", "z"}) {
      const std::string key = tag + name;
      const auto expected = single.store().Peek(key, cluster.wall());
      const auto replicas = cluster.placement().Replicas(KeySlot(key));
      const auto primary = cluster.Item(replicas[0], key);
      for (NodeId n : replicas) {
        const auto item = cluster.node(n).store().Peek(key, cluster.wall());
        RC_ASSERT(item.has_value() == expected.has_value());
        if (!item) continue;
        RC_LOG() << "node " << n << " key " << key << " has '" << item->value << "' v"
                 << item->version << "\n";
        RC_ASSERT(item->value == expected->value);
        RC_ASSERT(item->expire_at == expected->expire_at);
        RC_ASSERT(item->version == primary->version);
      }
    }
  }
}

}  // namespace
}  // namespace shoal::cluster
