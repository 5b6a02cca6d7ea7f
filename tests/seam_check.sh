#!/usr/bin/env bash
# Fails if core/ or sim/ reach for I/O, real clocks, real randomness or threads (architecture.md §1).
set -euo pipefail
root=${1:-.}
pattern='#include *<boost/asio|system_clock|steady_clock|high_resolution_clock|random_device|std::rand\(|<thread>|std::thread|std::mutex|getenv\(|<sys/socket|<chrono>'
if grep -rnE "$pattern" "$root/core" "$root/client/state" 2>/dev/null; then
  echo "seam_check: core/ must stay pure (see docs/design.md, 'The seam')" >&2
  exit 1
fi
# sim/ may time itself for its report (scenarios per CPU-second) in main.cc only.
if grep -rnE '#include *<boost/asio|system_clock|random_device|std::rand\(|<thread>|std::thread' "$root/sim" 2>/dev/null; then
  echo "seam_check: sim/ must stay deterministic" >&2
  exit 1
fi
echo "seam_check: ok"
