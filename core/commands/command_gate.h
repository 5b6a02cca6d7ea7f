// CommandGate: the hook through which the replicated mode joins the one command path
// (architecture.md §9: command table -> cluster gate -> handler -> mutation). ExecuteCommand calls
// Admit after lookup, arity and AUTH, and runs the handler only if it returns true; the gate
// refuses with Redis Cluster's replies (-MOVED, -CROSSSLOT, -LOADING, -TRYAGAIN) and, for a write
// it admits, gives the command the version its items are stamped with. DBSIZE, FLUSHALL, KEYS, SCAN
// and RANDOMKEY ask it what "the node's keys" means (its own slots, as in Redis Cluster). A single
// node has no gate.
//
// Implemented by cluster::ClusterNode (core/cluster/cluster_node.h). Called on the Node's thread
// only, from inside ExecuteCommand.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/commands/command_spec.h"

namespace shoal {

namespace cluster {
class ConfigLog;
class Configuration;
class Placement;
}  // namespace cluster

// What the CLUSTER commands (core/commands/cluster_commands.cc) report about the node.
struct ClusterView {
  std::uint32_t self = 0;
  const cluster::Placement* placement = nullptr;
  const std::vector<std::string>* node_addresses = nullptr;  // "host:port" by node id
  bool serving = false;
  std::uint64_t incarnation = 0;
  // The configuration log and the configuration it committed (cluster/config_summary.h reduces
  // them to INFO's numbers); null until the node started.
  const cluster::ConfigLog* config_log = nullptr;
  const cluster::Configuration* configuration = nullptr;
};

class CommandGate {
 public:
  // Returns false after writing the refusal to ctx.reply.
  virtual bool Admit(CommandContext& ctx, const CommandSpec& spec, CommandArgs argv) = 0;
  // DBSIZE: the keys of the slots this node is primary of.
  virtual std::uint64_t OwnedKeys() const = 0;
  // KEYS, SCAN, RANDOMKEY: whether this node is primary of `slot` (the rule Admit applies to a
  // keyed command); the store also holds backup copies of other slots, which these skip.
  virtual bool OwnsSlot(std::uint16_t slot) const = 0;
  // FLUSHALL / FLUSHDB: removes every key of the slots this node is primary of, on every copy.
  virtual void FlushOwned(CommandContext& ctx) = 0;
  // CLUSTER SLOTS / NODES / INFO / MYID: who this node is and where every slot lives.
  virtual ClusterView View() const = 0;

 protected:
  ~CommandGate() = default;
};

}  // namespace shoal
