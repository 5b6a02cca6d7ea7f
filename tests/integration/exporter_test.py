"""INFO compatibility with redis_exporter and with Redis itself.

  - Debian's prometheus-redis-exporter (1.45) pointed at shoald: redis_up is 1 and the hit, miss,
    command, memory, key and latency series carry the values the traffic implies (a missing
    exporter is a failure: ./dev installs it);
  - the INFO fields Shoal shares with Redis have Redis's names and value formats: the same traffic
    runs against a real redis-server (7.0), and every shared field, cmdstat_*, errorstat_*,
    latency_percentiles_usec_* and db0 line is compared for its section, key order and format.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402

from prometheus_scrape import Scrape, run_known_traffic  # noqa: E402

EXPORTER = shutil.which("prometheus-redis-exporter")
MAXMEMORY = 64 * 1024 * 1024

# Fields that are Shoal's own (not in Redis's INFO): rejected_calls in Stats is the node-wide
# count of rejected commands (Redis has it per command only).
SHOAL_FIELDS = {"shoal_version", "keyspace_hit_ratio", "rejected_calls"}


def run_traffic(client, sets=40, hits=25, misses=15):
    run_known_traffic(client, "exp", sets, hits, misses)
    return sets, hits, misses


def parse_info(text):
    """{section: [(field, value)]} in order, from INFO's text."""
    sections, current = {}, None
    for line in text.split("\r\n"):
        if line.startswith("# "):
            current = line[2:]
            sections[current] = []
        elif line and current is not None:
            field, _, value = line.partition(":")
            sections[current].append((field, value))
    return sections


def value_shape(value):
    """What a parser sees in a value: an integer, a float with N decimals, a redis 'human' size,
    a comma list of key=value pairs (their keys and value shapes), or text."""
    if re.fullmatch(r"-?\d+", value):
        return "int"
    m = re.fullmatch(r"-?\d+\.(\d+)", value)
    if m:
        return "float%d" % len(m.group(1))
    if re.fullmatch(r"\d+(\.\d+)?[BKMGT]", value):
        return "human"
    if "=" in value and "," in value or re.fullmatch(r"[a-z0-9_.]+=[^,]*", value):
        return tuple((k, value_shape(v)) for k, v in (kv.split("=", 1) for kv in value.split(",")))
    return "text"


