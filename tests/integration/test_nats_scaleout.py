"""Scale-out end to end: one simulator, two ingest nodes (`mdhub run --nats`) with disjoint
venues publishing to one nats-server with JetStream, and `mdhub edge` serving both. With the
market paused, every edge book equals the simulator's truth and the ingest node's book at
the same seq, and the edge's consolidated book merges the venues of both ingest nodes; an
edge started late converges from the snapshot subjects; after nats-server restarts the edge
serves every book again. Skipped in a build whose `run` does not publish to NATS yet.
MDHUB_INGEST_BIN may name another build of mdhub to run the ingest nodes with."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from harness import free_port, get, http, levels, wait_until  # noqa: E402
from natsd import NatsServer  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
INGEST_BIN = os.environ.get("MDHUB_INGEST_BIN", BIN)
NODES = {"a": ("btse", "narkasa"), "b": ("bitexbit", "coinbtr", "coinmotion")}
SYMBOL = "BTC-USDT"  # btse and narkasa on node a, bitexbit on node b
TAPE = [("btse", SYMBOL), ("narkasa", SYMBOL), ("bitexbit", SYMBOL), ("coinbtr", "BTC-MXN")]


def publishes_to_nats():
    r = subprocess.run([INGEST_BIN, "run", "--help"], capture_output=True, text=True, timeout=30)
    return r.returncode == 0 and "--nats" in r.stdout and "reserved" not in r.stdout


def node_config(printed, venues, nats_url):
    """The simulator's config with only `venues` enabled, publishing to the bus."""
    out, venue = [], None
    for line in printed.splitlines():
        if line.startswith("[venues.") and "." not in line[len("[venues."):-1]:
            venue = line[len("[venues."):-1]
        if line.strip() == "enabled = true" and venue not in venues:
            line = "enabled = false"
        out.append(line)
    return "\n".join(out) + f'\n\n[nats]\nurl = "{nats_url}"\nsnapshot_interval_ms = 300\n'


