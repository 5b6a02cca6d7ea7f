#!/usr/bin/env bash
# What observability costs the cache (issue 13), measured side by side in one run:
#
#  (a) p99 latency of a steady redis-benchmark load (1 M keys loaded first, -r 1000000, -c 200,
#      GET and SET, -P 1) on one shoald, with a scraper reading /metrics at 10 Hz and without it,
#      alternating; medians of redis-benchmark's p50/p99 and ops/s, and the with/without ratios.
#  (b) the latency histogram's cost: two shoald side by side, --latency-tracking yes (a clock read
#      and a histogram record per command) and --latency-tracking no, started afresh every round,
#      the same redis-benchmark run against each in turn at -P 1 and -P 16; server CPU per request from utime+stime in
#      /proc/PID/stat (10 ms ticks) and from /proc/PID/schedstat (the Node thread's run time, ns),
#      around each run, divided by the requests; medians and the yes/no ratio. With
#      BENCH_BASELINE_SHOALD (a shoald built from the code before this work), a third server in
#      the same rotation gives the cost of all of it (counting, hot-key sampling, timing) as the
#      yes/baseline ratio.
#  (c) the same two settings counted by callgrind: user-space instructions per SET and per GET
#      (one connection, no pipelining, counters zeroed and dumped around each phase, as
#      bench/instructions_per_op.sh does). Repeatable to well under 1% where timing is not; with
#      the TSC clock a clock read is one instruction here (a clock_gettime fallback would become a
#      system call under valgrind and be undercounted).
#
# usage: bench/metrics_overhead.sh SHOALD_PATH
# environment:
#   BENCH_KEYS      keys loaded before (a)                      (default 1000000)
#   BENCH_N         requests per redis-benchmark run in (a)     (default 200000)
#   BENCH_CPU_N     requests per test per run in (b) at -P 1    (default 200000)
#   BENCH_CPU_N_PIPELINED  the same at -P 16                    (default 1000000)
#   BENCH_ROUNDS    rounds (each alternates who goes first)     (default 3)
#   BENCH_CLIENTS   connections in (a)                          (default 200)
#   BENCH_CPU_CLIENTS connections in (b)                        (default 50)
#   BENCH_DATA      value bytes                                 (default 100)
#   BENCH_PARTS     any of "a b c"                              (default "a b c"; c needs valgrind)
#   BENCH_CG_N      requests per phase in (c)                   (default 20000)
#   BENCH_BASELINE_SHOALD  optional: a shoald without this work, for (b)
# Every server and the scraper are stopped on exit (trap), whatever happens.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 SHOALD_PATH" >&2
  exit 2
fi
SHOALD=$1
KEYS=${BENCH_KEYS:-1000000}
N=${BENCH_N:-200000}
CPU_N=${BENCH_CPU_N:-200000}
CPU_N_PIPELINED=${BENCH_CPU_N_PIPELINED:-1000000}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-200}
CPU_CLIENTS=${BENCH_CPU_CLIENTS:-50}
DATA=${BENCH_DATA:-100}
PARTS=${BENCH_PARTS:-a b c}
CG_N=${BENCH_CG_N:-20000}
PY=/usr/bin/python3
HZ=$(getconf CLK_TCK)

