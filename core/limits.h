// Every bound in Shoal, in one place (TigerBeetle habit: a limit on everything, qualifier last).
// Drivers may lower a limit through flags; none may exceed the hard maxima here. Related limits
// are tied together with static_asserts at the bottom.
#pragma once

#include <cstddef>
#include <cstdint>

namespace shoal::limits {

// --- Keys and values ---------------------------------------------------------------------------
// Keys are short in every cache workload we know; a hard cap keeps item headers small.
inline constexpr std::size_t kKeyBytesMax = 64 * 1024;
// Default largest value (R13 asks for 1 MB); --max-value-bytes may raise it up to the hard max.
inline constexpr std::size_t kValueBytesDefault = 8 * 1024 * 1024;
inline constexpr std::size_t kValueBytesMin = 1 * 1024 * 1024;
inline constexpr std::size_t kValueBytesHardMax = 512 * 1024 * 1024;

// --- RESP protocol -----------------------------------------------------------------------------
// Largest number of arguments in one command (Redis: 1024*1024*1024; ours is tighter).
inline constexpr std::size_t kArrayLenMax = 1024 * 1024;
// Longest inline command line (Redis PROTO_INLINE_MAX_SIZE is 64 KiB).
inline constexpr std::size_t kInlineBytesMax = 64 * 1024;
// Longest header line ("*<n>\r\n" or "$<n>\r\n"); anything longer is garbage.
inline constexpr std::size_t kHeaderBytesMax = 32;

// --- Connections -------------------------------------------------------------------------------
inline constexpr std::size_t kClientsDefault = 10000;
inline constexpr std::size_t kClientsHardMax = 1000000;
// Bytes read from a socket in one read.
inline constexpr std::size_t kReadChunkBytes = 16 * 1024;
// Pending (received, not yet executed) input per connection: one largest command plus slack.
inline constexpr std::size_t kPendingInputSlackBytes = 1024 * 1024;
// Output queued for a client that does not read; past this the connection is closed
// (Redis client-output-buffer-limit normal is unlimited; we are stricter on purpose).
inline constexpr std::size_t kOutputBytesMax = 64 * 1024 * 1024;
// Commands executed from one connection before yielding to the others (fairness).
inline constexpr std::size_t kCommandsPerReadMax = 1024;
// Client name length (CLIENT SETNAME).
inline constexpr std::size_t kClientNameBytesMax = 256;

// --- Store maintenance -------------------------------------------------------------------------
// Active expiry: keys examined per Tick; never a full scan.
inline constexpr std::size_t kActiveExpireKeysPerTick = 200;
// Expired keys a primary queues for replicated deletion within one step or tick (lazy expiry
// finds a few per command, active expiry at most kActiveExpireKeysPerTick per tick). Past it a
// deletion is skipped: the backups still expire the key by its absolute time.
inline constexpr std::size_t kExpiredDeletesQueuedMax = 4096;
// Tick period the drivers use (ms).
inline constexpr std::int64_t kTickIntervalMs = 100;
// Items evicted per write before giving up (keeps a single write bounded).
inline constexpr std::size_t kEvictionsPerWriteMax = 1024;
// Store::Scan never splits one scan position (a table home, at most 255 probe distances deep), so
// a scan may visit up to this many items past its budget.
inline constexpr std::size_t kScanOvershootMax = 256;

// --- Commands --------------------------------------------------------------------------------
// LCS builds a (len1 + 1) * (len2 + 1) table of 32-bit cells. Redis bounds the table's bytes by
// proto-max-bulk-len (our value limit: 2 M cells at the default 8 MiB); this hard cap keeps one
// LCS under about 64 MiB and a few tens of milliseconds whatever --max-value-bytes says.
inline constexpr std::uint64_t kLcsCellsMax = 16 * 1024 * 1024;
// Longest float argument or stored value INCRBYFLOAT parses (Redis MAX_LONG_DOUBLE_CHARS); also
// the buffer its result is formatted into (a long double's "%.17Lf" needs under 5,000 bytes).
inline constexpr std::size_t kFloatTextBytesMax = 5 * 1024;
// Stars a glob pattern (KEYS, SCAN ... MATCH) may nest before the match answers "no match":
// Redis 7.0's stringmatchlen bound, which keeps a hostile pattern's recursion off the stack's end.
inline constexpr std::size_t kGlobNestingMax = 1000;
// SCAN's COUNT when none is given (Redis's default): items visited per call, a hint.
inline constexpr std::size_t kScanCountDefault = 10;
// Databases a Redis Cluster node has (Redis's default `databases`): COPY ... DB n on a node of a
// cluster answers for 0 < n < this as Redis Cluster does ("not allowed in cluster mode"), and
// "out of range" past it. Shoal itself has database 0 only.
inline constexpr std::int64_t kRedisDatabasesDefault = 16;

// --- Tied limits -------------------------------------------------------------------------------
static_assert(kValueBytesMin <= kValueBytesDefault && kValueBytesDefault <= kValueBytesHardMax);
static_assert(kKeyBytesMax < kValueBytesMin);
static_assert(kHeaderBytesMax >= sizeof("*18446744073709551615\r\n"));
static_assert(kInlineBytesMax <= kPendingInputSlackBytes);
static_assert(kLcsCellsMax * 4 >= kValueBytesDefault,
              "at the default value limit LCS is bounded as in Redis, by the value limit");

// --- Cluster slots (owner: resp) ---------------------------------------------------------------
// Keys map to this many slots by CRC16 (Redis Cluster): KeySlot() returns 0..kSlotCount-1.
inline constexpr std::size_t kSlotCount = 16384;
static_assert((kSlotCount & (kSlotCount - 1)) == 0, "KeySlot masks with kSlotCount - 1");

// --- Real driver (net/, server/; added by the server engineer) ---------------------------------
// Graceful shutdown: time connections get to flush their replies before they are cut.
inline constexpr std::int64_t kShutdownDrainMs = 5000;
// After accept fails for lack of file descriptors, wait this long before accepting again.
inline constexpr std::int64_t kAcceptRetryMs = 100;
// --timeout (Redis's `timeout`): idle seconds after which the server closes a client, at most
// Redis's bound (INT_MAX). The driver looks for idle clients once per kIdleCheckIntervalMs (on its
// tick), so a client goes between timeout and timeout + kIdleCheckIntervalMs + one tick after its
// last byte, as in Redis, whose clientsCron visits every client about once a second.
inline constexpr std::uint64_t kClientIdleSecondsMax = 2147483647;
inline constexpr std::int64_t kIdleCheckIntervalMs = 1000;
// Protected mode (net/protected_mode.h): refused clients are logged at most once per this long
// (the line counts the ones in between), so a port scan cannot flood the log.
inline constexpr std::int64_t kProtectedModeLogIntervalMs = 10 * 1000;
static_assert(kIdleCheckIntervalMs >= kTickIntervalMs, "idle clients are looked for on a tick");

// --- Consistency checker (sim/checker.h; added by the checker engineer) ------------------------
// Violations kept in one CheckResult; the rest are only counted (a broken run can flag thousands).
inline constexpr std::size_t kCheckerViolationsMax = 1000;
// Rounding slack on TTL arithmetic (expiry compares "now >= expire_at" in whole milliseconds).
inline constexpr std::int64_t kCheckerExpirySlackMs = 1;

// Peer codec (core/cluster/codec.h): the largest frame payload (one mutation may carry the
// largest command's values; a batch adds at most kReplicationBatchBytesMax beyond its first
// mutation), mutations per message, keys per mutation (MSET of the largest argv).
inline constexpr std::size_t kReplicationBatchBytesMax = 1024 * 1024;
inline constexpr std::size_t kPeerFrameBytesMax =
    kValueBytesHardMax + kPendingInputSlackBytes + 2 * kReplicationBatchBytesMax;
inline constexpr std::size_t kPeerMutationsPerMessageMax = 64 * 1024;
inline constexpr std::size_t kPeerKeysPerMutationMax = kArrayLenMax / 2;
static_assert(kPeerFrameBytesMax < (std::size_t{1} << 32), "frame length fits its u32 header");

// Peer transport (net/peer_links.h): frames queued for one peer (past it new frames are dropped,
// as a lossy link would; replication resends what is not acknowledged), reconnect backoff, and
// bytes read per receive.
inline constexpr std::size_t kPeerQueueBytesMax = 64 * 1024 * 1024;
inline constexpr std::int64_t kPeerReconnectMinMs = 50;
inline constexpr std::int64_t kPeerReconnectMaxMs = 1000;
inline constexpr std::size_t kPeerReadChunkBytes = 64 * 1024;
// A member's peer port is its client port + this (Redis Cluster's bus port rule): CLUSTER NODES
// shows it, shoald's --peer-port must follow it.
inline constexpr std::uint32_t kClusterPeerPortOffset = 10000;
// Tokens per node on the ring of a cluster of processes: CLUSTER SLOTS lists one range per run
// of slots with the same owners, and clients re-read it after every -MOVED, so fewer than the
// simulator's kVnodesPerNodeDefault (balance within about 1/sqrt(64) = 12% per node).
inline constexpr std::uint32_t kVnodesPerNodeServer = 64;

// --- Replication (core/cluster/; added by the replication engineer) -----------------------------
// Static membership: nodes 0..n-1. Replica sets are tracked as 64-bit masks of node ids.
inline constexpr std::uint32_t kClusterNodesMax = 64;
// Copies of each key (R). Preference lists are walked on a ring, so keep R small.
inline constexpr std::uint32_t kReplicationFactorMax = 8;
// Tokens per node on the placement ring (the knob trading balance for table-build time; see
// docs/design.md §8, "Placement", for the measured balance at 64..4096).
inline constexpr std::uint32_t kVnodesPerNodeDefault = 1024;
inline constexpr std::uint32_t kVnodesPerNodeMax = 16384;
// Client writes a node holds as primary (executed, replicating, not yet committed), in all and
// per slot. Past these a write gets a clean -TRYAGAIN before it executes.
inline constexpr std::size_t kReplicationWritesMax = 4096;
inline constexpr std::size_t kSlotWritesMax = 1024;
// Recovery repairs (pushing a recovered primary's data to backups) in flight at once.
inline constexpr std::size_t kRepairsInFlightMax = 256;
// Replies held back for one client behind unfinished writes (pipelining); past this the client
// is disconnected, as Redis does past its output buffer limit.
inline constexpr std::size_t kClientPendingRepliesMax = 4096;
// Distinct keys a recovering node may hold a tombstone for (deleted, expired or evicted while it
// recovers); past this the recovery starts over.
inline constexpr std::size_t kTombstonesMax = 64 * 1024;
// Entries and bytes per state-transfer reply (at least one entry is always sent), and items
// examined per reply (bounds the work of one request even when few items match).
inline constexpr std::size_t kSyncEntriesPerReplyMax = 128;
inline constexpr std::size_t kSyncReplyBytesMax = 1024 * 1024;
inline constexpr std::size_t kSyncScanPerReplyMax = 4096;
// One Replicate message carries at most this many mutations; messages in flight per stream.
inline constexpr std::size_t kReplicationBatchMutationsMax = 4096;
inline constexpr std::size_t kReplicationStreamWindow = 1;
// The largest window a configuration (or the simulator's drawn knobs) may set: a window above 1
// lets a stream run ahead of its acknowledgements, and exercises the backup's gap handling.
inline constexpr std::size_t kReplicationStreamWindowMax = 16;
// Unacknowledged Replicate and unanswered SyncRequest messages are re-sent after this long
// (monotonic clock); a stream's interval doubles with each re-send up to kReplicationRetryMaxMs
// (no retransmission storm while a backup is partitioned away).
inline constexpr std::int64_t kReplicationRetryMs = 100;
inline constexpr std::int64_t kReplicationRetryMaxMs = 1600;
static_assert(kReplicationFactorMax <= kClusterNodesMax);
static_assert(kRepairsInFlightMax <= kReplicationWritesMax);
static_assert(kSlotWritesMax <= kReplicationWritesMax);
static_assert(kReplicationBatchMutationsMax <= kPeerMutationsPerMessageMax);
static_assert(kSyncEntriesPerReplyMax <= kPeerMutationsPerMessageMax);

// --- Configuration consensus (core/cluster/config_log.h; cluster core part 2) -------------------
// Voters of the configuration log (Raft): 3 or 5 in a real cluster; the other members follow.
inline constexpr std::uint32_t kConfigVotersMax = 5;
// Timing on the monotonic clock: the leader heartbeats every kConfigHeartbeatMs; a follower that
// hears no leader for a timeout drawn in [min, max) starts a (pre-)vote; a leader that hears
// from no majority for the minimum steps down (check-quorum). Failover adds these up
// (docs/design.md, "Configuration consensus"). Nodes run the log from their Tick, so the
// heartbeat is the tick interval.
inline constexpr std::int64_t kConfigHeartbeatMs = kTickIntervalMs;
inline constexpr std::int64_t kConfigElectionTimeoutMinMs = 300;
inline constexpr std::int64_t kConfigElectionTimeoutMaxMs = 600;
// A follower behind the leader's compacted log is sent the snapshot again, while it does not
// answer, after a heartbeat, then twice as long each time up to this (a dead member is not sent a
// whole configuration every heartbeat; any reply from it starts the backoff over).
inline constexpr std::int64_t kConfigSnapshotResendMaxMs = 16 * kConfigHeartbeatMs;
// One AppendEntries carries at most this many entries, and bytes of entry data beyond its first.
inline constexpr std::size_t kConfigAppendEntriesMax = 64;
inline constexpr std::size_t kConfigAppendBytesMax = 1024 * 1024;
// One entry (an encoded configuration change) and a snapshot (the encoded configuration).
inline constexpr std::size_t kConfigEntryBytesMax = 1024 * 1024;
inline constexpr std::size_t kConfigSnapshotBytesMax = 16 * 1024 * 1024;
// A voter's persisted state (core/cluster/voter_state.h, the server's file under --dir): at most
// this many entries after its snapshot, and this many bytes in all. Far above what a voter keeps
// (kConfigLogUncompactedMax entries and a snapshot), so a state a voter wrote always loads.
inline constexpr std::size_t kVoterStateEntriesMax = 16 * 1024;
inline constexpr std::size_t kVoterStateBytesMax = 64 * 1024 * 1024;
// Entries after the snapshot: past this the leader refuses proposals until the applier compacts
// (bounds the log a voter persists and a new leader replays).
inline constexpr std::size_t kConfigLogUncompactedMax = 1024;
// The applier compacts the log into a snapshot of the configuration every this many applied
// entries (the simulator draws smaller values, ReplicationKnobs::config_compact_every).
inline constexpr std::size_t kConfigCompactEvery = 64;
// Failure detection by the configuration leader (core/cluster/config_member.h): a member it has
// heard nothing from (any peer message counts; every member answers the leader's heartbeats) for
// kMemberDownAfterMs of its monotonic clock is proposed down; a down member that answered a
// heartbeat the leader sent within the last kMemberUpHeardWithinMs is proposed up. A new leader
// gives every member kMemberDownAfterMs before it judges.
inline constexpr std::int64_t kMemberDownAfterMs = 800;
inline constexpr std::int64_t kMemberUpHeardWithinMs = 3 * kConfigHeartbeatMs;
// Read leases (core/cluster/config_log.h): a member holds a lease for kReadLeaseMs of its own
// monotonic clock from the send time of its last AppendReply that the leader echoed back. The
// assumption: no node's monotonic clock runs faster or slower than true time by more than
// kClockDriftMaxPpm (the simulator's drift stays within it). The leader marks a member down only
// after kMemberDownAfterMs of silence on its own clock, and a new leader first waits that long;
// a deposed leader may still echo for up to one check-quorum tick after a successor is elected.
// So a lease, stretched by the worst drift, expires before anyone can take the member's slots.
inline constexpr std::int64_t kReadLeaseMs = 500;
inline constexpr std::int64_t kClockDriftMaxPpm = 1000;
static_assert(kReadLeaseMs * (1'000'000 + kClockDriftMaxPpm) <
              (kMemberDownAfterMs - kConfigHeartbeatMs) * (1'000'000 - kClockDriftMaxPpm));
static_assert(kConfigCompactEvery <= kConfigLogUncompactedMax);
static_assert(kMemberDownAfterMs > kConfigElectionTimeoutMinMs);
static_assert(kMemberUpHeardWithinMs < kMemberDownAfterMs);
static_assert(kConfigVotersMax <= kClusterNodesMax);
static_assert(kConfigElectionTimeoutMinMs > 2 * kConfigHeartbeatMs);
static_assert(kConfigElectionTimeoutMaxMs > kConfigElectionTimeoutMinMs);
static_assert(kConfigSnapshotBytesMax + kConfigAppendBytesMax < kPeerFrameBytesMax);

// --- Observability (core/stats/, net/metrics_server; issue 13) ----------------------------------
// SLOWLOG: Redis's defaults (slowlog-log-slower-than 10000 us, slowlog-max-len 128). Redis lets
// the length go to LONG_MAX; ours stops where the log's memory stays modest (an entry holds at
// most kSlowLogArgsMax arguments of kSlowLogArgBytesMax bytes plus a short suffix: ~5 KiB).
inline constexpr std::int64_t kSlowLogSlowerThanUsDefault = 10000;
inline constexpr std::uint64_t kSlowLogLenDefault = 128;
inline constexpr std::uint64_t kSlowLogLenMax = 10000;
// Arguments and bytes per argument kept in a slow log entry (Redis SLOWLOG_ENTRY_MAX_ARGC and
// SLOWLOG_ENTRY_MAX_STRING): the rest is summarised as "... (N more arguments|bytes)".
inline constexpr std::size_t kSlowLogArgsMax = 32;
inline constexpr std::size_t kSlowLogArgBytesMax = 128;
// Distinct error prefixes counted in INFO errorstats (Redis ERROR_STATS_NUMBER); later kinds are
// only counted in total_error_replies. A prefix longer than kErrorPrefixBytesMax is cut there.
inline constexpr std::size_t kErrorKindsMax = 128;
inline constexpr std::size_t kErrorPrefixBytesMax = 64;
// Hot keys: a space-saving sketch of kHotKeysTracked keys, fed the keys of one command in
// kHotKeysSampleEvery on average (--hotkeys-sample-every, at most kHotKeysSampleEveryMax); every
// count halves each kHotKeysHalfLifeMs so the sketch shows what is hot now. HOTKEYS GET answers
// kHotKeysReportedDefault keys unless asked for more (up to kHotKeysTracked); /metrics exports
// the top kHotKeysExported, with labels cut to kHotKeyLabelBytesMax bytes of the key.
inline constexpr std::size_t kHotKeysTracked = 64;
inline constexpr std::uint32_t kHotKeysSampleEvery = 128;
inline constexpr std::uint32_t kHotKeysSampleEveryMax = 1u << 20;
inline constexpr std::int64_t kHotKeysHalfLifeMs = 60 * 1000;
inline constexpr std::size_t kHotKeysReportedDefault = 10;
inline constexpr std::size_t kHotKeysExported = 10;
inline constexpr std::size_t kHotKeyLabelBytesMax = 128;
// /metrics over HTTP: concurrent connections, request header bytes, and how long an idle
// keep-alive connection (or a slow request) may hold a slot.
inline constexpr std::size_t kMetricsConnectionsMax = 16;
inline constexpr std::size_t kMetricsRequestBytesMax = 8 * 1024;
inline constexpr std::int64_t kMetricsIdleTimeoutMs = 60 * 1000;
// A scrape asks the request loop for a fresh snapshot and waits for it (the loop takes one at its
// next tick); past this it answers from the newest snapshot it has.
inline constexpr std::int64_t kMetricsSnapshotWaitMs = 2 * kTickIntervalMs;
static_assert(kSlowLogLenDefault <= kSlowLogLenMax);
static_assert(kHotKeysExported <= kHotKeysTracked && kHotKeysReportedDefault <= kHotKeysTracked);
static_assert(kHotKeysSampleEvery >= 1 && kHotKeysSampleEvery <= kHotKeysSampleEveryMax);

}  // namespace shoal::limits