class ExporterTest(ServerTestCase):
    SHOAL_ONLY = True
    SERVER_FLAGS = {"maxmemory": "64mb"}

    def test_redis_exporter_reads_shoald(self):
        # ./dev installs it (Debian package prometheus-redis-exporter): missing is a failure.
        self.assertIsNotNone(EXPORTER, "prometheus-redis-exporter is not installed")
        c = self.server.client()
        c.flushall()
        c.config_resetstat()
        sets, hits, misses = run_traffic(c)
        used_memory = c.info("memory")["used_memory"]
        c.close()
        port = harness.free_port()
        log = tempfile.TemporaryFile()
        exporter = subprocess.Popen(
            [EXPORTER, "-redis.addr", "redis://127.0.0.1:%d" % self.server.port,
             "-web.listen-address", "127.0.0.1:%d" % port, "-redis-only-metrics"],
            stdout=log, stderr=subprocess.STDOUT, preexec_fn=harness._die_with_parent)
        try:
            text = None
            deadline = time.monotonic() + 15
            while text is None and time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                                timeout=10) as response:
                        text = response.read().decode()
                except OSError:
                    time.sleep(0.1)
            self.assertIsNotNone(text, "the exporter never answered")
        finally:
            exporter.terminate()
            exporter.wait(timeout=10)
        scrape = Scrape(text)
        samples = scrape.samples

        def get(name, **labels):
            self.assertTrue(scrape.has(name, **labels), "exporter has no %s%r" % (name, labels))
            return scrape.get(name, **labels)
        log.seek(0)
        exporter_log = log.read().decode(errors="replace")
        log.close()
        self.assertEqual(get("redis_up"), 1, exporter_log)
        self.assertEqual(get("redis_exporter_last_scrape_error", err=""), 0)
        self.assertEqual(get("redis_keyspace_hits_total"), hits)
        self.assertEqual(get("redis_keyspace_misses_total"), misses)
        self.assertEqual(get("redis_commands_total", cmd="get"), hits + misses)
        self.assertEqual(get("redis_commands_total", cmd="set"), sets)
        self.assertEqual(get("redis_commands_failed_calls_total", cmd="incr"), 1)
        self.assertEqual(get("redis_errors_total", err="ERR"), 1)
        self.assertGreater(get("redis_commands_duration_seconds_total", cmd="get"), 0)
        self.assertEqual(get("redis_memory_used_bytes"), used_memory)
        self.assertEqual(get("redis_memory_max_bytes"), MAXMEMORY)
        self.assertEqual(get("redis_config_maxmemory"), MAXMEMORY)
        self.assertEqual(get("redis_db_keys", db="db0"), sets)
        self.assertGreaterEqual(get("redis_connected_clients"), 1)
        self.assertGreater(get("redis_latency_percentiles_usec", cmd="get", quantile="99"), 0)
        self.assertEqual(get("redis_latency_percentiles_usec_count", cmd="get"), hits + misses)
        get("redis_slowlog_length")
        info = [dict(labels) for (name, labels), value in samples.items()
                if name == "redis_instance_info" and value == 1]
        self.assertEqual(len(info), 1)
        self.assertEqual(info[0]["redis_version"], "7.0.0")
        self.assertEqual(info[0]["role"], "master")

    def test_info_matches_redis_names_and_formats(self):
        redis_port = harness.free_port()
        tmp = tempfile.mkdtemp(prefix="shoal-redis-")
        redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", tmp, "--maxmemory", str(MAXMEMORY)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=harness._die_with_parent)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", redis_port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            import redis as redis_py
            infos = []
            for port in (redis_port, self.server.port):
                client = redis_py.Redis(port=port)
                client.flushall()
                client.config_resetstat()
                run_traffic(client)
                client.set("exp:ttl", "v", ex=100)
                client.close()
                with harness.RespConn(port) as raw:
                    infos.append(parse_info(raw.call("INFO", "ALL").decode()))
        finally:
            redis.terminate()
            redis.wait(timeout=10)
            shutil.rmtree(tmp, ignore_errors=True)
        theirs, ours = infos
        for section, fields in ours.items():
            self.assertIn(section, theirs, "Redis has no section %r" % section)
            redis_fields = dict(theirs[section])
            for field, value in fields:
                if field in SHOAL_FIELDS:
                    continue
                if field.startswith(("cmdstat_", "errorstat_", "latency_percentiles_usec_",
                                     "db")):
                    continue  # below: their keys follow the traffic
                self.assertIn(field, redis_fields, "%s: Redis has no field %r" % (section, field))
                if field in ("maxmemory_policy", "monotonic_clock"):
                    continue  # values differ by design (s3fifo; TSC vs clock_gettime)
                self.assertEqual(value_shape(value), value_shape(redis_fields[field]),
                                 "%s:%s = %r, Redis %r" % (section, field, value,
                                                           redis_fields[field]))
        for section, prefix in (("Commandstats", "cmdstat_"), ("Errorstats", "errorstat_"),
                                ("Latencystats", "latency_percentiles_usec_"),
                                ("Keyspace", "db0")):
            mine = {f: v for f, v in ours[section] if f.startswith(prefix)}
            redis_lines = {f: v for f, v in theirs[section] if f.startswith(prefix)}
            for name in ("cmdstat_get", "cmdstat_set", "cmdstat_incr", "errorstat_ERR",
                         "latency_percentiles_usec_get", "db0"):
                if name.startswith(prefix):
                    self.assertIn(name, mine, section)
                    self.assertIn(name, redis_lines, section)
                    self.assertEqual(value_shape(mine[name]), value_shape(redis_lines[name]),
                                     "%s: %r, Redis %r" % (name, mine[name], redis_lines[name]))
        # The counts agree too, where the traffic decides them.
        for name in ("cmdstat_get", "cmdstat_set", "cmdstat_incr"):
            calls = lambda info: re.search(r"calls=(\d+)", dict(info["Commandstats"])[name])[1]
            self.assertEqual(calls(ours), calls(theirs), name)


if __name__ == "__main__":
    harness.main()
