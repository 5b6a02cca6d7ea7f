#!/usr/bin/env python3
"""Graceful shutdown: SIGTERM / SIGINT stop accepting connections, answer what clients already
sent, close the connections and exit with code 0.

Run: /usr/bin/python3 shutdown_test.py --shoald build/bin/shoald   (or --redis to validate).
"""

import os
import select
import signal
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ConnectionClosed, RespConn, Server, encode, shoal_only  # noqa: E402

VALUE = b"s" * (10 * 1024)
BATCH = 2000  # 2000 GETs: ~54 KB of input (fits a loopback receive buffer), ~20 MB of replies


def wait_readable(sock, timeout):
    ready, _, _ = select.select([sock], [], [], timeout)
    return bool(ready)


def connect_refused(port):
    """True if a TCP connect to the port is refused now."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        return False
    except ConnectionRefusedError:
        return True
    finally:
        s.close()


class ShutdownTest(unittest.TestCase):
    def setUp(self):
        self.server = Server(maxmemory="256mb").start()

    def tearDown(self):
        self.server.cleanup()

    def _batch_then_signal(self, sig):
        srv = self.server
        with srv.raw() as c:
            self.assertEqual(c.call("SET", "big", VALUE), "OK")
        c = srv.raw(timeout=20)
        try:
            c.send_raw(encode("GET", "big") * BATCH)
            # The server has started answering the batch: the batch is now in flight.
            self.assertTrue(wait_readable(c.sock, 10), "no reply to the pipelined batch")
            srv.send_signal(sig)
            # While our replies are still queued (we have not read them), the server must stop
            # accepting new connections.
            deadline = time.monotonic() + 10
            while not connect_refused(srv.port):
                self.assertLess(time.monotonic(), deadline,
                                "still accepting connections 10 s after the signal")
                time.sleep(0.05)
            replies = []
            try:
                for _ in range(BATCH):
                    replies.append(c.read_reply())
            except (ConnectionClosed, ConnectionResetError) as e:
                self.fail("connection closed after %d of %d replies: %r"
                          % (len(replies), BATCH, e))
            self.assertEqual(len(replies), BATCH)
            self.assertTrue(all(r == VALUE for r in replies), "a reply was not the value")
            # Then the server closes the connection.
            self.assertEqual(c.read_until_closed(timeout=10), b"")
        finally:
            c.close()
        code = srv.wait_exit()
        self.assertEqual(code, 0, srv.logs())
        self.assertTrue(connect_refused(srv.port))

    @shoal_only("Redis drops queued replies at shutdown")
    def test_sigterm_with_pipelined_batch_in_flight(self):
        self._batch_then_signal(signal.SIGTERM)

    @shoal_only("Redis drops queued replies at shutdown")
    def test_sigint_with_pipelined_batch_in_flight(self):
        self._batch_then_signal(signal.SIGINT)

    def test_sigterm_with_idle_clients(self):
        srv = self.server
        idle = [srv.raw() for _ in range(3)]
        try:
            for c in idle:
                self.assertEqual(c.call("PING"), "PONG")
            r = srv.client()
            self.assertTrue(r.set("k", "v"))
            srv.send_signal(signal.SIGTERM)
            self.assertEqual(srv.wait_exit(), 0, srv.logs())
            for c in idle:  # each idle connection was closed
                self.assertEqual(c.read_until_closed(timeout=5), b"")
            self.assertTrue(connect_refused(srv.port))
            r.close()
        finally:
            for c in idle:
                c.close()

    def test_sigint_exit_code(self):
        with self.server.raw() as c:
            self.assertEqual(c.call("SET", "k", "v"), "OK")
        self.assertEqual(self.server.stop(sig=signal.SIGINT), 0, self.server.logs())
        self.assertTrue(connect_refused(self.server.port))

    def test_sigterm_during_load_from_many_clients(self):
        """Several clients hammering the server when SIGTERM arrives: it still exits 0, and
        every reply a client did receive is a well-formed, correct reply."""
        srv = self.server
        stop = threading.Event()
        problems = []

        def worker(idx):
            try:
                c = RespConn(srv.port, timeout=10)
            except OSError:
                return
            try:
                i = 0
                while not stop.is_set():
                    key = "w%d:%d" % (idx, i)
                    c.send_raw(encode("SET", key, key) + encode("GET", key))
                    ok, got = c.read_reply(), c.read_reply()
                    if ok != "OK" or got != key.encode():
                        problems.append((key, ok, got))
                        return
                    i += 1
            except (ConnectionClosed, ConnectionResetError, BrokenPipeError, socket.timeout):
                pass  # the server went away between commands: allowed
            finally:
                c.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        srv.send_signal(signal.SIGTERM)
        code = srv.wait_exit()
        stop.set()
        for t in threads:
            t.join(15)
        self.assertEqual(problems, [])
        self.assertEqual(code, 0, srv.logs())


if __name__ == "__main__":
    harness.main()
