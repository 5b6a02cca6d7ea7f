#!/usr/bin/env bash
# shoal-bench beside redis-benchmark, and Shoal beside Redis under shoal-bench, then open-loop
# latency at fractions of the measured peak. Prints markdown tables; every figure is from this one
# run, and the ratios are what to quote (client and server share the machine's cores).
#
#   bench/shoal_bench/compare.sh build/bin              # shoald and shoal-bench from that dir
#   ROUNDS=5 N=200000 DURATION=10 bench/shoal_bench/compare.sh build/bin
#
# 1. Tools, same load, same shoald, alternating who goes first each round:
#    redis-benchmark -t set|get -n N -c 50 -P 1 -r 100000 -d 100 (its --csv line) and
#    shoal-bench --requests N --connections 50 --pipeline 1 --keys 100000 --value-size 100 with
#    --read-ratio 0 (SET) or 1 (GET). Medians over ROUNDS; ratio shoal-bench / redis-benchmark,
#    and the CPU per request of each tool (getrusage) and of shoald (/proc/PID/stat).
# 2. Servers, same shoal-bench load (50% GET, closed loop, N requests), shoald and redis-server
#    alternately. Medians over ROUNDS; ratio Shoal / Redis.
# 3. Peak: shoal-bench closed loop against shoald, 50 connections, pipeline 1, 50% GET,
#    DURATION seconds. Then open loop (--rate) at 50% and 90% of that peak, same mix, DURATION
#    seconds, against shoald and then redis-server: p50/p99/p99.9 measured from each request's
#    intended send time (no coordinated omission).
set -euo pipefail
BIN=${1:-build/bin}
ROUNDS=${ROUNDS:-3}
N=${N:-200000}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-50}
SHOALD=$BIN/shoald
BENCH=$BIN/shoal-bench
[ -x "$SHOALD" ] && [ -x "$BENCH" ] || { echo "need $SHOALD and $BENCH" >&2; exit 2; }
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null ||
  { echo "need redis-server and redis-benchmark (Debian redis-server, redis-tools)" >&2; exit 2; }
WORK=$(mktemp -d)
SHOALD_PID="" REDIS_PID=""
cleanup() {
  [ -n "$SHOALD_PID" ] && kill "$SHOALD_PID" 2>/dev/null || true
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$SHOALD" --port 0 >"$WORK/shoald.log" 2>&1 &
SHOALD_PID=$!
for _ in $(seq 200); do grep -q 'listening on' "$WORK/shoald.log" && break; sleep 0.05; done
SPORT=$(grep -o 'listening on [0-9.]*:[0-9]*' "$WORK/shoald.log" | head -1 | sed 's/.*://')
RPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 200); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
for port in "$SPORT" "$RPORT"; do  # warm-up, and the key space filled for GETs
  redis-benchmark -p "$port" -t set,get -n 50000 -c "$CLIENTS" -r 100000 -d 100 -q >/dev/null
done

json() { python3 -c "import json,sys; d=json.load(open('$1')); print($2)"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }

# CPU seconds (user + system) of a command, into file $1; the command's output passes through.
cpu() {
  python3 -c 'import resource, subprocess, sys
p = subprocess.run(sys.argv[2:])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%f" % (r.ru_utime + r.ru_stime))
sys.exit(p.returncode)' "$@"
}
# CPU seconds a server process has used so far (/proc/PID/stat utime + stime, in clock ticks).
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%f", ($14 + $15) / hz}' "/proc/$1/stat"; }
# "tool-us server-us": CPU microseconds per request of the load generator and of shoald.
per_request() {
  python3 -c "print('%.2f %.2f' % ($(cat "$WORK/cpu") * 1e6 / $N, ($2 - $1) * 1e6 / $N))"
}
# rb PORT TEST -> "rps p50 p99 tool-us server-us" (ms; CPU per request, server = shoald)
rb() {
  local before after line
  before=$(server_cpu "$SHOALD_PID")
  line=$(cpu "$WORK/cpu" redis-benchmark -p "$1" -t "$2" -n "$N" -c "$CLIENTS" -P 1 -r 100000 \
    -d 100 --csv | awk -F, -v t="${2^^}" '{gsub(/"/, "")} $1 == t {print $2, $5, $7}')
  after=$(server_cpu "$SHOALD_PID")
  echo "$line $(per_request "$before" "$after")"
}
# sbc PORT READ_RATIO -> what sb prints, then "tool-us server-us" (shoald's CPU per request)
sbc() {
  local before after line
  before=$(server_cpu "$SHOALD_PID")
  line=$(cpu "$WORK/cpu" "$BENCH" --target "127.0.0.1:$1" --connections "$CLIENTS" --keys 100000 \
    --value-size 100 --read-ratio "$2" --requests "$N" --quiet --json "$WORK/sb.json" >/dev/null &&
    sb_figures)
  after=$(server_cpu "$SHOALD_PID")
  echo "$line $(per_request "$before" "$after")"
}
# sb PORT READ_RATIO [flags] -> "rps p50 p99 p99.9 max errors" (ms)
sb() {
  local port=$1 ratio=$2
  shift 2
  "$BENCH" --target "127.0.0.1:$port" --connections "$CLIENTS" --keys 100000 --value-size 100 \
    --read-ratio "$ratio" --quiet --json "$WORK/sb.json" "$@" >/dev/null
  sb_figures
}
sb_figures() {
  json "$WORK/sb.json" "'%.0f %.3f %.3f %.3f %.3f %d' % (d['ops_per_s'], d['latency_ms']['p50'], \
d['latency_ms']['p99'], d['latency_ms']['p99.9'], d['latency_ms']['max'], d['errors']['total'])"
}
col() { cut -d' ' -f"$1" "$2" | median; }

