#!/usr/bin/env python3
"""The key-introspection commands that admin tools use, against shoald and (with --redis) against
redis-server 7.0: OBJECT ENCODING / REFCOUNT / HELP, MEMORY USAGE, and the redis-cli modes built
on them and on SCAN: `redis-cli --bigkeys` (SCAN, TYPE, STRLEN) and `redis-cli --memkeys`
(MEMORY USAGE). Issue 12's acceptance: both print sensible results.

Run: /usr/bin/python3 redis_cli_tools_test.py --shoald build/bin/shoald   (or --redis)
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402

KEYS = 60  # user:1 .. user:60, user:i holds 10 * i bytes


class RedisCliToolsTest(ServerTestCase):
    def setUp(self):
        self.r = self.server.client()
        self.r.flushall()
        pipe = self.r.pipeline(transaction=False)
        for i in range(1, KEYS + 1):
            pipe.set("user:%d" % i, "x" * (10 * i))
        pipe.set("n", "12345")
        pipe.execute()

    def tearDown(self):
        self.r.close()

    def redis_cli(self, *args):
        out = subprocess.run(["redis-cli", "-p", str(self.server.port)] + list(args),
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def test_object_encoding_and_refcount(self):
        self.assertEqual(self.r.object("encoding", "n"), b"int")
        self.assertEqual(self.r.object("encoding", "user:1"), b"embstr")  # 10 bytes
        self.assertEqual(self.r.object("encoding", "user:5"), b"raw")  # 50 bytes
        self.assertIsNone(self.r.object("encoding", "missing"))
        self.assertEqual(self.r.object("refcount", "user:1"), 1)
        with self.server.raw() as c:
            self.assertIsInstance(c.call("OBJECT", "HELP"), list)

    def test_memory_usage_grows_with_the_value(self):
        small = self.r.memory_usage("user:1")
        big = self.r.memory_usage("user:60")
        self.assertGreater(small, 10)
        self.assertGreaterEqual(big - small, 590)  # 600 - 10 value bytes, at least
        self.assertLess(big, 600 + 200)  # the value plus a bounded overhead
        self.assertIsNone(self.r.memory_usage("missing"))

    def test_bigkeys_finds_the_biggest_string(self):
        out = self.redis_cli("--bigkeys")
        self.assertIn("Biggest string found '\"user:60\"' has 600 bytes", out, out)
        counts = re.search(r"(\d+) strings with (\d+) bytes", out)
        self.assertIsNotNone(counts, out)
        self.assertEqual(int(counts.group(1)), KEYS + 1)
        self.assertEqual(int(counts.group(2)), 10 * KEYS * (KEYS + 1) // 2 + 5)

    def test_memkeys_ranks_by_memory_usage(self):
        out = self.redis_cli("--memkeys")
        found = re.search(r"Biggest string found '\"([^\"]+)\"' has (\d+) bytes", out)
        self.assertIsNotNone(found, out)
        usage = {k.decode(): self.r.memory_usage(k) for k in self.r.keys("*")}
        # The key named is one of those with the largest MEMORY USAGE (allocators round sizes,
        # so neighbours may tie), and the total is the sum of every key's.
        self.assertEqual(int(found.group(2)), max(usage.values()))
        self.assertEqual(usage[found.group(1)], max(usage.values()))
        total = re.search(r"(\d+) strings with (\d+) bytes", out)
        self.assertIsNotNone(total, out)
        self.assertEqual(int(total.group(1)), KEYS + 1)
        self.assertEqual(int(total.group(2)), sum(usage.values()))
        self.assertGreater(int(total.group(2)), 10 * KEYS * (KEYS + 1) // 2)


if __name__ == "__main__":
    harness.main()
