// shoal-bench: a load generator for Shoal (and any RESP server), built on the Shoal client
// library. `shoal-bench --help` lists the flags; bench/README.md shows how to compare it with
// redis-benchmark and how to run an open-loop latency test.
#include <cstdio>

#include "bench/shoal_bench/options.h"
#include "bench/shoal_bench/report.h"
#include "bench/shoal_bench/runner.h"

int main(int argc, char** argv) {
  shoal::bench::BenchOptions options;
  bool help = false;
  if (std::optional<std::string> error = shoal::bench::ParseFlags(argc, argv, options, help)) {
    std::fprintf(stderr, "shoal-bench: %s\n", error->c_str());
    return 2;
  }
  if (help) {
    std::fputs(shoal::bench::kUsage, stdout);
    return 0;
  }
  // Progress and summary go to stdout, unless the JSON document does.
  std::FILE* out = options.json_path == "-" ? stderr : stdout;
  shoal::bench::Report report(options, out);
  const shoal::bench::RunFacts facts = shoal::bench::Run(options, report);
  report.PrintSummary(facts);
  if (!options.json_path.empty()) {
    const std::string json = report.Json(facts);
    std::FILE* file =
        options.json_path == "-" ? stdout : std::fopen(options.json_path.c_str(), "w");
    if (file == nullptr) {
      std::fprintf(stderr, "shoal-bench: cannot write %s\n", options.json_path.c_str());
      return 1;
    }
    std::fputs(json.c_str(), file);
    if (file != stdout) std::fclose(file);
  }
  const shoal::bench::Sample& total = report.total();
  // Nothing completed at all (server unreachable): fail.
  return total.ops > 0 && total.error_total() < total.ops ? 0 : 1;
}