echo "shoal-bench vs redis-benchmark; $(nproc) cores shared by client and server; $(date -u +%FT%TZ)"
echo "shoald: $SHOALD; redis: $(redis-server --version | awk '{print $3}')"

# --- 1. the tools, one server -------------------------------------------------------------------
for test in set get; do
  ratio=$([ $test = set ] && echo 0 || echo 1)
  : >"$WORK/rb_$test"
  : >"$WORK/sb_$test"
  for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then
      rb "$SPORT" $test >>"$WORK/rb_$test"
      sbc "$SPORT" $ratio >>"$WORK/sb_$test"
    else
      sbc "$SPORT" $ratio >>"$WORK/sb_$test"
      rb "$SPORT" $test >>"$WORK/rb_$test"
    fi
  done
done
echo
echo "## 1. Same load on one shoald: redis-benchmark vs shoal-bench"
echo "(-c $CLIENTS -P 1 -n $N -r 100000 -d 100, closed loop; medians of $ROUNDS alternating rounds)"
echo
echo "CPU us/req: CPU microseconds per request, of the load generator itself (tool) and of shoald"
echo "(server), from getrusage and /proc/PID/stat: steadier than ops/s on a shared machine."
echo
echo "| test | rb ops/s | sb ops/s | sb/rb | rb p50 / p99 ms | sb p50 / p99 ms | tool CPU us/req rb; sb (sb/rb) | server CPU us/req rb; sb | rounds ops/s rb; sb |"
echo "|---|---:|---:|---:|---|---|---|---|---|"
for test in set get; do
  r=$WORK/rb_$test s=$WORK/sb_$test
  echo "| ${test^^} | $(col 1 "$r") | $(col 1 "$s") | $(ratio "$(col 1 "$s")" "$(col 1 "$r")") |" \
    "$(col 2 "$r") / $(col 3 "$r") | $(col 2 "$s") / $(col 3 "$s") |" \
    "$(col 4 "$r"); $(col 7 "$s") ($(ratio "$(col 7 "$s")" "$(col 4 "$r")")) |" \
    "$(col 5 "$r"); $(col 8 "$s") |" \
    "$(cut -d' ' -f1 "$r" | tr '\n' ' ');$(cut -d' ' -f1 "$s" | tr '\n' ' ') |"
done

# --- 2. the servers, one tool -------------------------------------------------------------------
: >"$WORK/s_shoal"
: >"$WORK/s_redis"
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then
    sb "$SPORT" 0.5 --requests "$N" >>"$WORK/s_shoal"
    sb "$RPORT" 0.5 --requests "$N" >>"$WORK/s_redis"
  else
    sb "$RPORT" 0.5 --requests "$N" >>"$WORK/s_redis"
    sb "$SPORT" 0.5 --requests "$N" >>"$WORK/s_shoal"
  fi
done
echo
echo "## 2. Same shoal-bench load on shoald and on redis-server"
echo "(--connections $CLIENTS --pipeline 1 --requests $N --keys 100000 --value-size 100 --read-ratio 0.5; medians of $ROUNDS alternating rounds)"
echo
echo "| server | ops/s | p50 ms | p99 ms | p99.9 ms | errors | per-round ops/s |"
echo "|---|---:|---:|---:|---:|---:|---|"
for server in shoal redis; do
  f=$WORK/s_$server
  echo "| $server | $(col 1 "$f") | $(col 2 "$f") | $(col 3 "$f") | $(col 4 "$f") | $(col 6 "$f") |" \
    "$(cut -d' ' -f1 "$f" | tr '\n' ' ')|"
done
echo
echo "Shoal/Redis ops/s: $(ratio "$(col 1 "$WORK/s_shoal")" "$(col 1 "$WORK/s_redis")")"

# --- 3. open loop at fractions of the peak ------------------------------------------------------
sb "$SPORT" 0.5 --duration "$DURATION" >"$WORK/peak"
PEAK=$(cut -d' ' -f1 "$WORK/peak")
echo
echo "## 3. Open loop at fractions of shoald's closed-loop peak"
echo "(peak $PEAK ops/s: shoal-bench, $CLIENTS connections, pipeline 1, 50% GET, ${DURATION} s; open-loop runs"
echo "use the same mix for ${DURATION} s each, latency from the intended send time)"
echo
echo "| server | offered | achieved ops/s | p50 ms | p99 ms | p99.9 ms | max ms | errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for pct in 50 90; do
  RATE=$((PEAK * pct / 100))
  for server in shoal redis; do
    port=$([ $server = shoal ] && echo "$SPORT" || echo "$RPORT")
    read -r ops p50 p99 p999 max errors < <(sb "$port" 0.5 --rate "$RATE" --duration "$DURATION")
    echo "| $server | $pct% ($RATE/s) | $ops | $p50 | $p99 | $p999 | $max | $errors |"
  done
done
