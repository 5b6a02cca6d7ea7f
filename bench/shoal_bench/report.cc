#include "bench/shoal_bench/report.h"

#include <algorithm>
#include <cinttypes>
#include <sstream>

namespace shoal::bench {

namespace {

constexpr std::array<double, 6> kPercentiles = {50, 90, 99, 99.9, 99.99, 100};
constexpr std::array<const char*, 6> kPercentileNames = {"p50",   "p90",    "p99",
                                                         "p99.9", "p99.99", "max"};

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void Sample::Merge(const Sample& other) {
  latency.Merge(other.latency);
  ops += other.ops;
  reads += other.reads;
  hits += other.hits;
  misses += other.misses;
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += other.errors[i];
  error_first_ns = std::min(error_first_ns, other.error_first_ns);
  error_last_ns = std::max(error_last_ns, other.error_last_ns);
}

std::uint64_t Sample::error_total() const {
  std::uint64_t n = 0;
  for (std::uint64_t e : errors) n += e;
  return n;
}

void Recorder::Record(std::uint64_t latency_ns, std::uint64_t at_ns, bool read, bool hit,
                      std::optional<Errc> error) {
  std::lock_guard<std::mutex> lock(mutex_);
  interval_.latency.Record(latency_ns);
  interval_.ops++;
  if (read) interval_.reads++;
  if (error) {
    interval_.errors[static_cast<std::size_t>(*error)]++;
    interval_.error_first_ns = std::min(interval_.error_first_ns, at_ns);
    interval_.error_last_ns = std::max(interval_.error_last_ns, at_ns);
  } else if (read) {
    (hit ? interval_.hits : interval_.misses)++;
  }
}

Sample Recorder::TakeInterval() {
  std::lock_guard<std::mutex> lock(mutex_);
  Sample taken = interval_;
  interval_ = Sample{};
  return taken;
}

Report::Report(const BenchOptions& options, std::FILE* out) : options_(options), out_(out) {}

void Report::AddInterval(const Sample& interval, double interval_s, double at_s) {
  total_.Merge(interval);
  const Second second{at_s,
                      interval_s > 0 ? static_cast<double>(interval.ops) / interval_s : 0,
                      interval.ops,
                      interval.error_total(),
                      Ms(interval.latency.ValueAtPercentile(50)),
                      Ms(interval.latency.ValueAtPercentile(99)),
                      Ms(interval.latency.Max())};
  series_.push_back(second);
  if (!options_.quiet) {
    std::fprintf(out_, "[%6.1f s] %10.0f ops/s  errors %" PRIu64 "  p50 %.3f ms  p99 %.3f ms\n",
                 at_s, second.ops_per_s, second.errors, second.p50_ms, second.p99_ms);
    std::fflush(out_);
  }
}

void Report::PrintSummary(const RunFacts& facts) const {
  const Sample& t = total_;
  std::fprintf(out_, "shoal-bench: %s (%s)\n", facts.target.c_str(),
               facts.cluster ? "cluster" : "standalone");
  std::fprintf(out_, "load: %s\n", DescribeLoad(options_).c_str());
  std::fprintf(out_,
               "throughput: %.0f ops/s (%" PRIu64 " requests in %.2f s: %" PRIu64 " reads, %" PRIu64
               " writes)\n",
               facts.elapsed_s > 0 ? static_cast<double>(t.ops) / facts.elapsed_s : 0, t.ops,
               facts.elapsed_s, t.reads, t.ops - t.reads);
  std::fprintf(out_, "latency ms%s:", options_.rate > 0 ? " (from intended send time)" : "");
  for (std::size_t i = 0; i < kPercentiles.size(); ++i) {
    std::fprintf(out_, " %s %.3f", kPercentileNames[i],
                 Ms(t.latency.ValueAtPercentile(kPercentiles[i])));
  }
  std::fprintf(
      out_, " mean %.3f\n",
      t.latency.Count() ? Ms(t.latency.Sum()) / static_cast<double>(t.latency.Count()) : 0.0);
  std::fprintf(out_, "errors: %" PRIu64, t.error_total());
  for (std::size_t i = 1; i < kErrcCount; ++i) {
    if (static_cast<Errc>(i) == Errc::kNotFound) continue;
    std::fprintf(out_, "%s%s %" PRIu64, i == 2 ? " (" : ", ", ErrcName(static_cast<Errc>(i)),
                 t.errors[i]);
  }
  std::fprintf(out_, ")\n");
  if (t.error_total() > 0) {
    std::fprintf(out_, "error window: %.3f s to %.3f s after the start (%.3f s)\n",
                 static_cast<double>(t.error_first_ns) / 1e9,
                 static_cast<double>(t.error_last_ns) / 1e9,
                 static_cast<double>(t.error_last_ns - t.error_first_ns) / 1e9);
  }
  std::fprintf(out_,
               "client: redirects moved %" PRIu64 " ask %" PRIu64 ", retries %" PRIu64
               ", attempt timeouts %" PRIu64 ", connections %" PRIu64 "\n",
               facts.client.redirects_moved, facts.client.redirects_ask, facts.client.retries,
               facts.client.timeouts, facts.client.connections_opened);
  const std::uint64_t lookups = t.hits + t.misses;
  std::fprintf(out_, "hit ratio of reads: %.4f (%" PRIu64 " hits, %" PRIu64 " misses)\n",
               lookups ? static_cast<double>(t.hits) / static_cast<double>(lookups) : 0.0, t.hits,
               t.misses);
}

std::string Report::Json(const RunFacts& facts) const {
  const Sample& t = total_;
  const BenchOptions& o = options_;
  std::ostringstream j;
  j.precision(6);
  j << "{\n  \"target\": " << JsonString(facts.target)
    << ",\n  \"cluster\": " << (facts.cluster ? "true" : "false")
    << ",\n  \"load\": {\"mode\": " << (o.rate > 0 ? "\"open\"" : "\"closed\"")
    << ", \"rate\": " << o.rate << ", \"connections\": " << o.connections
    << ", \"pipeline\": " << o.pipeline << ", \"threads\": " << o.threads
    << ", \"duration_s\": " << o.duration_s << ", \"requests\": " << o.requests
    << ", \"keys\": " << o.workload.keys << ", \"read_ratio\": " << o.workload.read_ratio
    << ", \"value_bytes_min\": " << o.workload.value_bytes_min
    << ", \"value_bytes_max\": " << o.workload.value_bytes_max
    << ", \"ttl_share\": " << o.workload.ttl_share
    << ", \"description\": " << JsonString(DescribeLoad(o)) << "}";
  j << ",\n  \"elapsed_s\": " << facts.elapsed_s << ",\n  \"requests\": " << t.ops
    << ",\n  \"reads\": " << t.reads << ",\n  \"ops_per_s\": "
    << (facts.elapsed_s > 0 ? static_cast<double>(t.ops) / facts.elapsed_s : 0);
  j << ",\n  \"latency_ms\": {";
  for (std::size_t i = 0; i < kPercentiles.size(); ++i) {
    j << (i ? ", " : "") << "\"" << kPercentileNames[i]
      << "\": " << Ms(t.latency.ValueAtPercentile(kPercentiles[i]));
  }
  j << ", \"min\": " << Ms(t.latency.Min()) << "}";
  j << ",\n  \"errors\": {\"total\": " << t.error_total();
  for (std::size_t i = 1; i < kErrcCount; ++i) {
    if (static_cast<Errc>(i) == Errc::kNotFound) continue;
    j << ", " << JsonString(ErrcName(static_cast<Errc>(i))) << ": " << t.errors[i];
  }
  j << "}";
  if (t.error_total() > 0) {
    j << ",\n  \"error_window_s\": {\"first\": " << static_cast<double>(t.error_first_ns) / 1e9
      << ", \"last\": " << static_cast<double>(t.error_last_ns) / 1e9 << "}";
  } else {
    j << ",\n  \"error_window_s\": null";
  }
  const std::uint64_t lookups = t.hits + t.misses;
  j << ",\n  \"hits\": " << t.hits << ",\n  \"misses\": " << t.misses << ",\n  \"hit_ratio\": "
    << (lookups ? static_cast<double>(t.hits) / static_cast<double>(lookups) : 0.0);
  j << ",\n  \"client\": {\"redirects_moved\": " << facts.client.redirects_moved
    << ", \"redirects_ask\": " << facts.client.redirects_ask
    << ", \"retries\": " << facts.client.retries << ", \"timeouts\": " << facts.client.timeouts
    << ", \"connections_opened\": " << facts.client.connections_opened << "}";
  j << ",\n  \"series\": [";
  for (std::size_t i = 0; i < series_.size(); ++i) {
    const Second& s = series_[i];
    j << (i ? ",\n    " : "\n    ") << "{\"at_s\": " << s.at_s << ", \"ops\": " << s.ops
      << ", \"ops_per_s\": " << s.ops_per_s << ", \"errors\": " << s.errors
      << ", \"p50_ms\": " << s.p50_ms << ", \"p99_ms\": " << s.p99_ms
      << ", \"max_ms\": " << s.max_ms << "}";
  }
  j << "\n  ]\n}\n";
  return j.str();
}

}  // namespace shoal::bench
