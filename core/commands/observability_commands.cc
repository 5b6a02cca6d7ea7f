// Observability commands: SLOWLOG GET/LEN/RESET and LATENCY HISTOGRAM/LATEST/RESET as Redis 7.0
// answers them, and HOTKEYS GET/RESET (Shoal's own). They read the NodeStats in the context; with
// none (replicated mode, for now) they answer as an idle node would.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/limits.h"
#include "core/stats/node_stats.h"

namespace shoal::commands {
namespace {

// Redis's SLOWLOG GET default count.
constexpr std::int64_t kSlowlogGetDefault = 10;

// Redis's fillCommandCDF: {"calls": n, "histogram_usec": {bucket: cumulative count}}, with the
// buckets of Redis's log iteration (1024 ns, doubling) labelled in whole microseconds as Redis
// labels them (1, 2, 4, 8, 16, 33, 66, 132, ...), listing only buckets where the count grew.
void WriteCommandCdf(RespWriter& w, const LatencyHistogram& h) {
  std::vector<std::pair<std::int64_t, std::uint64_t>> buckets;
  std::uint64_t previous = 0;
  for (int k = 0; previous < h.Count(); ++k) {
    // Power-of-two boundaries are bucket boundaries of LatencyHistogram: exact counts.
    const std::uint64_t bound_ns = (std::uint64_t{1024} << k) - 1;
    const std::uint64_t cumulative = h.CountAtOrBelow(bound_ns);
    if (cumulative > previous) {
      // HdrHistogram (2 significant digits) reports 1024 * 2^k as its bucket's highest value,
      // 1032 * 2^k - 1 ns; Redis divides by 1000.
      const auto label = static_cast<std::int64_t>(((std::uint64_t{1032} << k) - 1) / 1000);
      buckets.emplace_back(label, cumulative);
    }
    previous = cumulative;
  }
  w.MapHeader(2);
  w.Bulk("calls");
  w.Integer(static_cast<std::int64_t>(h.Count()));
  w.Bulk("histogram_usec");
  w.MapHeader(buckets.size());
  for (const auto& [label, count] : buckets) {
    w.Integer(label);
    w.Integer(static_cast<std::int64_t>(count));
  }
}

const LatencyHistogram* HistogramOf(const CommandContext& ctx, std::size_t index) {
  if (ctx.stats == nullptr) return nullptr;
  const CommandStat& stat = ctx.stats->commands.at(index);
  if (stat.latency == nullptr || stat.latency->Count() == 0) return nullptr;
  return stat.latency.get();
}

using Found = std::vector<std::pair<const CommandSpec*, const LatencyHistogram*>>;

void CollectOne(const CommandContext& ctx, const CommandSpec& top, const CommandSpec* sub,
                Found& out) {
  if (const LatencyHistogram* h = HistogramOf(ctx, CommandStatIndex(top, sub))) {
    out.emplace_back(sub != nullptr ? sub : &top, h);
  }
}

// A command and, for a container, its subcommands: those with a histogram, in table order.
void CollectWithSubcommands(const CommandContext& ctx, const CommandSpec& top, Found& out) {
  CollectOne(ctx, top, nullptr, out);
  for (const CommandSpec& sub : top.subcommands) CollectOne(ctx, top, &sub, out);
}

}  // namespace

// SLOWLOG GET [count]: the newest `count` entries (10 by default, -1 for all), each
// [id, unix time, microseconds, [args...], client address, client name].
void SlowlogGet(CommandContext& ctx, CommandArgs argv) {
  if (argv.size() > 3) {
    ctx.reply.Error(
        "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.");
    return;
  }
  std::int64_t count = kSlowlogGetDefault;
  if (argv.size() == 3) {
    const std::optional<std::int64_t> parsed = ParseInt64(argv[2]);
    if (!parsed || *parsed < -1) {
      ctx.reply.Error("ERR count should be greater than or equal to -1");
      return;
    }
    count = *parsed;
  }
  if (ctx.stats == nullptr) {
    ctx.reply.ArrayHeader(0);
    return;
  }
  const auto& entries = ctx.stats->slowlog.entries();
  const std::size_t n =
      count == -1 ? entries.size() : std::min(entries.size(), static_cast<std::size_t>(count));
  ctx.reply.ArrayHeader(n);
  for (std::size_t i = 0; i < n; ++i) {
    const SlowLogEntry& e = entries[i];
    ctx.reply.ArrayHeader(6);
    ctx.reply.Integer(static_cast<std::int64_t>(e.id));
    ctx.reply.Integer(e.timestamp_s);
    ctx.reply.Integer(static_cast<std::int64_t>(e.duration_us));
    ctx.reply.ArrayHeader(e.args.size());
    for (const std::string& arg : e.args) ctx.reply.Bulk(arg);
    ctx.reply.Bulk(e.client_address);
    ctx.reply.Bulk(e.client_name);
  }
}

void SlowlogLen(CommandContext& ctx, CommandArgs argv) {
  ctx.reply.Integer(ctx.stats == nullptr ? 0
                                         : static_cast<std::int64_t>(ctx.stats->slowlog.size()));
}

void SlowlogReset(CommandContext& ctx, CommandArgs argv) {
  if (ctx.stats != nullptr) ctx.stats->slowlog.Reset();
  ctx.reply.Simple("OK");
}

// LATENCY HISTOGRAM [command ...]: a map from command fullname to its cumulative distribution;
// all commands with data when none is named. Unknown names and commands without data are left
// out; a container name stands for its subcommands (and itself, if it has a handler).
void LatencyHistogramCmd(CommandContext& ctx, CommandArgs argv) {
  Found found;
  if (argv.size() == 2) {
    for (const CommandSpec& top : AllCommands()) CollectWithSubcommands(ctx, top, found);
  } else {
    for (std::size_t i = 2; i < argv.size(); ++i) {
      const std::string_view name = argv[i];
      const std::size_t bar = name.find('|');
      const CommandSpec* top = FindCommand(name.substr(0, bar));
      if (top == nullptr) continue;
      if (bar != std::string_view::npos) {
        if (const CommandSpec* sub = FindSubcommand(*top, name.substr(bar + 1))) {
          CollectOne(ctx, *top, sub, found);
        }
      } else {
        CollectWithSubcommands(ctx, *top, found);
      }
    }
  }
  ctx.reply.MapHeader(found.size());
  for (const auto& [spec, histogram] : found) {
    ctx.reply.Bulk(spec->full_name);
    WriteCommandCdf(ctx.reply, *histogram);
  }
}

// Shoal has no latency monitor (latency-monitor-threshold 0, as Redis's default): no events.
void LatencyLatest(CommandContext& ctx, CommandArgs argv) { ctx.reply.ArrayHeader(0); }

void LatencyReset(CommandContext& ctx, CommandArgs argv) { ctx.reply.Integer(0); }

// HOTKEYS GET [count]: the `count` hottest keys (10 by default, at most limits::kHotKeysTracked),
// hottest first, each [key, estimated accesses in the current window].
void HotkeysGet(CommandContext& ctx, CommandArgs argv) {
  if (argv.size() > 3) {
    ctx.reply.Error(
        "ERR unknown subcommand or wrong number of arguments for 'get'. Try HOTKEYS HELP.");
    return;
  }
  std::size_t count = limits::kHotKeysReportedDefault;
  if (argv.size() == 3) {
    const std::optional<std::int64_t> parsed = ParseInt64(argv[2]);
    if (!parsed || *parsed < 0) {
      ctx.reply.Error("ERR count should be greater than or equal to 0");
      return;
    }
    count = static_cast<std::size_t>(
        std::min<std::int64_t>(*parsed, static_cast<std::int64_t>(limits::kHotKeysTracked)));
  }
  if (ctx.stats == nullptr) {
    ctx.reply.ArrayHeader(0);
    return;
  }
  const std::vector<HotKeys::Hot> top = ctx.stats->hot_keys.Top(count);
  ctx.reply.ArrayHeader(top.size());
  for (const HotKeys::Hot& hot : top) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(hot.key);
    ctx.reply.Integer(static_cast<std::int64_t>(hot.accesses));
  }
}

void HotkeysReset(CommandContext& ctx, CommandArgs argv) {
  if (ctx.stats != nullptr) ctx.stats->hot_keys.Reset();
  ctx.reply.Simple("OK");
}

}  // namespace shoal::commands
