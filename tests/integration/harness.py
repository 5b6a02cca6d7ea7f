"""Shared harness for Shoal's integration tests.

Each tests/integration/*_test.py is run by ctest as

    /usr/bin/python3 FILE --shoald PATH [unittest args...]

and may also be run as

    /usr/bin/python3 FILE --redis [unittest args...]

which starts a real redis-server (7.0) with the equivalent configuration instead of shoald. That
mode exists to validate the tests themselves: every check whose semantics Shoal shares with Redis
must pass against Redis too; checks that are Shoal's own are marked with @shoal_only and skipped
under --redis.

What the harness gives a test:
  - Server: starts shoald (`--port 0`, parses "shoald listening on 127.0.0.1:PORT" from its stdout)
    or redis-server (on a free port chosen here), waits until PING answers, and stops it with
    SIGTERM, checking the exit code is 0 within a timeout. It always SIGKILLs a server that is left
    running (failed start, failed stop, test crash, interpreter exit).
  - RespConn: a raw-socket RESP2/RESP3 client for protocol-level checks (exact bytes, pipelining,
    malformed input). Server errors come back as RespError values, never exceptions.
  - ServerTestCase: a unittest.TestCase whose class-level server is started in setUpClass from the
    class attribute SERVER_FLAGS (Shoal flag names) and stopped (exit code asserted) in
    tearDownClass.
  - main(): parses the harness flags, runs unittest, prints a closing line
    "integration: N passed, N failed, N skipped" and exits non-zero on any failure.

Only the Python standard library and Debian's python3-redis (redis-py 4.3) are used.
"""

import argparse
import atexit
import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

# Filled by main() from the command line.
SHOALD_PATH = None
USE_REDIS = False
RUN_SHOAL_ONLY = False  # --redis --all: also run the shoal-only checks (to see how Redis differs)

START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 15.0
LISTEN_RE = re.compile(rb"shoald listening on ([0-9.]+):([0-9]+)")
METRICS_RE = re.compile(rb"shoald metrics on ([0-9.]+):([0-9]+)")

_live_servers = []


def _kill_leftovers():
    for server in list(_live_servers):
        server.kill()


atexit.register(_kill_leftovers)


def _die_with_parent():
    """Runs in the child before exec: the kernel SIGKILLs the server if this test process dies
    (even by SIGKILL, e.g. a ctest timeout), so no server outlives its test."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def is_redis():
    """True when the suite runs against real redis-server (validation mode)."""
    return USE_REDIS


def shoal_only(reason="Shoal-specific behaviour"):
    """Marks a test method whose check is Shoal's own contract, not Redis's: skipped under
    --redis. (Decided when the test runs, since main() parses the flags after import.) For a
    whole class, set SHOAL_ONLY = True on a ServerTestCase."""
    def wrap(fn):
        @functools.wraps(fn)
        def inner(self, *args, **kwargs):
            if USE_REDIS and not RUN_SHOAL_ONLY:
                self.skipTest("shoal-only: " + reason)
            return fn(self, *args, **kwargs)
        return inner
    return wrap


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (used for redis-server only)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def parse_bytes(text):
    """'64mb' -> 67108864 (the suffixes shoald and redis accept: k kb m mb g gb, 1024-based)."""
    m = re.fullmatch(r"(\d+)\s*([kmg]?b?)", str(text).strip().lower())
    if not m:
        raise ValueError("bad size: %r" % (text,))
    mult = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1 << 20, "mb": 1 << 20, "g": 1 << 30,
            "gb": 1 << 30}[m.group(2)]
    return int(m.group(1)) * mult


def rss_bytes(pid):
    """Resident set size of a process, from /proc/PID/status (VmRSS)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS for pid %d" % pid)


# --------------------------------------------------------------------------------------------
# RESP client on a raw socket
# --------------------------------------------------------------------------------------------


