#!/usr/bin/env python3
"""Semantics of every single-node command shoald serves, checked through redis-py (a real,
unmodified client) and, where exact bytes or error texts matter, a raw RESP socket.

Run: /usr/bin/python3 commands_test.py --shoald build/bin/shoald   (or --redis to validate).
"""

import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespError, ServerTestCase, shoal_only  # noqa: E402


MAXMEMORY = "100mb"


class CommandsTest(ServerTestCase):
    SERVER_FLAGS = {"maxmemory": MAXMEMORY}

    def setUp(self):
        self.r = self.server.client(decode_responses=True)
        self.r.flushall()
        self.c = self.server.raw()

    def tearDown(self):
        self.c.close()
        self.r.close()

    # ---------------------------------------------------------------- GET / SET basics

    def test_get_set_basic(self):
        self.assertIsNone(self.r.get("k"))
        self.assertTrue(self.r.set("k", "v"))
        self.assertEqual(self.r.get("k"), "v")
        self.assertTrue(self.r.set("k", "w"))
        self.assertEqual(self.r.get("k"), "w")
        self.assertEqual(self.c.call("SET", "k", "x"), "OK")
        self.assertEqual(self.c.last_raw, b"+OK\r\n")
        self.assertEqual(self.c.call("GET", "k"), b"x")
        self.assertEqual(self.c.last_raw, b"$1\r\nx\r\n")
        self.assertIsNone(self.c.call("GET", "missing"))
        self.assertEqual(self.c.last_raw, b"$-1\r\n")

    def test_binary_safe_keys_and_values(self):
        rb = self.server.client()  # bytes mode
        try:
            key = b"k\x00\r\n\xff key"
            value = bytes(range(256)) * 4 + b"\r\n\r\n"
            self.assertTrue(rb.set(key, value))
            self.assertEqual(rb.get(key), value)
            self.assertTrue(rb.set(b"", b""))
            self.assertEqual(rb.get(b""), b"")
            self.assertEqual(rb.exists(b""), 1)
        finally:
            rb.close()

    def test_commands_are_case_insensitive(self):
        self.assertEqual(self.c.call("set", "k", "v"), "OK")
        self.assertEqual(self.c.call("GeT", "k"), b"v")
        self.assertEqual(self.c.call("set", "k", "v2", "ex", "100"), "OK")
        ttl = self.c.call("tTl", "k")
        self.assertTrue(99 <= ttl <= 100, ttl)

    def test_unknown_command_and_wrong_arity_are_errors(self):
        reply = self.c.call("NOSUCHCOMMAND", "a")
        self.assertErrorStartsWith(reply, "ERR unknown command")
        self.assertErrorStartsWith(self.c.call("GET"),
                                   "ERR wrong number of arguments for 'get' command")
        self.assertErrorStartsWith(self.c.call("GET", "a", "b"),
                                   "ERR wrong number of arguments")
        self.assertErrorStartsWith(self.c.call("SET", "a"), "ERR wrong number of arguments")
        # The connection still works after errors.
        self.assertEqual(self.c.call("PING"), "PONG")

    # ---------------------------------------------------------------- SET options

    def test_set_nx_xx(self):
        self.assertIsNone(self.r.set("k", "v", xx=True))
        self.assertIsNone(self.r.get("k"))
        self.assertTrue(self.r.set("k", "v1", nx=True))
        self.assertIsNone(self.r.set("k", "v2", nx=True))
        self.assertEqual(self.r.get("k"), "v1")
        self.assertTrue(self.r.set("k", "v3", xx=True))
        self.assertEqual(self.r.get("k"), "v3")
        # The raw reply to a SET that did not happen is a null bulk in RESP2.
        self.assertIsNone(self.c.call("SET", "k", "v4", "NX"))
        self.assertEqual(self.c.last_raw, b"$-1\r\n")

    def test_set_get_option(self):
        self.assertIsNone(self.r.set("k", "v1", get=True))
        self.assertEqual(self.r.get("k"), "v1")
        self.assertEqual(self.r.set("k", "v2", get=True), "v1")
        self.assertEqual(self.r.get("k"), "v2")
        # XX GET on a missing key: nothing set, null returned.
        self.assertIsNone(self.c.call("SET", "nokey", "v", "XX", "GET"))
        self.assertIsNone(self.r.get("nokey"))

    def test_set_get_with_ex(self):
        self.r.set("k", "old")
        self.assertEqual(self.c.call("SET", "k", "new", "EX", "100", "GET"), b"old")
        self.assertEqual(self.r.get("k"), "new")
        self.assertGreater(self.r.ttl("k"), 0)

    def test_set_ex_px(self):
        self.assertTrue(self.r.set("k", "v", ex=100))
        ttl = self.r.ttl("k")
        self.assertTrue(99 <= ttl <= 100, ttl)
        pttl = self.r.pttl("k")
        self.assertTrue(95000 < pttl <= 100000, pttl)
        self.assertTrue(self.r.set("p", "v", px=50000))
        pttl = self.r.pttl("p")
        self.assertTrue(45000 < pttl <= 50000, pttl)
        self.assertTrue(49 <= self.r.ttl("p") <= 50)

    def test_set_px_expires(self):
        self.assertTrue(self.r.set("k", "v", px=100))
        self.assertEqual(self.r.get("k"), "v")
        time.sleep(0.2)
        self.assertIsNone(self.r.get("k"))
        self.assertEqual(self.r.exists("k"), 0)
        self.assertEqual(self.r.ttl("k"), -2)
        self.assertEqual(self.r.pttl("k"), -2)

    def test_set_exat_pxat(self):
        now = time.time()
        self.assertTrue(self.r.set("k", "v", exat=int(now) + 100))
        ttl = self.r.ttl("k")
        self.assertTrue(98 <= ttl <= 100, ttl)
        self.assertTrue(self.r.set("p", "v", pxat=int(now * 1000) + 100000))
        pttl = self.r.pttl("p")
        self.assertTrue(95000 < pttl <= 100000, pttl)
        # An absolute time in the past: the key is gone at once.
        self.assertEqual(self.c.call("SET", "past", "v", "PXAT", str(int(now * 1000) - 5000)), "OK")
        self.assertIsNone(self.r.get("past"))
        self.assertEqual(self.r.exists("past"), 0)

    def test_set_clears_ttl_unless_keepttl(self):
        self.r.set("k", "v", ex=100)
        self.r.set("k", "v2")
        self.assertEqual(self.r.ttl("k"), -1)
        self.r.set("k", "v3", ex=100)
        self.assertTrue(self.r.set("k", "v4", keepttl=True))
        self.assertEqual(self.r.get("k"), "v4")
        ttl = self.r.ttl("k")
        self.assertTrue(98 <= ttl <= 100, ttl)
        # KEEPTTL on a key without TTL keeps "no TTL".
        self.r.set("n", "v")
        self.r.set("n", "v2", keepttl=True)
        self.assertEqual(self.r.ttl("n"), -1)

    def test_set_option_errors(self):
        c = self.c
        self.assertErrorStartsWith(c.call("SET", "k", "v", "EX", "0"),
                                   "ERR invalid expire time in 'set' command")
        self.assertErrorStartsWith(c.call("SET", "k", "v", "EX", "-5"),
                                   "ERR invalid expire time in 'set' command")
        self.assertErrorStartsWith(c.call("SET", "k", "v", "PX", "0"),
                                   "ERR invalid expire time in 'set' command")
        self.assertErrorStartsWith(c.call("SET", "k", "v", "EX", "abc"),
                                   "ERR value is not an integer or out of range")
        self.assertErrorStartsWith(c.call("SET", "k", "v", "EX"), "ERR syntax error")
        self.assertErrorStartsWith(c.call("SET", "k", "v", "NX", "XX"), "ERR syntax error")
        self.assertErrorStartsWith(c.call("SET", "k", "v", "EX", "10", "PX", "100"),
                                   "ERR syntax error")
        self.assertErrorStartsWith(c.call("SET", "k", "v", "EX", "10", "KEEPTTL"),
                                   "ERR syntax error")
        self.assertErrorStartsWith(c.call("SET", "k", "v", "BOGUS"), "ERR syntax error")
        # None of the failed SETs created the key.
        self.assertEqual(c.call("EXISTS", "k"), 0)

    # ---------------------------------------------------------------- DEL / UNLINK / EXISTS

    def test_del_unlink_exists(self):
        self.r.mset({"a": "1", "b": "2", "c": "3"})
        self.assertEqual(self.r.exists("a", "b", "zz"), 2)
        self.assertEqual(self.r.exists("a", "a", "a"), 3)  # repeated keys count each time
        self.assertEqual(self.r.delete("a", "zz"), 1)
        self.assertEqual(self.r.delete("a"), 0)
        self.assertEqual(self.r.unlink("b", "c", "zz"), 2)
        self.assertEqual(self.r.exists("a", "b", "c"), 0)
        self.assertEqual(self.r.dbsize(), 0)
        self.assertErrorStartsWith(self.c.call("DEL"), "ERR wrong number of arguments")
        self.assertErrorStartsWith(self.c.call("EXISTS"), "ERR wrong number of arguments")

    def test_del_counts_repeated_key_once(self):
        self.r.set("a", "1")
        self.assertEqual(self.r.delete("a", "a"), 1)

    # ---------------------------------------------------------------- EXPIRE family

    def test_ttl_of_missing_and_persistent_keys(self):
        self.assertEqual(self.r.ttl("missing"), -2)
        self.assertEqual(self.r.pttl("missing"), -2)
        self.r.set("k", "v")
        self.assertEqual(self.r.ttl("k"), -1)
        self.assertEqual(self.r.pttl("k"), -1)

    def test_expire_pexpire(self):
        self.assertFalse(self.r.expire("missing", 100))
        self.assertEqual(self.c.call("EXPIRE", "missing", "100"), 0)
        self.r.set("k", "v")
        self.assertEqual(self.c.call("EXPIRE", "k", "100"), 1)
        self.assertTrue(99 <= self.r.ttl("k") <= 100)
        self.assertEqual(self.c.call("PEXPIRE", "k", "50000"), 1)
        pttl = self.r.pttl("k")
        self.assertTrue(45000 < pttl <= 50000, pttl)
        self.assertErrorStartsWith(self.c.call("EXPIRE", "k", "abc"),
                                   "ERR value is not an integer or out of range")
        self.assertEqual(self.r.get("k"), "v")

    def test_pexpire_short_expires(self):
        self.r.set("k", "v")
        self.assertTrue(self.r.pexpire("k", 100))
        time.sleep(0.2)
        self.assertIsNone(self.r.get("k"))
        self.assertEqual(self.r.ttl("k"), -2)

    def test_expire_non_positive_deletes(self):
        self.r.set("k", "v")
        self.assertEqual(self.c.call("EXPIRE", "k", "0"), 1)
        self.assertEqual(self.r.exists("k"), 0)
        self.r.set("k", "v")
        self.assertEqual(self.c.call("PEXPIRE", "k", "-1"), 1)
        self.assertIsNone(self.r.get("k"))

    def test_expireat_pexpireat(self):
        now = time.time()
        self.r.set("k", "v")
        self.assertEqual(self.c.call("EXPIREAT", "k", str(int(now) + 100)), 1)
        self.assertTrue(98 <= self.r.ttl("k") <= 100)
        self.assertEqual(self.c.call("PEXPIREAT", "k", str(int(now * 1000) + 50000)), 1)
        pttl = self.r.pttl("k")
        self.assertTrue(45000 < pttl <= 50000, pttl)
        self.assertEqual(self.c.call("EXPIREAT", "missing", str(int(now) + 100)), 0)
        # In the past: deleted.
        self.assertEqual(self.c.call("EXPIREAT", "k", str(int(now) - 10)), 1)
        self.assertEqual(self.r.exists("k"), 0)
        self.r.set("k", "v")
        self.assertEqual(self.c.call("PEXPIREAT", "k", str(int(now * 1000) - 10)), 1)
        self.assertEqual(self.r.exists("k"), 0)

    def test_persist(self):
        self.assertEqual(self.c.call("PERSIST", "missing"), 0)
        self.r.set("k", "v")
        self.assertEqual(self.c.call("PERSIST", "k"), 0)  # no TTL to remove
        self.r.expire("k", 100)
        self.assertEqual(self.c.call("PERSIST", "k"), 1)
        self.assertEqual(self.r.ttl("k"), -1)
        self.assertEqual(self.r.get("k"), "v")

    def test_expired_keys_counter_and_dbsize(self):
        before = self.r.info("stats")["expired_keys"]
        for i in range(5):
            self.r.set("e%d" % i, "v", px=50)
        self.r.set("stay", "v")
        time.sleep(0.15)
        for i in range(5):
            self.assertIsNone(self.r.get("e%d" % i))
        after = self.r.info("stats")["expired_keys"]
        self.assertEqual(after - before, 5)
        self.assertEqual(self.r.dbsize(), 1)

    def test_expiry_is_never_early_and_never_late(self):
        """Polls keys with short TTLs. A value read by a GET sent more than TTL after the SET was
        acknowledged is a late expiry; a miss acknowledged less than TTL after the SET was sent is
        an early one. Both are inequalities on the client's clock, true at any speed."""
        c = self.c
        ttl_ms = [100, 150, 200, 250]
        set_sent, set_acked = {}, {}
        for i, ttl in enumerate(ttl_ms):
            key = "tt%d" % i
            set_sent[key] = time.monotonic()
            self.assertEqual(c.call("SET", key, "v", "PX", str(ttl)), "OK")
            set_acked[key] = time.monotonic()
        gone = set()
        deadline = time.monotonic() + 3
        slack = 0.002  # the server's clock counts whole milliseconds
        while len(gone) < len(ttl_ms) and time.monotonic() < deadline:
            for i, ttl in enumerate(ttl_ms):
                key = "tt%d" % i
                sent = time.monotonic()
                value = c.call("GET", key)
                acked = time.monotonic()
                if value is not None:
                    self.assertNotIn(key, gone, "%s came back after expiring" % key)
                    self.assertLessEqual(sent, set_acked[key] + ttl / 1000 + slack,
                                         "%s read %.1f ms after its %d ms TTL"
                                         % (key, (sent - set_acked[key]) * 1000, ttl))
                else:
                    self.assertGreaterEqual(acked, set_sent[key] + ttl / 1000 - slack,
                                            "%s gone %.1f ms into its %d ms TTL"
                                            % (key, (acked - set_sent[key]) * 1000, ttl))
                    gone.add(key)
            time.sleep(0.005)
        self.assertEqual(len(gone), len(ttl_ms))

    def test_active_expiry_removes_untouched_keys(self):
        """Keys that expire and are never read again still leave (incremental active expiry):
        DBSIZE drops to the live keys without any access to the expired ones."""
        before = self.r.info("stats")["expired_keys"]
        pipe = self.r.pipeline(transaction=False)
        for i in range(500):
            pipe.set("ax%d" % i, "v", px=100)
        pipe.set("live", "v")
        pipe.execute()
        deadline = time.monotonic() + 10
        while self.r.dbsize() != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.r.dbsize(), 1)
        self.assertEqual(self.r.info("stats")["expired_keys"] - before, 500)
        self.assertEqual(self.r.get("live"), "v")

    # ---------------------------------------------------------------- MGET / MSET

    def test_mget_mset(self):
        self.assertTrue(self.r.mset({"a": "1", "b": "2"}))
        self.assertEqual(self.r.mget("a", "missing", "b", "a"), ["1", None, "2", "1"])
        self.assertEqual(self.c.call("MSET", "a", "x", "a", "y"), "OK")
        self.assertEqual(self.r.get("a"), "y")  # the last one wins
        self.assertErrorStartsWith(self.c.call("MSET", "a", "1", "b"),
                                   "ERR wrong number of arguments for 'mset' command")
        self.assertErrorStartsWith(self.c.call("MGET"), "ERR wrong number of arguments")
        self.assertEqual(self.r.get("b"), "2")

    def test_mset_clears_ttl(self):
        self.r.set("a", "1", ex=100)
        self.r.mset({"a": "2"})
        self.assertEqual(self.r.ttl("a"), -1)

    # ---------------------------------------------------------------- INCR family

    def test_incr_decr(self):
        self.assertEqual(self.r.incr("n"), 1)
        self.assertEqual(self.r.incr("n"), 2)
        self.assertEqual(self.r.incrby("n", 10), 12)
        self.assertEqual(self.r.decr("n"), 11)
        self.assertEqual(self.r.decrby("n", 20), -9)
        self.assertEqual(self.r.get("n"), "-9")
        self.assertEqual(self.r.decr("fresh"), -1)
        self.assertEqual(self.r.incrby("neg", -5), -5)

    def test_incr_errors(self):
        c = self.c
        self.r.set("s", "abc")
        self.assertErrorStartsWith(c.call("INCR", "s"), "ERR value is not an integer or out of range")
        self.r.set("f", "1.5")
        self.assertErrorStartsWith(c.call("INCR", "f"), "ERR value is not an integer or out of range")
        self.r.set("sp", " 1")
        self.assertErrorStartsWith(c.call("INCR", "sp"), "ERR value is not an integer or out of range")
        self.assertErrorStartsWith(c.call("INCRBY", "n", "x"),
                                   "ERR value is not an integer or out of range")
        self.r.set("max", "9223372036854775807")
        self.assertErrorStartsWith(c.call("INCR", "max"),
                                   "ERR increment or decrement would overflow")
        self.r.set("min", "-9223372036854775808")
        self.assertErrorStartsWith(c.call("DECR", "min"),
                                   "ERR increment or decrement would overflow")
        self.assertErrorStartsWith(c.call("INCRBY", "fresh", "99999999999999999999"),
                                   "ERR value is not an integer or out of range")
        # Values are unchanged by failed increments.
        self.assertEqual(self.r.get("s"), "abc")
        self.assertEqual(self.r.get("max"), "9223372036854775807")
        self.assertEqual(self.r.exists("n", "fresh"), 0)

    def test_incr_keeps_ttl(self):
        self.r.set("n", "5", ex=100)
        self.assertEqual(self.r.incr("n"), 6)
        ttl = self.r.ttl("n")
        self.assertTrue(98 <= ttl <= 100, ttl)

    def test_incr_result_is_readable_string(self):
        self.r.set("n", "41")
        self.assertEqual(self.c.call("INCR", "n"), 42)
        self.assertEqual(self.c.last_raw, b":42\r\n")
        self.assertEqual(self.c.call("GET", "n"), b"42")

    # ---------------------------------------------------------------- PING / ECHO / misc

    def test_ping_echo(self):
        self.assertTrue(self.r.ping())
        self.assertEqual(self.c.call("PING"), "PONG")
        self.assertEqual(self.c.last_raw, b"+PONG\r\n")
        self.assertEqual(self.c.call("PING", "hello"), b"hello")
        self.assertEqual(self.c.last_raw, b"$5\r\nhello\r\n")
        self.assertEqual(self.r.echo("hi there"), "hi there")
        self.assertErrorStartsWith(self.c.call("ECHO"), "ERR wrong number of arguments")

    def test_dbsize_flushall(self):
        self.assertEqual(self.r.dbsize(), 0)
        self.r.mset({"k%d" % i: str(i) for i in range(100)})
        self.assertEqual(self.r.dbsize(), 100)
        self.assertTrue(self.r.flushall())
        self.assertEqual(self.r.dbsize(), 0)
        self.assertIsNone(self.r.get("k1"))

    def test_select(self):
        self.assertEqual(self.c.call("SELECT", "0"), "OK")
        self.assertEqual(self.c.call("PING"), "PONG")

    @shoal_only("one database: SELECT of any other index is an error (Redis has 16)")
    def test_select_nonzero_is_error(self):
        self.assertIsInstance(self.c.call("SELECT", "1"), RespError)

    def test_quit(self):
        self.assertEqual(self.c.call("QUIT"), "OK")
        self.assertEqual(self.c.read_until_closed(timeout=5), b"")

    # ---------------------------------------------------------------- INFO

    def test_info_fields(self):
        # A connect completes in the kernel before the server accepts it: one round trip on the
        # raw connection makes sure the server counts it.
        self.assertEqual(self.c.call("PING"), "PONG")
        info = self.r.info()
        for field in ("keyspace_hits", "keyspace_misses", "evicted_keys", "expired_keys",
                      "used_memory", "connected_clients", "total_commands_processed"):
            self.assertIn(field, info)
            self.assertIsInstance(info[field], int, field)
        self.assertGreaterEqual(info["connected_clients"], 2)  # self.r and self.c
        self.assertGreater(info["used_memory"], 0)
        before = info["total_commands_processed"]
        for _ in range(10):
            self.r.ping()
        after = self.r.info()["total_commands_processed"]
        self.assertGreaterEqual(after - before, 10)

    @shoal_only("keyspace_hit_ratio is Shoal's own INFO field")
    def test_info_hit_ratio(self):
        self.r.set("k", "v")
        self.r.get("k")
        info = self.r.info()
        self.assertIn("keyspace_hit_ratio", info)
        ratio = float(info["keyspace_hit_ratio"])
        self.assertTrue(0.0 <= ratio <= 1.0, ratio)

    def test_info_hits_and_misses_count(self):
        before = self.r.info("stats")
        self.r.set("k", "v")
        for _ in range(7):
            self.r.get("k")
        for _ in range(3):
            self.r.get("nope")
        after = self.r.info("stats")
        self.assertEqual(after["keyspace_hits"] - before["keyspace_hits"], 7)
        self.assertEqual(after["keyspace_misses"] - before["keyspace_misses"], 3)

    def test_info_raw_format(self):
        text = self.c.call("INFO")
        self.assertIsInstance(text, bytes)
        self.assertIn(b"\r\n", text)
        self.assertRegex(text.decode(), r"(?m)^keyspace_hits:\d+\r?$")
        self.assertRegex(text.decode(), r"(?m)^used_memory:\d+\r?$")

    # ---------------------------------------------------------------- CONFIG GET / COMMAND

    def test_config_get(self):
        conf = self.r.config_get("maxmemory")
        self.assertEqual(conf, {"maxmemory": str(harness.parse_bytes(MAXMEMORY))})
        self.assertEqual(self.r.config_get("no-such-parameter"), {})
        # Clients such as redis-benchmark ask for these two at start-up.
        reply = self.c.call("CONFIG", "GET", "save")
        self.assertIsInstance(reply, list)
        self.assertEqual(reply[:1], [b"save"])
        reply = self.c.call("CONFIG", "GET", "appendonly")
        self.assertIsInstance(reply, list)
        self.assertEqual(reply[:1], [b"appendonly"])

    def test_command_count_via_redis_cli(self):
        out = subprocess.run(["redis-cli", "-p", str(self.server.port), "COMMAND", "COUNT"],
                             capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout.strip(), r"^\d+$")
        self.assertGreaterEqual(int(out.stdout.strip()), 30)

    def test_command_lists_commands_with_arity(self):
        reply = self.c.call("COMMAND")
        self.assertIsInstance(reply, list)
        table = {}
        for entry in reply:
            self.assertIsInstance(entry, list)
            table[entry[0].decode().lower()] = entry
        for name in ("get", "set", "del", "unlink", "exists", "expire", "pexpire", "expireat",
                     "pexpireat", "ttl", "pttl", "persist", "mget", "mset", "incr", "decr",
                     "incrby", "decrby", "ping", "echo", "info", "dbsize", "flushall", "command",
                     "config", "hello", "client", "auth", "quit", "select", "getrange",
                     "substr", "setrange", "getbit", "setbit", "bitcount", "bitpos", "lcs",
                     "getset", "incrbyfloat"):
            self.assertIn(name, table, "COMMAND lacks %s" % name)
        self.assertEqual(table["get"][1], 2)
        self.assertEqual(table["set"][1], -3)
        self.assertEqual(table["mget"][1], -2)
        self.assertEqual(table["lcs"][1:6], [-3, ["readonly"], 1, 2, 1])
        self.assertEqual(table["setbit"][1:6], [4, ["write", "denyoom"], 1, 1, 1])
        self.assertEqual(self.c.call("COMMAND", "COUNT"), len(reply))

    # ---------------------------------------------------------------- ranges, bits, LCS

    def test_getrange_substr_setrange(self):
        self.r.set("k", "Hello World")
        self.assertEqual(self.r.getrange("k", 0, 4), "Hello")
        self.assertEqual(self.r.getrange("k", -5, -1), "World")
        self.assertEqual(self.r.getrange("k", 5, 1), "")
        self.assertEqual(self.r.substr("k", 6, 100), "World")
        self.assertEqual(self.r.setrange("k", 6, "Redis"), 11)
        self.assertEqual(self.r.get("k"), "Hello Redis")
        self.assertEqual(self.c.call("SETRANGE", "pad", "3", "ab"), 5)
        self.assertEqual(self.c.call("GET", "pad"), b"\x00\x00\x00ab")
        self.assertEqual(self.c.call("SETRANGE", "k", "-1", "x"),
                         RespError("ERR offset is out of range"))
        self.assertEqual(self.c.call("GETRANGE", "k", "a", "1"),
                         RespError("ERR value is not an integer or out of range"))
        self.r.expire("k", 100)
        self.r.setrange("k", 0, "J")
        self.assertGreater(self.r.ttl("k"), 0)  # SETRANGE keeps the TTL

    def test_setbit_getbit_bitcount_bitpos(self):
        self.assertEqual(self.r.setbit("b", 7, 1), 0)
        self.assertEqual(self.r.setbit("b", 7, 1), 1)
        self.assertEqual(self.r.getbit("b", 7), 1)
        self.assertEqual(self.r.getbit("b", 100), 0)
        self.assertEqual(self.c.call("GET", "b"), b"\x01")
        self.r.set("f", "foobar")
        self.assertEqual(self.r.bitcount("f"), 26)
        self.assertEqual(self.r.bitcount("f", 1, 1), 6)
        self.assertEqual(self.c.call("BITCOUNT", "f", "5", "30", "BIT"), 17)
        self.assertEqual(self.r.bitpos("f", 1), 1)
        self.assertEqual(self.r.bitpos("f", 0, 2), 16)
        self.assertEqual(self.c.call("BITPOS", "f", "1", "7", "15", "BIT"), 9)
        self.assertEqual(self.c.call("BITPOS", "nokey", "1"), -1)
        self.assertEqual(self.c.call("SETBIT", "b", "0", "2"),
                         RespError("ERR bit is not an integer or out of range"))
        self.assertEqual(self.c.call("GETBIT", "b", "-1"),
                         RespError("ERR bit offset is not an integer or out of range"))

    def test_lcs(self):
        self.r.mset({"a": "ohmytext", "b": "mynewtext"})
        self.assertEqual(self.c.call("LCS", "a", "b"), b"mytext")
        self.assertEqual(self.c.call("LCS", "a", "b", "LEN"), 6)
        self.assertEqual(self.c.call("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
                         [b"matches", [[[4, 7], [5, 8], 4]], b"len", 6])
        self.assertEqual(self.c.call("LCS", "a", "b", "IDX", "LEN"),
                         RespError("ERR If you want both the length and indexes, please just "
                                   "use IDX."))

    def test_getset_incrbyfloat(self):
        self.assertIsNone(self.r.getset("g", "1"))
        self.r.expire("g", 100)
        self.assertEqual(self.r.getset("g", "10.50"), "1")
        self.assertEqual(self.r.ttl("g"), -1)  # GETSET clears the TTL
        self.assertEqual(self.c.call("INCRBYFLOAT", "g", "0.1"), b"10.6")
        self.r.set("e", "5.0e3")
        self.assertEqual(self.c.call("INCRBYFLOAT", "e", "2.0e2"), b"5200")
        self.assertEqual(self.r.incrbyfloat("e", -5200), 0.0)
        self.assertEqual(self.c.call("GET", "e"), b"0")
        self.r.expire("e", 100)
        self.r.incrbyfloat("e", 1.5)
        self.assertGreater(self.r.ttl("e"), 0)  # INCRBYFLOAT keeps the TTL
        self.assertEqual(self.c.call("INCRBYFLOAT", "e", "abc"),
                         RespError("ERR value is not a valid float"))
        self.assertEqual(self.c.call("INCRBYFLOAT", "e", "inf"),
                         RespError("ERR increment would produce NaN or Infinity"))

    # ---------------------------------------------------------------- HELLO / RESP3

    def test_hello_3_then_2(self):
        c = self.c
        reply = c.call("HELLO", "3")
        self.assertTrue(c.last_raw.startswith(b"%"), c.last_raw[:40])
        self.assertIsInstance(reply, dict)
        self.assertEqual(reply.get(b"proto"), 3)
        self.assertIn(b"server", reply)
        self.assertIn(b"id", reply)
        # RESP3 null is "_".
        self.assertIsNone(c.call("GET", "missing"))
        self.assertEqual(c.last_raw, b"_\r\n")
        self.assertEqual(c.call("SET", "k", "v"), "OK")
        self.assertEqual(c.call("GET", "k"), b"v")
        self.assertEqual(c.call("MGET", "k", "missing"), [b"v", None])
        self.assertEqual(c.last_raw, b"*2\r\n$1\r\nv\r\n_\r\n")
        # INFO in RESP3 is a verbatim string or a bulk string; either decodes to the text.
        self.assertIn(b"keyspace_hits", c.call("INFO"))
        # Back to RESP2: array reply and $-1.
        reply = c.call("HELLO", "2")
        self.assertTrue(c.last_raw.startswith(b"*"), c.last_raw[:40])
        self.assertIsNone(c.call("GET", "missing"))
        self.assertEqual(c.last_raw, b"$-1\r\n")

    def test_hello_without_version_and_bad_version(self):
        c = self.c
        reply = c.call("HELLO")
        self.assertTrue(c.last_raw.startswith(b"*"), c.last_raw[:40])  # stays RESP2
        fields = dict(zip(reply[0::2], reply[1::2]))
        self.assertEqual(fields[b"proto"], 2)
        self.assertErrorStartsWith(c.call("HELLO", "4"), "NOPROTO")
        self.assertIsInstance(c.call("HELLO", "x"), RespError)
        self.assertEqual(c.call("PING"), "PONG")

    def test_hello_setname(self):
        c = self.c
        reply = c.call("HELLO", "3", "SETNAME", "myname")
        self.assertIsInstance(reply, dict)
        self.assertEqual(c.call("CLIENT", "GETNAME"), b"myname")

    def test_redis_py_resp3_style_handshake(self):
        # redis-py 4.3 speaks RESP2 only; a RESP3 client's first call is HELLO 3 AUTH or
        # HELLO 3. Checked on the raw socket above. Here: a redis-py client with a client_name
        # sends CLIENT SETNAME on connect.
        r = self.server.client(client_name="pyclient", decode_responses=True)
        try:
            self.assertEqual(r.client_getname(), "pyclient")
        finally:
            r.close()

    # ---------------------------------------------------------------- CLIENT

    def test_client_setname_getname_id(self):
        self.assertIsNone(self.r.client_getname())
        self.assertTrue(self.r.client_setname("worker-1"))
        self.assertEqual(self.r.client_getname(), "worker-1")
        self.assertIsNone(self.c.call("CLIENT", "GETNAME"))  # names are per connection
        self.assertErrorStartsWith(self.c.call("CLIENT", "SETNAME", "has space"), "ERR")
        id1 = self.c.call("CLIENT", "ID")
        id2 = self.r.client_id()
        self.assertIsInstance(id1, int)
        self.assertGreater(id1, 0)
        self.assertNotEqual(id1, id2)
        self.assertEqual(self.c.call("CLIENT", "ID"), id1)  # stable
        with self.server.raw() as other:
            self.assertGreater(other.call("CLIENT", "ID"), max(id1, id2))  # increasing
        self.assertIsInstance(self.c.call("CLIENT", "NOSUCHSUB"), RespError)

    def test_client_setname_empty_clears(self):
        self.assertEqual(self.c.call("CLIENT", "SETNAME", "x"), "OK")
        self.assertEqual(self.c.call("CLIENT", "SETNAME", ""), "OK")
        self.assertIsNone(self.c.call("CLIENT", "GETNAME"))

    # ---------------------------------------------------------------- AUTH without a password

    def test_auth_without_password_configured(self):
        reply = self.c.call("AUTH", "secret")
        self.assertIsInstance(reply, RespError)
        self.assertIn("AUTH", reply.message)  # "ERR AUTH <password> called without any ..."
        self.assertEqual(self.c.call("PING"), "PONG")

    # ---------------------------------------------------------------- concurrency

    def test_concurrent_incr_is_atomic(self):
        """Several connections incrementing the same keys at once lose no update."""
        threads_n, incrs_n = 8, 300
        errors = []

        def worker():
            r = self.server.client()
            try:
                pipe = r.pipeline(transaction=False)
                for i in range(incrs_n):
                    pipe.incr("shared")
                    pipe.incrby("shared:%d" % (i % 4), 2)
                pipe.execute()
                for _ in range(incrs_n // 10):
                    r.incr("shared")
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
            finally:
                r.close()

        threads = [threading.Thread(target=worker) for _ in range(threads_n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(int(self.r.get("shared")), threads_n * (incrs_n + incrs_n // 10))
        for j in range(4):
            self.assertEqual(int(self.r.get("shared:%d" % j)), threads_n * incrs_n // 4 * 2)

    # ---------------------------------------------------------------- KEYS, SCAN, RANDOMKEY, TOUCH

    def test_keys_glob_patterns(self):
        for key in ("user:1", "user:2", "users:3", "a*b", "x", "h[a]llo"):
            self.r.set(key, "v")
        keys = lambda p: sorted(self.r.keys(p))  # noqa: E731
        self.assertEqual(keys("*"), sorted(["user:1", "user:2", "users:3", "a*b", "x", "h[a]llo"]))
        self.assertEqual(keys("user:*"), ["user:1", "user:2"])
        self.assertEqual(keys("user?:*"), ["users:3"])
        self.assertEqual(keys("user:[^1]"), ["user:2"])
        self.assertEqual(keys("user:[1-2]"), ["user:1", "user:2"])
        self.assertEqual(keys("a\\*b"), ["a*b"])
        self.assertEqual(keys("h\\[a\\]llo"), ["h[a]llo"])
        self.assertEqual(keys("[a-]*"), [])  # "a-]" is a range a..']' and the class never closes
        self.assertEqual(keys("nomatch*"), [])
        self.r.set("gone", "v", px=1)
        time.sleep(0.01)
        self.assertNotIn("gone", self.r.keys("*"))

    def test_scan_via_redis_cli(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(300):
            pipe.set("user:%d" % i, "v")
            pipe.set("item:%d" % i, "v")
        pipe.execute()
        out = subprocess.run(["redis-cli", "-p", str(self.server.port), "--scan", "--pattern",
                              "user:*"], capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(set(out.stdout.split()), {"user:%d" % i for i in range(300)})

    def test_scan_options_and_errors(self):
        self.r.set("k", "v")
        self.assertEqual(self.c.call("SCAN", "0"), [b"0", [b"k"]])
        self.assertEqual(self.c.call("SCAN", "", "COUNT", "100"), [b"0", [b"k"]])  # "" is 0
        self.assertEqual(self.c.call("SCAN", "0", "MATCH", "k*", "TYPE", "STRING"), [b"0", [b"k"]])
        self.assertEqual(self.c.call("SCAN", "0", "TYPE", "hash"), [b"0", []])
        self.assertEqual(self.c.call("SCAN", "0", "TYPE", "nosuchtype"), [b"0", []])
        for bad in (" 1", "1 ", "+", "-", "0x1", "18446744073709551616", "abc"):
            self.assertEqual(self.c.call("SCAN", bad), RespError("ERR invalid cursor"), bad)
        syntax = RespError("ERR syntax error")
        self.assertEqual(self.c.call("SCAN", "0", "COUNT", "0"), syntax)
        self.assertEqual(self.c.call("SCAN", "0", "COUNT"), syntax)
        self.assertEqual(self.c.call("SCAN", "0", "MATCH"), syntax)
        self.assertEqual(self.c.call("SCAN", "0", "bogus", "COUNT", "x"), syntax)
        self.assertEqual(self.c.call("SCAN", "0", "COUNT", "x", "bogus"),
                         RespError("ERR value is not an integer or out of range"))

    def test_scan_returns_every_key_present_while_the_table_grows_and_shrinks(self):
        stable = ["stable:%d" % i for i in range(300)]
        pipe = self.r.pipeline(transaction=False)
        for key in stable:
            pipe.set(key, "v")
        pipe.execute()
        seen, cursor, added, calls = set(), 0, 0, 0
        while True:
            cursor, keys = self.r.scan(cursor, count=10)
            seen.update(keys)
            calls += 1
            pipe = self.r.pipeline(transaction=False)
            if calls <= 15:  # grow to ten times the stable keys (the table rehashes)
                for _ in range(200):
                    pipe.set("grown:%d" % added, "v")
                    added += 1
            else:  # then delete them again (the table shrinks)
                while added > 0 and len(pipe) < 300:
                    added -= 1
                    pipe.delete("grown:%d" % added)
            pipe.execute()
            if cursor == 0:
                break
        self.assertGreater(calls, 25)  # the iteration outlasted both phases
        self.assertEqual(added, 0)
        self.assertEqual([k for k in stable if k not in seen], [])

    def test_randomkey_and_touch(self):
        self.assertIsNone(self.r.randomkey())
        self.r.set("only", "v")
        self.assertEqual(self.r.randomkey(), "only")
        self.r.mset({"a": "1", "b": "2"})
        self.assertIn(self.r.randomkey(), {"only", "a", "b"})
        self.assertEqual(self.c.call("TOUCH", "a", "a", "b", "nokey"), 3)
        self.assertEqual(self.c.call("RANDOMKEY", "x"),
                         RespError("ERR wrong number of arguments for 'randomkey' command"))

    # ---------------------------------------------------------------- RENAME, RENAMENX, COPY

    def test_rename_renamenx(self):
        self.assertEqual(self.c.call("RENAME", "nokey", "b"), RespError("ERR no such key"))
        self.assertEqual(self.c.call("RENAMENX", "nokey", "b"), RespError("ERR no such key"))
        self.r.set("a", "1", ex=100)
        self.assertEqual(self.c.call("RENAME", "a", "a"), "OK")
        self.assertEqual(self.c.call("RENAMENX", "a", "a"), 0)
        self.r.set("b", "old")
        self.assertEqual(self.c.call("RENAME", "a", "b"), "OK")
        self.assertIsNone(self.r.get("a"))
        self.assertEqual(self.r.get("b"), "1")
        self.assertGreater(self.r.ttl("b"), 90)  # the TTL moved with the value
        self.r.set("c", "2")
        self.assertEqual(self.c.call("RENAMENX", "b", "c"), 0)
        self.assertEqual(self.c.call("RENAMENX", "b", "d"), 1)
        self.assertEqual(self.r.get("d"), "1")
        self.assertGreater(self.r.ttl("d"), 90)
        self.assertEqual(self.c.call("RENAME", "d"),
                         RespError("ERR wrong number of arguments for 'rename' command"))

    def test_copy(self):
        self.assertEqual(self.c.call("COPY", "nokey", "b"), 0)
        self.r.set("a", "1", ex=100)
        self.assertEqual(self.c.call("COPY", "a", "b"), 1)
        self.assertEqual(self.r.get("b"), "1")
        self.assertGreater(self.r.ttl("b"), 90)
        self.r.set("c", "2")
        self.assertEqual(self.c.call("COPY", "c", "b"), 0)
        self.assertEqual(self.c.call("COPY", "c", "b", "REPLACE"), 1)
        self.assertEqual(self.r.get("b"), "2")
        self.assertEqual(self.r.ttl("b"), -1)
        self.assertEqual(self.c.call("COPY", "a", "e", "DB", "0"), 1)
        self.assertEqual(self.c.call("COPY", "a", "a"),
                         RespError("ERR source and destination objects are the same"))
        self.assertEqual(self.c.call("COPY", "a", "b", "DB", "x"),
                         RespError("ERR value is not an integer or out of range"))
        for db in ("-1", "16"):
            self.assertEqual(self.c.call("COPY", "a", "b", "DB", db),
                             RespError("ERR DB index is out of range"))
        self.assertEqual(self.c.call("COPY", "a", "b", "DB"), RespError("ERR syntax error"))
        self.assertEqual(self.c.call("COPY", "a", "a", "bogus"), RespError("ERR syntax error"))

    def test_keyspace_command_info(self):
        def spec(flags, index, lastkey):
            return [b"flags", flags,
                    b"begin_search", [b"type", b"index", b"spec", [b"index", index]],
                    b"find_keys", [b"type", b"range", b"spec",
                                   [b"lastkey", lastkey, b"keystep", 1, b"limit", 0]]]
        expected = {  # redis-server 7.0.15's answers
            "keys": [b"keys", 2, ["readonly"], 0, 0, 0,
                     ["@keyspace", "@read", "@slow", "@dangerous"],
                     [b"request_policy:all_shards", b"nondeterministic_output_order"], [], []],
            "scan": [b"scan", -2, ["readonly"], 0, 0, 0, ["@keyspace", "@read", "@slow"],
                     [b"nondeterministic_output", b"request_policy:special"], [], []],
            "randomkey": [b"randomkey", 1, ["readonly"], 0, 0, 0, ["@keyspace", "@read", "@slow"],
                          [b"request_policy:all_shards", b"nondeterministic_output"], [], []],
            "touch": [b"touch", -2, ["readonly", "fast"], 1, -1, 1, ["@keyspace", "@read", "@fast"],
                      [b"request_policy:multi_shard", b"response_policy:agg_sum"],
                      [spec(["RO"], 1, -1)], []],
            "rename": [b"rename", 3, ["write"], 1, 2, 1, ["@keyspace", "@write", "@slow"], [],
                       [spec(["RW", "access", "delete"], 1, 0), spec(["OW", "update"], 2, 0)], []],
            "renamenx": [b"renamenx", 3, ["write", "fast"], 1, 2, 1,
                         ["@keyspace", "@write", "@fast"], [],
                         [spec(["RW", "access", "delete"], 1, 0), spec(["OW", "insert"], 2, 0)],
                         []],
            "copy": [b"copy", -3, ["write", "denyoom"], 1, 2, 1, ["@keyspace", "@write", "@slow"],
                     [], [spec(["RO", "access"], 1, 0), spec(["OW", "update"], 2, 0)], []],
        }
        for name, info in expected.items():
            self.assertEqual(self.c.call("COMMAND", "INFO", name), [info], name)

    # ---------------------------------------------------------------- redis-py pipelines

    def test_redis_py_pipeline(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(500):
            pipe.set("p%d" % i, str(i))
        for i in range(500):
            pipe.get("p%d" % i)
        results = pipe.execute()
        self.assertEqual(results[:500], [True] * 500)
        self.assertEqual(results[500:], [str(i) for i in range(500)])


if __name__ == "__main__":
    harness.main()
