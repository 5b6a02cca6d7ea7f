#include "bench/shoal_bench/options.h"

#include <charconv>
#include <cstdlib>
#include <sstream>
#include <string_view>

namespace shoal::bench {

const char* const kUsage = R"(usage: shoal-bench [flags]
Load generator for Shoal and any RESP server (Redis, Redis Cluster), built on the Shoal client.

target and connections
  --target HOST:PORT     server, or any node of a cluster (default 127.0.0.1:7379)
  --host HOST --port N   the same, in two flags
  --connections N        connections to each node, over all threads (default 50)
  --pipeline N           closed loop: N x pipeline requests in flight in all (default 1)
  --threads N            load threads, each with its own event loop (default 1)
  --password PW          AUTH on every connection
  --deadline-ms N        per-call deadline (default 5000)
  --coalesce             let the client coalesce concurrent GETs of one key (default off)
length
  --duration S           seconds to run (default 10)
  --requests N           or a number of requests
offered load
  --rate R               open loop: R requests per second, latency from the intended send time
                         (no coordinated omission); default: closed loop like redis-benchmark
  --max-in-flight N      open loop: outstanding requests at most (default 100000)
workload
  --read-ratio F         share of GETs, the rest SETs (default 0.5)
  --keys N               key space (default 100000); keys are <prefix>%012d
  --key-prefix P         (default "key:", as redis-benchmark -r)
  --distribution D       uniform | zipf[:S] (default S 0.99) | gaussian[:F] (sd F*keys, 0.1)
  --value-size N|A..B    value bytes, fixed or uniform in a range (default 100)
  --ttl-share F          share of SETs sent with PX (default 0)
  --ttl-ms N             that TTL (default 60000)
  --seed N               workload seed (default 1)
output
  --quiet                no line per second
  --json FILE            the summary and the per-second series as JSON ("-": stdout)
)";

