"""SLOWLOG, LATENCY HISTOGRAM and HOTKEYS for a known workload, over the wire.

SLOWLOG and LATENCY checks hold for Redis too (run this file with --redis to see them pass
against redis-server 7.0): entry layout, ids, client address and name, argument truncation,
max-len trimming, the threshold, CONFIG GET/SET of both settings, LATENCY HISTOGRAM's shape and
bucket labels. HOTKEYS is Shoal's own.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402

# Redis's LATENCY HISTOGRAM bucket labels (HdrHistogram log iteration from 1024 ns, doubling).
REDIS_LABELS = [(1032 * 2 ** k - 1) // 1000 for k in range(31)]


class SlowlogTest(ServerTestCase):
    def setUp(self):
        self.c = self.server.raw()
        self.assertEqual(self.c.call("CONFIG", "SET", "slowlog-log-slower-than", "0"), "OK")
        self.assertEqual(self.c.call("CONFIG", "SET", "slowlog-max-len", "128"), "OK")
        self.assertEqual(self.c.call("SLOWLOG", "RESET"), "OK")

    def tearDown(self):
        self.c.call("CONFIG", "SET", "slowlog-log-slower-than", "10000")
        self.c.close()

    def test_entries_for_a_known_workload(self):
        self.assertEqual(self.c.call("CLIENT", "SETNAME", "app"), "OK")
        self.assertEqual(self.c.call("SET", "sl:k", "v"), "OK")
        self.assertEqual(self.c.call("GET", "sl:k"), b"v")
        before = int(time.time())
        entries = self.c.call("SLOWLOG", "GET", "2")
        self.assertEqual(len(entries), 2)
        get, set_ = entries
        self.assertEqual(get[3], [b"GET", b"sl:k"])
        self.assertEqual(set_[3], [b"SET", b"sl:k", b"v"])
        self.assertEqual(get[0], set_[0] + 1)  # ids count up, newest first
        for e in entries:
            self.assertEqual(len(e), 6)
            self.assertLessEqual(abs(e[1] - before), 5)  # Unix seconds
            self.assertGreaterEqual(e[2], 0)  # microseconds
            local = self.c.sock.getsockname()
            self.assertEqual(e[4], ("%s:%d" % local).encode())
            self.assertEqual(e[5], b"app")
        # RESET itself, SETNAME, SET, GET and SLOWLOG GET are all in the log now.
        self.assertEqual(self.c.call("SLOWLOG", "LEN"), 5)
        self.assertEqual(len(self.c.call("SLOWLOG", "GET", "-1")), 6)
        self.assertEqual(self.c.call("SLOWLOG", "GET", "-2"),
                         harness.RespError("ERR count should be greater than or equal to -1"))

    def test_long_commands_are_cut_as_redis_cuts_them(self):
        args = ["DEL"] + ["sl:a%d" % i for i in range(39)]
        self.assertEqual(self.c.call(*args), 0)
        self.assertEqual(self.c.call("SET", "sl:big", "x" * 200), "OK")
        big, many = self.c.call("SLOWLOG", "GET", "2")
        self.assertEqual(len(many[3]), 32)
        self.assertEqual(many[3][30], b"sl:a29")
        self.assertEqual(many[3][31], b"... (9 more arguments)")
        self.assertEqual(big[3][2], b"x" * 128 + b"... (72 more bytes)")

    def test_max_len_and_threshold(self):
        self.assertEqual(self.c.call("CONFIG", "SET", "slowlog-max-len", "3"), "OK")
        for _ in range(10):
            self.c.call("PING")
        self.assertEqual(self.c.call("SLOWLOG", "LEN"), 3)
        self.assertEqual(self.c.call("CONFIG", "GET", "slowlog-max-len"),
                         [b"slowlog-max-len", b"3"])
        # A 10 s threshold: nothing here is that slow, not even the RESET.
        self.assertEqual(self.c.call("CONFIG", "SET", "slowlog-log-slower-than", "10000000"), "OK")
        self.assertEqual(self.c.call("SLOWLOG", "RESET"), "OK")
        for _ in range(5):
            self.c.call("PING")
        self.assertEqual(self.c.call("SLOWLOG", "LEN"), 0)
        self.assertEqual(self.c.call("CONFIG", "SET", "slowlog-log-slower-than", "-2"),
                         harness.RespError(
                             "ERR CONFIG SET failed (possibly related to argument "
                             "'slowlog-log-slower-than') - argument must be between -1 and "
                             "9223372036854775807 inclusive"))


class LatencyHistogramTest(ServerTestCase):
    def test_histogram_of_a_known_workload(self):
        with self.server.raw() as c:
            self.assertEqual(c.call("CONFIG", "RESETSTAT"), "OK")
            for i in range(100):
                c.send("GET", "lh:%d" % i)
            c.read_replies(100)
            c.call("HELLO", "3")
            reply = c.call("LATENCY", "HISTOGRAM", "get", "nosuchcommand")
            self.assertEqual(list(reply), [b"get"])
            get = reply[b"get"]
            self.assertEqual(get[b"calls"], 100)
            buckets = get[b"histogram_usec"]
            labels = list(buckets.keys())
            counts = list(buckets.values())
            self.assertTrue(set(labels) <= set(REDIS_LABELS), labels)
            self.assertEqual(labels, sorted(labels))
            self.assertEqual(counts, sorted(counts))
            self.assertEqual(len(set(counts)), len(counts))  # only buckets where it grew
            self.assertEqual(counts[-1], 100)
            # A container stands for its subcommands.
            c.call("CONFIG", "GET", "maxmemory")
            self.assertIn(b"config|get", c.call("LATENCY", "HISTOGRAM", "config"))
            self.assertEqual(c.call("LATENCY", "HISTOGRAM", "nosuchcommand"), {})
            info = c.call("INFO", "latencystats").decode()
            line = [l for l in info.split("\r\n") if l.startswith("latency_percentiles_usec_get:")]
            self.assertEqual(len(line), 1, info)
            self.assertRegex(line[0], r"^latency_percentiles_usec_get:p50=\d+\.\d{3},"
                                      r"p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$")


class HotkeysTest(ServerTestCase):
    SHOAL_ONLY = True
    SERVER_FLAGS = {"hotkeys_sample_every": 4}  # dense sampling: tight estimates

    def test_hot_keys_of_a_known_workload(self):
        with self.server.raw() as c:
            self.assertEqual(c.call("HOTKEYS", "RESET"), "OK")
            # 3,000 reads of one key, 1,500 of another, 2 each of 1,000 cold keys.
            for i in range(1000):
                c.send("GET", "hk:cold:%d" % i)
                c.send("GET", "hk:cold:%d" % i)
                c.send("GET", "hk:hot")
                c.send("GET", "hk:hot")
                c.send("GET", "hk:hot")
                if i % 2 == 0:
                    c.send("GET", "hk:warm")
                    c.send("GET", "hk:warm")
                    c.send("GET", "hk:warm")
                c.read_replies(8 if i % 2 == 0 else 5)
            top = c.call("HOTKEYS", "GET", "2")
            self.assertEqual([k for k, _ in top], [b"hk:hot", b"hk:warm"])
            self.assertAlmostEqual(top[0][1], 3000, delta=450)
            self.assertAlmostEqual(top[1][1], 1500, delta=300)
            self.assertLessEqual(len(c.call("HOTKEYS", "GET", "1000")), 64)
            self.assertEqual(c.call("HOTKEYS", "RESET"), "OK")
            self.assertEqual(c.call("HOTKEYS", "GET"), [])


if __name__ == "__main__":
    harness.main()
