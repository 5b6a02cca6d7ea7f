"""shoald's log: one line per event on stderr, a start-up banner with the effective configuration,
--log-format json giving one valid JSON object per line, and --log-level filtering."""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server  # noqa: E402

import unittest  # noqa: E402

BANNER_FIELDS = ("pid", "bind", "port", "maxmemory", "eviction", "max-value-bytes",
                 "max-clients", "requirepass", "log-level", "log-format", "metrics",
                 "slowlog-log-slower-than", "slowlog-max-len", "hotkeys-sample-every",
                 "latency-tracking", "monotonic-clock", "cluster")
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [DIWE] \S")


def stderr_lines(server):
    with open(server.stderr_path, "rb") as f:
        return f.read().decode("utf-8").splitlines()


class LoggingTest(unittest.TestCase):
    def run_server(self, **flags):
        if harness.is_redis():
            self.skipTest("shoald's own log")
        server = Server(maxmemory="32mb", **flags)
        server.start()
        try:
            with server.raw() as c:
                self.assertEqual(c.call("PING"), "PONG")
            self.assertEqual(server.stop(), 0)
            return stderr_lines(server)
        finally:
            server.cleanup()

    def test_json_lines_and_banner(self):
        lines = self.run_server(log_format="json", log_level="debug", metrics_port=0)
        events = [json.loads(line) for line in lines]  # every line is one JSON object
        for e in events:
            self.assertRegex(e["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(e["level"], ("debug", "info", "warning", "error"))
            self.assertIsInstance(e["msg"], str)
        banner = events[0]
        self.assertTrue(banner["msg"].startswith("shoald "), banner)
        for field in BANNER_FIELDS:
            self.assertIn(field, banner)
        self.assertEqual(banner["maxmemory"], str(32 * 1024 * 1024))
        self.assertEqual(banner["log-format"], "json")
        self.assertRegex(banner["metrics"], r"^127\.0\.0\.1:\d+$")
        messages = [e["msg"] for e in events]
        self.assertTrue(any("connected from" in m for m in messages), messages)  # debug level
        self.assertIn("shutdown complete", messages)

    def test_text_lines_and_level(self):
        lines = self.run_server(log_level="warning")
        self.assertEqual(lines, [])  # the banner and client events are info and debug
        lines = self.run_server()
        for line in lines:
            self.assertRegex(line, TEXT_LINE)
        banner = lines[0]
        for field in BANNER_FIELDS:
            self.assertIn(" %s=" % field, banner)
        self.assertIn(" metrics=off", banner)
        self.assertFalse(any("connected from" in line for line in lines))


if __name__ == "__main__":
    harness.main()
