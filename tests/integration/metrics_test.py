"""/metrics end to end: shoald with --metrics-port 0, scraped over HTTP and parsed with the official
Prometheus text parser (Debian's python3-prometheus-client).

  - every line is valid exposition text, every family typed once;
  - counters move by exactly the traffic sent (hits, misses, commands, errors), histogram buckets
    are monotonic and _count equals the commands sent;
  - during a redis-benchmark run the counters move and the histogram fills (acceptance 1);
  - the hot-key gauge names the hot key, binary bytes escaped as redis-cli quotes them;
  - a metrics client that stalls mid-request holds up neither RESP clients nor other scrapes.

Snapshots are published once per tick (100 ms): checks poll until the counts they wait for show,
then compare exactly.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402

from prometheus_scrape import Scrape, run_known_traffic  # noqa: E402

POLL_TIMEOUT_S = 10.0
SAMPLE_LINE = re.compile(
    r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
    r'(-?[0-9.e+-]+|\+Inf|-Inf|NaN)$')


def repr_bytes(data):
    """A key as redis-cli quotes it (Redis sdscatrepr, without the quotes)."""
    out = []
    for b in data:
        c = chr(b)
        if c in '\\"':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == "\a":
            out.append("\\a")
        elif c == "\b":
            out.append("\\b")
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append("\\x%02x" % b)
    return "".join(out)


class MetricsTest(ServerTestCase):
    SHOAL_ONLY = True
    # Hot keys sampled densely (the default is one keyed command in 128) so the estimates of a
    # few thousand accesses are tight.
    SERVER_FLAGS = {"metrics_port": 0, "hotkeys_sample_every": 4}

    def url(self, path="/metrics"):
        return "http://127.0.0.1:%d%s" % (self.server.metrics_port, path)

    def scrape(self):
        s, headers = Scrape.fetch(self.url())
        self.assertEqual(headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        return s

    def scrape_until(self, done):
        deadline = time.monotonic() + POLL_TIMEOUT_S
        while True:
            s = self.scrape()
            if done(s) or time.monotonic() > deadline:
                return s
            time.sleep(0.05)

    def test_every_line_is_valid_exposition(self):
        c = self.server.client()
        c.set("valid:k", "v")
        c.get("valid:k")
        c.get("valid:nope")
        c.close()
        s = self.scrape_until(lambda s: s.get("shoal_commands_total", cmd="get") >= 2)
        typed = []
        for line in s.text.splitlines():
            if line.startswith("# HELP "):
                continue
            if line.startswith("# TYPE "):
                name, kind = line[7:].split(" ")
                self.assertIn(kind, ("counter", "gauge", "histogram"), line)
                self.assertNotIn(name, typed, "family typed twice: " + name)
                typed.append(name)
                continue
            self.assertRegex(line, SAMPLE_LINE)
            self.assertTrue(line.startswith(typed[-1]), "%r outside its family" % line)
        for name in ("shoal_keyspace_hits_total", "shoal_keyspace_misses_total",
                     "shoal_evicted_keys_total", "shoal_expired_keys_total",
                     "shoal_connected_clients", "shoal_memory_used_bytes",
                     "shoal_memory_max_bytes", "shoal_commands_total",
                     "shoal_commands_duration_seconds_total", "shoal_errors_total",
                     "shoal_db_keys", "shoal_command_duration_seconds"):
            self.assertIn(name, typed)
        kinds = {f.name: f.type for f in s.families}
        self.assertEqual(kinds["shoal_command_duration_seconds"], "histogram")
        self.assertEqual(kinds["shoal_keyspace_hits"], "counter")  # the parser drops _total
        self.assertEqual(kinds["shoal_connected_clients"], "gauge")

    def test_counters_move_by_exactly_the_traffic(self):
        before = self.scrape()
        sets, hits, misses = 50, 30, 20
        c = self.server.client()
        run_known_traffic(c, "exact", sets, hits, misses)
        c.close()
        gets = hits + misses

        def after_traffic(s):
            return (s.get("shoal_commands_total", cmd="incr")
                    == before.get("shoal_commands_total", cmd="incr") + 1)
        after = self.scrape_until(after_traffic)

        def delta(name, **labels):
            return after.get(name, **labels) - before.get(name, **labels)
        self.assertEqual(delta("shoal_keyspace_hits_total"), hits)
        self.assertEqual(delta("shoal_keyspace_misses_total"), misses)
        self.assertEqual(delta("shoal_commands_total", cmd="set"), sets)
        self.assertEqual(delta("shoal_commands_total", cmd="get"), gets)
        self.assertEqual(delta("shoal_commands_total", cmd="incr"), 1)
        self.assertEqual(delta("shoal_commands_failed_calls_total", cmd="incr"), 1)
        self.assertEqual(delta("shoal_errors_total", err="ERR"), 1)
        self.assertEqual(delta("shoal_commands_processed_total"), sets + gets + 1)
        self.assertEqual(delta("shoal_db_keys", db="db0"), sets)
        for cmd, sent in (("get", gets), ("set", sets)):
            count = "shoal_command_duration_seconds_count"
            self.assertEqual(delta(count, cmd=cmd), sent)
            # Every executed command is timed: _count is the command counter itself.
            self.assertEqual(after.get(count, cmd=cmd), after.get("shoal_commands_total", cmd=cmd))
            buckets = after.buckets("shoal_command_duration_seconds", cmd=cmd)
            self.assertEqual(buckets[0][0], 1e-6)
            self.assertEqual(buckets[-1][0], float("inf"))
            self.assertEqual([b for b in buckets if b[0] == 1.0][0][0], 1.0)
            counts = [v for _, v in buckets]
            self.assertEqual(counts, sorted(counts), "buckets not monotonic: %r" % buckets)
            self.assertEqual(counts[-1], after.get(count, cmd=cmd))
            self.assertGreater(after.get("shoal_command_duration_seconds_sum", cmd=cmd), 0)

    def test_counters_move_and_histogram_fills_during_a_benchmark(self):
        before = self.scrape()
        requests = 20000
        bench = subprocess.Popen(
            ["redis-benchmark", "-p", str(self.server.port), "-t", "set,get", "-n",
             str(requests), "-c", "10", "-r", "1000", "-q"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen = []
        try:
            while bench.poll() is None:
                s = self.scrape()
                seen.append(s.get("shoal_commands_processed_total"))
                time.sleep(0.1)
        finally:
            if bench.poll() is None:
                bench.kill()
            bench.wait()
        self.assertEqual(bench.returncode, 0)
        self.assertEqual(seen, sorted(seen), "a counter went back")
        # redis-benchmark sends CONFIG GET first; SET and GET each `requests` times.
        target = before.get("shoal_command_duration_seconds_count", cmd="get") + requests
        after = self.scrape_until(
            lambda s: s.get("shoal_command_duration_seconds_count", cmd="get") >= target)
        self.assertEqual(after.get("shoal_command_duration_seconds_count", cmd="get"), target)
        self.assertEqual(after.get("shoal_commands_total", cmd="set")
                         - before.get("shoal_commands_total", cmd="set"), requests)
        self.assertGreater(len(set(seen)), 1, "no scrape saw the counters move: %r" % seen)

    def test_hot_key_gauge_escapes_binary_keys(self):
        hot = b'hot\xff"\n\\key'
        c = self.server.client()
        c.execute_command("HOTKEYS", "RESET")
        c.set(hot, "v")
        p = c.pipeline(transaction=False)
        for i in range(300):
            p.set(b"cold:%d" % i, "v")
        for _ in range(4000):
            p.get(hot)
        p.execute()
        top = c.execute_command("HOTKEYS", "GET", "1")
        c.close()
        self.assertEqual(top[0][0], hot)
        self.assertGreater(top[0][1], 4000 * 0.85)
        self.assertLess(top[0][1], 4001 * 1.15)
        label = repr_bytes(hot)
        s = self.scrape_until(lambda s: s.get("shoal_hot_key_accesses", key=label) > 0)
        self.assertAlmostEqual(s.get("shoal_hot_key_accesses", key=label), 4000, delta=600)
        self.assertIn('key="hot\\\\xff\\\\\\"\\\\n\\\\\\\\key"', s.text)  # ASCII on the wire

    def test_a_stalled_metrics_client_blocks_nobody(self):
        stalled = socket.create_connection(("127.0.0.1", self.server.metrics_port))
        stalled.sendall(b"GET /metr")  # and never the rest
        try:
            with self.server.raw(timeout=5) as r:
                for _ in range(20):
                    self.assertEqual(r.call("PING"), "PONG")
            self.assertGreater(len(self.scrape().families), 10)
        finally:
            stalled.close()

    def test_other_paths(self):
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(self.url("/nope"), timeout=10)
        self.assertEqual(e.exception.code, 404)
        with urllib.request.urlopen(self.url("/"), timeout=10) as response:
            self.assertIn(b"/metrics", response.read())


if __name__ == "__main__":
    harness.main()
