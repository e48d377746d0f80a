"""Recording end to end: mdhub run --record, kill -9, then replay and export the recording."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, get, http, levels, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]


def recorder_bytes(hub):
    status, text = http(hub + "/metrics")
    m = re.search(r"^mdhub_recorder_bytes_total (\d+)", text if isinstance(text, str) else "", re.M)
    return int(m.group(1)) if m else -1


class RecordingEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rec_dir = tempfile.mkdtemp(prefix="mdhub-rec-")
        # coinbtr's market listing in pages of one: the recording holds two discovery answers,
        # and the replay must read both to know ETH-MXN.
        cls.stack = Stack(BIN, hub_args=["--record", cls.rec_dir], sim_args=["--variant", "coinbtr.markets=paged"])
        s = cls.stack
        syms = wait_until("narkasa instruments", lambda: s.instruments("narkasa"), 20)
        wait_until("some trades", lambda: len(get(f"{s.hub}/api/v1/trades/narkasa/{syms[0]}")["trades"]) > 0, 20)
        venues = {f["venue"] for f in get(s.hub + "/api/v1/feeds")["feeds"]}
        wait_until("every venue's instruments",
                   lambda: venues <= {i["venue"] for i in get(s.hub + "/api/v1/instruments")["instruments"]}, 20)
        s.sim_post("/sim/pause")
        # Every book must have caught up with the paused market (polled venues too), or a poll
        # answered after the live books are read would make the recording end later than them.
        cls.with_books = set()
        for inst in get(s.hub + "/api/v1/instruments")["instruments"]:
            venue, sym = inst["venue"], inst["symbol"]
            if venue == "coinmotion":  # quotes only: no book
                continue
            cls.with_books.add((venue, sym))
            wait_until(f"{venue} {sym} == truth", lambda v=venue, sym=sym: s.book_matches(v, sym, 1000), 20)
        # Every book the live hub serves while the market stands still.
        cls.live = {}
        for inst in get(s.hub + "/api/v1/instruments")["instruments"]:
            status, book = http(f"{s.hub}/api/v1/book/{inst['venue']}/{inst['symbol']}?depth=1000")
            if status == 200:
                cls.live[(inst["venue"], inst["symbol"])] = book
        # Two recorder flushes after the snapshot: everything up to it is on disk.
        b0 = recorder_bytes(s.hub)
        b1 = wait_until("recorder flush", lambda: (recorder_bytes(s.hub) > b0) and recorder_bytes(s.hub), 10)
        wait_until("second recorder flush", lambda: recorder_bytes(s.hub) > b1, 10)
        s.end("hub", signal.SIGKILL)  # a crash: the recording's tail may be torn
        s.sim_post("/sim/resume")

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()
        subprocess.run(["rm", "-rf", cls.rec_dir], check=False)

    def run_bin(self, *args, timeout=60):
        return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout)

    def test_replay_ends_in_the_live_books(self):
        r = self.run_bin("replay", "--from", self.rec_dir, "--speed", "max", "--exit-at-end", "--print-books",
                         "--listen", "127.0.0.1:0")
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        lines = r.stdout.splitlines()
        self.assertRegex(lines[0], r"^replay: records \d+ feeds \d+ ")
        hashes = {}
        books = {}
        for line in lines[1:]:
            kind, venue, symbol, rest = line.split(" ", 3)
            if kind == "book":
                self.assertRegex(rest, r"^[0-9a-f]{16}$")
                hashes[(venue, symbol)] = rest
            elif kind == "bookjson":
                books[(venue, symbol)] = json.loads(rest)
        self.assertEqual(set(hashes), set(books))
        narkasa = [k for k in self.live if k[0] == "narkasa"]
        # Every instrument of a venue with books was live and caught up when recording stopped.
        self.assertEqual(set(self.live), self.with_books)
        self.assertEqual({v for v, _ in self.live}, {"btse", "narkasa", "coinbtr", "bitexbit"})
        self.assertEqual(len(narkasa), 5)  # BTC and ETH in TRY and USDT, and USDT-TRY
        self.assertIn(("coinbtr", "ETH-MXN"), self.live)
        for key, live in self.live.items():
            with self.subTest(book=key):
                self.assertIn(key, books)
                self.assertEqual(levels(books[key]["bids"]), levels(live["bids"]))
                self.assertEqual(levels(books[key]["asks"]), levels(live["asks"]))
                self.assertEqual(books[key]["bids"], live["bids"])  # exact decimal strings too

    def test_export_jsonl(self):
        r = self.run_bin("export", "--from", self.rec_dir, "--format", "jsonl")
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        kinds = set()
        n = 0
        for line in r.stdout.splitlines():
            msg = json.loads(line)
            n += 1
            kinds.add(msg["type"])
            if msg["type"] == "trade":
                self.assertIsInstance(msg["price"], str)
                self.assertIsInstance(msg["qty"], str)
            if msg["type"] == "book_snapshot" and msg["bids"]:
                self.assertIsInstance(msg["bids"][0][0], str)
        self.assertGreater(n, 10)
        self.assertTrue({"book_snapshot", "trade", "ticker"} <= kinds, kinds)

    def test_export_csv_and_kind_filter(self):
        r = self.run_bin("export", "--from", self.rec_dir, "--format", "csv", "--kind", "trade")
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "kind,venue,symbol,seq,ts_exchange,ts_received,side,price,qty,"
                                   "bid,bid_qty,ask,ask_qty,last,volume,trade_id,interval,open_time,"
                                   "open,high,low,close,source,closed")
        self.assertGreater(len(lines), 1)
        for line in lines[1:]:
            cols = line.split(",")
            self.assertEqual(len(cols), 24, line)
            self.assertEqual(cols[22:], ["", ""], line)  # source and closed are a candle's
            self.assertEqual(cols[0], "trade")
            self.assertIn(cols[6], ("buy", "sell", ""))
            self.assertRegex(cols[7], r"^\d+(\.\d+)?$")

    def test_export_bad_kind_is_a_usage_error(self):
        r = self.run_bin("export", "--from", self.rec_dir, "--kind", "nope")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown kind 'nope'", r.stderr)

    def test_replay_of_a_missing_recording_fails_clearly(self):
        r = self.run_bin("replay", "--from", "/nonexistent-recording", "--exit-at-end", "--listen", "127.0.0.1:0")
        self.assertIn(r.returncode, (1, 2))
        self.assertIn("/nonexistent-recording", r.stderr)


if __name__ == "__main__":
    unittest.main()
