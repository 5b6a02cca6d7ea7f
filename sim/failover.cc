#include "sim/failover.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/result.h"

namespace shoal::sim {

std::vector<FailoverWindow> MeasureFailover(const std::vector<FailoverStart>& starts,
                                            const History& history, TimeMs end_at) {
  std::map<std::string, std::vector<const Operation*>> by_key;  // invocation order
  for (const FailoverStart& s : starts) {
    for (const std::string& key : s.keys) by_key.try_emplace(key);
  }
  for (const Operation& op : history.ops) {
    const auto it = by_key.find(op.key);
    if (it != by_key.end()) it->second.push_back(&op);
  }
  std::vector<FailoverWindow> windows;
  for (const FailoverStart& s : starts) {
    for (const std::string& key : s.keys) {
      FailoverWindow w{.at = s.at, .node = s.node, .fault = s.fault, .key = key};
      for (const Operation* op : by_key[key]) {
        if (op->invoke_at < s.at || op->outcome != OpOutcome::kOk) continue;
        const bool write = op->kind == OpKind::kDel || (op->kind == OpKind::kSet && op->written);
        const bool read = op->kind == OpKind::kGet;
        TimeMs& first = write ? w.write_ok_at : w.read_ok_at;
        if ((write || read) && (first == 0 || op->complete_at < first)) first = op->complete_at;
      }
      w.open = w.write_ok_at == 0 || w.read_ok_at == 0;
      w.window_ms = (w.open ? end_at : std::max(w.write_ok_at, w.read_ok_at)) - s.at;
      SHOAL_ASSERT(w.window_ms >= 0);
      windows.push_back(std::move(w));
    }
  }
  return windows;
}

TimeMs WindowQuantile(std::vector<TimeMs> windows_ms, double q) {
  SHOAL_ASSERT(q > 0 && q <= 1);
  if (windows_ms.empty()) return 0;
  std::sort(windows_ms.begin(), windows_ms.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(windows_ms.size())));
  return windows_ms[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace shoal::sim
