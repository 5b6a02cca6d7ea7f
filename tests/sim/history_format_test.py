#!/usr/bin/env python3
"""The history export of crash-mix and single-mix seeds is in the format docs/simulation.md
documents.

Parses `shoal-sim --seed N --faults MIX --history FILE` with Python's own JSON parser (not
ours), checks every field's type and the rules between them, then checks that
`shoal-sim --check-history` accepts the file and rejects it once a read is made to return a value
nobody wrote.

Usage: history_format_test.py --sim PATH/TO/shoal-sim
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

OP_KEYS = {"client", "key", "op", "value", "ttl_ms", "invoke_us", "complete_us", "result",
           "read_value"}
OPTIONAL_KEYS = {"condition", "refused", "expire_at_us", "keepttl", "id"}
# (mix, seed): crash 7 has crashes while operations are pending; single is the failover mix.
SEEDS = [("crash", 3), ("crash", 7), ("crash", 11), ("crash", 19), ("single", 3)]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_op(n, op):
    keys = set(op)
    if not OP_KEYS <= keys:
        fail(f"line {n}: missing {sorted(OP_KEYS - keys)}")
    if keys - OP_KEYS - OPTIONAL_KEYS:
        fail(f"line {n}: unknown members {sorted(keys - OP_KEYS - OPTIONAL_KEYS)}")
    if not is_int(op["client"]) or op["client"] < 0:
        fail(f"line {n}: client {op['client']!r}")
    if not isinstance(op["key"], str) or not op["key"]:
        fail(f"line {n}: key {op['key']!r}")
    if op["op"] not in ("get", "set", "del"):
        fail(f"line {n}: op {op['op']!r}")
    if op["result"] not in ("ok", "miss", "fail", "unknown"):
        fail(f"line {n}: result {op['result']!r}")
    if not is_int(op["invoke_us"]) or op["invoke_us"] < 0:
        fail(f"line {n}: invoke_us {op['invoke_us']!r}")
    if op["result"] == "unknown":
        pass  # a pending op has complete_us null; one that timed out has its time
    if op["complete_us"] is None:
        if op["result"] != "unknown":
            fail(f"line {n}: complete_us null but result {op['result']}")
    elif not is_int(op["complete_us"]) or op["complete_us"] < op["invoke_us"]:
        fail(f"line {n}: complete_us {op['complete_us']!r} before invoke_us")
    if op["op"] == "set":
        if not isinstance(op["value"], str):
            fail(f"line {n}: a set without its value")
    elif op["value"] is not None:
        fail(f"line {n}: a {op['op']} with a value")
    if op["ttl_ms"] is not None and (op["op"] != "set" or not is_int(op["ttl_ms"])):
        fail(f"line {n}: ttl_ms {op['ttl_ms']!r} on a {op['op']}")
    if op["result"] == "miss" and op["op"] != "get":
        fail(f"line {n}: a miss that is not a get")
    if op["op"] == "get" and op["result"] == "ok":
        if not isinstance(op["read_value"], str):
            fail(f"line {n}: an ok get without read_value")
    elif op["read_value"] is not None:
        fail(f"line {n}: read_value on a {op['op']} that is {op['result']}")


def check_meta(meta):
    if set(meta) - {"clock_skew_bound_ms", "evictions", "all_copies_lost", "evicted"}:
        fail(f"meta: unknown members {sorted(meta)}")
    if not is_int(meta.get("clock_skew_bound_ms")) or meta["clock_skew_bound_ms"] <= 0:
        fail("meta: clock_skew_bound_ms")
    if not is_int(meta.get("evictions")) or meta["evictions"] < 0:
        fail("meta: evictions")
    if not isinstance(meta.get("all_copies_lost"), list):
        fail("meta: all_copies_lost")
    for lost in meta["all_copies_lost"]:
        if not isinstance(lost.get("key"), str) or not is_int(lost.get("at_us")):
            fail(f"meta: all_copies_lost entry {lost!r}")


def check_file(path):
    with open(path) as f:
        lines = f.read().splitlines()
    if len(lines) < 2:
        fail(f"{path}: {len(lines)} lines")
    ops = []
    for n, line in enumerate(lines[:-1], start=1):
        try:
            op = json.loads(line)
        except json.JSONDecodeError as e:
            fail(f"line {n}: not JSON: {e}")
        if not isinstance(op, dict) or "meta" in op:
            fail(f"line {n}: not an operation (the meta line must be last)")
        check_op(n, op)
        ops.append(op)
    last = json.loads(lines[-1])
    if set(last) != {"meta"}:
        fail("the last line is not the meta object")
    check_meta(last["meta"])
    values = [op["value"] for op in ops if op["op"] == "set"]
    if len(values) != len(set(values)):
        fail("a value written twice: set values must be unique")
    return ops, last["meta"]


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sim", required=True)
    args = parser.parse_args()
    seen = {"get": 0, "set": 0, "del": 0, "ok": 0, "miss": 0, "unknown": 0, "ttl": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for mix, seed in SEEDS:
            path = os.path.join(tmp, f"h-{mix}-{seed}.jsonl")
            r = run([args.sim, "--seed", str(seed), "--faults", mix, "--history", path])
            if r.returncode != 0:
                fail(f"seed {seed}: shoal-sim exited {r.returncode}: {r.stdout}{r.stderr}")
            ops, _ = check_file(path)
            for op in ops:
                seen[op["op"]] += 1
                seen[op["result"]] = seen.get(op["result"], 0) + 1
                seen["ttl"] += op["ttl_ms"] is not None
            r = run([args.sim, "--check-history", path])
            if r.returncode != 0 or "violations=0" not in r.stdout:
                fail(f"seed {seed}: check-history rejected the simulator's own history: "
                     f"{r.stdout}{r.stderr}")
            # A read of a value nobody wrote must be caught by the checker reading the file.
            with open(path) as f:
                lines = f.read().splitlines()
            for i, line in enumerate(lines[:-1]):
                op = json.loads(line)
                if op["op"] == "get" and op["result"] == "ok":
                    op["read_value"] = "never-written"
                    lines[i] = json.dumps(op)
                    break
            else:
                fail(f"seed {seed}: no ok get to corrupt")
            bad = os.path.join(tmp, f"bad-{mix}-{seed}.jsonl")
            with open(bad, "w") as f:
                f.write("\n".join(lines) + "\n")
            r = run([args.sim, "--check-history", bad])
            if r.returncode == 0:
                fail(f"seed {seed}: check-history accepted a read of a never-written value")
        # Malformed input is an error with its line, not a crash.
        broken = os.path.join(tmp, "broken.jsonl")
        with open(broken, "w") as f:
            f.write('{"client": 1, "key": \n')
        r = run([args.sim, "--check-history", broken])
        if r.returncode == 0 or r.returncode < 0 or "line 1" not in (r.stdout + r.stderr):
            fail(f"malformed file: rc={r.returncode} {r.stdout}{r.stderr}")
    for what in ("get", "set", "del", "ok", "miss", "unknown", "ttl"):
        if seen[what] == 0:
            fail(f"the seeds produced no '{what}' operation: pick other seeds")
    print("ok: " + " ".join(f"{k}={v}" for k, v in sorted(seen.items())))


if __name__ == "__main__":
    main()
