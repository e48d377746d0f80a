"""One meaning per name: canonical symbols in any case and each venue's native names work on
HTTP and the websocket, and every answer names the canonical symbol; what a venue cannot
provide is an error that says what it does provide, never a silent nothing."""
import asyncio
import json
import os
import re
import sys
import unittest

import websockets

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, get, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
COINMOTION = "venue 'coinmotion' provides bbo and ticker, not "


class Names(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(BIN)
        cls.ws = cls.stack.hub.replace("http://", "ws://") + "/ws"
        hub = cls.stack.hub
        for path in ("book/btse/BTC-USD", "book/narkasa/BTC-TRY", "ticker/coinmotion/BTC-EUR"):
            wait_until(path, lambda p=path: http(f"{hub}/api/v1/{p}")[0] == 200, 30)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def run_async(self, coro):
        return asyncio.run(asyncio.wait_for(coro, 60))

    def native(self, venue, symbol):
        for i in get(self.stack.hub + "/api/v1/instruments")["instruments"]:
            if (i["venue"], i["symbol"]) == (venue, symbol):
                return i["native"]
        raise AssertionError(f"{venue} does not list {symbol}")

    def test_http_takes_any_case_and_native_names(self):
        hub = self.stack.hub
        self.assertEqual(self.native("narkasa", "BTC-TRY"), "BTCTRY")
        for what in ("book", "ticker", "trades"):
            for venue, name, canonical in (("btse", "btc-usd", "BTC-USD"), ("btse", "Btc-Usd", "BTC-USD"),
                                           ("narkasa", "BTCTRY", "BTC-TRY"), ("narkasa", "btctry", "BTC-TRY"),
                                           ("narkasa", "btc-try", "BTC-TRY")):
                status, body = http(f"{hub}/api/v1/{what}/{venue}/{name}")
                self.assertEqual(status, 200, f"{what}/{venue}/{name}: {body}")
                self.assertEqual((body["venue"], body["symbol"]), (venue, canonical), f"{what}/{venue}/{name}")
        status, body = http(f"{hub}/api/v1/book/all/btcusdt")  # narkasa's native name
        self.assertEqual(status, 200, body)
        self.assertEqual((body["venue"], body["symbol"]), ("all", "BTC-USDT"))
        status, body = http(f"{hub}/api/v1/book/btse/btc-try")  # another venue's pair
        self.assertEqual(status, 404)
        self.assertEqual(body["error"], {"code": "unknown_symbol", "message": "venue 'btse' has no instrument 'btc-try'"})

    def test_http_says_why_there_is_no_data(self):
        hub = self.stack.hub
        cases = [
            ("/api/v1/ticker/all/BTC-USDT", "unsupported_channel",
             "venue 'all' (consolidated) exists for book, book<N> and bbo only"),
            ("/api/v1/trades/all/BTC-USDT", "unsupported_channel",
             "venue 'all' (consolidated) exists for book, book<N> and bbo only"),
            ("/api/v1/candles/btse/BTC-USD?interval=5m&source=venue", "unsupported_channel",
             "venue 'btse' publishes 1m candles only, not 5m; source=trades builds every interval from its trades"),
            ("/api/v1/candles/coinbtr/BTC-MXN?source=venue", "unsupported_channel",
             "venue 'coinbtr' publishes no candles of its own; source=trades builds every interval from its trades"),
            ("/api/v1/trades/coinmotion/BTC-EUR", "unsupported_channel", COINMOTION + "trades"),
            ("/api/v1/candles/coinmotion/BTC-EUR?interval=1h", "unsupported_channel", COINMOTION + "candles.1h"),
            ("/api/v1/candles/coinmotion/BTC-EUR?source=trades", "unsupported_channel", COINMOTION + "trades"),
            ("/api/v1/book/coinmotion/btceur", "no_book", COINMOTION + "book"),
        ]
        for path, code, message in cases:
            status, body = http(hub + path)
            self.assertEqual(status, 404, path)
            self.assertEqual(body, {"error": {"code": code, "message": message}}, path)
        # What the venue does publish still answers.
        status, body = http(f"{hub}/api/v1/candles/btse/BTC-USD?interval=1m&source=venue")
        self.assertEqual((status, body["interval"]), (200, "1m"), body)
        status, body = http(f"{hub}/api/v1/candles/btse/BTC-USD?interval=5m")  # from trades
        self.assertEqual((status, body["interval"]), (200, "5m"), body)

    def test_feeds_report_no_sync_state_for_venues_without_books(self):
        wait_until("btse in sync", lambda: all(v["in_sync"] for v in self.stack.feed("btse")["symbols"].values()))
        quotes = self.stack.feed("coinmotion")["symbols"]
        self.assertEqual(sorted(quotes), ["BTC-EUR", "BTC-SEK", "BTC-USDC", "ETH-BTC", "ETH-EUR", "USDC-EUR"])
        for sym, v in quotes.items():
            self.assertIsNone(v["in_sync"], sym)
        for sym, v in self.stack.feed("btse")["symbols"].items():
            self.assertIs(v["in_sync"], True, sym)

    def test_websocket_names_resolve_to_canonical_channels(self):
        async def go():
            async with websockets.connect(self.ws, max_size=2**24) as ws:
                asked = ["book5:narkasa:BTCTRY", "book:btse:btc-usd", "trades:btse:Btc-Usd", "bbo:all:btcusdt"]
                canonical = ["book5:narkasa:BTC-TRY", "book:btse:BTC-USD", "trades:btse:BTC-USD", "bbo:all:BTC-USDT"]
                await ws.send(json.dumps({"op": "subscribe", "channels": asked, "id": 1}))
                self.assertEqual(json.loads(await ws.recv()), {"type": "subscribed", "id": 1, "channels": canonical})
                seen = set()
                while seen != set(canonical):
                    m = json.loads(await asyncio.wait_for(ws.recv(), 15))
                    self.assertIn(m["channel"], canonical, m)
                    kind, venue, symbol = m["channel"].split(":")
                    self.assertEqual((m["venue"], m["symbol"]), (venue, symbol), m)
                    seen.add(m["channel"])
                await ws.send(json.dumps({"op": "unsubscribe", "channels": ["book5:narkasa:btc-try", "trades:btse:BTC-usd"],
                                          "id": 2}))
                await ws.send(json.dumps({"op": "list", "id": 3}))
                replies = []
                while len(replies) < 2:
                    m = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if m["type"] in ("unsubscribed", "list"):
                        replies.append(m)
                self.assertEqual(replies[0], {"type": "unsubscribed", "id": 2,
                                              "channels": ["book5:narkasa:BTC-TRY", "trades:btse:BTC-USD"]})
                self.assertEqual(replies[1], {"type": "list", "id": 3, "channels": ["book:btse:BTC-USD", "bbo:all:BTC-USDT"]})
        self.run_async(go())

    def test_websocket_refuses_what_a_venue_cannot_provide(self):
        async def go():
            async with websockets.connect(self.ws) as ws:
                for i, (channel, what) in enumerate((("book:coinmotion:BTC-EUR", "book"),
                                                     ("book10:coinmotion:btceur", "book10"),
                                                     ("trades:coinmotion:BTC-EUR", "trades"),
                                                     ("candles.1m:coinmotion:BTC-EUR", "candles.1m"),
                                                     ("trades:coinmotion:*", "trades"))):
                    await ws.send(json.dumps({"op": "subscribe", "channels": ["ticker:btse:BTC-USD", channel], "id": i}))
                    self.assertEqual(json.loads(await ws.recv()),
                                     {"type": "error", "id": i, "code": "unsupported_channel",
                                      "message": COINMOTION + what, "channel": channel})
                await ws.send(json.dumps({"op": "list", "id": 9}))
                self.assertEqual(json.loads(await ws.recv()), {"type": "list", "id": 9, "channels": []})
        self.run_async(go())

    def test_wildcards_skip_venues_that_cannot_provide_the_kind(self):
        hub = self.stack.hub

        def subscriptions():
            status, text = http(hub + "/metrics")
            m = re.search(r"^mdhub_ws_subscriptions (\d+)", text, re.M)
            return int(m.group(1)) if m else -1

        listing = {i["venue"] for i in get(hub + "/api/v1/instruments")["instruments"] if i["symbol"] == "BTC-EUR"}
        self.assertIn("coinmotion", listing)

        async def go():
            wait_until("no websocket subscriptions", lambda: subscriptions() == 0, 10)
            async with websockets.connect(self.ws) as ws:
                await ws.send(json.dumps({"op": "subscribe", "channels": ["trades:*:BTC-EUR", "bbo:*:btc-eur"], "id": 1}))
                self.assertEqual(json.loads(await ws.recv()),
                                 {"type": "subscribed", "id": 1, "channels": ["trades:*:BTC-EUR", "bbo:*:BTC-EUR"]})
                # Every venue listing BTC-EUR has a BBO; all but coinmotion have trades.
                want = len(listing) + len(listing - {"coinmotion"})
                wait_until(f"{want} concrete subscriptions", lambda: subscriptions() == want, 10)
                m = json.loads(await asyncio.wait_for(ws.recv(), 10))
                self.assertEqual(m["channel"].split(":")[2], "BTC-EUR", m)
        self.run_async(go())


if __name__ == "__main__":
    unittest.main()