WORK=$(mktemp -d /tmp/shoal-metrics-overhead.XXXXXX)
PIDS=()
SCRAPER_PID=""
cleanup() {
  [ -n "$SCRAPER_PID" ] && kill "$SCRAPER_PID" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do
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

log() { printf '[metrics_overhead] %s\n' "$*" >&2; }

wait_ping() { # port
  for _ in $(seq 200); do
    if [ "$(redis-cli -p "$1" ping 2>/dev/null)" = "PONG" ]; then return 0; fi
    sleep 0.05
  done
  log "server on port $1 does not answer PING"
  return 1
}

# start_shoald name flags... -> sets LAST_PID, LAST_PORT, LAST_METRICS_PORT (the binary is
# $SHOALD unless BINARY is set for the call)
start_shoald() {
  local name=$1
  shift
  "${BINARY:-$SHOALD}" --bind 127.0.0.1 --port 0 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  LAST_PORT=""
  for _ in $(seq 200); do
    LAST_PORT=$(sed -n 's/^shoald listening on [0-9.]*:\([0-9][0-9]*\)$/\1/p' "$WORK/$name.out")
    [ -n "$LAST_PORT" ] && break
    kill -0 "$LAST_PID" 2>/dev/null || { cat "$WORK/$name.err" >&2; exit 1; }
    sleep 0.05
  done
  [ -n "$LAST_PORT" ] || { log "$name printed no listening line"; exit 1; }
  LAST_METRICS_PORT=$(sed -n 's/^shoald metrics on [0-9.]*:\([0-9][0-9]*\)$/\1/p' "$WORK/$name.out")
  wait_ping "$LAST_PORT"
}

# utime+stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat; the command name
# in field 2 has no spaces for shoald).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The main (Node) thread's time on the CPU, in ns (first field of /proc/PID/schedstat).
run_ns() { awk '{print $1}' "/proc/$1/schedstat"; }

# bench port depth requests clients tests -> redis-benchmark --csv output on stdout
bench() {
  local out
  out=$(redis-benchmark -p "$1" -P "$2" -n "$3" -c "$4" -t "$5" -r "$KEYS" -d "$DATA" --csv 2>&1) ||
    { log "redis-benchmark failed:"; echo "$out" >&2; exit 1; }
  if echo "$out" | grep -qiE 'error|warn'; then
    log "redis-benchmark reported errors:"
    echo "$out" | grep -iE 'error|warn' | head -5 >&2
    exit 1
  fi
  echo "$out"
}

# Loads key:000000000000 .. key:(KEYS-1), the names redis-benchmark -r uses, with DATA-byte values.
preload() { # port
  $PY - "$KEYS" "$DATA" <<'EOF' | redis-cli -p "$1" --pipe >/dev/null
import sys
keys, data = int(sys.argv[1]), int(sys.argv[2])
value = b"x" * data
out = sys.stdout.buffer
chunk = []
for i in range(keys):
    key = b"key:%012d" % i
    chunk.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, data, value))
    if len(chunk) == 10000:
        out.write(b"".join(chunk))
        chunk = []
out.write(b"".join(chunk))
EOF
}

REPORT="$WORK/report.md"
: >"$REPORT"
echo "## Observability overhead: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $SHOALD" >>"$REPORT"
echo >>"$REPORT"

# --- (a) p99 with and without a 10 Hz /metrics scraper ------------------------------------------
if [[ " $PARTS " == *" a "* ]]; then
  start_shoald scraped --metrics-port 0
  A_PID=$LAST_PID
  A_PORT=$LAST_PORT
  A_METRICS=$LAST_METRICS_PORT
  [ -n "$A_METRICS" ] || { log "no metrics line"; exit 1; }
  log "(a) shoald pid $A_PID port $A_PORT metrics $A_METRICS; loading $KEYS keys"
  preload "$A_PORT"
  log "(a) dbsize $(redis-cli -p "$A_PORT" dbsize)"
  A_RESULTS="$WORK/a.txt"
  : >"$A_RESULTS"
  bench "$A_PORT" 1 20000 "$CLIENTS" set,get >/dev/null  # warm-up
  for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then order="without with"; else order="with without"; fi
    for mode in $order; do
      if [ "$mode" = with ]; then
        # The scraper: GET /metrics every 100 ms (a fixed schedule), counting answers and failures.
        $PY - "$A_METRICS" "$WORK/scrapes.$round" <<'EOF' &
import sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
ok = failed = 0
worst = 0.0
next_at = time.monotonic()
try:
    while True:
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=5) as r:
                body = r.read()
                ok += 1 if (r.status == 200 and b"shoal_commands_total" in body) else 0
        except Exception:
            failed += 1
        worst = max(worst, time.monotonic() - t0)
        with open(out, "w") as f:
            f.write("%d %d %.1f\n" % (ok, failed, worst * 1000))
        next_at += 0.1
        time.sleep(max(0.0, next_at - time.monotonic()))
except KeyboardInterrupt:
    pass
