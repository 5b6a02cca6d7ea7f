"""Helpers shared by the observability integration tests (metrics_test.py, exporter_test.py):
a parsed Prometheus scrape (the official parser, Debian's python3-prometheus-client) and the
known workload whose counts those tests check."""

import urllib.request

from prometheus_client.parser import text_string_to_metric_families


class Scrape:
    """One parsed scrape: sample values by (name, sorted label items)."""

    def __init__(self, text):
        self.text = text
        self.families = list(text_string_to_metric_families(text))
        self.samples = {}
        for family in self.families:
            for s in family.samples:
                self.samples[(s.name, tuple(sorted(s.labels.items())))] = s.value

    @staticmethod
    def fetch(url):
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200, response.status
            return Scrape(response.read().decode("utf-8")), response.headers

    def has(self, name, **labels):
        return (name, tuple(sorted(labels.items()))) in self.samples

    def get(self, name, **labels):
        """The sample's value, 0 if absent (a counter that has not moved yet)."""
        return self.samples.get((name, tuple(sorted(labels.items()))), 0)

    def buckets(self, name, **labels):
        """[(le, count)] of one histogram series, by le."""
        out = []
        for (sample, items), value in self.samples.items():
            d = dict(items)
            le = d.pop("le", None)
            if sample == name + "_bucket" and d == labels:
                out.append((float(le), value))
        return sorted(out)


def run_known_traffic(client, prefix, sets, hits, misses):
    """SETs `sets` fresh keys, GETs `hits` of them and `misses` absent keys (one pipeline), then
    one INCR of a non-integer (an ERR reply, a failed call). redis-py's incr() would send INCRBY,
    so INCR goes through execute_command."""
    p = client.pipeline(transaction=False)
    for i in range(sets):
        p.set("%s:%d" % (prefix, i), "value-%d" % i)
    for i in range(hits):
        p.get("%s:%d" % (prefix, i))
    for i in range(misses):
        p.get("%s:missing:%d" % (prefix, i))
    p.execute()
    try:
        client.execute_command("INCR", "%s:0" % prefix)
    except Exception:  # redis.ResponseError: the expected ERR
        pass
