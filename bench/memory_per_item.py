#!/usr/bin/env python3
"""Memory per item: loads the same N keys (key:%012d) with V-byte values into redis-server and
shoald, pipelined over a raw socket, and reports resident memory (VmRSS from /proc/PID/status)
per item for each, plus the Shoal/Redis ratio (target: <= 0.8).

usage: /usr/bin/python3 bench/memory_per_item.py SHOALD_PATH [--keys N] [--value-bytes V]
  SHOALD_PATH may be the word "redis": a second redis-server takes Shoal's seat (a self-check of
  this script; the ratio should then be about 1.0).

Both servers run with persistence off and no memory limit low enough to evict (shoald gets
--maxmemory 0, i.e. unbounded, unless --shoal-args says otherwise); the script checks DBSIZE == N
on each, so an eviction cannot pass for a small footprint. Servers are stopped on exit whatever
happens. Only the Python standard library is used.
"""

import argparse
import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PROCS = []


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


atexit.register(cleanup)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""

    def recv_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(max(1 << 20, n - len(self.buf)))
            if not chunk:
                raise RuntimeError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def call(self, *args):
        self.sock.sendall(encode(*args))
        head = self.line()
        if head[:1] == b"$":
            n = int(head[1:])
            return None if n < 0 else self.recv_exact(n + 2)[:-2]
        if head[:1] == b":":
            return int(head[1:])
        if head[:1] == b"-":
            raise RuntimeError(head.decode())
        return head[1:].decode()


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def wait_ping(port, proc, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            c = Conn(port)
            if c.call("PING") == "PONG":
                c.sock.close()
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server on port %d does not answer PING" % port)


def start_redis(workdir):
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", workdir,
                             "--protected-mode", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    PROCS.append(proc)
    wait_ping(port, proc)
    return proc, port


def start_shoal(path, extra, workdir):
    log = os.path.join(workdir, "shoald.log")
    with open(log, "wb") as out:
        proc = subprocess.Popen([path, "--bind", "127.0.0.1", "--port", "0"] + extra,
                                stdout=out, stderr=subprocess.STDOUT)
    PROCS.append(proc)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with open(log, "rb") as f:
            m = re.search(rb"shoald listening on [0-9.]+:([0-9]+)", f.read())
        if m:
            port = int(m.group(1))
            wait_ping(port, proc)
            return proc, port
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    with open(log, "rb") as f:
        sys.stderr.write(f.read().decode(errors="replace"))
    raise RuntimeError("shoald did not start")


def used_memory(conn):
    info = conn.call("INFO", "memory").decode()
    m = re.search(r"(?m)^used_memory:(\d+)", info)
    return int(m.group(1)) if m else None


def load(port, keys, value_bytes, batch=10000):
    c = Conn(port)
    ok = b"+OK\r\n"
    for start in range(0, keys, batch):
        end = min(keys, start + batch)
        parts = []
        for i in range(start, end):
            key = b"key:%012d" % i
            value = (key * (value_bytes // len(key) + 1))[:value_bytes]
            parts.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                         % (len(key), key, value_bytes, value))
        c.sock.sendall(b"".join(parts))
        replies = c.recv_exact(len(ok) * (end - start))
        if replies != ok * (end - start):
            raise RuntimeError("unexpected reply while loading: %r" % replies[:80])
    return c


def measure(name, proc, port, keys, value_bytes):
    time.sleep(0.2)
    c0 = Conn(port)
    rss0, used0 = rss(proc.pid), used_memory(c0)
    start = time.monotonic()
    c = load(port, keys, value_bytes)
    elapsed = time.monotonic() - start
    time.sleep(0.5)  # let background work (rehashing, frees) settle
    rss1, used1 = rss(proc.pid), used_memory(c)
    dbsize = c.call("DBSIZE")
    sample = c.call("GET", "key:%012d" % (keys // 2))
    if dbsize != keys or sample is None or len(sample) != value_bytes:
        raise RuntimeError("%s holds %s keys after loading %d (eviction?)" % (name, dbsize, keys))
    return {
        "name": name,
        "rss_before": rss0,
        "rss_after": rss1,
        "per_item_rss": (rss1 - rss0) / keys,
        "per_item_used": (used1 - used0) / keys if used0 is not None and used1 is not None
        else None,
        "load_s": elapsed,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shoald", help="path to shoald, or 'redis' for a self-check")
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--value-bytes", type=int, default=100)
    ap.add_argument("--shoal-args", default="--maxmemory 0",
                    help="extra shoald flags (default: %(default)s)")
    args = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="shoal-mem-")
    try:
        redis_proc, redis_port = start_redis(workdir)
        if args.shoald == "redis":
            shoal_proc, shoal_port = start_redis(workdir)
            shoal_desc = "redis-server (self-check)"
        else:
            shoal_proc, shoal_port = start_shoal(args.shoald, args.shoal_args.split(), workdir)
            shoal_desc = args.shoald
        print("loading %d keys (key:%%012d) with %d-byte values into each server..."
              % (args.keys, args.value_bytes), file=sys.stderr)
        r = measure("redis", redis_proc, redis_port, args.keys, args.value_bytes)
        s = measure("shoal", shoal_proc, shoal_port, args.keys, args.value_bytes)
    finally:
        cleanup()
        shutil.rmtree(workdir, ignore_errors=True)

    version = subprocess.run(["redis-server", "--version"], capture_output=True,
                             text=True).stdout.strip()
    print("## Memory per item: %d keys, %d-byte values" % (args.keys, args.value_bytes))
    print()
    print("- %s vs %s" % (version.split(" sha=")[0], shoal_desc))
    print("- RSS = VmRSS from /proc/PID/status, after minus before loading, divided by keys")
    print()
    print("| server | RSS before (MB) | RSS after (MB) | bytes/item (RSS) | "
          "bytes/item (used_memory) | load time (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for m in (r, s):
        used = "%.1f" % m["per_item_used"] if m["per_item_used"] is not None else "n/a"
        print("| %s | %.1f | %.1f | %.1f | %s | %.2f |"
              % (m["name"], m["rss_before"] / 2**20, m["rss_after"] / 2**20,
                 m["per_item_rss"], used, m["load_s"]))
    ratio = s["per_item_rss"] / r["per_item_rss"]
    print()
    print("Shoal/Redis bytes per item (RSS): %.2f (target <= 0.80: %s)"
          % (ratio, "met" if ratio <= 0.8 else "NOT met"))


if __name__ == "__main__":
    main()