class RespError(Exception):
    """A server error reply ("-ERR ..."). Returned as a value by RespConn, not raised."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __repr__(self):
        return "RespError(%r)" % self.message

    def __eq__(self, other):
        return isinstance(other, RespError) and other.message == self.message

    def __hash__(self):
        return hash(self.message)


class ConnectionClosed(Exception):
    """The server closed the connection while a reply was expected."""


def encode(*args):
    """Encodes one command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RespConn:
    """A blocking RESP2/RESP3 connection for protocol-level tests.

    read_reply() decodes one reply: simple string -> str, error -> RespError, integer -> int,
    bulk -> bytes, null (RESP2 $-1/*-1 or RESP3 _) -> None, array/set/push -> list,
    map -> dict, double -> float, boolean -> bool. last_raw holds the exact bytes of the last reply.
    """

    def __init__(self, port, host="127.0.0.1", timeout=10.0, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect((host, port))
        except BaseException:
            self.sock.close()
            raise
        self.buf = bytearray()
        self.last_raw = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def call(self, *args):
        self.send(*args)
        return self.read_reply()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionClosed("server closed the connection")
        self.buf += chunk

    def _line(self, pos):
        """Returns (line without CRLF, position after CRLF), reading more input as needed."""
        while True:
            end = self.buf.find(b"\r\n", pos)
            if end >= 0:
                return bytes(self.buf[pos:end]), end + 2
            self._fill()

    def _parse(self, pos):
        line, pos = self._line(pos)
        if not line:
            raise ValueError("empty reply line")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode(), pos
        if kind == b"-":
            return RespError(rest.decode(errors="replace")), pos
        if kind == b":":
            return int(rest), pos
        if kind == b"_":
            return None, pos
        if kind == b"#":
            return rest == b"t", pos
        if kind == b",":
            return float(rest), pos
        if kind == b"(":
            return int(rest), pos
        if kind in (b"$", b"=", b"!"):
            n = int(rest)
            if n < 0:
                return None, pos
            while len(self.buf) < pos + n + 2:
                self._fill()
            data = bytes(self.buf[pos:pos + n])
            if self.buf[pos + n:pos + n + 2] != b"\r\n":
                raise ValueError("bulk not terminated by CRLF")
            pos += n + 2
            if kind == b"!":
                return RespError(data.decode(errors="replace")), pos
            if kind == b"=":
                data = data[4:]  # strip "txt:"
            return data, pos
        if kind in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return None, pos
            items = []
            for _ in range(n):
                item, pos = self._parse(pos)
                items.append(item)
            return items, pos
        if kind == b"%":
            n = int(rest)
            result = {}
            for _ in range(n):
                k, pos = self._parse(pos)
                v, pos = self._parse(pos)
                if isinstance(k, list):
                    k = tuple(k)
                result[k] = v
            return result, pos
        if kind == b"|":  # attributes: skip the map, return the value that follows
            n = int(rest)
            for _ in range(2 * n):
                _, pos = self._parse(pos)
            return self._parse(pos)
        raise ValueError("unknown reply type %r in %r" % (kind, line[:40]))

    def read_reply(self):
        value, pos = self._parse(0)
        self.last_raw = bytes(self.buf[:pos])
        del self.buf[:pos]
        return value

    def read_replies(self, n):
        return [self.read_reply() for _ in range(n)]

    def read_until_closed(self, timeout=10.0):
        """Reads until EOF; returns everything received (raises socket.timeout past timeout)."""
        self.sock.settimeout(timeout)
        data = bytearray(self.buf)
        self.buf.clear()
        while True:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                return bytes(data)
            data += chunk

    def closed_or_error(self, timeout=5.0):
        """After a bad input: 'closed' if the server closed the connection, else the first reply
        (expected to be a RespError). Raises socket.timeout if the server neither answers nor
        closes within timeout."""
        self.sock.settimeout(timeout)
        try:
            return self.read_reply()
        except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
            return "closed"


# --------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------


class Server:
    """One shoald (or redis-server in --redis mode) process.

    flags use Shoal's names: maxmemory, eviction, max_value_bytes, max_clients, requirepass,
    metrics_port, metrics_bind, log_format, log_level, slowlog_log_slower_than, slowlog_max_len,
    hotkeys_sample_every.
    redis_extra: extra redis-server arguments used only in --redis mode (to mirror a Shoal
    default that Redis lacks, e.g. a client output buffer limit).
    """

    def __init__(self, redis_extra=None, **flags):
        self.flags = flags
        self.redis_extra = list(redis_extra or [])
        self.proc = None
        self.port = None
        self.metrics_port = None  # set after start() when flags include metrics_port (shoald)
        self.password = flags.get("requirepass")
        self.tmpdir = tempfile.mkdtemp(prefix="shoal-it-")
        self.stdout_path = os.path.join(self.tmpdir, "stdout.log")
        self.stderr_path = os.path.join(self.tmpdir, "stderr.log")

    # -- command lines --

    def _shoal_argv(self):
        argv = [SHOALD_PATH, "--bind", "127.0.0.1", "--port", "0"]
        names = {"maxmemory": "--maxmemory", "eviction": "--eviction",
                 "max_value_bytes": "--max-value-bytes", "max_clients": "--max-clients",
                 "requirepass": "--requirepass", "metrics_port": "--metrics-port",
                 "metrics_bind": "--metrics-bind", "log_format": "--log-format",
                 "log_level": "--log-level",
                 "slowlog_log_slower_than": "--slowlog-log-slower-than",
                 "slowlog_max_len": "--slowlog-max-len",
                 "hotkeys_sample_every": "--hotkeys-sample-every"}
        for key, value in self.flags.items():
            if value is None:
                continue
            argv += [names[key], str(value)]
        return argv

    def _redis_argv(self, port):
        argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", self.tmpdir,
                "--protected-mode", "no"]
        f = self.flags
        if f.get("maxmemory") is not None:
            argv += ["--maxmemory", str(parse_bytes(f["maxmemory"]))]
            policy = {None: "allkeys-lru", "lru": "allkeys-lru", "sieve": "allkeys-lru",
                      "s3fifo": "allkeys-lru", "noeviction": "noeviction"}[f.get("eviction")]
            argv += ["--maxmemory-policy", policy]
        if f.get("max_value_bytes") is not None:
            argv += ["--proto-max-bulk-len", str(parse_bytes(f["max_value_bytes"]))]
        if f.get("max_clients") is not None:
            argv += ["--maxclients", str(f["max_clients"])]
        if f.get("requirepass") is not None:
            argv += ["--requirepass", f["requirepass"]]
        for key in ("slowlog_log_slower_than", "slowlog_max_len"):
            if f.get(key) is not None:
                argv += ["--" + key.replace("_", "-"), str(f[key])]
        return argv + self.redis_extra

    # -- lifecycle --

    def start(self):
        out = open(self.stdout_path, "wb")
        err = open(self.stderr_path, "wb")
        try:
            if USE_REDIS:
                self.port = free_port()
                argv = self._redis_argv(self.port)
            else:
                argv = self._shoal_argv()
            self.argv = argv
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         preexec_fn=_die_with_parent)
        finally:
            out.close()
            err.close()
        _live_servers.append(self)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            if not USE_REDIS:
                self.port = self._wait_for_listen_line(deadline)
                if self.flags.get("metrics_port") is not None:
                    with open(self.stdout_path, "rb") as f:
                        m = METRICS_RE.search(f.read())
                    if not m:
                        raise AssertionError("no 'shoald metrics on' line\n" + self.logs())
                    self.metrics_port = int(m.group(2))
            self._wait_for_ping(deadline)
        except BaseException:
            self.kill()
            raise
        return self

    def _wait_for_listen_line(self, deadline):
        while time.monotonic() < deadline:
            with open(self.stdout_path, "rb") as f:
                m = LISTEN_RE.search(f.read())
            if m:
                return int(m.group(2))
            if self.proc.poll() is not None:
                raise AssertionError("shoald exited with %s before listening\n%s"
                                     % (self.proc.returncode, self.logs()))
            time.sleep(0.02)
        raise AssertionError("shoald printed no 'shoald listening on' line within %.0f s\n%s"
                             % (START_TIMEOUT_S, self.logs()))

    def _wait_for_ping(self, deadline):
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited with %s during start-up\n%s"
                                     % (self.proc.returncode, self.logs()))
            try:
                with RespConn(self.port, timeout=2.0) as c:
                    reply = c.call("PING")
                # With requirepass the server is up when it answers NOAUTH.
                if reply == "PONG" or (isinstance(reply, RespError)
                                       and reply.message.startswith("NOAUTH")):
                    return
                last = reply
            except (OSError, ConnectionClosed) as e:
                last = e
            time.sleep(0.02)
        raise AssertionError("server did not answer PING within %.0f s (last: %r)\n%s"
                             % (START_TIMEOUT_S, last, self.logs()))

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=STOP_TIMEOUT_S):
        """Waits for the process to exit; returns its exit code (kills it and raises
        AssertionError if it is still running after timeout)."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("server did not exit within %.0f s after the signal\n%s"
                                 % (timeout, self.logs()))
        if self in _live_servers:
            _live_servers.remove(self)
        return code

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT_S):
        """Graceful stop; returns the exit code. Kills the process if it does not exit in time."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait_exit(timeout)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self in _live_servers:
            _live_servers.remove(self)

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def logs(self, limit=4000):
        parts = []
        for name, path in (("stdout", self.stdout_path), ("stderr", self.stderr_path)):
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            parts.append("--- server %s (last %d bytes) ---\n%s"
                         % (name, limit, data[-limit:].decode(errors="replace")))
        return "\n".join(parts)

    # -- clients --

    def client(self, **kwargs):
        """A redis-py client (RESP2) for this server."""
        import redis  # Debian's python3-redis
        kwargs.setdefault("socket_timeout", 10)
        if self.password is not None:
            kwargs.setdefault("password", self.password)
        return redis.Redis(host="127.0.0.1", port=self.port, **kwargs)

    def raw(self, **kwargs):
        """A RespConn (raw socket) to this server, not authenticated."""
        return RespConn(self.port, **kwargs)

    def info(self, section=None):
        c = self.client()
        try:
            return c.info(section) if section else c.info()
        finally:
            c.close()


