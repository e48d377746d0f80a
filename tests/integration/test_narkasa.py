"""Narkasa end to end: simulator -> websocket + REST -> parsers -> engine -> HTTP API."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, get, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]


class NarkasaEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(BIN)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def test_every_book_equals_truth_at_full_depth(self):
        syms = self.stack.converge("narkasa", depth=1000)
        self.assertEqual(sorted(syms), ["BTC-TRY", "BTC-USDT", "ETH-TRY", "ETH-USDT", "USDT-TRY"])
        truth = self.stack.sim_get("/sim/truth/narkasa/BTC-TRY?depth=1000")
        self.assertGreaterEqual(len(truth["bids"]), 50)

    def test_instruments_carry_both_names(self):
        inst = {i["symbol"]: i for i in get(self.stack.hub + "/api/v1/instruments")["instruments"]
                if i["venue"] == "narkasa"}
        self.assertEqual(inst["BTC-TRY"]["native"], "BTCTRY")
        self.assertEqual((inst["BTC-TRY"]["base"], inst["BTC-TRY"]["quote"]), ("BTC", "TRY"))

    def test_native_symbol_is_accepted(self):
        wait_until("book", lambda: http(self.stack.hub + "/api/v1/book/narkasa/BTCTRY?depth=5")[0] == 200)
        b = get(self.stack.hub + "/api/v1/book/narkasa/BTCTRY?depth=5")
        self.assertEqual(b["symbol"], "BTC-TRY")
        self.assertLessEqual(len(b["bids"]), 5)
        for p, q in b["bids"] + b["asks"]:
            self.assertIsInstance(p, str)
            self.assertIsInstance(q, str)

    def test_ticker_trades_candles(self):
        hub = self.stack.hub
        t = wait_until("ticker", lambda: http(hub + "/api/v1/ticker/narkasa/BTC-USDT")[1]
                       if http(hub + "/api/v1/ticker/narkasa/BTC-USDT")[0] == 200 else None)
        for k in ("bid", "ask", "last", "high", "low", "volume_base", "volume_quote"):
            self.assertIsInstance(t[k], str, k)
        self.assertLess(float(t["bid"]), float(t["ask"]))
        trades = wait_until("trades", lambda: get(hub + "/api/v1/trades/narkasa/BTC-USDT?limit=5")["trades"])
        self.assertLessEqual(len(trades), 5)
        self.assertIn(trades[-1]["side"], ("buy", "sell"))
        self.assertIsNone(trades[-1]["trade_id"])  # narkasa publishes no trade ids
        candles = wait_until("candles", lambda: get(hub + "/api/v1/candles/narkasa/BTC-USDT?interval=1m")["candles"])
        self.assertEqual(candles[-1]["interval"], "1m")
        self.assertEqual(candles[-1]["open_time"] % 60_000_000, 0)

    def test_errors_are_json_with_codes(self):
        hub = self.stack.hub
        cases = [
            ("/api/v1/book/nope/BTC-TRY", 404, "unknown_venue"),
            ("/api/v1/book/narkasa/XXX-YYY", 404, "unknown_symbol"),
            ("/api/v1/book/narkasa/BTC-TRY?depth=0", 400, "bad_param"),
            ("/api/v1/book/narkasa/BTC-TRY?depth=abc", 400, "bad_param"),
            ("/api/v1/candles/narkasa/BTC-TRY?interval=7m", 400, "bad_param"),
            ("/api/v1/trades/narkasa/BTC-TRY?limit=100000", 400, "bad_param"),
            ("/api/v1/nothing", 404, "not_found"),
        ]
        for path, status, code in cases:
            got_status, body = http(hub + path)
            self.assertEqual(got_status, status, path)
            self.assertEqual(body["error"]["code"], code, path)
            self.assertTrue(body["error"]["message"], path)
        status, body = http(hub + "/api/v1/feeds", method="POST", body=b"{}")
        self.assertEqual(status, 405)
        self.assertEqual(body["error"]["code"], "method_not_allowed")

    def test_feeds_and_readiness(self):
        hub = self.stack.hub
        wait_until("narkasa live", lambda: self.stack.feed("narkasa")["state"] == "live")
        f = self.stack.feed("narkasa")
        self.assertGreater(f["messages"], 0)
        self.assertEqual(f["parse_errors"], 0)
        self.assertIsInstance(f["connected_since"], int)
        wait_until("/readyz 200", lambda: http(hub + "/readyz")[0] == 200)


if __name__ == "__main__":
    unittest.main()