namespace {

template <class T>
bool ParseNumber(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool ParseDouble(std::string_view text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  const std::string copy(text);
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

}  // namespace

std::optional<std::string> ParseFlags(int argc, char** argv, BenchOptions& o, bool& help) {
  std::string host, port;
  help = false;
  bool duration_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      help = true;
      return std::nullopt;
    }
    if (flag == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (flag == "--coalesce") {
      o.coalesce = true;
      continue;
    }
    if (i + 1 >= argc) return "missing value after " + std::string(flag);
    const std::string_view v = argv[++i];
    const auto bad = [&] { return "bad value for " + std::string(flag) + ": " + std::string(v); };
    if (flag == "--target") {
      o.target = v;
    } else if (flag == "--host") {
      host = v;
    } else if (flag == "--port") {
      port = v;
    } else if (flag == "--connections") {
      if (!ParseNumber(v, o.connections) || o.connections < 1 || o.connections > kConnectionsMax) {
        return bad();
      }
    } else if (flag == "--pipeline") {
      if (!ParseNumber(v, o.pipeline) || o.pipeline < 1 || o.pipeline > kPipelineMax) return bad();
    } else if (flag == "--threads") {
      if (!ParseNumber(v, o.threads) || o.threads < 1 || o.threads > kThreadsMax) return bad();
    } else if (flag == "--password") {
      o.password = v;
    } else if (flag == "--deadline-ms") {
      if (!ParseNumber(v, o.deadline_ms) || o.deadline_ms < 1) return bad();
    } else if (flag == "--duration") {
      if (!ParseDouble(v, o.duration_s) || o.duration_s <= 0) return bad();
      duration_given = true;
    } else if (flag == "--requests") {
      if (!ParseNumber(v, o.requests) || o.requests < 1) return bad();
    } else if (flag == "--rate") {
      if (!ParseDouble(v, o.rate) || o.rate <= 0) return bad();
    } else if (flag == "--max-in-flight") {
      if (!ParseNumber(v, o.in_flight_max) || o.in_flight_max < 1) return bad();
    } else if (flag == "--read-ratio") {
      if (!ParseDouble(v, o.workload.read_ratio) || o.workload.read_ratio < 0 ||
          o.workload.read_ratio > 1) {
        return bad();
      }
    } else if (flag == "--keys") {
      if (!ParseNumber(v, o.workload.keys) || o.workload.keys < 1) return bad();
    } else if (flag == "--key-prefix") {
      o.workload.key_prefix = v;
    } else if (flag == "--distribution") {
      const std::string_view name = v.substr(0, v.find(':'));
      const std::string_view param =
          v.find(':') == std::string_view::npos ? "" : v.substr(v.find(':') + 1);
      if (name == "uniform" && param.empty()) {
        o.workload.distribution = KeyDistribution::kUniform;
      } else if (name == "zipf") {
        o.workload.distribution = KeyDistribution::kZipf;
        if (!param.empty() && (!ParseDouble(param, o.workload.zipf_exponent) ||
                               o.workload.zipf_exponent <= 0 || o.workload.zipf_exponent > 10)) {
          return bad();
        }
      } else if (name == "gaussian") {
        o.workload.distribution = KeyDistribution::kGaussian;
        if (!param.empty() && (!ParseDouble(param, o.workload.gaussian_sd_fraction) ||
                               o.workload.gaussian_sd_fraction <= 0)) {
          return bad();
        }
      } else {
        return bad();
      }
    } else if (flag == "--value-size") {
      const std::size_t dots = v.find("..");
      if (dots == std::string_view::npos) {
        if (!ParseNumber(v, o.workload.value_bytes_min)) return bad();
        o.workload.value_bytes_max = o.workload.value_bytes_min;
      } else if (!ParseNumber(v.substr(0, dots), o.workload.value_bytes_min) ||
                 !ParseNumber(v.substr(dots + 2), o.workload.value_bytes_max)) {
        return bad();
      }
      if (o.workload.value_bytes_min > o.workload.value_bytes_max ||
          o.workload.value_bytes_max > kValueBytesMax) {
        return bad();
      }
    } else if (flag == "--ttl-share") {
      if (!ParseDouble(v, o.workload.ttl_share) || o.workload.ttl_share < 0 ||
          o.workload.ttl_share > 1) {
        return bad();
      }
    } else if (flag == "--ttl-ms") {
      if (!ParseNumber(v, o.ttl_ms) || o.ttl_ms < 1) return bad();
    } else if (flag == "--seed") {
      if (!ParseNumber(v, o.workload.seed)) return bad();
    } else if (flag == "--json") {
      o.json_path = v;
    } else {
      return "unknown flag " + std::string(flag) + " (--help lists them)";
    }
  }
  if (!host.empty() || !port.empty()) {
    o.target = (host.empty() ? std::string("127.0.0.1") : host) + ":" +
               (port.empty() ? std::string("7379") : port);
  }
  if (o.requests > 0 && duration_given)
    return std::string("give --duration or --requests, not both");
  if (o.requests > 0) o.duration_s = 0;
  if (o.threads > o.connections) o.threads = o.connections;
  return std::nullopt;
}

std::string DescribeLoad(const BenchOptions& o) {
  std::ostringstream s;
  if (o.rate > 0) {
    s << "open loop at " << o.rate << " req/s (latency from the intended send time)";
  } else {
    s << "closed loop, pipeline " << o.pipeline;
  }
  s << ", " << o.connections << " connections per node, " << o.threads << " thread(s), ";
  if (o.requests > 0) {
    s << o.requests << " requests";
  } else {
    s << o.duration_s << " s";
  }
  const WorkloadOptions& w = o.workload;
  s << "; " << w.keys << " keys ";
  switch (w.distribution) {
    case KeyDistribution::kUniform:
      s << "uniform";
      break;
    case KeyDistribution::kZipf:
      s << "zipf:" << w.zipf_exponent;
      break;
    case KeyDistribution::kGaussian:
      s << "gaussian:" << w.gaussian_sd_fraction;
      break;
  }
  s << ", reads " << w.read_ratio * 100 << "%, values ";
  if (w.value_bytes_min == w.value_bytes_max) {
    s << w.value_bytes_min << " B";
  } else {
    s << w.value_bytes_min << ".." << w.value_bytes_max << " B";
  }
  if (w.ttl_share > 0) s << ", " << w.ttl_share * 100 << "% of writes with PX " << o.ttl_ms;
  return s.str();
}

}  // namespace shoal::bench
