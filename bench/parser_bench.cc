// RESP parser and writer micro-benchmarks: the per-command cost on the hot path.
//   BM_ParsePipelinedSet: 16 pipelined "SET key:NNNNNN <100 bytes>" in one buffer, as one read.
//   BM_ParseGet: one "GET key:000001".
//   BM_ParseLargeValueInChunks: a 1 MiB SET arriving 16 KiB at a time, caller using
//     needed_bytes() (checks that partial frames cost nothing per read).
//   BM_WriteBulk: a 100-byte bulk reply appended to a reused output string.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "core/resp/resp_parser.h"
#include "core/resp/resp_writer.h"

namespace shoal {
namespace {

std::string Multibulk(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
  return out;
}

void BM_ParsePipelinedSet(benchmark::State& state) {
  constexpr int kCommands = 16;
  const std::string value(100, 'v');
  std::string buffer;
  for (int i = 0; i < kCommands; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "key:%06d", i);
    buffer += Multibulk({"SET", key, value});
  }
  RespParser parser(ParserLimits{});
  ParsedCommand cmd;
  for (auto _ : state) {
    std::string_view rest = buffer;
    while (!rest.empty()) {
      if (parser.Parse(rest, cmd) != ParseStatus::kOk) state.SkipWithError("parse failed");
      benchmark::DoNotOptimize(cmd.argv.data());
      rest.remove_prefix(cmd.consumed);
    }
  }
  state.SetItemsProcessed(state.iterations() * kCommands);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(buffer.size()));
}
BENCHMARK(BM_ParsePipelinedSet);

void BM_ParseGet(benchmark::State& state) {
  const std::string buffer = Multibulk({"GET", "key:000001"});
  RespParser parser(ParserLimits{});
  ParsedCommand cmd;
  for (auto _ : state) {
    if (parser.Parse(buffer, cmd) != ParseStatus::kOk) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(cmd.argv.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseGet);

void BM_ParseInlineGet(benchmark::State& state) {
  const std::string buffer = "GET key:000001\r\n";
  RespParser parser(ParserLimits{});
  ParsedCommand cmd;
  for (auto _ : state) {
    if (parser.Parse(buffer, cmd) != ParseStatus::kOk) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(cmd.argv.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseInlineGet);

void BM_ParseLargeValueInChunks(benchmark::State& state) {
  const std::string value(1 << 20, 'v');
  const std::string frame = Multibulk({"SET", "big", value});
  constexpr std::size_t kChunk = 16 * 1024;
  RespParser parser(ParserLimits{});
  ParsedCommand cmd;
  for (auto _ : state) {
    std::size_t have = 0;
    while (true) {
      have = std::min(frame.size(), have + kChunk);
      if (have < parser.needed_bytes()) continue;
      const ParseStatus status = parser.Parse(std::string_view(frame).substr(0, have), cmd);
      if (status == ParseStatus::kOk) break;
      if (status == ParseStatus::kError) state.SkipWithError("parse failed");
    }
    benchmark::DoNotOptimize(cmd.argv.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(frame.size()));
}
BENCHMARK(BM_ParseLargeValueInChunks);

void BM_WriteBulk(benchmark::State& state) {
  const std::string value(100, 'v');
  std::string out;
  RespWriter writer(out, RespVersion::kResp2);
  for (auto _ : state) {
    out.clear();
    writer.Bulk(value);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WriteBulk);

void BM_WriteMixedReplies(benchmark::State& state) {
  const std::string value(100, 'v');
  std::string out;
  RespWriter writer(out, RespVersion::kResp3);
  for (auto _ : state) {
    out.clear();
    writer.Simple("OK");
    writer.Integer(12345);
    writer.Nil();
    writer.ArrayHeader(2);
    writer.Bulk(value);
    writer.Bulk("k");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 6);
}
BENCHMARK(BM_WriteMixedReplies);

}  // namespace
}  // namespace shoal

BENCHMARK_MAIN();