class ServerTestCase(unittest.TestCase):
    """A TestCase sharing one server per class. Subclasses set SERVER_FLAGS (Shoal flag names)
    and, if needed, REDIS_EXTRA. tearDownClass asserts that SIGTERM stops it with exit code 0."""

    SERVER_FLAGS = {}
    REDIS_EXTRA = []
    SHOAL_ONLY = False  # True: the whole class is skipped under --redis

    @classmethod
    def setUpClass(cls):
        if USE_REDIS and cls.SHOAL_ONLY and not RUN_SHOAL_ONLY:
            raise unittest.SkipTest("shoal-only class")
        cls.server = Server(redis_extra=cls.REDIS_EXTRA, **cls.SERVER_FLAGS)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            code = cls.server.stop()
            if code != 0:
                raise AssertionError("server exited with code %s on SIGTERM (expected 0)\n%s"
                                     % (code, cls.server.logs()))
        finally:
            cls.server.cleanup()

    def assertServerAlive(self):
        self.assertTrue(self.server.alive(), "server died\n" + self.server.logs())
        with self.server.raw(timeout=5) as c:
            if self.server.password is not None:
                self.assertEqual(c.call("AUTH", self.server.password), "OK")
            self.assertEqual(c.call("PING"), "PONG")

    def assertErrorStartsWith(self, reply, prefix, msg=None):
        self.assertIsInstance(reply, RespError, msg or ("expected an error, got %r" % (reply,)))
        self.assertTrue(reply.message.startswith(prefix),
                        msg or ("error %r does not start with %r" % (reply.message, prefix)))


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def main():
    """Parses --shoald PATH / --redis, runs the calling module's tests, prints a closing line
    and exits non-zero on failure."""
    global SHOALD_PATH, USE_REDIS, RUN_SHOAL_ONLY
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--shoald", default=os.environ.get("SHOALD"))
    parser.add_argument("--redis", action="store_true",
                        help="run against redis-server (validates the tests themselves)")
    parser.add_argument("--all", action="store_true",
                        help="with --redis: run the shoal-only checks too")
    args, rest = parser.parse_known_args()
    USE_REDIS = args.redis
    RUN_SHOAL_ONLY = args.all
    if not USE_REDIS:
        if not args.shoald or not os.access(args.shoald, os.X_OK):
            print("usage: %s --shoald PATH | --redis  (no executable shoald at %r)"
                  % (sys.argv[0], args.shoald), file=sys.stderr)
            sys.exit(2)
        SHOALD_PATH = os.path.abspath(args.shoald)
    # A SIGTERM to the test (e.g. from ctest) still runs the atexit clean-up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    target = "redis-server" if USE_REDIS else SHOALD_PATH
    name = os.path.basename(sys.argv[0])
    print("%s against %s" % (name, target), flush=True)
    start = time.monotonic()
    program = unittest.main(module="__main__", argv=[sys.argv[0]] + rest, exit=False,
                            verbosity=2)
    result = program.result
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print("%s (%s, %.1f s): %d passed, %d failed, %d skipped"
          % (name, "redis" if USE_REDIS else "shoald", time.monotonic() - start, passed, failed,
             skipped))
    # The plain closing line ctest/CI readers recognise.
    print("integration: %d passed, %d failed, %d skipped" % (passed, failed, skipped), flush=True)
    sys.exit(1 if failed or result.testsRun == 0 else 0)
