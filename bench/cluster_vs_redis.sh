#!/usr/bin/env bash
# A 3-node Shoal cluster (2 copies of each key, writes acknowledged once both copies hold them)
# against a Redis Cluster of 3 masters + 3 replicas (asynchronous replication), with
# `redis-benchmark --cluster`, alternately, for several rounds, on this machine. Prints a markdown
# table: median ops/s, the Shoal/Redis ratio, and each cluster's total server CPU per request
# (utime + stime of every server process, from /proc, around the same run).
#
# usage: bench/cluster_vs_redis.sh SHOALD_PATH
# environment:
#   BENCH_N        requests per redis-benchmark run (default 100000)
#   BENCH_ROUNDS   rounds; each runs both clusters once per test (default 3)
#   BENCH_CLIENTS  parallel connections (-c, default 50)
#   BENCH_KEYSPACE random keyspace (-r, default 100000)
#   BENCH_DATA     value size in bytes (-d, default 100)
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
KEYSPACE=${BENCH_KEYSPACE:-100000}
DATA=${BENCH_DATA:-100}
PY=/usr/bin/python3
TICKS=$(getconf CLK_TCK)

WORK=$(mktemp -d /tmp/shoal-cluster-bench.XXXXXX)
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

log() { printf '[cluster_vs_redis] %s\n' "$*" >&2; }

# A base port whose next 6 ports and their +10000 bus ports are free.
free_base() {
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
    if all(free(p) and free(p + 10000) for p in range(b, b + 6)):
        print(b); break
PYEOF
}

wait_ping() { # port
  for _ in $(seq 300); do
    [ "$(redis-cli -p "$1" ping 2>/dev/null)" = "PONG" ] && return 0
    sleep 0.05
  done
  log "server on port $1 does not answer PING"
  return 1
}

# --- Shoal: 3 members, 2 copies ---
SBASE=$(free_base)
SHOAL_PIDS=()
members="127.0.0.1:$((SBASE + 10000)),127.0.0.1:$((SBASE + 10001)),127.0.0.1:$((SBASE + 10002))"
for i in 0 1 2; do
  "$SHOALD" --port $((SBASE + i)) --cluster yes --cluster-members "$members" --copies 2 \
    >"$WORK/shoal$i.log" 2>&1 &
  PIDS+=($!)
  SHOAL_PIDS+=($!)
done
for i in 0 1 2; do
  for _ in $(seq 300); do grep -q "; serving" "$WORK/shoal$i.log" && break; sleep 0.05; done
  grep -q "; serving" "$WORK/shoal$i.log" || { cat "$WORK/shoal$i.log" >&2; exit 1; }
done

# --- Redis Cluster: 3 masters + 3 replicas ---
RBASE=$(free_base)
REDIS_PIDS=()
nodes=()
for i in 0 1 2 3 4 5; do
  port=$((RBASE + i))
  mkdir -p "$WORK/r$port"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --cluster-enabled yes --cluster-config-file "$WORK/r$port/nodes.conf" --dir "$WORK/r$port" \
    --protected-mode no >"$WORK/redis$i.log" 2>&1 &
  PIDS+=($!)
  REDIS_PIDS+=($!)
  nodes+=("127.0.0.1:$port")
done
for i in 0 1 2 3 4 5; do wait_ping $((RBASE + i)); done
redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$WORK/create.log" 2>&1 ||
  { cat "$WORK/create.log" >&2; exit 1; }
for _ in $(seq 300); do
  ok=1
  for i in 0 1 2 3 4 5; do
    redis-cli -p $((RBASE + i)) cluster info | grep -q "cluster_state:ok" || ok=0
  done
  [ $ok = 1 ] && break
  sleep 0.1
done
log "shoal on $SBASE..$((SBASE + 2)), redis cluster on $RBASE..$((RBASE + 5))"

cpu_ticks() { # pids... -> total utime+stime ticks
  local total=0 pid
  for pid in "$@"; do
    read -r -a f <"/proc/$pid/stat"
    total=$((total + f[13] + f[14]))
  done
  echo "$total"
}

RESULTS="$WORK/results.txt"
: >"$RESULTS"
run_bench() { # name port depth test pids...
  local name=$1 port=$2 depth=$3 test=$4
  shift 4
  local before after out ops
  before=$(cpu_ticks "$@")
  out=$(redis-benchmark --cluster -p "$port" -t "$test" -n "$N" -c "$CLIENTS" -P "$depth" \
    -r "$KEYSPACE" -d "$DATA" -q 2>&1) || { log "redis-benchmark failed ($name):"; echo "$out" >&2; exit 1; }
  after=$(cpu_ticks "$@")
  if echo "$out" | tr '\r' '\n' | grep -qi 'error'; then
    log "redis-benchmark reported errors against $name:"
    echo "$out" | tr '\r' '\n' | grep -i error | head -5 >&2
    exit 1
  fi
  ops=$(echo "$out" | tr '\r' '\n' | sed -n 's/^ *[A-Z_]*: \([0-9.]*\) requests per second.*/\1/p' | tail -1)
  echo "$test $depth $name $ops $((after - before))" >>"$RESULTS"
}

log "warm-up"
N_SAVED=$N
N=20000
run_bench redis $RBASE 16 set "${REDIS_PIDS[@]}"
run_bench shoal $SBASE 16 set "${SHOAL_PIDS[@]}"
N=$N_SAVED
: >"$RESULTS"
for round in $(seq "$ROUNDS"); do
  for cfg in "set 1" "get 1" "set 16" "get 16"; do
    read -r test depth <<<"$cfg"
    if [ $((round % 2)) -eq 1 ]; then order="redis shoal"; else order="shoal redis"; fi
    for who in $order; do
      log "round $round/$ROUNDS: $who -t $test -P $depth"
      if [ "$who" = redis ]; then
        run_bench redis $RBASE "$depth" "$test" "${REDIS_PIDS[@]}"
      else
        run_bench shoal $SBASE "$depth" "$test" "${SHOAL_PIDS[@]}"
      fi
    done
  done
done

echo "## Shoal cluster (3 nodes, 2 copies, synchronous) vs Redis Cluster (3 masters + 3 replicas)"
echo
echo "- redis-benchmark --cluster -n $N -c $CLIENTS -r $KEYSPACE -d $DATA -q; $ROUNDS rounds," \
  "alternating; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
$PY - "$RESULTS" "$N" "$TICKS" <<'PYEOF'
import statistics, sys
path, n, ticks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = {}
for line in open(path):
    test, depth, server, ops, cpu = line.split()
    rows.setdefault((test, int(depth)), {}).setdefault(server, []).append(
        (float(ops), int(cpu) * 1e6 / ticks / n))
print("| test | -P | redis ops/s | shoal ops/s | shoal/redis | spread | redis CPU us/req | "
      "shoal CPU us/req |")
print("|---|---:|---:|---:|---:|---|---:|---:|")
for key in sorted(rows, key=lambda k: (k[1], k[0] != "set")):
    r, s = rows[key].get("redis", []), rows[key].get("shoal", [])
    if not r or not s:
        continue
    ratios = [b[0] / a[0] for a, b in zip(r, s)]
    rm = statistics.median(x[0] for x in r)
    sm = statistics.median(x[0] for x in s)
    print("| %s | %d | %.0f | %.0f | %.2f | %.2f-%.2f | %.1f | %.1f |" % (
        key[0].upper(), key[1], rm, sm, sm / rm, min(ratios), max(ratios),
        statistics.median(x[1] for x in r), statistics.median(x[1] for x in s)))
PYEOF
