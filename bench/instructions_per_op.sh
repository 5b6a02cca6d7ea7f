#!/usr/bin/env bash
# Instructions per SET and per GET in shoald's user space, counted by callgrind (repeatable to
# well under 1%, unlike wall time on a shared machine). Runs shoald under callgrind, loads it with
# redis-benchmark (one connection, no pipelining), and zeroes and dumps the counters around each
# phase, so start-up and connection set-up are not counted.
#
# Usage: bench/instructions_per_op.sh [PATH/TO/shoald ...]   (default build/bin/shoald)
# Compare two builds in one run: bench/instructions_per_op.sh old/bin/shoald build/bin/shoald
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${SHOAL_OPS:-20000}
PORT=${SHOAL_PORT:-7391}
[ $# -eq 0 ] && set -- "$ROOT/build/bin/shoald"
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }

instructions() { # callgrind output file -> total Ir
  grep -m1 '^summary:' "$1" | awk '{print $2}'
}

for shoald in "$@"; do
  dir=$(mktemp -d)
  valgrind --tool=callgrind --callgrind-out-file="$dir/cg.%p" --dump-instr=no \
    "$shoald" --port "$PORT" >"$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
  redis-benchmark -p "$PORT" -c 1 -n 2000 -t set,get -r 10000 -q >/dev/null  # warm up
  line="$shoald:"
  for op in set get; do
    callgrind_control -z "$pid" >/dev/null
    redis-benchmark -p "$PORT" -c 1 -n "$N" -t "$op" -r 10000 -d 100 -q >/dev/null
    callgrind_control -d "$op" "$pid" >/dev/null
    file=$(ls -t "$dir"/cg.* | head -1)
    ir=$(instructions "$file")
    line+=" ${op}_instructions_per_op=$((ir / N))"
  done
  kill "$pid" && wait "$pid" 2>/dev/null || true
  echo "$line"
  rm -rf "$dir"
done
