#!/usr/bin/env python3
"""The RESP front door on raw sockets: pipelining, inline commands, big and over-limit values,
malformed input, partial frames, clients that never read, and the client limit.

Run: /usr/bin/python3 protocol_test.py --shoald build/bin/shoald   (or --redis to validate).
"""

import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ConnectionClosed, RespConn, RespError, ServerTestCase, encode  # noqa: E402

MB = 1 << 20


def send_ignoring_reset(conn, data):
    """Sends data; a server that closes the connection half-way is fine for these tests."""
    try:
        conn.send_raw(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


class ProtocolTest(ServerTestCase):
    # Values up to 1 MB; the client output limit Redis lacks by default is mirrored in --redis.
    SERVER_FLAGS = {"max_value_bytes": "1mb", "maxmemory": "512mb"}
    REDIS_EXTRA = ["--client-output-buffer-limit", "normal 64mb 0 0"]

    def setUp(self):
        self.c = self.server.raw()
        self.assertEqual(self.c.call("FLUSHALL"), "OK")

    def tearDown(self):
        self.c.close()
        self.assertServerAlive()

    # ------------------------------------------------------------------ pipelining

    def test_pipelining_replies_in_order(self):
        n = 2000
        batch = []
        expected = []
        for i in range(n):
            batch.append(encode("SET", "k%d" % i, "v%d" % i))
            expected.append("OK")
            batch.append(encode("GET", "k%d" % i))
            expected.append(b"v%d" % i)
            batch.append(encode("INCR", "counter"))
            expected.append(i + 1)
        batch.append(encode("GET", "missing"))
        expected.append(None)
        self.c.send_raw(b"".join(batch))
        self.assertEqual(self.c.read_replies(len(expected)), expected)

    def test_pipelining_with_errors_in_the_middle(self):
        batch = (encode("SET", "a", "1") + encode("NOSUCH") + encode("INCR", "a") +
                 encode("GET") + encode("GET", "a"))
        self.c.send_raw(batch)
        replies = self.c.read_replies(5)
        self.assertEqual(replies[0], "OK")
        self.assertIsInstance(replies[1], RespError)
        self.assertEqual(replies[2], 2)
        self.assertIsInstance(replies[3], RespError)
        self.assertEqual(replies[4], b"2")

    def test_frames_split_at_every_byte_boundary(self):
        stream = b"".join(encode("SET", "s%d" % i, "x" * i) for i in range(20))
        stream += encode("MGET", *["s%d" % i for i in range(20)])
        self.c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rng = random.Random(7)
        pos = 0
        while pos < len(stream):
            step = rng.randint(1, 9)
            self.c.send_raw(stream[pos:pos + step])
            pos += step
            if rng.random() < 0.05:
                time.sleep(0.002)
        replies = self.c.read_replies(21)
        self.assertEqual(replies[:20], ["OK"] * 20)
        self.assertEqual(replies[20], [b"x" * i for i in range(20)])

    def test_large_pipeline_of_big_values(self):
        values = [bytes([65 + i % 26]) * (100 * 1024) for i in range(100)]
        self.c.send_raw(b"".join(encode("SET", "big%d" % i, v) for i, v in enumerate(values)))
        self.assertEqual(self.c.read_replies(100), ["OK"] * 100)
        self.c.send_raw(b"".join(encode("GET", "big%d" % i) for i in range(100)))
        self.assertEqual(self.c.read_replies(100), values)

    def test_many_arguments(self):
        n = 10000
        args = []
        for i in range(n):
            args += ["m%d" % i, "%d" % i]
        self.assertEqual(self.c.call("MSET", *args), "OK")
        got = self.c.call("MGET", *["m%d" % i for i in range(n)])
        self.assertEqual(got, [b"%d" % i for i in range(n)])
        self.assertEqual(self.c.call("DEL", *["m%d" % i for i in range(n)]), n)

    # ------------------------------------------------------------------ inline commands

    def test_inline_commands(self):
        c = self.c
        c.send_raw(b"PING\r\n")
        self.assertEqual(c.read_reply(), "PONG")
        c.send_raw(b"SET inl value\r\nGET inl\r\n\r\nEXISTS inl nope\r\n")
        self.assertEqual(c.read_replies(3), ["OK", b"value", 1])
        c.send_raw(b"get   inl  \r\n")  # extra spaces separate nothing
        self.assertEqual(c.read_reply(), b"value")
        c.send_raw(b"NOSUCHCMD x\r\n")
        self.assertIsInstance(c.read_reply(), RespError)
        # Inline and multibulk mixed in one send.
        c.send_raw(b"INCR n\r\n" + encode("INCR", "n") + b"INCR n\r\n")
        self.assertEqual(c.read_replies(3), [1, 2, 3])

    def test_inline_quoted_arguments(self):
        self.c.send_raw(b'SET q "hello world"\r\nGET q\r\n')
        self.assertEqual(self.c.read_replies(2), ["OK", b"hello world"])

    def test_inline_with_bare_newline(self):
        self.c.send_raw(b"PING\nSET lf x\nGET lf\n")
        self.assertEqual(self.c.read_replies(3), ["PONG", "OK", b"x"])

    # ------------------------------------------------------------------ value sizes

    def test_one_megabyte_value_round_trip(self):
        value = random.Random(1).randbytes(MB)  # exactly the configured --max-value-bytes
        self.assertEqual(self.c.call("SET", "big", value), "OK")
        self.assertEqual(self.c.call("GET", "big"), value)
        self.assertEqual(self.c.call("GET", "big"), value)

    def test_over_limit_value_is_refused(self):
        value = b"z" * (2 * MB)
        with self.server.raw() as c:
            send_ignoring_reset(c, encode("SET", "toobig", value) + encode("PING"))
            reply = c.closed_or_error(timeout=10)
            self.assertTrue(reply == "closed" or isinstance(reply, RespError),
                            "expected an error or a closed connection, got %r" % (reply,))
        self.assertIsNone(self.c.call("GET", "toobig"))

    def test_huge_bulk_header_rejected_without_payload(self):
        with self.server.raw() as c:
            c.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2147483648\r\n")
            reply = c.closed_or_error(timeout=5)  # at once: we never send the 2 GB
            self.assertTrue(reply == "closed" or isinstance(reply, RespError), reply)
        with self.server.raw() as c:
            c.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$99999999999999999999999\r\n")
            reply = c.closed_or_error(timeout=5)
            self.assertTrue(reply == "closed" or isinstance(reply, RespError), reply)
        self.assertEqual(self.c.call("EXISTS", "k"), 0)

    def test_huge_array_header_rejected(self):
        with self.server.raw() as c:
            c.send_raw(b"*2147483648\r\n")
            reply = c.closed_or_error(timeout=5)
            self.assertTrue(reply == "closed" or isinstance(reply, RespError), reply)

    # ------------------------------------------------------------------ malformed input

    def test_garbage_input(self):
        garbage = [
            b"*1\r\n:5\r\n",                  # array element that is not a bulk string
            b"*2\r\n$3\r\nGET\r\n$-5\r\n",    # negative bulk length in a request
            b"*x\r\n",                         # non-numeric array length
            b"*1\r\n$abc\r\n",                 # non-numeric bulk length
            b"*1\r\n$3\r\nGETXX\r\n",          # bulk longer than announced (no CRLF after 3)
            b"$3\r\nGET\r\n",                  # a bare bulk string at top level
            b"*-\r\n",
            b'SET a "unterminated\r\n',        # unbalanced quotes in an inline command
        ]
        for data in garbage:
            with self.server.raw() as c:
                c.send_raw(data)
                reply = c.closed_or_error(timeout=5)
                self.assertTrue(reply == "closed" or isinstance(reply, RespError),
                                "%r -> %r" % (data, reply))
        self.assertEqual(self.c.call("PING"), "PONG")

    def test_random_bytes_do_not_hurt_the_server(self):
        rng = random.Random(42)
        valid = encode("SET", "fz", "value") + encode("GET", "fz") + b"PING\r\n"
        for i in range(300):
            if i % 2 == 0:
                data = rng.randbytes(rng.randint(1, 200))
            else:  # mutate a valid stream
                data = bytearray(valid)
                for _ in range(rng.randint(1, 6)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
                data = bytes(data)
            try:
                with RespConn(self.server.port, timeout=5) as c:
                    send_ignoring_reset(c, data)
            except OSError:
                pass
            if i % 50 == 0:
                self.assertEqual(self.c.call("PING"), "PONG")
        self.assertEqual(self.c.call("PING"), "PONG")

    def test_unterminated_frame_does_not_block_others(self):
        slow = self.server.raw()
        try:
            slow.send_raw(b"*3\r\n$3\r\nSET\r\n$4\r\npart\r\n$5\r\nab")
            time.sleep(0.1)
            # Other clients are served meanwhile.
            with self.server.raw() as other:
                self.assertEqual(other.call("SET", "x", "1"), "OK")
                self.assertEqual(other.call("GET", "x"), b"1")
                self.assertIsNone(other.call("GET", "part"))
            # Completing the frame executes it.
            slow.send_raw(b"cde\r\n")
            self.assertEqual(slow.read_reply(), "OK")
            self.assertEqual(self.c.call("GET", "part"), b"abcde")
        finally:
            slow.close()

    def test_client_closing_mid_reply(self):
        self.assertEqual(self.c.call("SET", "big", b"q" * MB), "OK")
        for _ in range(5):
            with self.server.raw() as c:
                c.send_raw(encode("GET", "big") * 10)
                c.sock.recv(1000)
        self.assertEqual(len(self.c.call("GET", "big")), MB)

    def test_connection_churn_releases_clients(self):
        for _ in range(200):
            with self.server.raw() as c:
                c.send_raw(encode("PING"))
                self.assertEqual(c.read_reply(), "PONG")
        deadline = time.monotonic() + 10
        while True:
            info = self.c.call("INFO", "clients").decode()
            fields = dict(l.split(":", 1) for l in info.splitlines() if ":" in l)
            clients = int(fields["connected_clients"])
            if clients == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(clients, 1)

    # ------------------------------------------------------------------ slow readers

    def test_client_that_never_reads(self):
        value = b"r" * MB
        self.assertEqual(self.c.call("SET", "big", value), "OK")
        rss_before = harness.rss_bytes(self.server.pid)
        n = 600  # up to 600 MB of replies if the server queued them all
        slow = RespConn(self.server.port, rcvbuf=4096)
        try:
            slow.sock.setblocking(False)
            data = encode("GET", "big") * n
            sent = 0
            deadline = time.monotonic() + 5
            while sent < len(data) and time.monotonic() < deadline:
                try:
                    sent += slow.sock.send(data[sent:])
                except BlockingIOError:
                    time.sleep(0.01)
                except (BrokenPipeError, ConnectionResetError):
                    break  # the server gave up on us: fine
            # Let the server do whatever it does with the backlog.
            rss_peak = rss_before
            t_end = time.monotonic() + 2.0
            while time.monotonic() < t_end:
                rss_peak = max(rss_peak, harness.rss_bytes(self.server.pid))
                time.sleep(0.05)
            # Others are still served, big values included.
            with self.server.raw(timeout=10) as other:
                self.assertEqual(other.call("PING"), "PONG")
                self.assertEqual(other.call("GET", "big"), value)
            rss_peak = max(rss_peak, harness.rss_bytes(self.server.pid))
            growth = rss_peak - rss_before
            print("\n    slow reader: sent %d of %d bytes of GETs, server RSS growth %.1f MB"
                  % (sent, len(data), growth / MB), file=sys.stderr)
            self.assertLess(growth, 200 * MB,
                            "server RSS grew by %d MB for a client that never reads" %
                            (growth // MB))
        finally:
            slow.close()


class MaxClientsTest(ServerTestCase):
    SERVER_FLAGS = {"max_clients": 4}

    def test_max_clients(self):
        conns = []
        try:
            for _ in range(4):
                c = self.server.raw()
                self.assertEqual(c.call("PING"), "PONG")
                conns.append(c)
            extra = self.server.raw()
            try:
                try:
                    send_ignoring_reset(extra, encode("PING"))
                    reply = extra.closed_or_error(timeout=5)
                except ConnectionResetError:
                    reply = "closed"
                self.assertTrue(reply == "closed" or (isinstance(reply, RespError) and
                                                      "max" in reply.message.lower()),
                                "5th client got %r" % (reply,))
            finally:
                extra.close()
            # The admitted clients are unaffected.
            for c in conns:
                self.assertEqual(c.call("PING"), "PONG")
            # Freeing a slot admits a new client (the server notices the close asynchronously).
            conns.pop().close()
            deadline = time.monotonic() + 10
            while True:
                try:
                    with self.server.raw() as c:
                        reply = c.call("PING")
                except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
                    reply = "closed"
                if reply == "PONG" or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(reply, "PONG")
        finally:
            for c in conns:
                c.close()


if __name__ == "__main__":
    harness.main()
