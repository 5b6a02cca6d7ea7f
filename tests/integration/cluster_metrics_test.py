"""/metrics on the nodes of a 2-node cluster (--cluster yes, 2 copies): every node exports the
cluster families with its own view, the slots of both roles add up to the whole ring on each node,
and committed writes and -MOVED redirections move the counters by exactly what was sent. Parsed
with the official Prometheus text parser (Debian's python3-prometheus-client)."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespConn, RespError  # noqa: E402

from cluster_test import ClusterMember, PEER_OFFSET, free_cluster_ports  # noqa: E402
from prometheus_scrape import Scrape  # noqa: E402

NODES = 2
SLOTS = 16384


class MetricsMember(ClusterMember):
    """A cluster member with /metrics on a free port."""

    def __init__(self, port, members):
        super().__init__(port, members, copies=NODES)
        self.flags["metrics_port"] = 0  # Server.start() reads "shoald metrics on" when set

    def _shoal_argv(self):
        return super()._shoal_argv() + ["--metrics-port", "0"]

    def scrape(self):
        s, _ = Scrape.fetch("http://127.0.0.1:%d/metrics" % self.metrics_port)
        return s


class ClusterMetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if harness.USE_REDIS:
            raise unittest.SkipTest("shoal-only: a Shoal cluster of processes")
        cls.ports = free_cluster_ports(NODES)
        members = ",".join("127.0.0.1:%d" % (p + PEER_OFFSET) for p in cls.ports)
        cls.nodes = [MetricsMember(p, members) for p in cls.ports]
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
        for node in cls.nodes:
            node.stop()
            node.cleanup()

    def test_every_node_exports_its_view_of_the_ring(self):
        for i, node in enumerate(self.nodes):
            s = node.scrape()
            self.assertEqual(s.get("shoal_cluster_enabled"), 1)
            self.assertEqual(s.get("shoal_cluster_known_nodes"), NODES)
            self.assertEqual(s.get("shoal_cluster_copies"), NODES)
            self.assertEqual(s.get("shoal_cluster_serving"), 1)
            self.assertGreaterEqual(s.get("shoal_cluster_incarnation"), 1)
            self.assertEqual(s.get("shoal_cluster_recoveries_total"), 1)
            primary = s.get("shoal_cluster_slots", role="primary")
            backup = s.get("shoal_cluster_slots", role="backup")
            self.assertGreater(primary, 0, "node %d" % i)
            # 2 nodes, 2 copies: every node holds every slot, as primary or as backup.
            self.assertEqual(primary + backup, SLOTS, "node %d" % i)
        total = sum(n.scrape().get("shoal_cluster_slots", role="primary") for n in self.nodes)
        self.assertEqual(total, SLOTS)  # each slot has exactly one primary

    def test_every_node_exports_the_configuration_it_follows(self):
        # Once a leader is elected and every first life is recorded, all nodes export one epoch
        # and one leader, which alone says it leads; every member up, nothing degraded.
        deadline = time.monotonic() + 20
        while True:
            scrapes = [n.scrape() for n in self.nodes]
            epochs = {s.get("shoal_cluster_config_epoch") for s in scrapes}
            leaders = {s.get("shoal_cluster_config_leader") for s in scrapes}
            if len(epochs) == 1 and min(epochs) >= 1 + NODES and len(leaders) == 1 and \
                    min(leaders) >= 0:
                break
            self.assertLess(time.monotonic(), deadline, "no agreed configuration: %r %r" %
                            (epochs, leaders))
            time.sleep(0.05)
        leader = int(min(leaders))
        for i, s in enumerate(scrapes):
            self.assertEqual(s.get("shoal_cluster_config_leading"), 1 if i == leader else 0)
            self.assertGreaterEqual(s.get("shoal_cluster_config_term"), 1)
            self.assertEqual(s.get("shoal_cluster_members_up"), NODES)
            for state in ("degraded", "unavailable", "out_of_sync"):
                self.assertEqual(s.get("shoal_cluster_config_slots", state=state), 0, state)

    def test_writes_and_redirects_move_the_counters_exactly(self):
        before = [n.scrape() for n in self.nodes]
        writes = [0] * NODES
        moved = [0] * NODES
        for k in range(40):
            key = "cm:%d" % k
            for i, node in enumerate(self.nodes):
                with RespConn(node.port) as c:
                    reply = c.call("SET", key, "v")
                if isinstance(reply, RespError):
                    self.assertTrue(reply.message.startswith("MOVED "), reply.message)
                    moved[i] += 1
                else:
                    self.assertEqual(reply, "OK")
                    writes[i] += 1
        self.assertEqual(sum(writes), 40)  # each key has one primary, which took the write
        self.assertEqual(sum(moved), 40)
        after = [n.scrape() for n in self.nodes]
        for i in range(NODES):
            self.assertEqual(after[i].get("shoal_cluster_writes_committed_total") -
                             before[i].get("shoal_cluster_writes_committed_total"), writes[i])
            self.assertEqual(after[i].get("shoal_cluster_redirects_total", kind="moved") -
                             before[i].get("shoal_cluster_redirects_total", kind="moved"), moved[i])
            self.assertEqual(after[i].get("shoal_commands_rejected_calls_total", cmd="set") -
                             before[i].get("shoal_commands_rejected_calls_total", cmd="set"),
                             moved[i])
            self.assertEqual(after[i].get("shoal_errors_total", err="MOVED") -
                             before[i].get("shoal_errors_total", err="MOVED"), moved[i])


if __name__ == "__main__":
    harness.main()
