#!/usr/bin/env python3
"""A cluster of real shoald processes on loopback (--cluster yes, fixed members): peer messages
travel over TCP as the core codec's frames; -MOVED sends clients to the owner of a key's slot;
redis-py's RedisCluster, redis-cli --cluster check and redis-benchmark --cluster work unchanged
through CLUSTER SLOTS / SHARDS / NODES / INFO;
writes are replicated, so a primary killed with SIGKILL recovers its acknowledged writes from its
backups on restart, and its voter state (term, vote, log) from its --dir; a node that cannot
write its voter state exits 1; bad bytes on a peer port close that connection, the node keeps
serving; bad cluster flags exit 2 with a message. Shoal-only (Redis Cluster is started differently).

Run: /usr/bin/python3 cluster_test.py --shoald build/bin/shoald
"""

import os
import random
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespConn, RespError, Server  # noqa: E402

NODES = 3
SERVE_TIMEOUT_S = 20.0
PEER_OFFSET = 10000


def _bindable(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_cluster_ports(n):
    """n client ports, each with its peer port (+10000) free too."""
    for _ in range(200):
        base = random.randrange(20000, 30000 - n)
        ports = list(range(base, base + n))
        if all(_bindable(p) and _bindable(p + PEER_OFFSET) for p in ports):
            return ports
    raise AssertionError("no free ports for a %d-node cluster" % n)


class ClusterMember(Server):
    """One shoald of the cluster: a fixed port, the member list, the same flags on every node."""

    def __init__(self, port, members, copies=2):
        super().__init__()
        self.fixed_port = port
        self.members = members
        self.copies = copies

    def _shoal_argv(self):
        return [harness.SHOALD_PATH, "--bind", "127.0.0.1", "--port", str(self.fixed_port),
                "--cluster", "yes", "--cluster-members", self.members,
                "--copies", str(self.copies), "--dir", self.tmpdir]

    def voter_state_path(self):
        return os.path.join(self.tmpdir, "voter-state")

    def wait_serving(self):
        deadline = time.monotonic() + SERVE_TIMEOUT_S
        while time.monotonic() < deadline:
            with open(self.stderr_path, "rb") as f:
                if b"; serving" in f.read():  # each start writes a fresh log
                    return
            if not self.alive():
                raise AssertionError("node exited\n" + self.logs())
            time.sleep(0.05)
        raise AssertionError("node did not start serving\n" + self.logs())


def _varint(data, pos):
    """The LEB128 varint at data[pos:]."""
    value, shift = 0, 0
    while True:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value
        pos, shift = pos + 1, shift + 7


def call_following_moved(port, *args, hops=4):
    """One command on `port`, following -MOVED like a cluster client; returns (reply, port)."""
    for _ in range(hops):
        with RespConn(port, timeout=10) as c:
            reply = c.call(*args)
        if isinstance(reply, RespError) and reply.message.startswith("MOVED "):
            port = int(reply.message.split()[2].rsplit(":", 1)[1])
            continue
        return reply, port
    raise AssertionError("too many redirects for %r" % (args,))


class ClusterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if harness.USE_REDIS:
            raise unittest.SkipTest("shoal-only: a Shoal cluster of processes")
        cls.ports = free_cluster_ports(NODES)
        cls.members = ",".join("127.0.0.1:%d" % (p + PEER_OFFSET) for p in cls.ports)
        cls.nodes = [ClusterMember(p, cls.members) for p in cls.ports]
        try:
            for node in cls.nodes:
                node.start()
            for node in cls.nodes:
                node.wait_serving()
        except BaseException:
            for node in cls.nodes:
                node.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            for node in cls.nodes:
                code = node.stop()
                if code != 0:
                    raise AssertionError("node exited with %s on SIGTERM\n%s" % (code, node.logs()))
        finally:
            for node in cls.nodes:
                node.cleanup()

    def redis_cli(self, port, *args):
        out = subprocess.run(["redis-cli", "-c", "-p", str(port)] + list(args),
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout.strip()

    def test_redis_cli_follows_moved_to_every_node(self):
        self.assertEqual(self.redis_cli(self.ports[0], "set", "a", "1"), "OK")
        self.assertEqual(self.redis_cli(self.ports[-1], "get", "a"), "1")
        owners = set()
        for i in range(40):
            key = "spread:%d" % i
            self.assertEqual(self.redis_cli(self.ports[i % NODES], "set", key, "v%d" % i), "OK")
            reply, owner = call_following_moved(self.ports[0], "GET", key)
            self.assertEqual(reply, b"v%d" % i)
            owners.add(owner)
        self.assertEqual(owners, set(self.ports), "40 keys should land on every node")

    def test_redis_py_cluster_client_works_unchanged(self):
        import redis.cluster  # Debian's python3-redis 4.3
        rc = redis.cluster.RedisCluster(host="127.0.0.1", port=self.ports[1], socket_timeout=10)
        try:
            self.assertEqual(len(rc.get_nodes()), NODES)
            for i in range(60):
                self.assertTrue(rc.set("py:%d" % i, "p%d" % i))
            self.assertEqual([rc.get("py:%d" % i) for i in range(60)],
                             [b"p%d" % i for i in range(60)])
            self.assertTrue(rc.mset({"{user7}:a": "1", "{user7}:b": "2"}))
            self.assertEqual(rc.mget("{user7}:a", "{user7}:b"), [b"1", b"2"])
            self.assertEqual(rc.incr("{user7}:n"), 1)
        finally:
            rc.close()

    def test_cluster_commands_describe_the_ring(self):
        ids = set()
        for node in self.nodes:
            with RespConn(node.fixed_port, timeout=10) as c:
                info = c.call("CLUSTER", "INFO").decode()
                self.assertIn("cluster_state:ok\r\n", info)
                self.assertIn("cluster_known_nodes:%d\r\n" % NODES, info)
                myid = c.call("CLUSTER", "MYID").decode()
                self.assertRegex(myid, "^[0-9a-f]{40}$")
                ids.add(myid)
                lines = c.call("CLUSTER", "NODES").decode().splitlines()
                self.assertEqual(len(lines), NODES)
                self.assertEqual(sum("myself" in line for line in lines), 1)
                slots = c.call("CLUSTER", "SLOTS")
                self.assertEqual(sum(r[1] - r[0] + 1 for r in slots), 16384)
                self.assertTrue(all(len(r) == 2 + 2 for r in slots), "primary + 1 backup each")
                self.assertIn(b"cluster_enabled:1", c.call("INFO", "cluster"))
                self._check_shards_agree_with_slots(c.call("CLUSTER", "SHARDS"), slots)
        self.assertEqual(len(ids), NODES)
        reply, port = call_following_moved(self.ports[0], "SET", "counted", "1")
        with RespConn(port, timeout=10) as c:
            slot = c.call("CLUSTER", "KEYSLOT", "counted")
            self.assertGreaterEqual(c.call("CLUSTER", "COUNTKEYSINSLOT", str(slot)), 1)
            self.assertIsInstance(c.call("CLUSTER", "COUNTKEYSINSLOT", "16384"), RespError)

    def _check_shards_agree_with_slots(self, shards, slots):
        # Redis 7 layout: each shard a flat map {slots: [first, last, ...], nodes: [node map]}.
        master_of = {}  # slot -> master id, from SHARDS
        for shard in shards:
            shard = dict(zip(shard[0::2], shard[1::2]))
            bounds = shard[b"slots"]
            nodes = [dict(zip(n[0::2], n[1::2])) for n in shard[b"nodes"]]
            self.assertEqual([n[b"role"] for n in nodes], [b"master", b"replica"])
            for n in nodes:
                self.assertEqual(set(n), {b"id", b"port", b"ip", b"endpoint", b"role",
                                          b"replication-offset", b"health"})
                self.assertIn(n[b"port"], self.ports)
                self.assertEqual(n[b"health"], b"online")
            for first, last in zip(bounds[0::2], bounds[1::2]):
                for slot in range(first, last + 1):
                    self.assertNotIn(slot, master_of, "a slot in two shards")
                    master_of[slot] = nodes[0][b"id"]
        self.assertEqual(len(master_of), 16384)
        for first, last, master, *_ in slots:
            self.assertEqual(master_of[first], master[2])
            self.assertEqual(master_of[last], master[2])

    def test_redis_cli_cluster_check_and_redis_benchmark_work(self):
        out = subprocess.run(["redis-cli", "--cluster", "check", "127.0.0.1:%d" % self.ports[0]],
                             capture_output=True, text=True, timeout=30)
        self.assertIn("All nodes agree about slots configuration", out.stdout, out.stdout)
        self.assertIn("All 16384 slots covered", out.stdout, out.stdout)
        out = subprocess.run(["redis-benchmark", "--cluster", "-p", str(self.ports[0]), "-t",
                              "set,get", "-n", "3000", "-c", "10", "-q"],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("SET:", out.stdout)
        self.assertIn("GET:", out.stdout)
        self.assertNotIn("rror", out.stdout + out.stderr)

    def test_a_killed_primary_recovers_its_writes_from_the_backups(self):
        written = {}
        for i in range(30):
            key = "durable:%d" % i
            reply, owner = call_following_moved(self.ports[0], "SET", key, "x%d" % i)
            self.assertEqual(reply, "OK")
            written[key] = owner
        victim_port = self.ports[1]
        victim = self.nodes[1]
        # Every member persists its voter state under its --dir: at its first start, and its
        # term once the cluster elected a leader.
        deadline = time.monotonic() + SERVE_TIMEOUT_S
        while True:
            state = open(victim.voter_state_path(), "rb").read()
            self.assertTrue(state.startswith(b"SHOALVS1"), state[:16])
            term = _varint(state, len(b"SHOALVS1"))
            if term >= 1:
                break
            self.assertLess(time.monotonic(), deadline, "no term was ever persisted")
            time.sleep(0.05)
        # The leader records every member's first life (one MarkUp each, in sync since epoch 1).
        epoch_before = self._wait_config_settled(1 + NODES)
        victim.kill()  # SIGKILL: its memory is gone, its disk is not
        victim.start()
        victim.wait_serving()
        with open(victim.stderr_path, "rb") as f:
            log = f.read()
        restored = re.search(rb"restored the voter state from (\S+): term (\d+),", log)
        self.assertIsNotNone(restored, log)
        self.assertEqual(restored.group(1), victim.voter_state_path().encode())
        self.assertGreaterEqual(int(restored.group(2)), term)  # its term survived the SIGKILL
        on_victim = [k for k, owner in written.items() if owner == victim_port]
        self.assertTrue(on_victim, "some keys should have the restarted node as their primary")
        for key in on_victim:
            with RespConn(victim_port, timeout=10) as c:
                self.assertEqual(c.call("GET", key), ("x" + key.split(":")[1]).encode())
        # INFO shows the configuration noticing the new life: the restarted member left its
        # in-sync sets (MarkUp) and came back into them once it served (GrowInSync), so the
        # epoch grew by at least 2; every node agrees on it and on one leader, all up, nothing
        # degraded.
        self._wait_config_settled(epoch_before + 2)

    def _wait_config_settled(self, epoch_min):
        """Waits until every node reports one epoch >= epoch_min, one known leader (which says
        it leads), every member up and no slot degraded; returns the epoch."""
        deadline = time.monotonic() + SERVE_TIMEOUT_S
        while True:
            views = [self._config_fields(p) for p in self.ports]
            epochs = {v["shoal_config_epoch"] for v in views}
            leaders = {v["shoal_config_leader"] for v in views}
            if (len(epochs) == 1 and min(epochs) >= epoch_min and len(leaders) == 1 and
                    min(leaders) >= 0 and
                    all(v["shoal_config_members_up"] == NODES and
                        v["shoal_config_slots_degraded"] == 0 for v in views)):
                leader = min(leaders)
                self.assertIn(leader, range(NODES))
                self.assertEqual([v["shoal_config_role"] == "leader" for v in views],
                                 [n == leader for n in range(NODES)])
                return min(epochs)
            self.assertLess(time.monotonic(), deadline,
                            "the configuration did not settle at epoch >= %d: %r" %
                            (epoch_min, views))
            time.sleep(0.05)

    def _config_fields(self, port):
        """INFO cluster's shoal_config_* fields of the node on `port` (numbers as ints)."""
        with RespConn(port, timeout=10) as c:
            text = c.call("INFO", "cluster").decode()
        fields = {}
        for line in text.splitlines():
            name, _, value = line.partition(":")
            if name.startswith("shoal_config_"):
                fields[name] = value if name == "shoal_config_role" else int(value)
        return fields

    def _peer_input_is_refused(self, payload, what):
        node = self.nodes[0]
        logged_before = open(node.stderr_path, "rb").read().count(b"peer connection from")
        with socket.create_connection(("127.0.0.1", self.ports[0] + PEER_OFFSET), timeout=10) as s:
            s.sendall(payload)
            s.settimeout(10)
            self.assertEqual(s.recv(16), b"", "the node should close a peer link that sends " + what)
        deadline = time.monotonic() + 5
        while open(node.stderr_path, "rb").read().count(b"peer connection from") <= logged_before:
            self.assertLess(time.monotonic(), deadline, "no log line for " + what)
            time.sleep(0.05)
        self.assertTrue(node.alive(), node.logs())
        reply, _ = call_following_moved(self.ports[0], "SET", "after:" + what, "ok")
        self.assertEqual(reply, "OK")
        reply, _ = call_following_moved(self.ports[2], "GET", "after:" + what)
        self.assertEqual(reply, b"ok")

    def test_garbage_on_the_peer_port_is_refused(self):
        self._peer_input_is_refused(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 4, "garbage")

    def test_a_frame_over_the_limit_is_refused(self):
        self._peer_input_is_refused(struct.pack("<I", 0xFFFFFFF0) + b"x" * 64, "a huge length")

    def test_an_unknown_protocol_version_is_refused(self):
        body = bytes([0xFE, 0, 0, 1, 0]) + b"\0" * 8
        self._peer_input_is_refused(struct.pack("<I", len(body)) + body, "an unknown version")


class VoterStateWriteFailureTest(unittest.TestCase):
    """A voter that cannot make its term, vote or log durable must not send them: it exits."""

    def setUp(self):
        if harness.USE_REDIS:
            raise unittest.SkipTest("shoal-only: a Shoal cluster of processes")

    def test_a_node_that_cannot_persist_its_voter_state_exits_1(self):
        ports = free_cluster_ports(NODES)
        members = ",".join("127.0.0.1:%d" % (p + PEER_OFFSET) for p in ports)
        nodes = [ClusterMember(p, members) for p in ports]
        try:
            for node in nodes:
                node.start()
            for node in nodes:
                node.wait_serving()
            victim = nodes[1]
            # The write goes to <path>.tmp first; a directory there makes it fail (even for root).
            os.mkdir(victim.voter_state_path() + ".tmp")
            # A failure the victim must persist something for: an election if node 0 led,
            # else the leader's MarkDown entry, which every voter appends.
            nodes[0].kill()
            code = victim.wait_exit(timeout=SERVE_TIMEOUT_S)
            self.assertEqual(code, 1, victim.logs())
            with open(victim.stderr_path, "rb") as f:
                log = f.read()
            self.assertIn(b"cannot persist the voter state (cannot create", log)
            self.assertTrue(nodes[2].alive(), nodes[2].logs())  # the others are not affected
        finally:
            for node in nodes:
                node.cleanup()


class ClusterFlagsTest(unittest.TestCase):
    def setUp(self):
        if harness.USE_REDIS:
            self.skipTest("shoal-only: shoald's flags")

    def shoald(self, *args):
        return subprocess.run([harness.SHOALD_PATH] + list(args), capture_output=True, text=True,
                              timeout=20)

    def test_bad_combinations_exit_2_with_a_message(self):
        cases = [
            (["--cluster", "yes"], "needs --cluster-members"),
            (["--cluster", "yes", "--port", "7001", "--cluster-members",
              "127.0.0.1:17002,127.0.0.1:17003"], "does not list this node"),
            (["--cluster", "yes", "--port", "7001", "--copies", "3", "--cluster-members",
              "127.0.0.1:17001,127.0.0.1:17002"], "more than the 2 members"),
            (["--cluster-members", "127.0.0.1:17001,127.0.0.1:17002"], "need --cluster yes"),
            (["--dir", "/tmp"], "need --cluster yes"),
            (["--cluster", "yes", "--port", "7001", "--dir", "/nonexistent-shoal-dir",
              "--cluster-members", "127.0.0.1:17001,127.0.0.1:17002"],
             "is not an existing directory"),
            (["--cluster", "yes", "--port", "7001", "--cluster-members", "localhost:17001,x"],
             "is not IP:PEERPORT"),
        ]
        for args, message in cases:
            out = self.shoald(*args)
            self.assertEqual(out.returncode, 2, (args, out.stderr))
            self.assertIn(message, out.stderr, args)

    def test_a_damaged_voter_state_is_refused_at_start(self):
        # A torn or damaged file must not be restored as if it were what the voter promised.
        state_dir = tempfile.mkdtemp(prefix="shoal-it-dir-")
        try:
            with open(os.path.join(state_dir, "voter-state"), "wb") as f:
                f.write(b"SHOALVS1" + b"\x05\x01\x00\x00\x00\x00" + b"\x00" * 8)  # bad checksum
            out = self.shoald("--cluster", "yes", "--port", "7001", "--dir", state_dir,
                              "--cluster-members", "127.0.0.1:17001,127.0.0.1:17002")
            self.assertEqual(out.returncode, 1, out.stderr)
            self.assertIn("is not a voter state this version can read, or is damaged", out.stderr)
        finally:
            shutil.rmtree(state_dir)


if __name__ == "__main__":
    harness.main()