EOF
        SCRAPER_PID=$!
        sleep 0.3
      fi
      log "(a) round $round/$ROUNDS: $mode scraper"
      bench "$A_PORT" 1 "$N" "$CLIENTS" set,get | tail -n +2 | tr -d '"' |
        while IFS=, read -r test rps avg min p50 p95 p99 max; do
          echo "$mode $test $rps $p50 $p99" >>"$A_RESULTS"
        done
      if [ "$mode" = with ]; then
        kill "$SCRAPER_PID" 2>/dev/null || true
        wait "$SCRAPER_PID" 2>/dev/null || true
        SCRAPER_PID=""
        read -r ok failed worst <"$WORK/scrapes.$round"
        log "(a) scrapes: $ok answered, $failed failed, slowest ${worst} ms"
        echo "scrapes $ok $failed $worst" >>"$A_RESULTS"
        [ "$failed" -eq 0 ] || { log "a scrape failed"; exit 1; }
      fi
    done
  done
  {
    echo "### (a) p99 with and without a 10 Hz /metrics scraper"
    echo
    echo "- $KEYS keys loaded; redis-benchmark -t set,get -n $N -c $CLIENTS -P 1 -r $KEYS -d $DATA;" \
      "$ROUNDS rounds alternating"
    echo
    $PY - "$A_RESULTS" <<'EOF'
import statistics, sys
rows, scrapes = {}, []
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "scrapes":
        scrapes.append((int(f[1]), int(f[2]), float(f[3])))
        continue
    mode, test, rps, p50, p99 = f[0], f[1], float(f[2]), float(f[3]), float(f[4])
    rows.setdefault(test, {}).setdefault(mode, []).append((rps, p50, p99))
print("| test | p99 ms without | p99 ms with scraper | with/without p99 | per-round ratios |"
      " p50 ms without / with | ops/s without / with |")
print("|---|---:|---:|---:|---|---|---|")
for test in sorted(rows):
    wo, wi = rows[test]["without"], rows[test]["with"]
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    ratios = ["%.2f" % (b[2] / a[2]) for a, b in zip(wo, wi)]
    print("| %s | %.3f | %.3f | %.2f | %s | %.3f / %.3f | %.0f / %.0f |" % (
        test, med(wo, 2), med(wi, 2), med(wi, 2) / med(wo, 2), " ".join(ratios),
        med(wo, 1), med(wi, 1), med(wo, 0), med(wi, 0)))
if scrapes:
    print()
    print("- scrapes answered per round: %s; failed: %d; slowest scrape %.1f ms" % (
        " ".join(str(s[0]) for s in scrapes), sum(s[1] for s in scrapes),
        max(s[2] for s in scrapes)))
EOF
    echo
  } >>"$REPORT"
  kill -TERM "$A_PID" 2>/dev/null || true
fi

