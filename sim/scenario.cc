#include "sim/scenario.h"

#include <algorithm>

#include "core/result.h"

namespace shoal::sim {
namespace {

cluster::ReplicationKnobs DrawSmallKnobs(Prng& prng) {
  cluster::ReplicationKnobs k;
  k.tombstones_max = static_cast<std::size_t>(prng.Range(4, 64));
  k.sync_entries_per_reply_max = static_cast<std::size_t>(prng.Range(1, 8));
  k.sync_reply_bytes_max = static_cast<std::size_t>(prng.Range(32, 512));
  k.sync_scan_per_reply_max = static_cast<std::size_t>(prng.Range(2, 32));
  k.replication_writes_max = static_cast<std::size_t>(prng.Range(16, 128));
  k.slot_writes_max = static_cast<std::size_t>(prng.Range(2, 16));
  k.repairs_in_flight_max = static_cast<std::size_t>(prng.Range(1, 8));
  k.batch_mutations_max = static_cast<std::size_t>(prng.Range(1, 8));
  k.batch_bytes_max = static_cast<std::size_t>(prng.Range(16, 512));
  // Above the default of 1 too, so that streams run ahead of their acknowledgements and a lost
  // or reordered Replicate leaves a gap the backup must refuse to skip.
  k.stream_window = static_cast<std::size_t>(prng.Range(1, 8));
  // Drawn last, so that adding it left the draws above unchanged.
  k.config_compact_every = static_cast<std::size_t>(prng.Range(2, 16));
  SHOAL_ASSERT(k.Valid());
  return k;
}

}  // namespace

Scenario DrawScenario(const ScenarioOptions& options, Prng& root) {
  // Independent sub-streams, drawn in a fixed order, so an override of one knob (say --ops)
  // does not change the draws of another (say the fault plan).
  Prng scenario_prng = root.Fork();
  Prng fault_prng = root.Fork();
  Scenario s;
  s.nodes = options.nodes.value_or(5);
  const auto clients_drawn = static_cast<std::uint32_t>(scenario_prng.Range(4, 8));
  const auto keys_drawn = static_cast<std::uint32_t>(scenario_prng.Range(8, 32));
  const FaultMix& mix_drawn = DrawFaultMix(scenario_prng);
  // Drawn after the original three, so adding them left those unchanged.
  const bool zipf = scenario_prng.Chance(1, 4);
  const auto zipf_keys = static_cast<std::uint32_t>(scenario_prng.Range(200, 2000));
  const auto pipeline_drawn =
      scenario_prng.Chance(1, 5) ? static_cast<std::uint32_t>(scenario_prng.Range(2, 16)) : 1u;
  s.mutation_percent = static_cast<std::uint32_t>(scenario_prng.Range(5, 30));
  const bool evicting = scenario_prng.Chance(1, 6);
  const std::uint64_t maxmemory_drawn = static_cast<std::uint64_t>(
      zipf ? scenario_prng.Range(1500, 5000) : scenario_prng.Range(800, 1600));
  const std::uint64_t policy = scenario_prng.Below(4);
  s.small_knobs = scenario_prng.Chance(1, 4);
  const cluster::ReplicationKnobs small = DrawSmallKnobs(scenario_prng);

  const FaultMix* mix = &mix_drawn;
  if (options.faults) {
    mix = FindFaultMix(*options.faults);
    SHOAL_ASSERT_MSG(mix != nullptr, "unknown fault mix");
  }
  // The failover measurement's workload: every key touched every few tens of milliseconds.
  const bool single = mix->one_at_a_time;
  s.key_per_client = s.measure_failover = single;
  s.clients = options.clients.value_or(single ? 8 : clients_drawn);
  const std::uint32_t key_count = options.keys.value_or(single ? 8 : zipf ? zipf_keys : keys_drawn);
  s.ops_total = options.ops.value_or(single ? 12000 : 2000);
  SHOAL_ASSERT(s.nodes >= 1 && s.nodes <= kNodesMax);
  SHOAL_ASSERT(s.clients >= 1 && s.clients <= kClientsMax);
  SHOAL_ASSERT(key_count >= 1);
  SHOAL_ASSERT(options.duration_ms >= 4 * kLivenessBoundMs / 3);
  s.replication_factor = std::min(options.replication_factor, s.nodes);
  s.pipeline = std::max<std::uint32_t>(1, options.pipeline.value_or(pipeline_drawn));
  s.maxmemory_bytes = options.maxmemory.value_or(evicting ? maxmemory_drawn : 0);
  s.eviction = policy < 2    ? EvictionKind::kS3Fifo
               : policy == 2 ? EvictionKind::kSieve
                             : EvictionKind::kLru;
  if (s.small_knobs) s.knobs = small;

  s.fault_end = options.duration_ms * 3 / 4;
  s.liveness_start = s.fault_end + kLivenessBoundMs;
  s.hard_end = options.duration_ms + 120'000;
  s.think_mean_ms = options.think_ms.value_or(std::max<TimeMs>(
      1, options.duration_ms * s.clients * s.pipeline / std::max<std::uint32_t>(1, s.ops_total)));
  SHOAL_ASSERT(s.think_mean_ms >= 1);

  for (std::uint32_t k = 0; k < key_count; ++k) s.keys.push_back("k" + std::to_string(k));
  if (zipf && !options.keys && !single) {
    // Zipf with exponent 1 in integers: key i weighs 2^40 / (i + 1).
    std::uint64_t total = 0;
    for (std::uint32_t k = 0; k < key_count; ++k) {
      total += (std::uint64_t{1} << 40) / (k + 1);
      s.zipf_cumulative.push_back(total);
    }
  }
  s.plan = DrawFaultPlan(*mix, s.nodes, s.clients, s.fault_end, fault_prng);
  return s;
}

std::size_t DrawKey(const Scenario& scenario, Prng& prng) {
  if (scenario.zipf_cumulative.empty()) return prng.Below(scenario.keys.size());
  const std::uint64_t u = prng.Below(scenario.zipf_cumulative.back());
  return static_cast<std::size_t>(
      std::upper_bound(scenario.zipf_cumulative.begin(), scenario.zipf_cumulative.end(), u) -
      scenario.zipf_cumulative.begin());
}

}  // namespace shoal::sim
