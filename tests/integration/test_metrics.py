"""/metrics: valid exposition (promtool), scraped by a real Prometheus."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import free_port, get, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mdhub-metrics-")
        cls.port = free_port()
        cls.hub = f"http://127.0.0.1:{cls.port}"
        cls.started = time.monotonic()
        # Recording on, so the recorder's families are exported too.
        cls.procs = [subprocess.Popen([BIN, "run", "--listen", f"127.0.0.1:{cls.port}",
                                       "--record", os.path.join(cls.dir, "rec")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        wait_until("demo /healthz", lambda: http(cls.hub + "/healthz")[0] == 200, 20)

    @classmethod
    def tearDownClass(cls):
        codes = []
        for p in cls.procs:
            p.terminate()
            codes.append(p.wait(timeout=10))
        shutil.rmtree(cls.dir, ignore_errors=True)
        if codes[0] != 0:  # procs[0] is mdhub; prometheus is only a client here
            raise AssertionError(f"mdhub exited {codes[0]} on SIGTERM")

    def exposition(self):
        status, text = http(self.hub + "/metrics")
        self.assertEqual(status, 200)
        return text

    def samples(self):
        """{(name, ((label, value), ...)): float} of the current exposition."""
        out = {}
        for line in self.exposition().splitlines():
            if not line or line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            self.assertIsNotNone(m, line)
            labels = tuple(LABEL.findall(m.group(2) or ""))
            out[(m.group(1), labels)] = float(m.group(3))
        return out

    def histogram(self, samples, name, **labels):
        """(cumulative buckets as [(le, count)], count, sum) of one histogram series."""
        want = tuple(sorted(labels.items()))
        buckets = sorted(((float(dict(k[1])["le"]), v) for k, v in samples.items()
                          if k[0] == name + "_bucket" and tuple(sorted(x for x in k[1] if x[0] != "le")) == want),
                         key=lambda b: b[0])
        key = (name + "_count", tuple(labels.items()))
        self.assertIn(key, samples, f"{name} {labels}")
        return buckets, samples[key], samples[(name + "_sum", tuple(labels.items()))]

    def assert_sane_histogram(self, samples, name, **labels):
        buckets, count, total = self.histogram(samples, name, **labels)
        self.assertGreater(len(buckets), 1)
        self.assertEqual(buckets[-1][0], float("inf"))
        self.assertEqual(buckets[-1][1], count)
        for (_, a), (_, b) in zip(buckets, buckets[1:]):
            self.assertLessEqual(a, b, f"{name} buckets must be cumulative")
        # Every observation is a duration above zero and, when none overflowed, at most the
        # largest finite bound (+1: one may land between the reads of the buckets and the sum).
        if count == 0:
            self.assertEqual(total, 0, name)
        else:
            self.assertGreater(total, 0, name)
        if buckets[-2][1] == count:
            self.assertLessEqual(total, buckets[-2][0] * (count + 1), name)
        return count

    def test_content_type_and_contract_names(self):
        import urllib.request
        with urllib.request.urlopen(self.hub + "/metrics", timeout=5) as r:
            self.assertEqual(r.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        wait_until("feed messages", lambda: 'mdhub_feed_messages_total{venue="narkasa",channel="book"}' in self.exposition())
        text = self.exposition()
        for name in ("mdhub_feed_messages_total", "mdhub_feed_reconnects_total", "mdhub_feed_gaps_total",
                     "mdhub_book_resyncs_total", "mdhub_parse_errors_total", "mdhub_feed_up",
                     "mdhub_tick_to_publish_seconds_bucket", "mdhub_ws_clients", "mdhub_ws_dropped_total",
                     "mdhub_build_info"):
            self.assertIn(name, text)

    def test_rest_latency_and_status_codes(self):
        def polled():
            s = self.samples()
            return s.get(("mdhub_rest_responses_total", (("venue", "bitexbit"), ("code", "200"))), 0) > 0 and s
        s = wait_until("bitexbit REST answers", polled, 20)
        # bitexbit is REST-polled only: every poll is a timed request with an outcome class.
        self.assertGreater(self.assert_sane_histogram(s, "mdhub_rest_request_duration_seconds", venue="bitexbit"), 0)
        codes = {"200", "2xx", "3xx", "429", "4xx", "5xx", "other", "timeout", "error"}
        for venue in ("btse", "narkasa", "coinbtr", "coinmotion", "bitexbit"):
            seen = {dict(k[1])["code"]: v for k, v in s.items()
                    if k[0] == "mdhub_rest_responses_total" and dict(k[1])["venue"] == venue}
            self.assertEqual(set(seen), codes, venue)
            # The simulator runs without faults: every request so far was answered 200.
            self.assertEqual({c: v for c, v in seen.items() if v and c != "200"}, {}, venue)
            sent = s[("mdhub_rest_requests_total", (("venue", venue),))]
            done = sum(seen.values())
            self.assertLessEqual(done, sent, venue)
            self.assertGreaterEqual(done + 1, sent, venue)  # at most one request in flight
            _, count, _ = self.histogram(s, "mdhub_rest_request_duration_seconds", venue=venue)
            self.assertEqual(count, done, venue)
            # Only the request at the head of the queue waits, and its wait is added once it is
            # sent: no wait, no time; two or more, some time; never more than mdhub has run.
            waits = s[("mdhub_rest_rate_limit_waits_total", (("venue", venue),))]
            waited = s[("mdhub_rest_rate_limit_wait_seconds_total", (("venue", venue),))]
            if waits == 0:
                self.assertEqual(waited, 0, venue)
            elif waits >= 2:
                self.assertGreater(waited, 0, venue)
            self.assertLessEqual(waited, time.monotonic() - self.started, venue)

    def test_stage_latency_histograms(self):
        s = wait_until("stage samples", lambda: (lambda s: s.get(
            ("mdhub_stage_seconds_count", (("stage", "parsed_to_published"),)), 0) > 0 and s)(self.samples()), 20)
        for stage in ("read_to_parsed", "parsed_to_published"):
            self.assertGreater(self.assert_sane_histogram(s, "mdhub_stage_seconds", stage=stage), 0, stage)
        self.assertGreater(self.assert_sane_histogram(s, "mdhub_tick_to_publish_seconds"), 0)
        published = s[("mdhub_stage_seconds_count", (("stage", "parsed_to_published"),))]
        split = [k for k in s if k[0] == "mdhub_stage_seconds_count" and
                 dict(k[1])["stage"] in ("parsed_to_applied", "applied_to_published")]
        if not split:
            self.skipTest("the engine apply probe is not registered in this build")
        for stage in ("parsed_to_applied", "applied_to_published"):
            n = self.assert_sane_histogram(s, "mdhub_stage_seconds", stage=stage)
            self.assertGreater(n, 0, stage)
            self.assertLessEqual(n, published, stage)  # sampled

    def test_websocket_queue_depth(self):
        s = self.samples()
        if ("mdhub_ws_queued_bytes", ()) not in s:
            self.skipTest("no websocket queue-depth source in this build")
        # No websocket client is connected in this class: nothing can be queued.
        self.assertEqual(s[("mdhub_ws_clients", ())], 0)
        self.assertEqual(s[("mdhub_ws_queued_bytes", ())], 0)

    def test_recorder_families(self):
        s = wait_until("an fsync", lambda: (lambda s: s.get(("mdhub_recorder_fsync_seconds_count", ()), 0) > 0 and s)(
            self.samples()), 20)
        self.assertGreater(self.assert_sane_histogram(s, "mdhub_recorder_fsync_seconds"), 0)
        self.assertGreater(s[("mdhub_recorder_bytes_total", ())], 0)
        self.assertGreater(s[("mdhub_recorder_records_total", ())], 0)
        self.assertGreater(s[("mdhub_recorder_payload_bytes_total", ())], 0)
        for name in ("mdhub_recorder_dropped_total", "mdhub_recorder_overflow_total", "mdhub_recorder_too_large_total",
                     "mdhub_recorder_lost_total", "mdhub_recorder_errors_total"):
            self.assertEqual(s[(name, ())], 0, name)
        self.assertEqual(s[("mdhub_recorder_queue_capacity_bytes", ())], 32 << 20)  # the default hand-off ring
        self.assertLessEqual(s[("mdhub_recorder_queue_bytes", ())], s[("mdhub_recorder_queue_capacity_bytes", ())])

    def test_dashboard_queries_exported_names(self):
        import json
        path = os.path.join(os.path.dirname(__file__), "..", "..", "contrib", "grafana-dashboard.json")
        with open(path) as f:
            exprs = [t["expr"] for p in json.load(f)["panels"] for t in p.get("targets", [])]
        wait_until("an fsync", lambda: "mdhub_recorder_fsync_seconds_count" in self.exposition(), 20)
        families = set(re.findall(r"^# TYPE (\S+) ", self.exposition(), re.M))
        # Exported only where the build wires a source for it (see README, Metrics).
        optional = {"mdhub_ws_queued_bytes"}
        for e in exprs:
            for name in re.findall(r"mdhub_[a-z0-9_]+", e):
                base = re.sub(r"_(bucket|count|sum)$", "", name)
                if base not in optional:
                    self.assertIn(base, families, e)

    def test_promtool_accepts_the_exposition(self):
        wait_until("feed messages", lambda: "mdhub_feed_messages_total" in self.exposition())
        r = subprocess.run(["promtool", "check", "metrics"], input=self.exposition(), capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_real_prometheus_scrapes(self):
        prom_port = free_port()
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: mdhub\n    static_configs:\n"
                    f"      - targets: ['127.0.0.1:{self.port}']\n")
        p = subprocess.Popen(["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={self.dir}/tsdb",
                              f"--web.listen-address=127.0.0.1:{prom_port}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        api = f"http://127.0.0.1:{prom_port}/api/v1/query?query="

        def query(q):
            body = get(api + urllib.parse.quote(q))
            return body["data"]["result"]

        up = wait_until("up == 1", lambda: [r for r in query('up{job="mdhub"}') if r["value"][1] == "1"], 60)
        self.assertEqual(up[0]["metric"]["instance"], f"127.0.0.1:{self.port}")
        q = 'sum(mdhub_feed_messages_total{venue="narkasa"})'
        first = wait_until("first scrape", lambda: query(q), 30)
        v1 = float(first[0]["value"][1])
        wait_until("counter increases", lambda: float(query(q)[0]["value"][1]) > v1, 30)
        self.assertEqual(query('mdhub_feed_up{venue="narkasa"}')[0]["value"][1], "1")


if __name__ == "__main__":
    unittest.main()