# --- (b) histogram cost: server CPU per request, --latency-tracking yes vs no ----------------------
if [[ " $PARTS " == *" b "* ]]; then
  WHO=(yes no)
  [ -n "${BENCH_BASELINE_SHOALD:-}" ] && WHO+=(baseline)
  B_RESULTS="$WORK/b.txt"
  : >"$B_RESULTS"
  declare -A B_PID B_PORT
  for round in $(seq "$ROUNDS"); do
    # Fresh processes every round: what one process happens to get (its heap layout, where its
    # pages landed) then varies from round to round instead of favouring one side every time.
    start_shoald "yes.$round" --latency-tracking yes
    B_PID[yes]=$LAST_PID B_PORT[yes]=$LAST_PORT
    start_shoald "no.$round" --latency-tracking no
    B_PID[no]=$LAST_PID B_PORT[no]=$LAST_PORT
    if [ -n "${BENCH_BASELINE_SHOALD:-}" ]; then
      BINARY=$BENCH_BASELINE_SHOALD start_shoald "baseline.$round"
      B_PID[baseline]=$LAST_PID B_PORT[baseline]=$LAST_PORT
    fi
    for who in "${WHO[@]}"; do bench "${B_PORT[$who]}" 16 100000 "$CPU_CLIENTS" set,get >/dev/null; done
    for depth in 1 16; do
      # Rotate who goes first each round so neither always runs on a warmer machine.
      shift_by=$(( (round - 1) % ${#WHO[@]} ))
      order=("${WHO[@]:$shift_by}" "${WHO[@]:0:$shift_by}")
      for who in "${order[@]}"; do
        pid=${B_PID[$who]}
        requests=$CPU_N
        [ "$depth" -eq 1 ] || requests=$CPU_N_PIPELINED
        log "(b) round $round/$ROUNDS: -P $depth, $who (pid $pid)"
        t0=$(cpu_ticks "$pid")
        r0=$(run_ns "$pid")
        bench "${B_PORT[$who]}" "$depth" "$requests" "$CPU_CLIENTS" set,get >/dev/null
        t1=$(cpu_ticks "$pid")
        r1=$(run_ns "$pid")
        # Two tests (SET, GET) of `requests` requests each.
        echo "$who $depth $(( t1 - t0 )) $(( r1 - r0 )) $(( 2 * requests ))" >>"$B_RESULTS"
      done
    done
    for who in "${WHO[@]}"; do kill -TERM "${B_PID[$who]}" 2>/dev/null || true; done
  done
  {
    echo "### (b) latency histogram cost: server CPU per request, --latency-tracking yes vs no"
    echo
    echo "- shoald side by side (${WHO[*]}; baseline: ${BENCH_BASELINE_SHOALD:-none}); redis-benchmark -t set,get -c $CPU_CLIENTS" \
      "-r $KEYS -d $DATA, -P 1 -n $CPU_N and -P 16 -n $CPU_N_PIPELINED; $ROUNDS rounds, rotating who" \
      "goes first, fresh processes each round"
    echo "- stat: (utime+stime) from /proc/PID/stat at $HZ ticks/s; schedstat: the Node thread's" \
      "run time from /proc/PID/schedstat"
    echo
    $PY - "$B_RESULTS" "$HZ" <<'EOF'
import statistics, sys
hz = float(sys.argv[2])
rows = {}
for line in open(sys.argv[1]):
    who, depth, ticks, ns, reqs = line.split()
    us_stat = int(ticks) / hz * 1e6 / int(reqs)
    us_sched = int(ns) / 1e3 / int(reqs)
    rows.setdefault(int(depth), {}).setdefault(who, []).append((us_stat, us_sched))
pairs = [("yes", "no")] + ([("yes", "baseline"), ("no", "baseline")]
                           if any("baseline" in r for r in rows.values()) else [])
print("| -P | server | stat us/req (median) | schedstat us/req (median) |")
print("|---:|---|---:|---:|")
for depth in sorted(rows):
    for who in ("yes", "no", "baseline"):
        if who in rows[depth]:
            v = rows[depth][who]
            print("| %d | %s | %.3f | %.3f |" % (depth, who, statistics.median(x[0] for x in v),
                                                statistics.median(x[1] for x in v)))
print()
print("| -P | ratio | stat (median) | stat per round | schedstat (median) | schedstat per round |")
print("|---:|---|---:|---|---:|---|")
for depth in sorted(rows):
    for a, b in pairs:
        x, y = rows[depth][a], rows[depth][b]
        cells = []
        for i in (0, 1):
            ma, mb = statistics.median(v[i] for v in x), statistics.median(v[i] for v in y)
            per = " ".join("%.3f" % (p[i] / q[i]) for p, q in zip(x, y))
            cells.append("%.3f | %s" % (ma / mb, per))
        print("| %d | %s/%s | %s | %s |" % (depth, a, b, cells[0], cells[1]))
EOF
    echo
  } >>"$REPORT"
fi

# --- (c) instructions per request under callgrind, --latency-tracking yes vs no ------------------
if [[ " $PARTS " == *" c "* ]]; then
  command -v valgrind >/dev/null || { log "(c) needs valgrind (apt-get install valgrind)"; exit 2; }
  C_RESULTS="$WORK/c.txt"
  : >"$C_RESULTS"
  for who in yes no; do
    port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$who.%p" --dump-instr=no \
      "$SHOALD" --bind 127.0.0.1 --port "$port" --latency-tracking "$who" \
      >"$WORK/cg.$who.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 200); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
    redis-benchmark -p "$port" -c 1 -n 2000 -t set,get -r 10000 -q >/dev/null  # warm up
    for depth in 1 16; do
      for op in set get; do
        callgrind_control -z "$pid" >/dev/null
        redis-benchmark -p "$port" -c 1 -P "$depth" -n "$CG_N" -t "$op" -r 10000 -d "$DATA" -q \
          >/dev/null
        callgrind_control -d "$op.$depth" "$pid" >/dev/null
        file=$(ls -t "$WORK"/cg."$who".* | grep -v '\.log$' | head -1)
        ir=$(grep -m1 '^summary:' "$file" | awk '{print $2}')
        echo "$who $op $depth $((ir / CG_N))" >>"$C_RESULTS"
        log "(c) latency-tracking $who: $op -P $depth: $((ir / CG_N)) instructions per request"
      done
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  {
    echo "### (c) user-space instructions per request (callgrind), --latency-tracking yes vs no"
    echo
    echo "- redis-benchmark -c 1 -P 1|16 -n $CG_N -r 10000 -d $DATA per phase"
    echo
    $PY - "$C_RESULTS" <<'EOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    who, op, depth, ir = line.split()
    rows.setdefault((op, int(depth)), {})[who] = int(ir)
print("| test | -P | instructions yes | instructions no | yes - no | yes/no |")
print("|---|---:|---:|---:|---:|---:|")
for op, depth in sorted(rows, key=lambda k: (k[1], k[0] != "set")):
    y, n = rows[(op, depth)]["yes"], rows[(op, depth)]["no"]
    print("| %s | %d | %d | %d | %d | %.3f |" % (op.upper(), depth, y, n, y - n, y / n))
EOF
    echo
  } >>"$REPORT"
fi

cat "$REPORT"
