"""`mdhub run --nats URL` against a real nats-server with JetStream: the snapshot subjects
equal mdhub's books and the simulator's truth at the same seq, book updates follow the
snapshot with contiguous seq, payloads are the websocket API's byte for byte, a NATS outage
is waited out (local serving goes on, messages stored before it stay, books are republished
as snapshots), and `mdhub tail` prints the payloads."""
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, apply, get, http, levels, wait_until  # noqa: E402
from natsd import NatsClient, NatsServer  # noqa: E402

BIN = os.environ["MDHUB_BIN"]


def metric(hub, name):
    """Value of one sample line (`name` with its labels) of /metrics, or None."""
    status, text = http(hub + "/metrics")
    for line in str(text).splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


class NatsIngest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.nats = NatsServer()
        try:
            cls.stack = Stack(BIN, extra_config=f'\n[nats]\nurl = "{cls.nats.url}"\nsnapshot_interval_ms = 300\n'
                                                 'max_age = "1h"\n')
        except BaseException:
            cls.nats.close()
            raise
        cls.hub = cls.stack.hub
        wait_until("NATS connected and streams ready",
                   lambda: metric(cls.hub, "mdhub_nats_connected") == 1 and metric(cls.hub, "mdhub_nats_streams_ready") == 1)
        # Every book that mdhub serves (coinmotion quotes have none).
        def served():
            books = [(i["venue"], i["symbol"]) for i in get(cls.hub + "/api/v1/instruments")["instruments"]
                     if i["venue"] != "coinmotion"]
            ok = all(http(f"{cls.hub}/api/v1/book/{v}/{s}")[0] == 200 for v, s in books)
            return books if ok and len({v for v, _ in books}) == 4 else None
        cls.books = wait_until("books of the four book venues", served, 30)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.stack.close()
        finally:
            cls.nats.close()

    def client(self):
        c = NatsClient(self.nats.url)
        self.addCleanup(c.close)
        return c

    def snapshot(self, c, venue, symbol):
        raw = c.last_msg("MD_SNAPSHOT", f"md.snapshot.{venue}.{symbol}")
        return json.loads(raw) if raw else None

    def test_streams_exist_with_their_limits(self):
        c = self.client()
        md = c.stream_info("MD")["config"]
        self.assertEqual(sorted(md["subjects"]), ["md.bbo.>", "md.book.>", "md.candles.>", "md.ticker.>", "md.trades.>"])
        self.assertEqual(md["max_age"], 3600 * 10**9)
        snap = c.stream_info("MD_SNAPSHOT")["config"]
        self.assertEqual(snap["subjects"], ["md.snapshot.>"])
        self.assertEqual(snap["max_msgs_per_subject"], 1)

    def test_snapshots_equal_the_books_and_the_truth_at_the_same_seq(self):
        c = self.client()
        self.stack.sim_post("/sim/pause")
        try:
            for venue, symbol in self.books:
                def same(venue=venue, symbol=symbol):
                    status, mine = http(f"{self.hub}/api/v1/book/{venue}/{symbol}?depth=1000")
                    snap = self.snapshot(c, venue, symbol)
                    if status != 200 or not snap or snap["seq"] != mine["seq"]:
                        return False
                    truth = self.stack.sim_get(f"/sim/truth/{venue}/{symbol}?depth=1000")
                    return (snap["bids"] == mine["bids"] and snap["asks"] == mine["asks"]
                            and levels(snap["bids"]) == levels(truth["bids"])
                            and levels(snap["asks"]) == levels(truth["asks"]) and snap)
                snap = wait_until(f"snapshot of {venue} {symbol} == book == truth", same, 20)
                self.assertEqual(snap["type"], "book_snapshot")
                self.assertEqual(snap["channel"], f"book:{venue}:{symbol}")
                self.assertEqual((snap["venue"], snap["symbol"]), (venue, symbol))
            subjects = c.js("STREAM.INFO.MD_SNAPSHOT", {"subjects_filter": "md.snapshot.>"})["state"]["subjects"]
            self.assertEqual(sorted(subjects), sorted(f"md.snapshot.{v}.{s}" for v, s in self.books))
        finally:
            self.stack.sim_post("/sim/resume")

    def test_updates_follow_the_snapshot_with_contiguous_seq(self):
        venue, symbol = "btse", "BTC-USD"
        c = self.client()
        c.subscribe(f"md.book.{venue}.{symbol}")
        first = json.loads(c.next_msg()[2])
        pending = [first]
        # A consumer starts from a snapshot at or after the update before its first one.
        snap = wait_until("a snapshot covering the first update",
                          lambda: (lambda s: s if s and s["seq"] >= first["seq"] - 1 else None)(
                              self.snapshot(self.client(), venue, symbol)), 10)
        book = {"bids": {}, "asks": {}}
        apply(book, snap)
        seq = snap["seq"]
        applied = 0

        def follow(msg):
            nonlocal seq, applied, book
            if msg["seq"] <= seq:
                return
            if msg["type"] == "book_snapshot":  # a resync: a fresh state
                book = {"bids": {}, "asks": {}}
            else:
                self.assertEqual(msg["type"], "book_update")
                self.assertEqual(msg["seq"], seq + 1, "book updates must be contiguous")
            apply(book, msg)
            seq = msg["seq"]
            applied += 1

        for m in pending:
            follow(m)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            follow(json.loads(c.next_msg()[2]))
        self.assertGreater(applied, 5)
        self.stack.sim_post("/sim/pause")
        try:
            def caught_up():
                status, mine = http(f"{self.hub}/api/v1/book/{venue}/{symbol}?depth=1000")
                while mine["seq"] > seq:
                    follow(json.loads(c.next_msg()[2]))
                return status == 200 and mine
            mine = wait_until("the followed book reaches the HTTP book's seq", caught_up, 10)
            self.assertEqual(sorted(book["bids"].items(), reverse=True), levels(mine["bids"]))
            self.assertEqual(sorted(book["asks"].items()), levels(mine["asks"]))
        finally:
            self.stack.sim_post("/sim/resume")

    def test_payloads_are_the_websocket_messages(self):
        import websockets
        c = self.client()
        c.subscribe("md.trades.btse.BTC-USD")
        c.subscribe("md.ticker.btse.BTC-USD")

        async def ws_messages():
            out = []
            async with websockets.connect(self.hub.replace("http", "ws") + "/ws", max_size=2**24) as ws:
                await ws.send(json.dumps({"op": "subscribe", "channels": ["trades:btse:BTC-USD", "ticker:btse:BTC-USD"],
                                          "id": 1}))
                self.assertEqual(json.loads(await ws.recv())["type"], "subscribed")
                end = time.monotonic() + 4
                while time.monotonic() < end:
                    try:
                        out.append(await asyncio.wait_for(ws.recv(), timeout=end - time.monotonic()))
                    except asyncio.TimeoutError:
                        break
            return out

        from_ws = asyncio.run(ws_messages())
        from_bus = []
        try:
            while True:
                from_bus.append(c.next_msg(timeout=1)[2].decode())
        except OSError:  # socket timeout: nothing more queued
            pass
        ws_by = {(json.loads(m)["type"], json.loads(m)["seq"]): m for m in from_ws}
        bus_by = {(json.loads(m)["type"], json.loads(m)["seq"]): m for m in from_bus}
        common = set(ws_by) & set(bus_by)
        self.assertTrue(any(k[0] == "trade" for k in common), (len(ws_by), len(bus_by)))
        self.assertTrue(any(k[0] == "ticker" for k in common), (len(ws_by), len(bus_by)))
        for k in common:
            self.assertEqual(bus_by[k], ws_by[k])

    def test_tail_prints_payloads_and_exits_0_on_sigint(self):
        p = subprocess.Popen([BIN, "tail", "--nats", self.nats.url, "md.ticker.>"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            lines = [p.stdout.readline() for _ in range(3)]
            for line in lines:
                msg = json.loads(line)
                self.assertEqual(msg["type"], "ticker")
                self.assertEqual(msg["channel"], f"ticker:{msg['venue']}:{msg['symbol']}")
            p.send_signal(signal.SIGINT)
            self.assertEqual(p.wait(timeout=5), 0)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        r = subprocess.run([BIN, "tail", "--nats", self.nats.url, "md. bad"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("cannot subscribe to 'md. bad'", r.stderr)

    def test_zz_outage_is_waited_out(self):  # last: it restarts the server
        c = self.client()
        before = c.stream_info("MD")["state"]
        self.assertGreater(before["messages"], 0)
        c.close()
        snapshots_before = metric(self.hub, 'mdhub_nats_snapshots_total{reason="reconnect"}')
        self.nats.stop()
        wait_until("mdhub_nats_connected 0", lambda: metric(self.hub, "mdhub_nats_connected") == 0, 10)
        # The outage lasts a few seconds; local serving goes on meanwhile.
        end = time.monotonic() + 3
        while time.monotonic() < end:
            venue, symbol = self.books[0]
            self.assertEqual(http(f"{self.hub}/api/v1/book/{venue}/{symbol}")[0], 200)
            self.assertEqual(http(f"{self.hub}/healthz")[0], 200)
            self.assertEqual(http(f"{self.hub}/readyz")[0], 200)  # readiness does not hang on the bus
            time.sleep(0.2)
        self.nats.start()
        wait_until("mdhub_nats_connected 1", lambda: metric(self.hub, "mdhub_nats_connected") == 1, 15)
        wait_until("every book republished as a snapshot",
                   lambda: metric(self.hub, 'mdhub_nats_snapshots_total{reason="reconnect"}') >=
                   snapshots_before + len(self.books), 10)
        self.assertGreaterEqual(metric(self.hub, "mdhub_nats_reconnects_total"), 1)
        c = self.client()
        after = c.stream_info("MD")["state"]
        self.assertEqual(after["first_seq"], before["first_seq"])
        self.assertGreaterEqual(after["messages"], before["messages"])
        self.assertEqual(self.stack.log("hub").count("nats: connection to"), 1)
        # Snapshots after the reconnect still equal the books (market paused).
        self.stack.sim_post("/sim/pause")
        try:
            for venue, symbol in self.books:
                wait_until(f"snapshot of {venue} {symbol} at the book's seq",
                           lambda v=venue, s=symbol: (self.snapshot(c, v, s) or {}).get("seq") ==
                           get(f"{self.hub}/api/v1/book/{v}/{s}?depth=1")["seq"], 10)
        finally:
            self.stack.sim_post("/sim/resume")


if __name__ == "__main__":
    unittest.main()
