#!/usr/bin/env bash
# Mutation score of the simulator (`./dev mutate`): applies each patch in tests/mutants/ to a
# temporary copy of the working tree, rebuilds shoal-sim there, and runs a fixed block of at most
# 3,000 seeds over several fault mixes, stopping at the first violation (or crash). A mutant is
# killed when some seed fails, survives when the whole block passes. A patch whose first lines
# say `Equivalent: <reason>` is listed but not counted. The unmodified copy runs the same block
# first: a failure there would make every kill meaningless, so it stops the run. A chunk of 100
# seeds that runs past 120 s (a livelock: normally about 2 s) counts as a kill.
#
# Usage: tests/mutants/run.sh [PATCH...]   (default: every tests/mutants/*.patch)
# Environment: SHOAL_JOBS (build parallelism), SHOAL_MUTATE_DIR (keep the copy there).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JOBS=${SHOAL_JOBS:-$(nproc)}
WORK=${SHOAL_MUTATE_DIR:-$(mktemp -d /tmp/shoal-mutate.XXXXXX)}
SIM="$WORK/build/bin/shoal-sim"
CHUNK=100
# The seed block: "ARGS|FIRST|LAST". 3,000 seeds in all.
BLOCK=(
  "--faults crash|1|600"
  "--faults brutal|1|600"
  "--faults network|1|500"
  "--replication 2 --nodes 3 --faults crash|1|300"
  "--faults calm|1|300"
  "--faults crash|601|1000"
  "--faults brutal|601|900"
)

log() { printf '[mutate] %s\n' "$*" >&2; }

patches=("$@")
[ ${#patches[@]} -eq 0 ] && patches=("$ROOT"/tests/mutants/*.patch)

log "copying the working tree to $WORK"
mkdir -p "$WORK/src"
(cd "$ROOT" && git ls-files -co --exclude-standard -z | tar -c --null -T - -f -) |
  (cd "$WORK/src" && tar -xmf -)  # -m: fresh mtimes, so a reused build rebuilds what changed
git -C "$WORK/src" init -q && git -C "$WORK/src" add -A >/dev/null &&
  git -C "$WORK/src" -c user.name=mutate -c user.email=mutate@localhost commit -qm base
cmake -S "$WORK/src" -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHOAL_BENCH=OFF \
  >/dev/null

build_sim() { cmake --build "$WORK/build" -j "$JOBS" --target shoal-sim >"$WORK/build.log" 2>&1; }

# Runs the block; prints "pass" or the first failure ("ARGS --seed N: reason").
run_block() {
  local entry args first last a b out rc
  for entry in "${BLOCK[@]}"; do
    IFS='|' read -r args first last <<<"$entry"
    for ((a = first; a <= last; a += CHUNK)); do
      b=$((a + CHUNK - 1 < last ? a + CHUNK - 1 : last))
      # shellcheck disable=SC2086
      out=$(timeout 120 "$SIM" --seeds "$a..$b" $args 2>&1) && rc=0 || rc=$?
      if [ $rc -ne 0 ]; then
        local why
        # The failing seed's summary line (or the assertion), not a progress line.
        why=$(grep -m1 -E 'VIOLATION|assertion failed|Assertion' <<<"$out" |
          sed -E 's/^(seed=[0-9]+).* (mix=[a-z]+).*/\1 \2/' | cut -c1-160)
        [ $rc -ge 124 ] && why="exit $rc (timeout or signal) ${why}"
        echo "$args --seeds $a..$b: ${why:-exit $rc}"
        return 0
      fi
    done
  done
  echo pass
}

log "building the unmodified copy"
build_sim || { cat "$WORK/build.log"; exit 1; }
log "baseline: the unmodified code must pass the block"
base=$(run_block)
if [ "$base" != pass ]; then
  log "baseline fails: $base"
  exit 1
fi

killed=0 survived=0 equivalent=0 broken=0
results=()
for p in "${patches[@]}"; do
  name=$(basename "$p" .patch)
  reason=$(grep -m1 -i '^Equivalent:' "$p" | cut -d: -f2- | sed 's/^ *//' || true)
  if [ -n "$reason" ]; then
    equivalent=$((equivalent + 1))
    results+=("$(printf '%-44s equivalent (%s)' "$name" "$reason")")
    continue
  fi
  if ! git -C "$WORK/src" apply "$p" 2>"$WORK/apply.log"; then
    broken=$((broken + 1))
    results+=("$(printf '%-44s DOES NOT APPLY: %s' "$name" "$(head -1 "$WORK/apply.log")")")
    continue
  fi
  start=$SECONDS
  if ! build_sim; then
    broken=$((broken + 1))
    results+=("$(printf '%-44s DOES NOT BUILD: %s' "$name" "$(grep -m1 error "$WORK/build.log")")")
  else
    verdict=$(run_block)
    if [ "$verdict" = pass ]; then
      survived=$((survived + 1))
      results+=("$(printf '%-44s SURVIVED the whole block (%d s)' "$name" $((SECONDS - start)))")
    else
      killed=$((killed + 1))
      results+=("$(printf '%-44s killed by %s (%d s)' "$name" "$verdict" $((SECONDS - start)))")
    fi
  fi
  log "${results[-1]}"
  git -C "$WORK/src" checkout -q -- . && git -C "$WORK/src" clean -qfd -e build
done

echo
echo "mutants:"
printf '  %s\n' "${results[@]}"
counted=$((killed + survived))
score=0
[ $counted -gt 0 ] && score=$((100 * killed / counted))
echo "killed=$killed survived=$survived equivalent=$equivalent broken=$broken score=${score}%"
[ -z "${SHOAL_MUTATE_DIR:-}" ] && rm -rf "$WORK"
[ $broken -eq 0 ] || exit 1
