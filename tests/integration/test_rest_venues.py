"""coinbtr, bitexbit and coinmotion end to end: books and quotes equal the simulator's truth,
and bitexbit's REST polling loses no trade and duplicates none through rate limits (429
with Retry-After) and answers slower than the request deadline."""
import asyncio
import json
import os
import sys
import time
import unittest
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import websockets

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, get, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
BITEXBIT_DEPTH = 50  # the most the venue's /depth serves
COINBTR_ORDERS = 10  # the venue's websocket book is its top 10 orders
# Below the simulator's 5 s `slow` answers, so those hit the request deadline.
REST_TIMEOUT_MS = 2000


def dec(v):
    return None if v is None else Decimal(str(v))


def iso_us(text):
    """ISO-8601 with an offset -> integer µs since the epoch, exactly."""
    return (datetime.fromisoformat(text) - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)


def ok_json(url):
    status, body = http(url)
    return body if status == 200 else None


class TruthAfterAPause(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(BIN)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def test_coinbtr_books_equal_truth_at_the_venues_top_10_orders(self):
        syms = self.stack.converge("coinbtr", depth=1000)
        self.assertEqual(sorted(syms), ["BTC-MXN", "ETH-MXN", "USDT-MXN"])
        book = get(self.stack.hub + "/api/v1/book/coinbtr/BTC-MXN?depth=50")
        # Ten orders a side, some sharing a price: at most ten levels.
        self.assertLessEqual(len(book["bids"]), COINBTR_ORDERS)
        self.assertLessEqual(len(book["asks"]), COINBTR_ORDERS)
        self.assertGreater(len(book["bids"]), 0)

    def test_bitexbit_books_equal_truth_at_the_venues_50_levels(self):
        syms = self.stack.converge("bitexbit", depth=BITEXBIT_DEPTH)
        self.assertEqual(sorted(syms), ["BTC-USD", "BTC-USDT", "ETH-USDT", "USDT-UAH"])
        book = get(self.stack.hub + "/api/v1/book/bitexbit/BTC-USDT?depth=500")
        self.assertEqual(len(book["bids"]), BITEXBIT_DEPTH)
        self.assertEqual(len(book["asks"]), BITEXBIT_DEPTH)

    def test_coinbtr_trades_equal_the_venues_last_trades_in_order(self):
        # The websocket windows carry no ids; the REST page (last 50, newest first) does and is
        # the reference. Fills of one sweep share a millisecond: their order must survive.
        s = self.stack
        wait_until("coinbtr trades",
                   lambda: len(get(s.hub + "/api/v1/trades/coinbtr/BTC-MXN?limit=1000")["trades"]) >= 20, 30)
        s.sim_post("/sim/pause")
        try:
            for sym in ("BTC-MXN", "ETH-MXN"):
                truth = [(dec(t["price"]), dec(t["amount"]), t["side"].lower(),
                          iso_us(t["created_at"]) // 1000 * 1000)
                         for t in reversed(s.sim_get(f"/coinbtr/api/v2/trading/{sym.lower()}/trades/")["payload"])]

                def mine(sym=sym):
                    return [(dec(t["price"]), dec(t["qty"]), t["side"], t["ts_exchange"])
                            for t in get(f"{s.hub}/api/v1/trades/coinbtr/{sym}?limit=1000")["trades"]]

                wait_until(f"coinbtr {sym} newest trade", lambda: mine()[-1:] == truth[-1:], 10)
                got = mine()
                n = min(len(got), len(truth))
                self.assertGreaterEqual(n, 10)
                self.assertEqual(got[-n:], truth[-n:], sym)
        finally:
            s.sim_post("/sim/resume")

    def test_coinmotion_quotes_equal_truth_without_sizes(self):
        s = self.stack
        syms = wait_until("coinmotion instruments", lambda: s.instruments("coinmotion"), 20)
        self.assertEqual(sorted(syms), ["BTC-EUR", "BTC-SEK", "BTC-USDC", "ETH-BTC", "ETH-EUR", "USDC-EUR"])
        ws_url = s.hub.replace("http://", "ws://") + "/ws"
        s.sim_post("/sim/pause")
        try:
            for sym in syms:
                truth = s.sim_get(f"/sim/truth/coinmotion/{sym}?depth=10")
                # A broker's quote pair: one level per side and no size.
                self.assertEqual(len(truth["bids"]), 1)
                self.assertEqual(len(truth["asks"]), 1)
                self.assertIsNone(truth["bids"][0][1])
                self.assertIsNone(truth["asks"][0][1])
                bid, ask = dec(truth["bids"][0][0]), dec(truth["asks"][0][0])
                self.assertLess(bid, ask)

                def quote_matches(sym=sym, bid=bid, ask=ask):
                    t = ok_json(f"{s.hub}/api/v1/ticker/coinmotion/{sym}")
                    return t if t and (dec(t["bid"]), dec(t["ask"])) == (bid, ask) else None

                t = wait_until(f"coinmotion {sym} ticker == truth", quote_matches, 20)
                self.assertIsInstance(t["bid"], str)
                self.assertIsInstance(t["ask"], str)
                # The venue quotes no trades or volumes: absent, not invented.
                for k in ("last", "volume_base", "volume_quote"):
                    self.assertIsNone(t[k], k)
                status, body = http(f"{s.hub}/api/v1/book/coinmotion/{sym}")
                self.assertEqual(status, 404)
                self.assertEqual(body["error"]["code"], "no_book")
                bbo = self.first_bbo(ws_url, sym)
                self.assertEqual((bbo["venue"], bbo["symbol"]), ("coinmotion", sym))
                self.assertEqual((dec(bbo["bid"]), dec(bbo["ask"])), (bid, ask))
                self.assertIsNone(bbo["bid_qty"])
                self.assertIsNone(bbo["ask_qty"])
        finally:
            s.sim_post("/sim/resume")

    def first_bbo(self, ws_url, sym):
        async def go():
            async with websockets.connect(ws_url) as ws:
                channel = f"bbo:coinmotion:{sym}"
                await ws.send(json.dumps({"op": "subscribe", "channels": [channel], "id": 1}))
                self.assertEqual(json.loads(await ws.recv()), {"type": "subscribed", "id": 1, "channels": [channel]})
                return json.loads(await ws.recv())  # the current state comes with the subscription
        return asyncio.run(asyncio.wait_for(go(), 10))


class RateLimitsAndSlowAnswers(unittest.TestCase):
    def setUp(self):
        self.s = Stack(BIN, venue_options={"bitexbit": {"rest_timeout_ms": REST_TIMEOUT_MS}})
        self.addCleanup(self.s.close)

    def sim_trades(self, native):
        # Read straight from the venue endpoint: only while no faults are active.
        # Oldest first, whatever order the venue's pages come in.
        return sorted(self.s.sim_get(f"/bitexbit/api/v2/public/trades?symbol={native}&limit=1000"),
                      key=lambda t: t["id"])

    def hub_trades(self, sym):
        return get(f"{self.s.hub}/api/v1/trades/bitexbit/{sym}?limit=1000")["trades"]

    def newest_sim_ids(self, natives):
        out = {}
        for sym, native in natives.items():
            t = self.sim_trades(native)
            out[sym] = t[-1]["id"] if t else 0
        return out

    def test_no_trade_is_lost_or_duplicated(self):
        s = self.s
        wait_until("bitexbit live", lambda: s.feed("bitexbit")["state"] == "live", 20)
        natives = {i["symbol"]: i["native"] for i in get(s.hub + "/api/v1/instruments")["instruments"]
                   if i["venue"] == "bitexbit"}
        self.assertEqual(len(natives), 4)
        # Every symbol has traded and mdhub has caught up, so the window below starts inside
        # both histories.
        wait_until("trades in mdhub", lambda: all(self.hub_trades(sym) for sym in natives), 20)
        start_ids = self.newest_sim_ids(natives)
        before = s.feed("bitexbit")

        # Phase 1: rate limits and occasional 5 s answers.
        s.sim_post("/sim/faults", b"http429:0.3@bitexbit,slow:0.05@bitexbit")
        t0 = time.monotonic()
        wait_until("429s counted", lambda: s.feed("bitexbit")["rate_limited"] >= before["rate_limited"] + 3, 15)
        # The faults stay on for a fixed span, not as synchronisation: trades keep happening
        # while mdhub is throttled, so its since_id cursor must catch up afterwards.
        time.sleep(max(0.0, 15 - (time.monotonic() - t0)))
        mid = s.feed("bitexbit")
        self.assertGreater(mid["rest_errors"], before["rest_errors"])
        self.assertGreaterEqual(mid["rest_errors"] - before["rest_errors"],
                                mid["rate_limited"] - before["rate_limited"])

        # Phase 2: every answer slow, until the request deadline has fired at least once
        # (phase 1 hits bitexbit with a slow answer only now and then).
        s.sim_post("/sim/faults", b"slow:1@bitexbit")

        def timed_out():
            f = s.feed("bitexbit")
            timeouts = (f["rest_errors"] - f["rate_limited"]) - (before["rest_errors"] - before["rate_limited"])
            return f if timeouts > 0 and "timed out" in (f["last_error"] or "") else None

        f = wait_until("a REST timeout", timed_out, 4 * REST_TIMEOUT_MS / 1000)
        self.assertIn(f"timed out after {REST_TIMEOUT_MS} ms", f["last_error"])
        s.sim_post("/sim/faults", b"")
        injected = s.sim_get("/sim/status")["faults_injected"]
        self.assertGreaterEqual(injected["http429"], f["rate_limited"] - before["rate_limited"])
        self.assertGreater(injected["slow"], 0)

        # Recovery: live again and new trades arrive for every symbol.
        cleared_ids = self.newest_sim_ids(natives)
        wait_until("bitexbit live again", lambda: s.feed("bitexbit")["state"] == "live", 20)
        wait_until("new trades after the faults",
                   lambda: all(int(self.hub_trades(sym)[-1]["trade_id"]) > cleared_ids[sym] for sym in natives), 20)

        s.sim_post("/sim/pause")
        try:
            for sym, native in natives.items():
                truth = self.sim_trades(native)
                wait_until(f"{sym} mdhub has the newest trade",
                           lambda sym=sym, last=truth[-1]["id"]: int(self.hub_trades(sym)[-1]["trade_id"]) == last, 10)
                mine = self.hub_trades(sym)
                self.assert_same_trades(sym, start_ids[sym], truth, mine)
        finally:
            s.sim_post("/sim/resume")

    def assert_same_trades(self, sym, start_id, truth, mine):
        # Both histories are bounded (1000): the window must lie inside both.
        self.assertLessEqual(truth[0]["id"], start_id, f"{sym}: the simulator's history no longer covers the window")
        self.assertLessEqual(int(mine[0]["trade_id"]), start_id, f"{sym}: mdhub's history no longer covers the window")
        want = [t for t in truth if t["id"] >= start_id]
        got = [t for t in mine if int(t["trade_id"]) >= start_id]
        self.assertGreater(len(want), 10, f"{sym}: too few trades in the window to mean anything")
        got_ids = [int(t["trade_id"]) for t in got]
        self.assertEqual(len(got_ids), len(set(got_ids)), f"{sym}: duplicated trade ids")
        self.assertEqual(got_ids, [t["id"] for t in want], f"{sym}: trade ids differ")
        for w, g in zip(want, got):
            self.assertEqual((dec(g["price"]), dec(g["qty"]), g["side"]),
                             (dec(w["price"]), dec(w["amount"]), w["type"]), f"{sym} trade {w['id']}")
            self.assertEqual(g["ts_exchange"], w["date"] * 1000, f"{sym} trade {w['id']}")


if __name__ == "__main__":
    unittest.main()
