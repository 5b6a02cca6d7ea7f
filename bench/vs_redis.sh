#!/usr/bin/env bash
# Side-by-side throughput: the same redis-benchmark commands against redis-server and shoald,
# alternately, for several rounds; prints a markdown table of median ops/s and Shoal/Redis ratios.
#
# usage: bench/vs_redis.sh SHOALD_PATH
#   SHOALD_PATH may be the word "redis" to put a second redis-server in Shoal's seat (a check of
#   the script itself: every ratio should then be near 1.0).
# environment:
#   BENCH_N        requests per redis-benchmark run          (default 200000)
#   BENCH_ROUNDS   rounds; each round runs Redis and Shoal once per test (default 3)
#   BENCH_CLIENTS  parallel connections (-c)                 (default 50)
#   BENCH_KEYSPACE random keyspace (-r)                      (default 100000)
#   BENCH_DATA     value size in bytes (-d)                  (default 100)
#   BENCH_SHOAL_ARGS extra shoald flags                      (default none)
# Both servers are stopped on exit (trap), whatever happens.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 SHOALD_PATH|redis" >&2
  exit 2
fi
SHOALD=$1
N=${BENCH_N:-200000}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-50}
KEYSPACE=${BENCH_KEYSPACE:-100000}
DATA=${BENCH_DATA:-100}
PY=/usr/bin/python3

WORK=$(mktemp -d /tmp/shoal-vs-redis.XXXXXX)
REDIS_PID=""
SHOAL_PID=""
cleanup() {
  for pid in $REDIS_PID $SHOAL_PID; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { printf '[vs_redis] %s\n' "$*" >&2; }

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_ping() { # port
  for _ in $(seq 200); do
    if [ "$(redis-cli -p "$1" ping 2>/dev/null)" = "PONG" ]; then return 0; fi
    sleep 0.05
  done
  log "server on port $1 does not answer PING"
  return 1
}

start_redis() { # port logfile -> sets LAST_PID
  redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --dir "$WORK" --protected-mode no >"$2" 2>&1 &
  LAST_PID=$!
  wait_ping "$1"
}

REDIS_PORT=$(free_port)
start_redis "$REDIS_PORT" "$WORK/redis.log"
REDIS_PID=$LAST_PID

if [ "$SHOALD" = "redis" ]; then
  SHOAL_PORT=$(free_port)
  start_redis "$SHOAL_PORT" "$WORK/shoal.log"
  SHOAL_PID=$LAST_PID
  SHOAL_DESC="redis-server (self-check: Shoal's seat)"
else
  # shellcheck disable=SC2086
  "$SHOALD" --bind 127.0.0.1 --port 0 ${BENCH_SHOAL_ARGS:-} >"$WORK/shoal.log" 2>&1 &
  SHOAL_PID=$!
  SHOAL_PORT=""
  for _ in $(seq 200); do
    SHOAL_PORT=$(sed -n 's/.*shoald listening on [0-9.]*:\([0-9][0-9]*\).*/\1/p' \
      "$WORK/shoal.log" | head -n1)
    [ -n "$SHOAL_PORT" ] && break
    kill -0 "$SHOAL_PID" 2>/dev/null || { cat "$WORK/shoal.log" >&2; exit 1; }
    sleep 0.05
  done
  [ -n "$SHOAL_PORT" ] || { log "shoald printed no listening line"; cat "$WORK/shoal.log" >&2; exit 1; }
  wait_ping "$SHOAL_PORT"
  SHOAL_DESC="$SHOALD"
fi
log "redis-server on $REDIS_PORT (pid $REDIS_PID), shoal on $SHOAL_PORT (pid $SHOAL_PID)"

RESULTS="$WORK/results.txt"
: >"$RESULTS"

# run_bench server_name port depth tests -> appends "test depth server ops" lines
run_bench() {
  local name=$1 port=$2 depth=$3 tests=$4 out
  out=$(redis-benchmark -p "$port" -t "$tests" -n "$N" -c "$CLIENTS" -P "$depth" \
    -r "$KEYSPACE" -d "$DATA" -q 2>&1) || { log "redis-benchmark failed against $name:"; echo "$out" >&2; exit 1; }
  if echo "$out" | tr '\r' '\n' | grep -qiE 'error|warn'; then
    log "redis-benchmark reported errors against $name:"
    echo "$out" | tr '\r' '\n' | grep -iE 'error|warn' | head -5 >&2
    exit 1
  fi
  echo "$out" | tr '\r' '\n' | sed -n 's/^ *\([A-Z_]*\): \([0-9.]*\) requests per second.*/\1 \2/p' |
    while read -r test ops; do echo "$test $depth $name $ops" >>"$RESULTS"; done
}

CONFIGS=("set,get 1" "set,get 16" "ping_mbulk 1" "ping_mbulk 16")

log "warm-up"
N_SAVED=$N
N=20000
run_bench redis "$REDIS_PORT" 16 "set,get"
run_bench shoal "$SHOAL_PORT" 16 "set,get"
N=$N_SAVED
: >"$RESULTS"

for round in $(seq "$ROUNDS"); do
  for cfg in "${CONFIGS[@]}"; do
    read -r tests depth <<<"$cfg"
    # Alternate who goes first each round so neither always runs on a warmer machine.
    if [ $((round % 2)) -eq 1 ]; then order="redis shoal"; else order="shoal redis"; fi
    for who in $order; do
      if [ "$who" = redis ]; then port=$REDIS_PORT; else port=$SHOAL_PORT; fi
      log "round $round/$ROUNDS: $who -t $tests -P $depth"
      run_bench "$who" "$port" "$depth" "$tests"
    done
  done
done

REDIS_VERSION=$(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')
echo "## Shoal vs Redis: redis-benchmark, same machine, alternating"
echo
echo "- redis-server $REDIS_VERSION (--save \"\" --appendonly no) vs $SHOAL_DESC"
echo "- redis-benchmark -n $N -c $CLIENTS -r $KEYSPACE -d $DATA -q; $ROUNDS rounds; $(nproc) cores;" \
  "$(date -u +%Y-%m-%dT%H:%MZ)"
echo
$PY - "$RESULTS" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    test, depth, server, ops = line.split()
    rows.setdefault((test, int(depth)), {}).setdefault(server, []).append(float(ops))
print("| test | depth (-P) | redis ops/s (median) | shoal ops/s (median) | shoal/redis | "
      "spread of per-round ratios |")
print("|---|---:|---:|---:|---:|---|")
order = {"PING_MBULK": 2, "SET": 0, "GET": 1}
for (test, depth) in sorted(rows, key=lambda k: (order.get(k[0], 9), k[1])):
    r = rows[(test, depth)].get("redis", [])
    s = rows[(test, depth)].get("shoal", [])
    if not r or not s:
        continue
    rm, sm = statistics.median(r), statistics.median(s)
    ratios = [b / a for a, b in zip(r, s)]
    print("| %s | %d | %.0f | %.0f | %.2f | %.2f-%.2f |"
          % (test, depth, rm, sm, sm / rm, min(ratios), max(ratios)))
EOF
