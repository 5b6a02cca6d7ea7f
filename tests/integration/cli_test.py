#!/usr/bin/env python3
"""shoald driven by the unmodified redis-cli and redis-benchmark binaries (Debian redis-tools).

Run: /usr/bin/python3 cli_test.py --shoald build/bin/shoald   (or --redis to validate).
"""

import os
import pty
import re
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402


class CliTest(ServerTestCase):
    SERVER_FLAGS = {"maxmemory": "256mb"}

    def cli(self, *args, stdin=None):
        """Runs redis-cli against the server; returns stdout (stderr must be empty, rc 0)."""
        out = subprocess.run(["redis-cli", "-p", str(self.server.port)] + list(args),
                             input=stdin, capture_output=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, b"", out.stderr)
        return out.stdout.decode()

    def setUp(self):
        self.cli("FLUSHALL")

    def test_set_ex_get_expire(self):
        self.assertEqual(self.cli("set", "k", "v", "EX", "1"), "OK\n")
        self.assertEqual(self.cli("get", "k"), "v\n")
        time.sleep(1.1)
        # redis-cli prints a nil reply as an empty line when stdout is not a terminal.
        self.assertEqual(self.cli("get", "k"), "\n")
        self.assertEqual(self.cli("--no-raw", "get", "k"), "(nil)\n")

    def test_del(self):
        self.assertEqual(self.cli("set", "k", "v"), "OK\n")
        self.assertEqual(self.cli("del", "k"), "1\n")
        self.assertEqual(self.cli("del", "k"), "0\n")
        self.assertEqual(self.cli("--no-raw", "del", "k"), "(integer) 0\n")

    def test_ping_echo_incr_mget(self):
        self.assertEqual(self.cli("ping"), "PONG\n")
        self.assertEqual(self.cli("echo", "hello world"), "hello world\n")
        self.assertEqual(self.cli("incr", "n"), "1\n")
        self.assertEqual(self.cli("incrby", "n", "41"), "42\n")
        self.assertEqual(self.cli("mset", "a", "1", "b", "2"), "OK\n")
        self.assertEqual(self.cli("mget", "a", "zz", "b"), "1\n\n2\n")
        self.assertEqual(self.cli("--no-raw", "mget", "a", "zz"), '1) "1"\n2) (nil)\n')
        self.assertEqual(self.cli("dbsize"), "3\n")

    def test_errors_are_printed(self):
        out = self.cli("incr", "x", "y")
        self.assertIn("ERR", out)
        self.cli("set", "s", "abc")
        # Raw mode prints the error text followed by an empty line.
        self.assertEqual(self.cli("incr", "s").strip(),
                         "ERR value is not an integer or out of range")

    def test_info_and_ttl(self):
        self.assertEqual(self.cli("set", "k", "v", "EX", "100"), "OK\n")
        ttl = int(self.cli("ttl", "k"))
        self.assertTrue(99 <= ttl <= 100, ttl)
        info = self.cli("info")
        self.assertRegex(info, r"(?m)^keyspace_hits:\d+")
        self.assertRegex(info, r"(?m)^connected_clients:\d+")

    def test_resp3_mode(self):
        # redis-cli -3 starts with HELLO 3 and prints RESP3 types.
        self.assertEqual(self.cli("-3", "set", "a", "1"), "OK\n")
        self.assertEqual(self.cli("-3", "--no-raw", "get", "missing"), "(nil)\n")
        self.assertEqual(self.cli("-3", "--no-raw", "mget", "a", "missing"),
                         '1) "1"\n2) (nil)\n')
        self.assertEqual(self.cli("-3", "--no-raw", "incr", "n"), "(integer) 1\n")

    def test_commands_from_stdin(self):
        out = self.cli(stdin=b"set a 1\nget a\nincr a\nget a\n")
        self.assertEqual(out, "OK\n1\n2\n2\n")

    def test_pipe_mass_insertion(self):
        # redis-cli --pipe sends raw RESP and finishes with an ECHO of a random marker.
        n = 5000
        data = b"".join(harness.encode("SET", "pipe:%d" % i, "value-%d" % i) for i in range(n))
        out = self.cli("--pipe", stdin=data)
        self.assertIn("errors: 0, replies: %d" % n, out)
        self.assertEqual(self.cli("dbsize"), "%d\n" % n)
        self.assertEqual(self.cli("get", "pipe:4321"), "value-4321\n")

    def test_interactive_session(self):
        """redis-cli in interactive mode (on a pseudo-terminal) as a person would use it."""
        pid, fd = pty.fork()
        if pid == 0:  # child
            os.execvp("redis-cli", ["redis-cli", "-p", str(self.server.port)])
        try:
            prompt = ("127.0.0.1:%d> " % self.server.port).encode()
            screen = self._read_until(fd, prompt)
            os.write(fd, b"set greeting hello\r")
            screen = self._read_until(fd, prompt)
            self.assertIn(b"OK", screen)
            os.write(fd, b"get greeting\r")
            screen = self._read_until(fd, prompt)
            self.assertIn(b'"hello"', screen)
            os.write(fd, b"get nothing\r")
            screen = self._read_until(fd, prompt)
            self.assertIn(b"(nil)", screen)
            os.write(fd, b"incr greeting\r")
            screen = self._read_until(fd, prompt)
            self.assertIn(b"(error) ERR value is not an integer", screen)
            os.write(fd, b"quit\r")
            _, status = os.waitpid(pid, 0)
            pid = None
            self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        finally:
            if pid is not None:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            os.close(fd)

    def _read_until(self, fd, marker, timeout=10.0):
        data = b""
        deadline = time.monotonic() + timeout
        while not data.endswith(marker):
            left = deadline - time.monotonic()
            self.assertGreater(left, 0, "redis-cli screen so far: %r" % data)
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
                # linenoise asks the terminal for the cursor position; answer as a terminal would.
                while b"\x1b[6n" in data:
                    data = data.replace(b"\x1b[6n", b"", 1)
                    os.write(fd, b"\x1b[1;1R")
        # Strip terminal control sequences (hints, cursor moves).
        return re.sub(rb"\x1b\[[0-9;]*[A-Za-z]", b"", data)

    def benchmark(self, *args):
        out = subprocess.run(["redis-benchmark", "-p", str(self.server.port)] + list(args),
                             capture_output=True, timeout=120)
        text = (out.stdout + out.stderr).decode(errors="replace")
        self.assertEqual(out.returncode, 0, text[-2000:])
        # Progress lines are separated by \r; keep the final summary lines.
        lines = [l.strip() for l in re.split(r"[\r\n]", text) if l.strip()]
        errors = [l for l in lines if re.search(r"error|err\b|warn", l, re.I)]
        self.assertEqual(errors, [], text[-2000:])
        return lines

    def test_redis_benchmark_set_get_ping(self):
        lines = self.benchmark("-t", "set,get,ping", "-n", "20000", "-q")
        for test in ("PING_INLINE", "PING_MBULK", "SET", "GET"):
            summary = [l for l in lines if re.match(r"%s: [0-9.]+ requests per second" % test, l)]
            self.assertEqual(len(summary), 1, "no summary for %s in %r" % (test, lines[-8:]))
        # redis-benchmark wrote key:__rand_int__ with its default 3-byte payload.
        with self.server.raw() as c:
            self.assertEqual(len(c.call("GET", "key:__rand_int__")), 3)

    def test_redis_benchmark_pipelined_random_keys(self):
        lines = self.benchmark("-t", "set,get", "-n", "20000", "-P", "16", "-r", "1000",
                               "-d", "100", "-c", "20", "-q")
        for test in ("SET", "GET"):
            self.assertTrue(any(re.match(r"%s: [0-9.]+ requests per second" % test, l)
                                for l in lines), lines[-8:])
        keys = int(self.cli("dbsize"))
        self.assertTrue(500 < keys <= 1000, keys)
        with self.server.raw() as c:
            values = c.call("MGET", *["key:%012d" % i for i in range(1000)])
        self.assertEqual(sum(v is not None for v in values), keys)
        self.assertEqual({len(v) for v in values if v is not None}, {100})


if __name__ == "__main__":
    harness.main()
