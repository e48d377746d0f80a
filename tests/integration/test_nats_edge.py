"""`mdhub edge` against a real nats-server with JetStream: the test plays two ingest nodes
(btse and narkasa books, written here as the websocket API renders them, on the bus
subjects), and checks that the edge serves every book exactly, merges them into the
consolidated book, starts late from the snapshot subjects, re-reads a snapshot after a seq
gap (counted), and recovers when nats-server restarts."""
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import shutil
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import free_port, get, http, wait_until  # noqa: E402
from natsd import NatsClient, NatsServer  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
BUS_KINDS = ["md.book.>", "md.bbo.>", "md.trades.>", "md.ticker.>", "md.candles.>"]


def dumps(o):
    return json.dumps(o, separators=(",", ":"))


def key(p):
    from decimal import Decimal
    return Decimal(p)


def fmt(d):
    """The shortest exact decimal text, as mdhub writes it."""
    return format(d.normalize(), "f")


class Book:
    """One venue book as an ingest node publishes it: snapshot and updates with its seq."""

    def __init__(self, venue, symbol, bids, asks, seq):
        self.venue, self.symbol, self.seq = venue, symbol, seq
        self.bids, self.asks = dict(bids), dict(asks)

    def _head(self, type_):
        return {"type": type_, "channel": f"book:{self.venue}:{self.symbol}", "venue": self.venue,
                "symbol": self.symbol, "seq": self.seq, "ts_exchange": None, "ts_received": 1700000000000000,
                "venue_seq": None}

    def side(self, bids):
        d = self.bids if bids else self.asks
        return [[p, d[p]] for p in sorted(d, key=key, reverse=bids)]

    def snapshot(self):
        m = self._head("book_snapshot")
        m["bids"], m["asks"] = self.side(True), self.side(False)
        return dumps(m)

    def resync(self, bids, asks):
        """The ingest node resynchronised the book: a fresh book_snapshot on the book subject."""
        self.seq += 1
        self.bids, self.asks = dict(bids), dict(asks)
        return self.snapshot()

    def update(self, bids=(), asks=()):
        """Applies the changes (qty "0" deletes) and returns the book_update message."""
        self.seq += 1
        for d, changes in ((self.bids, bids), (self.asks, asks)):
            for p, q in changes:
                if q == "0":
                    d.pop(p, None)
                else:
                    d[p] = q
        m = self._head("book_update")
        m["bids"], m["asks"] = [list(c) for c in bids], [list(c) for c in asks]
        return dumps(m)


class EdgeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.nats = NatsServer()
        with NatsClient(cls.nats.url) as c:
            r = c.js("STREAM.CREATE.MD", {"name": "MD", "subjects": BUS_KINDS, "storage": "file"})
            assert "error" not in r, r
            r = c.js("STREAM.CREATE.MD_SNAPSHOT", {"name": "MD_SNAPSHOT", "subjects": ["md.snapshot.>"],
                                                   "storage": "file", "max_msgs_per_subject": 1})
            assert "error" not in r, r
        cls.dir = tempfile.mkdtemp(prefix="mdhub-edge-")
        cls.procs = []

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=5)
        cls.nats.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def start_edge(self, *args):
        port = free_port()
        path = os.path.join(self.dir, f"edge-{port}.log")
        log = open(path, "w")
        p = subprocess.Popen([BIN, "edge", "--nats", self.nats.url, "--listen", f"127.0.0.1:{port}", *args],
                             stdout=log, stderr=subprocess.STDOUT)
        log.close()
        p.log_path = path
        self.procs.append(p)
        hub = f"http://127.0.0.1:{port}"
        wait_until("edge /healthz", lambda: http(hub + "/healthz")[0] == 200, 20)
        return hub, p

    def assertExitedCleanly(self, p):
        code = p.wait(timeout=5)
        if code != 0:  # a sanitizer's report is in the log, and CI shows only this message
            with open(p.log_path) as f:
                self.fail(f"edge exited {code}; its log ends:\n" + f.read()[-20000:])

    def publish(self, book, msg, snapshot=False):
        kind = "snapshot" if snapshot else "book"
        with NatsClient(self.nats.url) as c:
            c.publish(f"md.{kind}.{book.venue}.{book.symbol}", msg)
            c.ping()

    def publish_snapshot(self, book):
        self.publish(book, book.snapshot(), snapshot=True)

    def served(self, hub, book):
        status, b = http(f"{hub}/api/v1/book/{book.venue}/{book.symbol}?depth=1000")
        return status == 200 and b["bids"] == book.side(True) and b["asks"] == book.side(False) \
            and b["venue_seq"] == book.seq

    def metric(self, hub, name):
        status, text = http(hub + "/metrics")
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise AssertionError(f"no metric {name}")

    def symbol_feed(self, hub, venue, symbol):
        for f in get(hub + "/api/v1/feeds")["feeds"]:
            if f["venue"] == venue and symbol in f["symbols"]:
                return f["symbols"][symbol]
        raise AssertionError(f"no {venue} {symbol} in /api/v1/feeds")

    def expected_consolidated(self, books, bids):
        merged = {}
        for b in books:
            for p, q in (b.bids if bids else b.asks).items():
                merged.setdefault(key(p), {})[b.venue] = q
        out = []
        for p in sorted(merged, reverse=bids):
            parts = merged[p]
            total = sum(key(q) for q in parts.values())
            out.append([fmt(p), fmt(total), parts])
        return out

    def test_usage_errors_and_a_bus_that_is_not_there(self):
        def run(*args, env=None):
            r = subprocess.run([BIN, "edge", *args], capture_output=True, text=True, timeout=30, env=env)
            return r.returncode, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
        self.assertEqual(run(), (2, "edge needs --nats URL (or [nats] url in the config)"))
        self.assertEqual(run("--nats", self.nats.url, "--listen", "nowhere"),
                         (2, "--listen must be HOST:PORT with a port from 0 to 65535 (IPv6 as [ADDR]:PORT), got 'nowhere'"))
        self.assertEqual(run("--nats", self.nats.url, "--venues", "btse,BTSE"),
                         (2, "--venues: 'BTSE' is not a venue id (lower-case letters, digits, _)"))
        self.assertEqual(run("--nats", self.nats.url, "--symbols", "btc-usdt,BTCUSDT"),
                         (2, "--symbols: 'BTCUSDT' is not a canonical symbol (BASE-QUOTE)"))
        # Like run: an address beyond loopback needs the token.
        self.assertEqual(run("--nats", self.nats.url, "--listen", "0.0.0.0:0"),
                         (2, "listening on 0.0.0.0:0 (not a loopback address) needs an auth token: set auth_token_env "
                             "in [server] (or --auth-token-env) to the name of an environment variable holding it, or "
                             "listen on 127.0.0.1"))
        env = {k: v for k, v in os.environ.items() if k != "MDHUB_TEST_NO_CREDS"}
        self.assertEqual(run("--nats", self.nats.url, "--listen", "127.0.0.1:0", "--creds-env", "MDHUB_TEST_NO_CREDS",
                             env=env),
                         (2, "edge: environment variable MDHUB_TEST_NO_CREDS, which should hold the NATS credentials "
                             "file's path, is not set"))
        # No server at that address: the edge serves, not ready, its feeds connecting, and
        # a configured symbol answers feed_down until the bus is reached.
        port = free_port()
        log = open(os.path.join(self.dir, "edge-nobus.log"), "w")
        p = subprocess.Popen([BIN, "edge", "--nats", f"nats://127.0.0.1:{free_port()}", "--listen",
                              f"127.0.0.1:{port}", "--venues", "btse", "--symbols", "BTC-USDT"],
                             stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs.append(p)
        hub = f"http://127.0.0.1:{port}"
        wait_until("edge /healthz", lambda: http(hub + "/healthz")[0] == 200, 20)
        self.assertEqual(http(hub + "/readyz")[0], 503)
        self.assertEqual([(f["venue"], f["state"]) for f in get(hub + "/api/v1/feeds")["feeds"]], [("btse", "connecting")])
        status, body = http(f"{hub}/api/v1/book/btse/BTC-USDT")
        self.assertEqual((status, body["error"]["code"]), (503, "feed_down"))
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=5), 0)

    def test_edge(self):
        btse = Book("btse", "BTC-USDT", [("60000.5", "1.25"), ("59999", "0.00000001")],
                    [("60001", "2"), ("60002.75", "0.5")], 10)
        nark = Book("narkasa", "BTC-USDT", [("60000.5", "0.75"), ("59998.1", "3")],
                    [("60001.5", "1"), ("60003", "4.125")], 500)
        eth = Book("btse", "ETH-USDT", [("3000.01", "10")], [("3000.02", "11")], 7)
        # The ingest nodes have published their snapshots before the edge starts: it finds
        # them from the snapshot stream's subjects.
        for b in (btse, nark, eth):
            self.publish_snapshot(b)
        hub, edge = self.start_edge()
        for b in (btse, nark, eth):
            wait_until(f"edge serves {b.venue} {b.symbol} from its snapshot", lambda b=b: self.served(hub, b), 20)
        self.assertEqual(self.metric(hub, "mdhub_nats_connected"), 1)
        wait_until("both feeds live", lambda: all(f["state"] == "live" for f in get(hub + "/api/v1/feeds")["feeds"])
                   and len(get(hub + "/api/v1/feeds")["feeds"]) == 2, 10)
        self.assertEqual(http(hub + "/readyz")[0], 200)

        # Live updates, followed by seq.
        self.publish(btse, btse.update(bids=[("60000.5", "0"), ("60000", "0.3")], asks=[("60001", "1.5")]))
        self.publish(btse, btse.update(asks=[("60000.75", "0.12345678")]))
        self.publish(nark, nark.update(bids=[("60000.6", "2")]))
        for b in (btse, nark):
            wait_until(f"edge follows {b.venue} updates", lambda b=b: self.served(hub, b), 10)

        # The consolidated book merges the two ingest nodes' venues.
        def consolidated():
            status, c = http(f"{hub}/api/v1/book/all/BTC-USDT?depth=1000")
            return status == 200 and sorted(c["venues"]) == ["btse", "narkasa"] and \
                c["bids"] == self.expected_consolidated([btse, nark], True) and \
                c["asks"] == self.expected_consolidated([btse, nark], False)
        wait_until("consolidated book of both venues", consolidated, 10)

        # The websocket API serves the same book: a snapshot, then the next update.
        async def ws_book():
            import websockets
            async with websockets.connect(hub.replace("http", "ws") + "/ws") as ws:
                await ws.send(dumps({"op": "subscribe", "channels": ["book:btse:BTC-USDT"], "id": 1}))
                msgs = []
                while len(msgs) < 2:
                    m = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if m.get("type") == "book_snapshot":
                        msgs.append(m)
                        self.publish(btse, btse.update(bids=[("59999", "0.5")]))
                    elif m.get("type") == "book_update":
                        msgs.append(m)
                return msgs
        before = (btse.side(True), btse.side(False), btse.seq)
        snap, upd = asyncio.run(ws_book())
        self.assertEqual((snap["bids"], snap["asks"], snap["venue_seq"]), before)
        self.assertEqual((upd["bids"], upd["asks"], upd["venue_seq"], upd["seq"]),
                         ([["59999", "0.5"]], [], btse.seq, snap["seq"] + 1))
        wait_until("edge follows the update", lambda: self.served(hub, btse), 10)

        # Live payloads' latency from the ingest node's ts_received is measured.
        self.assertGreaterEqual(self.metric(hub, "mdhub_edge_bus_latency_seconds_count"), 3)

        # A trade passes through exactly.
        with NatsClient(self.nats.url) as c:
            c.publish("md.trades.btse.BTC-USDT", dumps({
                "type": "trade", "channel": "trades:btse:BTC-USDT", "venue": "btse", "symbol": "BTC-USDT", "seq": 1,
                "ts_exchange": 1700000000123456, "ts_received": 1700000000200000, "price": "60000.25",
                "qty": "0.015", "side": "buy", "trade_id": "987654321"}))
            c.ping()

        def trade():
            status, t = http(f"{hub}/api/v1/trades/btse/BTC-USDT?limit=10")
            return status == 200 and len(t["trades"]) == 1 and t["trades"][0]
        t = wait_until("the trade", trade, 10)
        self.assertEqual((t["price"], t["qty"], t["side"], t["trade_id"], t["ts_exchange"]),
                         ("60000.25", "0.015", "buy", "987654321", 1700000000123456))

        # Bad input is counted and loses nothing else: a payload that does not parse, a
        # ticker with a decimal finer than the instrument's scale, names that are not a
        # venue or a symbol.
        with NatsClient(self.nats.url) as c:
            c.publish("md.book.narkasa.BTC-USDT", '{"type":"book_update","seq":')
            c.publish("md.ticker.narkasa.BTC-USDT", dumps({
                "type": "ticker", "channel": "ticker:narkasa:BTC-USDT", "venue": "narkasa", "symbol": "BTC-USDT",
                "seq": 1, "ts_exchange": None, "ts_received": 1, "bid": "1.000000001", "ask": None, "last": None,
                "open": None, "high": None, "low": None, "volume_base": None, "volume_quote": None,
                "change_pct": None}))
            c.publish("md.book.Not-A-Venue.BTC-USDT", nark.snapshot())
            c.publish("md.snapshot.narkasa.btc_usdt", nark.snapshot())
            c.ping()
        feed = lambda: next(f for f in get(hub + "/api/v1/feeds")["feeds"] if f["venue"] == "narkasa")  # noqa: E731
        wait_until("parse errors counted", lambda: feed()["parse_errors"] == 2, 10)
        self.assertEqual(feed()["last_error"], "BTC-USDT: bad bid (more fraction digits than the instrument scale)")
        wait_until("bad names refused", lambda: self.metric(hub, "mdhub_edge_refused_total") == 2, 10)
        self.assertEqual(len(get(hub + "/api/v1/feeds")["feeds"]), 2)
        self.assertTrue(self.served(hub, nark))
        self.assertTrue(self.served(hub, btse))
        # A newer snapshot that cannot be read leaves no older book served in its place.
        eth.seq += 1
        bad = json.loads(eth.snapshot())
        bad["bids"][0][1] = "0.000000001"
        self.publish(eth, dumps(bad), snapshot=True)
        wait_until("unreadable snapshot drops the book",
                   lambda: http(f"{hub}/api/v1/book/btse/ETH-USDT")[0] == 503, 10)
        eth.seq += 1
        self.publish_snapshot(eth)
        wait_until("the next snapshot serves it again", lambda: self.served(hub, eth), 10)

        # A seq gap: the book is dropped (503), the snapshot re-read (counted) is older than
        # the update that showed the gap, so the edge waits for the ingest's next snapshot.
        reads = self.metric(hub, "mdhub_edge_snapshot_reads_total")
        btse.update(bids=[("59999", "0")])  # seq 13: never published
        self.publish(btse, btse.update(asks=[("60002.75", "0")]))  # 14
        wait_until("gap counted", lambda: self.symbol_feed(hub, "btse", "BTC-USDT")["gaps"] == 1, 10)
        status, body = http(f"{hub}/api/v1/book/btse/BTC-USDT")
        self.assertEqual((status, body["error"]["code"]), (503, "book_unavailable"))
        wait_until("snapshot re-read", lambda: self.metric(hub, "mdhub_edge_snapshot_reads_total") > reads, 10)
        wait_until("re-read snapshot found too old",
                   lambda: self.metric(hub, "mdhub_edge_snapshot_unusable_total") >= 1, 10)
        self.assertTrue(self.served(hub, nark))  # the other books are untouched
        self.publish_snapshot(btse)
        wait_until("book back from the next snapshot", lambda: self.served(hub, btse), 10)
        self.publish(btse, btse.update(bids=[("59990", "7")]))
        wait_until("updates follow the new snapshot", lambda: self.served(hub, btse), 10)

        # The ingest node resynchronised a book: its book_snapshot on the book subject
        # replaces the edge's book too.
        self.publish(nark, nark.resync([("59000", "1")], [("61000", "2"), ("61000.5", "0.5")]))
        wait_until("book replaced by the ingest's resync snapshot", lambda: self.served(hub, nark), 10)
        self.publish(nark, nark.update(bids=[("59000.5", "0.25")]))
        wait_until("updates after the resync", lambda: self.served(hub, nark), 10)

        # An edge started now converges from the snapshot subjects alone.
        for b in (btse, nark, eth):
            self.publish_snapshot(b)
        late, late_proc = self.start_edge("--venues", "btse", "--symbols", "BTC-USDT")
        wait_until("late edge serves btse BTC-USDT", lambda: self.served(late, btse), 20)
        self.assertEqual([f["venue"] for f in get(late + "/api/v1/feeds")["feeds"]], ["btse"])
        self.assertEqual(http(f"{late}/api/v1/book/btse/ETH-USDT")[0], 404)
        late_proc.send_signal(signal.SIGTERM)
        self.assertExitedCleanly(late_proc)

        # nats-server restarts: the edge reconnects, and every book starts again from its
        # snapshot (the ingest nodes publish theirs again after a reconnect).
        self.nats.stop()
        wait_until("edge sees the outage", lambda: self.metric(hub, "mdhub_nats_connected") == 0, 10)
        self.nats.start()
        wait_until("edge reconnected", lambda: self.metric(hub, "mdhub_nats_connected") == 1, 20)
        self.publish(nark, nark.update(asks=[("60001.5", "0")]))  # missed? re-read below
        for b in (btse, nark, eth):
            self.publish_snapshot(b)
        for b in (btse, nark, eth):
            wait_until(f"{b.venue} {b.symbol} back after the restart", lambda b=b: self.served(hub, b), 20)
        self.publish(nark, nark.update(bids=[("59998.1", "0")]))
        wait_until("updates after the restart", lambda: self.served(hub, nark), 10)
        self.assertGreaterEqual(get(hub + "/api/v1/feeds")["feeds"][0]["reconnects"], 1)
        edge.send_signal(signal.SIGTERM)
        self.assertExitedCleanly(edge)


if __name__ == "__main__":
    unittest.main()
