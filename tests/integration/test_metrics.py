"""/metrics: valid exposition (promtool), scraped by a real Prometheus."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import free_port, get, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mdhub-metrics-")
        cls.port = free_port()
        cls.hub = f"http://127.0.0.1:{cls.port}"
        cls.procs = [subprocess.Popen([BIN, "run", "--listen", f"127.0.0.1:{cls.port}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        wait_until("demo /healthz", lambda: http(cls.hub + "/healthz")[0] == 200, 20)

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs:
            p.terminate()
            p.wait(timeout=10)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def exposition(self):
        status, text = http(self.hub + "/metrics")
        self.assertEqual(status, 200)
        return text

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
