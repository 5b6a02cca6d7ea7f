#!/usr/bin/env python3
"""shoal-bench (build/bin/shoal-bench, next to shoald) against a live server: closed loop and
open loop runs finish, report what they did, and their --json document holds the summary and
the per-second series; bad flags exit 2; against a 3-node Shoal cluster it routes every request
to its primary. Short runs: this checks the tool, not the server's speed.

Run: /usr/bin/python3 shoal_bench_test.py --shoald BUILD/bin/shoald   (or --redis: the same runs
against redis-server, the tool being a plain RESP client).
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_test  # noqa: E402
import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402


def bench_path():
    if os.environ.get("SHOAL_BENCH"):
        return os.environ["SHOAL_BENCH"]
    return os.path.join(os.path.dirname(harness.SHOALD_PATH or ""), "shoal-bench")


class ShoalBenchTest(ServerTestCase):
    def setUp(self):
        if not os.access(bench_path(), os.X_OK):
            self.skipTest("no shoal-bench at %s (built only with SHOAL_BENCH=ON)" % bench_path())

    def bench(self, *flags, expect=0):
        fd, path = tempfile.mkstemp(suffix=".json")
        os.close(fd)
        try:
            argv = [bench_path(), "--target", "127.0.0.1:%d" % self.server.port,
                    "--json", path] + list(flags)
            out = subprocess.run(argv, capture_output=True, timeout=120)
            self.assertEqual(out.returncode, expect, out.stderr.decode() + out.stdout.decode())
            with open(path) as f:
                text = f.read()
            return out.stdout.decode(), (json.loads(text) if text else None)
        finally:
            os.unlink(path)

    def test_closed_loop_by_request_count(self):
        out, doc = self.bench("--requests", "20000", "--connections", "8", "--pipeline", "4",
                              "--read-ratio", "0.5", "--keys", "1000", "--quiet")
        self.assertIn("throughput:", out)
        self.assertIn("p99.99", out)
        self.assertIn("hit ratio of reads:", out)
        self.assertEqual(doc["requests"], 20000)
        self.assertEqual(doc["errors"]["total"], 0)
        self.assertEqual(doc["load"]["mode"], "closed")
        self.assertGreater(doc["ops_per_s"], 0)
        lat = doc["latency_ms"]
        self.assertLessEqual(lat["p50"], lat["p99"])
        self.assertLessEqual(lat["p99"], lat["p99.9"])
        self.assertLessEqual(lat["p99.9"], lat["max"])
        # 1000 keys, half the requests SETs: most reads find their key.
        self.assertGreater(doc["hit_ratio"], 0.5)
        self.assertEqual(doc["hits"] + doc["misses"], doc["reads"])
        self.assertFalse(doc["cluster"])

    def test_open_loop_keeps_its_rate_and_prints_every_second(self):
        out, doc = self.bench("--rate", "2000", "--duration", "2.2", "--connections", "4",
                              "--distribution", "zipf:1.1", "--value-size", "10..500",
                              "--ttl-share", "0.5")
        self.assertEqual(doc["load"]["mode"], "open")
        self.assertGreaterEqual(len(doc["series"]), 2)
        self.assertEqual(out.count(" ops/s  errors "), len(doc["series"]))
        # The schedule, not the replies, sets the pace: about 2000 a second.
        self.assertGreater(doc["requests"], 2000 * 2.2 * 0.8)
        self.assertLess(doc["requests"], 2000 * 2.2 * 1.1)
        self.assertEqual(doc["errors"]["total"], 0)
        self.assertIn("from intended send time", out)

    def test_gaussian_keys_and_bad_flags(self):
        _, doc = self.bench("--requests", "3000", "--distribution", "gaussian:0.05", "--quiet")
        self.assertEqual(doc["requests"], 3000)
        for flags in (["--rate", "-5"], ["--distribution", "pareto"], ["--value-size", "9..3"],
                      ["--no-such-flag", "1"], ["--duration", "1", "--requests", "5"]):
            out = subprocess.run([bench_path()] + flags, capture_output=True, timeout=30)
            self.assertEqual(out.returncode, 2, flags)
            self.assertIn(b"shoal-bench:", out.stderr)
        help_out = subprocess.run([bench_path(), "--help"], capture_output=True, timeout=30)
        self.assertEqual(help_out.returncode, 0)
        self.assertIn(b"--rate", help_out.stdout)

    def test_unreachable_server_fails(self):
        out = subprocess.run([bench_path(), "--target", "127.0.0.1:%d" % harness.free_port(),
                              "--requests", "10", "--connections", "1", "--deadline-ms", "200",
                              "--quiet"], capture_output=True, timeout=60)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn(b"cluster unavailable 10", out.stdout)
        self.assertIn(b"error window: ", out.stdout)


class ShoalBenchClusterTest(unittest.TestCase):
    """shoal-bench against a 3-node Shoal cluster: it finds the slot map through one node and
    sends every request to its key's primary (no redirects, no errors)."""

    # The cluster tests' own start-up and shut-down (3 nodes, 2 copies; stopped with SIGTERM,
    # each exiting 0), borrowed without their test methods.
    setUpClass = classmethod(cluster_test.ClusterTest.setUpClass.__func__)
    tearDownClass = classmethod(cluster_test.ClusterTest.tearDownClass.__func__)

    def setUp(self):
        if not os.access(bench_path(), os.X_OK):
            self.skipTest("no shoal-bench at %s (built only with SHOAL_BENCH=ON)" % bench_path())

    def test_routes_to_each_primary_without_redirects(self):
        fd, path = tempfile.mkstemp(suffix=".json")
        os.close(fd)
        try:
            argv = [bench_path(), "--target", "127.0.0.1:%d" % self.ports[1], "--json", path,
                    "--requests", "6000", "--connections", "4", "--keys", "2000", "--quiet"]
            out = subprocess.run(argv, capture_output=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stderr.decode() + out.stdout.decode())
            with open(path) as f:
                doc = json.load(f)
        finally:
            os.unlink(path)
        self.assertIn(b"(cluster)", out.stdout)
        self.assertTrue(doc["cluster"])
        self.assertEqual(doc["requests"], 6000)
        self.assertEqual(doc["errors"]["total"], 0)
        self.assertIsNone(doc["error_window_s"])
        self.assertEqual(doc["client"]["redirects_moved"], 0)
        self.assertEqual(doc["client"]["redirects_ask"], 0)


if __name__ == "__main__":
    harness.main()
