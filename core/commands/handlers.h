// Declarations of every command handler, grouped by the file that defines them. Only
// command_table.cc (the table) and the tests need this list; each handler is called by
// ExecuteCommand after lookup, arity and AUTH checks, so it may assume argv satisfies its arity.
//
// Thread safety: handlers run on the Node's thread and touch only what CommandContext holds.
#pragma once

#include <cstdint>
#include <string>

#include "core/commands/command_spec.h"
#include "core/commands/command_table.h"

namespace shoal::commands {

// string_commands.cc
void Get(CommandContext& ctx, CommandArgs argv);
void Set(CommandContext& ctx, CommandArgs argv);
void SetEx(CommandContext& ctx, CommandArgs argv);
void PSetEx(CommandContext& ctx, CommandArgs argv);
void SetNx(CommandContext& ctx, CommandArgs argv);
void GetDel(CommandContext& ctx, CommandArgs argv);
void GetEx(CommandContext& ctx, CommandArgs argv);
void MGet(CommandContext& ctx, CommandArgs argv);
void MSet(CommandContext& ctx, CommandArgs argv);
void MSetNx(CommandContext& ctx, CommandArgs argv);
void Incr(CommandContext& ctx, CommandArgs argv);
void Decr(CommandContext& ctx, CommandArgs argv);
void IncrBy(CommandContext& ctx, CommandArgs argv);
void DecrBy(CommandContext& ctx, CommandArgs argv);
void StrLen(CommandContext& ctx, CommandArgs argv);
void Append(CommandContext& ctx, CommandArgs argv);
void GetSet(CommandContext& ctx, CommandArgs argv);
void IncrByFloat(CommandContext& ctx, CommandArgs argv);

// string_range_commands.cc
void GetRange(CommandContext& ctx, CommandArgs argv);  // GETRANGE and SUBSTR
void SetRange(CommandContext& ctx, CommandArgs argv);

// lcs_command.cc
void Lcs(CommandContext& ctx, CommandArgs argv);

// bit_commands.cc
void GetBit(CommandContext& ctx, CommandArgs argv);
void SetBit(CommandContext& ctx, CommandArgs argv);
void BitCount(CommandContext& ctx, CommandArgs argv);
void BitPos(CommandContext& ctx, CommandArgs argv);
void BitOp(CommandContext& ctx, CommandArgs argv);

// key_commands.cc
void Del(CommandContext& ctx, CommandArgs argv);  // DEL and UNLINK
void Exists(CommandContext& ctx, CommandArgs argv);
void Expire(CommandContext& ctx, CommandArgs argv);
void PExpire(CommandContext& ctx, CommandArgs argv);
void ExpireAt(CommandContext& ctx, CommandArgs argv);
void PExpireAt(CommandContext& ctx, CommandArgs argv);
void Ttl(CommandContext& ctx, CommandArgs argv);
void PTtl(CommandContext& ctx, CommandArgs argv);
void ExpireTime(CommandContext& ctx, CommandArgs argv);
void PExpireTime(CommandContext& ctx, CommandArgs argv);
void Persist(CommandContext& ctx, CommandArgs argv);
void Type(CommandContext& ctx, CommandArgs argv);
void Touch(CommandContext& ctx, CommandArgs argv);
void DbSize(CommandContext& ctx, CommandArgs argv);
void FlushAll(CommandContext& ctx, CommandArgs argv);  // FLUSHALL and FLUSHDB

// object_commands.cc
void ObjectEncoding(CommandContext& ctx, CommandArgs argv);
void ObjectFreq(CommandContext& ctx, CommandArgs argv);
void ObjectIdletime(CommandContext& ctx, CommandArgs argv);
void ObjectRefcount(CommandContext& ctx, CommandArgs argv);
void MemoryUsage(CommandContext& ctx, CommandArgs argv);

// scan_commands.cc
void Keys(CommandContext& ctx, CommandArgs argv);
void Scan(CommandContext& ctx, CommandArgs argv);
void RandomKey(CommandContext& ctx, CommandArgs argv);

// rename_commands.cc
void Rename(CommandContext& ctx, CommandArgs argv);
void RenameNx(CommandContext& ctx, CommandArgs argv);
void Copy(CommandContext& ctx, CommandArgs argv);

// connection_commands.cc
void Ping(CommandContext& ctx, CommandArgs argv);
void Echo(CommandContext& ctx, CommandArgs argv);
void Hello(CommandContext& ctx, CommandArgs argv);
void Auth(CommandContext& ctx, CommandArgs argv);
void Quit(CommandContext& ctx, CommandArgs argv);
void Select(CommandContext& ctx, CommandArgs argv);
void ClientSetName(CommandContext& ctx, CommandArgs argv);
void ClientGetName(CommandContext& ctx, CommandArgs argv);
void ClientIdCmd(CommandContext& ctx, CommandArgs argv);
void ClientInfo(CommandContext& ctx, CommandArgs argv);
void ClientList(CommandContext& ctx, CommandArgs argv);
void ClientSetInfo(CommandContext& ctx, CommandArgs argv);
void ClusterDisabled(CommandContext& ctx, CommandArgs argv);  // READONLY, READWRITE, CLUSTER *
void ClusterKeySlot(CommandContext& ctx, CommandArgs argv);
// cluster_commands.cc (a node of a cluster; on a single node they answer ClusterDisabled).
// WAIT answers on a single node too (0).
void Wait(CommandContext& ctx, CommandArgs argv);
void ClusterSlots(CommandContext& ctx, CommandArgs argv);
void ClusterNodes(CommandContext& ctx, CommandArgs argv);
void ClusterInfo(CommandContext& ctx, CommandArgs argv);
void ClusterMyId(CommandContext& ctx, CommandArgs argv);
void ClusterCountKeysInSlot(CommandContext& ctx, CommandArgs argv);
void ClusterShards(CommandContext& ctx, CommandArgs argv);
void ClusterNotYet(CommandContext& ctx, CommandArgs argv);  // GETKEYSINSLOT
// The 40-hex-digit id CLUSTER NODES / SLOTS / MYID give node `node` (the same on every member).
std::string ClusterNodeId(std::uint32_t node);

// server_commands.cc
void Command(CommandContext& ctx, CommandArgs argv);  // COMMAND with no subcommand
void CommandCount(CommandContext& ctx, CommandArgs argv);
void CommandInfo(CommandContext& ctx, CommandArgs argv);
void CommandDocs(CommandContext& ctx, CommandArgs argv);
void CommandList(CommandContext& ctx, CommandArgs argv);
void ConfigGet(CommandContext& ctx, CommandArgs argv);
void ConfigSet(CommandContext& ctx, CommandArgs argv);
void ConfigResetStat(CommandContext& ctx, CommandArgs argv);
void Time(CommandContext& ctx, CommandArgs argv);
void Shutdown(CommandContext& ctx, CommandArgs argv);
void ContainerHelp(CommandContext& ctx, CommandArgs argv);  // CONFIG HELP, CLIENT HELP, ...

// info.cc
void Info(CommandContext& ctx, CommandArgs argv);

// observability_commands.cc
void SlowlogGet(CommandContext& ctx, CommandArgs argv);
void SlowlogLen(CommandContext& ctx, CommandArgs argv);
void SlowlogReset(CommandContext& ctx, CommandArgs argv);
void LatencyHistogramCmd(CommandContext& ctx, CommandArgs argv);  // LATENCY HISTOGRAM
void LatencyLatest(CommandContext& ctx, CommandArgs argv);
void LatencyReset(CommandContext& ctx, CommandArgs argv);
void HotkeysGet(CommandContext& ctx, CommandArgs argv);
void HotkeysReset(CommandContext& ctx, CommandArgs argv);

}  // namespace shoal::commands
