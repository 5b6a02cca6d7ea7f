#!/usr/bin/env bash
# The price of synchronous replication: SET latency (p50 / p99, from redis-benchmark's latency
# summary) and ops/s on a 3-node Shoal cluster with 2 copies of each key (a write is answered once
# both copies hold it) against the same cluster with 1 copy (no replication), alternately, for
# several rounds. Prints a markdown table of medians.
#
# usage: bench/cluster_write_latency.sh SHOALD_PATH
# environment: BENCH_N (requests per run, 100000), BENCH_ROUNDS (3), BENCH_CLIENTS (-c, 50),
#   BENCH_DEPTH (-P, 1), BENCH_DATA (-d, 100), BENCH_KEYSPACE (-r, 100000).
# Every server is stopped on exit (trap), whatever happens.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 SHOALD_PATH" >&2
  exit 2
fi
SHOALD=$1
N=${BENCH_N:-100000}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-50}
DEPTH=${BENCH_DEPTH:-1}
DATA=${BENCH_DATA:-100}
KEYSPACE=${BENCH_KEYSPACE:-100000}
PY=/usr/bin/python3

WORK=$(mktemp -d /tmp/shoal-write-latency.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { printf '[cluster_write_latency] %s\n' "$*" >&2; }

free_base() { # a base port whose next 3 ports and their +10000 peer ports are free
  $PY - <<'PYEOF'
import random, socket
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
while True:
    b = random.randrange(20000, 29000)
    if all(free(p) and free(p + 10000) for p in range(b, b + 3)):
        print(b); break
PYEOF
}

BASE=""
start_cluster() { # copies -> sets BASE (not a $(...) subshell: PIDS must reach the trap)
  local copies=$1 base members i
  base=$(free_base)
  members="127.0.0.1:$((base + 10000)),127.0.0.1:$((base + 10001)),127.0.0.1:$((base + 10002))"
  for i in 0 1 2; do
    "$SHOALD" --port $((base + i)) --cluster yes --cluster-members "$members" --copies "$copies" \
      >"$WORK/c$copies-$i.log" 2>&1 &
    PIDS+=($!)
  done
  for i in 0 1 2; do
    for _ in $(seq 300); do grep -q "; serving" "$WORK/c$copies-$i.log" && break; sleep 0.05; done
    grep -q "; serving" "$WORK/c$copies-$i.log" || { cat "$WORK/c$copies-$i.log" >&2; exit 1; }
  done
  BASE=$base
}

# Both clusters run side by side (each measured alone, in turn).
start_cluster 1
ONE=$BASE
start_cluster 2
TWO=$BASE
log "1 copy on $ONE..$((ONE + 2)), 2 copies on $TWO..$((TWO + 2))"

RESULTS="$WORK/results.txt"
: >"$RESULTS"
run() { # name port
  local out line
  out=$(redis-benchmark --cluster -p "$2" -t set -n "$N" -c "$CLIENTS" -P "$DEPTH" -d "$DATA" \
    -r "$KEYSPACE" 2>&1 | tr '\r' '\n') || { log "redis-benchmark failed ($1)"; echo "$out" >&2; exit 1; }
  if grep -qi error <<<"$out"; then log "errors ($1):"; grep -i error <<<"$out" | head -3 >&2; exit 1; fi
  # "  throughput summary: 12345.67 requests per second" and the line after the latency header.
  local ops lat
  ops=$(sed -n 's/.*throughput summary: \([0-9.]*\) requests per second.*/\1/p' <<<"$out" | tail -1)
  lat=$(grep -A2 "latency summary" <<<"$out" | tail -1)
  read -r _avg _min p50 _p95 p99 _max <<<"$lat"
  echo "$1 $ops $p50 $p99" >>"$RESULTS"
}

N_SAVED=$N
N=20000
run warm1 "$ONE"
run warm2 "$TWO"
N=$N_SAVED
: >"$RESULTS"
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order="1 2"; else order="2 1"; fi
  for copies in $order; do
    log "round $round/$ROUNDS: $copies cop$([ "$copies" = 1 ] && echo y || echo ies)"
    if [ "$copies" = 1 ]; then run copies1 "$ONE"; else run copies2 "$TWO"; fi
  done
done

echo "## SET on a 3-node Shoal cluster: 2 copies (synchronous) vs 1 copy"
echo
echo "- redis-benchmark --cluster -t set -n $N -c $CLIENTS -P $DEPTH -d $DATA -r $KEYSPACE;" \
  "$ROUNDS rounds, alternating; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
$PY - "$RESULTS" <<'PYEOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, ops, p50, p99 = line.split()
    rows.setdefault(name, []).append((float(ops), float(p50), float(p99)))
print("| copies | ops/s | p50 ms | p99 ms |")
print("|---:|---:|---:|---:|")
med = {}
for name in ("copies1", "copies2"):
    r = rows.get(name, [])
    if not r:
        continue
    med[name] = [statistics.median(x[i] for x in r) for i in range(3)]
    print("| %s | %.0f | %.3f | %.3f |" % (name[-1], *med[name]))
if len(med) == 2:
    a, b = med["copies1"], med["copies2"]
    print()
    print("2 copies / 1 copy: ops/s %.2fx, p50 %.2fx, p99 %.2fx" % (b[0] / a[0], b[1] / a[1],
                                                                  b[2] / a[2]))
PYEOF
