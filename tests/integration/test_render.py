"""One rendering per payload, end to end: the same event is the same bytes on the websocket and
in `mdhub export` of the recording, and the HTTP answers carry the same payload and `seq`."""
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import unittest

import websockets

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
CHANNELS = ["book:btse:BTC-USD", "trades:btse:BTC-USD", "ticker:btse:BTC-USD", "ticker:coinbtr:BTC-MXN",
            "trades:narkasa:BTC-TRY"]


def payload(text):
    """A message or HTTP object without its head (type, channel, venue, symbol): the rest, as text."""
    head_end = text.index('"symbol":')
    return text[text.index(",", head_end) + 1:]


class RenderEverywhere(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rec_dir = tempfile.mkdtemp(prefix="mdhub-rec-")
        cls.stack = s = Stack(BIN, hub_args=["--record", cls.rec_dir])
        wait_until("btse book", lambda: http(s.hub + "/api/v1/book/btse/BTC-USD")[0] == 200, 30)
        cls.messages, cls.http_ticker = asyncio.run(
            asyncio.wait_for(cls.collect(s.hub, s.hub.replace("http://", "ws://") + "/ws"), 120))
        s.sim_post("/sim/pause")
        cls.http = {c: http_text(s.hub + path) for c, path in (
            ("trades:btse:BTC-USD", "/api/v1/trades/btse/BTC-USD?limit=1000"),
            ("trades:narkasa:BTC-TRY", "/api/v1/trades/narkasa/BTC-TRY?limit=1000"))}
        code = s.end("hub")  # SIGTERM flushes the recording
        assert code == 0, f"mdhub exited {code} on SIGTERM"
        r = subprocess.run([BIN, "export", "--from", cls.rec_dir, "--format", "jsonl"], capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
        cls.export = r.stdout.splitlines()
        s.sim_post("/sim/resume")

    @classmethod
    async def collect(cls, hub, url):
        """Every message of CHANNELS until each has a few events (the market is live); then, per
        ticker channel, the HTTP ticker fetched right after a websocket ticker with the same seq."""
        out = {c: [] for c in CHANNELS}
        tickers = {}
        async with websockets.connect(url, max_size=2**24) as ws:
            await ws.send(json.dumps({"op": "subscribe", "channels": CHANNELS, "id": 1}))
            json.loads(await ws.recv())
            while min(len(v) for v in out.values()) < 4 or len(tickers) < 2:
                text = await ws.recv()
                m = json.loads(text)
                out[m["channel"]].append(text)
                if m["type"] == "ticker" and m["channel"] not in tickers and len(out[m["channel"]]) > 1:
                    # Tickers come seconds apart: the HTTP answer is usually at this one's seq.
                    body = http_text(f"{hub}/api/v1/ticker/{m['venue']}/{m['symbol']}")
                    if json.loads(body)["seq"] == m["seq"]:
                        tickers[m["channel"]] = (text, body)
        return out, tickers

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()
        subprocess.run(["rm", "-rf", cls.rec_dir], check=False)

    def test_websocket_events_are_export_lines(self):
        lines = set(self.export)
        for channel, msgs in self.messages.items():
            # The first message of a state channel is the subscriber's snapshot, rendered
            # when it subscribed rather than at an event; every later one is an event.
            events = msgs[1:] if not channel.startswith("trades") else msgs
            for m in events:
                self.assertIn(m, lines, f"{channel}: websocket message not in the export")
        # The book's seq grows by one on the websocket, as in the export.
        seqs = [json.loads(m)["seq"] for m in self.messages["book:btse:BTC-USD"]]
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))))

    def test_trades_have_one_seq_everywhere(self):
        for channel in ("trades:btse:BTC-USD", "trades:narkasa:BTC-TRY"):
            ws = {json.loads(m)["seq"]: payload(m) for m in self.messages[channel]}
            seqs = sorted(ws)
            self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))), channel)
            body = json.loads(self.http[channel])
            http_items = {t["seq"]: t for t in body["trades"]}
            for seq, text in ws.items():
                self.assertIn(seq, http_items, channel)
                self.assertEqual(json.loads("{" + text), http_items[seq], channel)
            # The HTTP list is the instrument's trades 1..n: no global counter.
            all_seqs = sorted(http_items)
            self.assertEqual(all_seqs, list(range(all_seqs[0], all_seqs[0] + len(all_seqs))), channel)

    def test_ticker_is_the_same_payload_over_http(self):
        for channel, (text, body) in self.http_ticker.items():
            ws, now = json.loads(text), json.loads(body)
            # bid/ask are the book's at rendering time, and the book may have moved between
            # the two (the export test pins them): every other field is the same.
            for k in ("seq", "ts_exchange", "ts_received", "last", "open", "high", "low", "volume_base",
                      "volume_quote", "change_pct"):
                self.assertEqual(now[k], ws[k], f"{channel} {k}")
            self.assertIsNotNone(ws["bid"], channel)
            self.assertIsNotNone(ws["ask"], channel)
        # btse's ticker has no exchange time of its own; the L1's stands in everywhere.
        self.assertIsNotNone(json.loads(self.http_ticker["ticker:btse:BTC-USD"][0])["ts_exchange"])


def http_text(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


if __name__ == "__main__":
    unittest.main()
