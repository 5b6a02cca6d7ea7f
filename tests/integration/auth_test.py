#!/usr/bin/env python3
"""--requirepass: NOAUTH before AUTH, WRONGPASS, AUTH, AUTH default <pass>, HELLO ... AUTH.

Run: /usr/bin/python3 auth_test.py --shoald build/bin/shoald   (or --redis to validate).
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402

import redis  # noqa: E402

PASSWORD = "s3cret-pass"


class AuthTest(ServerTestCase):
    SERVER_FLAGS = {"requirepass": PASSWORD}

    def test_commands_need_auth(self):
        with self.server.raw() as c:
            for args in (("GET", "k"), ("SET", "k", "v"), ("PING",), ("INFO",), ("DBSIZE",),
                         ("CLIENT", "ID"), ("FLUSHALL",)):
                self.assertErrorStartsWith(c.call(*args), "NOAUTH", args)
            self.assertEqual(c.call("AUTH", PASSWORD), "OK")
            self.assertEqual(c.call("PING"), "PONG")
            self.assertEqual(c.call("SET", "k", "v"), "OK")
            self.assertEqual(c.call("GET", "k"), b"v")

    def test_wrong_password(self):
        with self.server.raw() as c:
            self.assertErrorStartsWith(c.call("AUTH", "nope"), "WRONGPASS")
            self.assertErrorStartsWith(c.call("GET", "k"), "NOAUTH")
            self.assertErrorStartsWith(c.call("AUTH", "default", "nope"), "WRONGPASS")
            self.assertErrorStartsWith(c.call("AUTH", "someoneelse", PASSWORD), "WRONGPASS")
            self.assertErrorStartsWith(c.call("GET", "k"), "NOAUTH")
            self.assertEqual(c.call("AUTH", PASSWORD), "OK")
            self.assertEqual(c.call("PING"), "PONG")

    def test_auth_arity(self):
        with self.server.raw() as c:
            self.assertErrorStartsWith(c.call("AUTH"), "ERR wrong number of arguments")

    def test_auth_with_default_user(self):
        with self.server.raw() as c:
            self.assertEqual(c.call("AUTH", "default", PASSWORD), "OK")
            self.assertEqual(c.call("PING"), "PONG")

    def test_auth_is_per_connection(self):
        with self.server.raw() as a, self.server.raw() as b:
            self.assertEqual(a.call("AUTH", PASSWORD), "OK")
            self.assertEqual(a.call("PING"), "PONG")
            self.assertErrorStartsWith(b.call("PING"), "NOAUTH")

    def test_hello_needs_auth(self):
        with self.server.raw() as c:
            self.assertErrorStartsWith(c.call("HELLO", "3"), "NOAUTH")
            self.assertErrorStartsWith(c.call("GET", "k"), "NOAUTH")

    def test_hello_with_auth(self):
        with self.server.raw() as c:
            reply = c.call("HELLO", "3", "AUTH", "default", PASSWORD)
            self.assertIsInstance(reply, dict, c.last_raw[:80])
            self.assertEqual(reply.get(b"proto"), 3)
            self.assertEqual(c.call("SET", "h", "1"), "OK")
            self.assertIsNone(c.call("GET", "missing"))
            self.assertEqual(c.last_raw, b"_\r\n")
        with self.server.raw() as c:
            self.assertErrorStartsWith(c.call("HELLO", "3", "AUTH", "default", "bad"),
                                       "WRONGPASS")
            self.assertErrorStartsWith(c.call("GET", "h"), "NOAUTH")
        with self.server.raw() as c:  # RESP2 HELLO with AUTH and SETNAME
            reply = c.call("HELLO", "2", "AUTH", "default", PASSWORD, "SETNAME", "n1")
            self.assertIsInstance(reply, list)
            self.assertEqual(c.call("CLIENT", "GETNAME"), b"n1")

    def test_redis_py_with_password(self):
        r = self.server.client(decode_responses=True)  # sends AUTH on connect
        try:
            self.assertTrue(r.set("py", "1"))
            self.assertEqual(r.get("py"), "1")
        finally:
            r.close()
        bad = redis.Redis(host="127.0.0.1", port=self.server.port, password="wrong",
                          socket_timeout=5)
        try:
            # redis-py 4.3 surfaces WRONGPASS as a ResponseError.
            with self.assertRaises(redis.ResponseError) as ctx:
                bad.ping()
            self.assertIn("WRONGPASS", str(ctx.exception))
        finally:
            bad.close()
        anon = redis.Redis(host="127.0.0.1", port=self.server.port, socket_timeout=5)
        try:
            with self.assertRaises(redis.AuthenticationError):
                anon.get("py")
        finally:
            anon.close()

    def test_redis_cli_with_password(self):
        port = str(self.server.port)
        out = subprocess.run(["redis-cli", "-p", port, "--no-auth-warning", "-a", PASSWORD,
                              "set", "cli", "v"], capture_output=True, text=True, timeout=10)
        self.assertEqual(out.stdout, "OK\n", out.stderr)
        out = subprocess.run(["redis-cli", "-p", port, "get", "cli"], capture_output=True,
                             text=True, timeout=10)
        self.assertIn("NOAUTH", out.stdout + out.stderr)

    def test_quit_without_auth(self):
        with self.server.raw() as c:
            self.assertEqual(c.call("QUIT"), "OK")
            self.assertEqual(c.read_until_closed(timeout=5), b"")


if __name__ == "__main__":
    harness.main()