@unittest.skipUnless(publishes_to_nats(), "this build's `run` does not publish to NATS")
class ScaleOut(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mdhub-scaleout-")
        cls.procs = {}
        cls.nats = NatsServer()
        try:
            sim_port = free_port()
            cls.sim = f"http://127.0.0.1:{sim_port}"
            printed = subprocess.run([BIN, "sim", "--listen", f"127.0.0.1:{sim_port}", "--print-config"],
                                     check=True, capture_output=True, text=True).stdout
            cls.start("sim", [BIN, "sim", "--listen", f"127.0.0.1:{sim_port}", "--seed", "11"])
            wait_until("simulator", lambda: http(cls.sim + "/sim/status")[0] == 200, 20)
            cls.ingest = {}
            for node, venues in NODES.items():
                path = os.path.join(cls.dir, f"ingest-{node}.toml")
                with open(path, "w") as f:
                    f.write(node_config(printed, venues, cls.nats.url))
                port = free_port()
                cls.ingest[node] = f"http://127.0.0.1:{port}"
                cls.start(f"ingest-{node}", [INGEST_BIN, "run", "--config", path, "--listen", f"127.0.0.1:{port}"])
            cls.edge = cls.start_edge("edge")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
        cls.nats.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def start(cls, name, argv):
        with open(os.path.join(cls.dir, name + ".log"), "w") as log:
            cls.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)

    @classmethod
    def start_edge(cls, name):
        port = free_port()
        cls.start(name, [BIN, "edge", "--nats", cls.nats.url, "--listen", f"127.0.0.1:{port}"])
        hub = f"http://127.0.0.1:{port}"
        wait_until(f"{name} /healthz", lambda: http(hub + "/healthz")[0] == 200, 20)
        return hub

    def books(self, node):
        """(venue, symbol) of every book an ingest node serves (coinmotion quotes have none)."""
        return [(i["venue"], i["symbol"]) for i in get(self.ingest[node] + "/api/v1/instruments")["instruments"]
                if i["venue"] != "coinmotion"]

    def all_books(self):
        def ready():
            out = []
            for node, venues in NODES.items():
                b = self.books(node)
                if {v for v, _ in b} != set(venues) - {"coinmotion"}:
                    return None
                out += b
            return out
        return wait_until("both ingest nodes list their books", ready, 30)

    def same_as_ingest(self, edge, venue, symbol):
        """The edge's book equals the ingest node's book at the same seq and the truth."""
        node = next(n for n, v in NODES.items() if venue in v)
        s1, ingest = http(f"{self.ingest[node]}/api/v1/book/{venue}/{symbol}?depth=1000")
        s2, mine = http(f"{edge}/api/v1/book/{venue}/{symbol}?depth=1000")
        if s1 != 200 or s2 != 200 or mine["venue_seq"] != ingest["seq"]:
            return False
        truth = get(f"{self.sim}/sim/truth/{venue}/{symbol}?depth=1000")
        return mine["bids"] == ingest["bids"] and mine["asks"] == ingest["asks"] and \
            levels(mine["bids"]) == levels(truth["bids"]) and levels(mine["asks"]) == levels(truth["asks"])

    def consolidated_is_merged_truth(self, edge, venues):
        status, mine = http(f"{edge}/api/v1/book/all/{SYMBOL}?depth=1000")
        if status != 200 or sorted(mine["venues"]) != sorted(venues):
            return False
        for side in ("bids", "asks"):
            by_price = {}
            for v in venues:
                for p, q in levels(get(f"{self.sim}/sim/truth/{v}/{SYMBOL}?depth=1000")[side]):
                    by_price.setdefault(p, {})[v] = q
            want = [(p, sum(parts.values()), parts) for p, parts in sorted(by_price.items(), reverse=side == "bids")]
            got = [(Decimal(p), Decimal(q), {v: Decimal(x) for v, x in parts.items()}) for p, q, parts in mine[side]]
            if got != want:
                return False
        return True

    def same_tape(self, edge, venue, symbol):
        """The latest trades and the ticker equal the ingest node's, but for the edge's own
        receive times and sequence numbers."""
        node = next(n for n, v in NODES.items() if venue in v)
        strip = lambda d: {k: v for k, v in d.items() if k not in ("seq", "ts_received")}  # noqa: E731
        s1, a = http(f"{self.ingest[node]}/api/v1/ticker/{venue}/{symbol}")
        s2, b = http(f"{edge}/api/v1/ticker/{venue}/{symbol}")
        if s1 != s2 or (s1 == 200 and strip(a) != strip(b)):
            return False
        s1, a = http(f"{self.ingest[node]}/api/v1/trades/{venue}/{symbol}?limit=5")
        s2, b = http(f"{edge}/api/v1/trades/{venue}/{symbol}?limit=5")
        if s1 != 200 or s2 != 200 or not b["trades"]:
            return False
        return [strip(t) for t in a["trades"]][-len(b["trades"]):] == [strip(t) for t in b["trades"]]

    def check_paused(self, edge, books, tape=False):
        http(self.sim + "/sim/pause", method="POST")
        try:
            for v, s in books:
                wait_until(f"{v} {s}: edge == ingest node == truth", lambda v=v, s=s: self.same_as_ingest(edge, v, s), 20)
            wait_until("consolidated book of both nodes' venues",
                       lambda: self.consolidated_is_merged_truth(edge, ["bitexbit", "btse", "narkasa"]), 20)
            if tape:
                for v, sym in TAPE:
                    wait_until(f"{v} trades and ticker as on the ingest node",
                               lambda v=v, sym=sym: self.same_tape(edge, v, sym), 20)
        finally:
            http(self.sim + "/sim/resume", method="POST")

    def test_scaleout(self):
        books = self.all_books()
        for v, sym in TAPE:  # trades come at random: some before the market is paused
            wait_until(f"{v} {sym} trades on the edge",
                       lambda v=v, sym=sym: get(f"{self.edge}/api/v1/trades/{v}/{sym}")["trades"], 60)
        self.check_paused(self.edge, books, tape=True)
        feeds = get(self.edge + "/api/v1/feeds")["feeds"]
        self.assertEqual(sorted(f["venue"] for f in feeds), ["bitexbit", "btse", "coinbtr", "coinmotion", "narkasa"])
        # Quotes without a book pass through as tickers.
        wait_until("coinmotion ticker on the edge", lambda: http(f"{self.edge}/api/v1/ticker/coinmotion/BTC-EUR")[0] == 200, 20)

        # An edge started late converges from the snapshot subjects.
        late = self.start_edge("late-edge")
        self.check_paused(late, books)

        # nats-server restarts: the ingest nodes keep serving locally, the edge recovers.
        self.nats.stop()
        wait_until("ingest still serving", lambda: http(f"{self.ingest['a']}/api/v1/book/btse/{SYMBOL}")[0] == 200, 10)
        self.nats.start()
        wait_until("edge feeds live again",
                   lambda: all(f["state"] == "live" for f in get(self.edge + "/api/v1/feeds")["feeds"]), 30)
        self.check_paused(self.edge, books)
        self.assertGreaterEqual(min(f["reconnects"] for f in get(self.edge + "/api/v1/feeds")["feeds"]), 1)
        for name in ("edge", "late-edge"):
            p = self.procs[name]
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(timeout=5), 0, name)


if __name__ == "__main__":
    unittest.main()
