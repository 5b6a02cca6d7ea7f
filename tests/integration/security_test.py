#!/usr/bin/env python3
"""--protected-mode and --timeout, as Redis 7.0 does them.

Protected mode: a server bound to 0.0.0.0 with no --requirepass answers a client that connects
through a non-loopback address of this machine (from `hostname -I`; the class is skipped when
there is none) with Redis's -DENIED error and closes; loopback clients are served; with
--protected-mode no, or a password set, the remote client is served. Idle clients: with
--timeout 1 an idle raw-socket client and an idle redis-py client are closed within about 3 s,
while a client that sends PING every 300 ms stays connected.

Run: /usr/bin/python3 security_test.py --shoald build/bin/shoald   (or --redis to validate).
"""

import os
import select
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespConn, RespError  # noqa: E402

# Redis 7.0's text (networking.c) but for the product name, which shoald says as "Shoal".
DENIED = (
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable "
    "the protected mode by editing the Redis configuration file, and setting the protected mode "
    "option to 'no', and then restarting the server. 3) If you started the server manually just "
    "for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in order for "
    "the server to start accepting connections from the outside.\r\n")


def non_loopback_ipv4():
    """An IPv4 address of this machine outside 127.0.0.0/8, or None."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True,
                             timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    for address in out.split():
        if "." in address and not address.startswith("127."):
            return address
    return None


class FlaggedServer(harness.Server):
    """A harness server with extra flags after the harness's own (the last --bind wins in both
    shoald and redis-server)."""

    def __init__(self, shoal_extra, redis_extra, **flags):
        super().__init__(redis_extra=redis_extra, **flags)
        self.shoal_extra = list(shoal_extra)

    def _shoal_argv(self):
        return super()._shoal_argv() + self.shoal_extra


def start(shoal_extra, redis_extra, **flags):
    server = FlaggedServer(shoal_extra, redis_extra, **flags)
    server.start()
    return server


def stop(test, server):
    try:
        test.assertEqual(server.stop(), 0, server.logs())
    finally:
        server.cleanup()


class ProtectedModeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.address = non_loopback_ipv4()
        if cls.address is None:
            raise unittest.SkipTest("this machine has no non-loopback IPv4 address "
                                    "(hostname -I): cannot connect as a remote client")

    def test_remote_client_is_denied_and_loopback_is_served(self):
        server = start(["--bind", "0.0.0.0"], ["--bind", "0.0.0.0", "--protected-mode", "yes"])
        try:
            expected = DENIED if harness.is_redis() else DENIED.replace("Redis", "Shoal")
            for _ in range(3):
                with RespConn(server.port, host=self.address, timeout=5) as c:
                    self.assertEqual(c.read_until_closed(timeout=5).decode(), expected)
            with RespConn(server.port, timeout=5) as c:  # 127.0.0.1
                self.assertEqual(c.call("PING"), "PONG")
            if not harness.is_redis():
                # Three refusals, one log line (at most one per limits::kProtectedModeLogIntervalMs).
                with open(server.stderr_path, "rb") as f:
                    lines = [line for line in f.read().decode().splitlines()
                             if "protected mode: refused" in line]
                self.assertEqual(len(lines), 1, lines)
                self.assertIn(self.address, lines[0])
        finally:
            stop(self, server)

    def test_remote_client_is_served_with_protected_mode_no(self):
        server = start(["--bind", "0.0.0.0", "--protected-mode", "no"],
                       ["--bind", "0.0.0.0", "--protected-mode", "no"])
        try:
            with RespConn(server.port, host=self.address, timeout=5) as c:
                self.assertEqual(c.call("PING"), "PONG")
        finally:
            stop(self, server)

    def test_remote_client_is_served_with_a_password(self):
        server = start(["--bind", "0.0.0.0"], ["--bind", "0.0.0.0", "--protected-mode", "yes"],
                       requirepass="pw")
        try:
            with RespConn(server.port, host=self.address, timeout=5) as c:
                reply = c.call("PING")
                self.assertIsInstance(reply, RespError)
                self.assertTrue(reply.message.startswith("NOAUTH"), reply)
                self.assertEqual(c.call("AUTH", "pw"), "OK")
                self.assertEqual(c.call("PING"), "PONG")
        finally:
            stop(self, server)


def closed_by_server(sock):
    """True once the server has closed `sock` (readable, and recv gives EOF or a reset)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1 << 16) == b""
    except ConnectionResetError:
        return True


class IdleTimeoutTest(unittest.TestCase):
    def test_idle_clients_are_closed_and_busy_ones_are_not(self):
        server = start(["--timeout", "1"], ["--timeout", "1"])
        try:
            idle_py = server.client()
            with RespConn(server.port, timeout=5) as idle_raw, \
                    RespConn(server.port, timeout=5) as pinger, \
                    RespConn(server.port, timeout=5) as trickler:
                # The trickler sends one byte of a command every 300 ms and gets no reply until
                # the command is complete: bytes received are activity, not only replies.
                value = b"0123456789" * 4
                trickler.send_raw(b"*2\r\n$4\r\nECHO\r\n$%d\r\n" % len(value))
                sent = 0
                self.assertEqual(idle_raw.call("PING"), "PONG")
                self.assertTrue(idle_py.ping())
                self.assertEqual(idle_raw.call("CONFIG", "GET", "timeout"), [b"timeout", b"1"])
                began = time.monotonic()
                closed_after = None
                # Past 2.5 s (more than twice the timeout) and until the idle one is closed.
                while time.monotonic() - began < 4.0:
                    self.assertEqual(pinger.call("PING"), "PONG")  # a closed pinger raises
                    trickler.send_raw(value[sent:sent + 1])
                    sent += 1
                    if closed_after is None and closed_by_server(idle_raw.sock):
                        closed_after = time.monotonic() - began
                    if closed_after is not None and time.monotonic() - began > 2.5:
                        break
                    time.sleep(0.3)
                self.assertIsNotNone(closed_after, "the idle client was not closed within 4 s")
                self.assertGreater(closed_after, 0.9)  # not before the timeout
                self.assertLess(closed_after, 3.5)
                trickler.send_raw(value[sent:] + b"\r\n")
                self.assertEqual(trickler.read_reply(), value)
                # Only the pinger and the trickler are left: the idle redis-py client went too.
                self.assertIn(b"connected_clients:2\r\n", pinger.call("INFO", "clients"))
            idle_py.close()
        finally:
            stop(self, server)


if __name__ == "__main__":
    harness.main()
