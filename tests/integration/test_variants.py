"""Where a venue's documents allow several readings, the simulator speaks each of them
(`mdhub sim --variant`) and mdhub must hold the simulator's truth under every one, and say
in /api/v1/feeds what it recognised."""
import asyncio
import json
import os
import re
import subprocess
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
import websockets  # noqa: E402
from harness import Stack, get, http, levels, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]


def run_sim(*args):
    return subprocess.run([BIN, "sim", *args], capture_output=True, text=True, timeout=20)


class VariantSwitch(unittest.TestCase):
    def test_unknown_venue_key_or_value_is_a_usage_error_naming_the_item(self):
        cases = [
            ("nope.depth=full", "'nope.depth=full': unknown venue 'nope'"),
            ("narkasa.deep=full", "'narkasa.deep=full': unknown key 'deep' for narkasa"),
            ("narkasa.depth=half", "'narkasa.depth=half': unknown value 'half' (one of sides full delta)"),
            ("narkasa.depth", "'narkasa.depth': expected venue.key=value"),
            ("btse.retry_after=epoch_ms,btse.retry_after=soon",
             "'btse.retry_after=soon': unknown value 'soon' (one of epoch_ms epoch_s delay date)"),
        ]
        for spec, message in cases:
            r = run_sim("--listen", "127.0.0.1:1", "--variant", spec, "--print-config")
            self.assertEqual(r.returncode, 2, spec)
            self.assertEqual(r.stderr.strip(), f"--variant: {message}", spec)
            self.assertEqual(r.stdout, "", spec)

    def test_help_lists_every_variant_and_print_config_is_unaffected(self):
        out = run_sim("--help").stdout
        for line in ("narkasa.depth=sides|full|delta (default sides)",
                     "narkasa.refuse=none|BTCTRY|ETHTRY|BTCUSDT|ETHUSDT (default none)",
                     "btse.retry_after=epoch_ms|epoch_s|delay|date (default epoch_ms)",
                     "bitexbit.trades_order=newest|oldest (default newest)",
                     "bitexbit.since_bound=inclusive|exclusive (default inclusive)",
                     "coinbtr.book=orders|levels (default orders)",
                     "coinbtr.variation=percent|ratio (default percent)",
                     "coinbtr.markets=whole|paged (default whole)",
                     "coinmotion.layout=pairs|crypto (default pairs)"):
            self.assertIn(line, out)
        plain = run_sim("--listen", "127.0.0.1:9999", "--print-config")
        varied = run_sim("--listen", "127.0.0.1:9999", "--print-config",
                         "--variant", "narkasa.depth=full,btse.retry_after=date")
        self.assertEqual(plain.returncode, 0)
        self.assertEqual(varied.returncode, 0)
        self.assertEqual(plain.stdout, varied.stdout)


class NarkasaDepth(unittest.TestCase):
    """Every depth reading converges; the one-sided pushes are recognised and counted."""

    def check(self, variant, one_sided, venue_options=None):
        stack = Stack(BIN, sim_args=["--variant", f"narkasa.depth={variant}"], venue_options=venue_options)
        try:
            self.assertEqual(stack.sim_get("/sim/status")["variants"],
                             {"narkasa.depth": variant, "narkasa.refuse": "none", "btse.retry_after": "epoch_ms",
                              "bitexbit.trades_order": "newest", "bitexbit.since_bound": "inclusive",
                              "coinbtr.book": "orders", "coinbtr.variation": "percent",
                              "coinbtr.markets": "whole", "coinmotion.layout": "pairs"})
            if one_sided:
                # The sides reading leaves the unchanged side out or sends it as [].
                wait_until("one-sided depth pushes counted", lambda: all(
                    stack.feed("narkasa")["detected"].get(k, 0) > 0
                    for k in ("depth_side_absent", "depth_side_empty")), 30)
            syms = stack.converge("narkasa", depth=1000)
            self.assertEqual(sorted(syms), ["BTC-TRY", "BTC-USDT", "ETH-TRY", "ETH-USDT", "USDT-TRY"])
            f = stack.feed("narkasa")
            if not one_sided:
                self.assertNotIn("depth_side_absent", f["detected"])
                self.assertNotIn("depth_side_empty", f["detected"])
            self.assertEqual(f["subscription_failures"], 0)
            self.assertEqual(f["parse_errors"], 0)
        finally:
            stack.close()

    def test_sides(self):
        self.check("sides", True)

    def test_full(self):
        self.check("full", False)

    def test_delta(self):
        # Pushes of changed levels look like small snapshots: only the option tells them apart.
        self.check("delta", False, venue_options={"narkasa": {"depth_mode": "delta"}})

    def test_delta_read_as_sides_goes_wrong(self):
        # The witness half: the default reading of delta pushes keeps levels that left the
        # book, so the sides reading cannot pass for the delta one.
        stack = Stack(BIN, sim_args=["--variant", "narkasa.depth=delta"])
        try:
            wait_until("narkasa live", lambda: stack.feed("narkasa")["state"] == "live", 20)
            stack.sim_post("/sim/pause")

            def served_but_wrong():
                for sym in ("BTC-TRY", "BTC-USDT", "ETH-TRY", "ETH-USDT"):
                    status, mine = http(f"{stack.hub}/api/v1/book/narkasa/{sym}?depth=1000")
                    truth = stack.sim_get(f"/sim/truth/narkasa/{sym}?depth=1000")
                    if status == 200 and (levels(mine["bids"]), levels(mine["asks"])) != (levels(truth["bids"]), levels(truth["asks"])):
                        return True
                return False
            wait_until("a narkasa book served but not the truth", served_but_wrong, 20)
        finally:
            stack.close()


class NarkasaRefusedSubscription(unittest.TestCase):
    def test_refusal_is_counted_logged_and_the_last_error(self):
        stack = Stack(BIN, sim_args=["--variant", "narkasa.refuse=ETHTRY"])
        try:
            # depth, orderBook, trade, ticker and candles for ETHTRY: five refusals.
            wait_until("five refusals", lambda: stack.feed("narkasa")["subscription_failures"] == 5, 20)
            f = stack.feed("narkasa")
            self.assertRegex(f["last_error"], r"^subscription refused: \w+ ETHTRY.*: failed 10037 \(Invalid symbol\.\)$")
            status, text = http(stack.hub + "/metrics")
            self.assertEqual(status, 200)
            self.assertRegex(text, r'(?m)^mdhub_feed_subscription_failures_total\{venue="narkasa"\} 5$')
            self.assertRegex(text, r'(?m)^mdhub_feed_subscription_failures_total\{venue="btse"\} 0$')
            refused = [line for line in stack.log("hub").splitlines() if "subscription refused" in line]
            self.assertEqual(len(refused), 5, refused)
            # The other symbols are not affected.
            stack.sim_post("/sim/pause")
            try:
                for s in ("BTC-TRY", "BTC-USDT", "ETH-USDT"):
                    wait_until(f"{s} == truth", lambda s=s: stack.book_matches("narkasa", s, 1000), 20)
            finally:
                stack.sim_post("/sim/resume")
        finally:
            stack.close()


class BtseRetryAfter(unittest.TestCase):
    """Whatever form the 429's Retry-After takes, REST polling resumes within seconds (a
    timestamp read as seconds would stop it for ten minutes) and the form is counted."""

    def check(self, form):
        stack = Stack(BIN, sim_args=["--variant", f"btse.retry_after={form}"],
                      venue_options={"btse": {"ticker_poll_ms": 300}})
        try:
            wait_until("btse live", lambda: stack.feed("btse")["state"] == "live", 20)
            stack.sim_post("/sim/faults", b"http429:1@btse")
            wait_until("three 429s", lambda: stack.feed("btse")["rate_limited"] >= 3, 30)
            stack.sim_post("/sim/faults", b"")
            f = stack.feed("btse")
            self.assertGreaterEqual(f["detected"].get(f"retry_after_{form}", 0), 3, f["detected"])
            self.assertRegex(f["last_error"] or "", r"HTTP 429, REST paused for (1\d\d\d|2000) ms$")
            syms = stack.converge("btse", depth=1000)
            self.assertEqual(len(syms), 5)
            # The simulated book is deeper than the 50 levels the websocket shows, and the
            # books above equal the top-50 truth only because mdhub cut what fell below.
            trimmed = sum(s["levels_trimmed"] for s in stack.feed("btse")["symbols"].values())
            self.assertGreater(trimmed, 0)
        finally:
            stack.close()

    def test_epoch_ms(self):
        self.check("epoch_ms")

    def test_epoch_s(self):
        self.check("epoch_s")

    def test_delay(self):
        self.check("delay")

    def test_date(self):
        self.check("date")


class BitexbitTradePages(unittest.TestCase):
    """Pages newest or oldest first, since_id inclusive or exclusive: mdhub's trade tape is
    the venue's, each id once, in order, while more trades than one page (3) arrive between
    two polls (about 6 a second per symbol, polled every second). The REST rate limit is
    raised so that the catch-up polls are not what is measured."""
    LIMIT = 3

    def check(self, order, bound):
        s = Stack(BIN, sim_args=["--variant", f"bitexbit.trades_order={order},bitexbit.since_bound={bound}"],
                  venue_options={"bitexbit": {"trades_limit": self.LIMIT, "trades_poll_ms": 1000}},
                  venue_keys={"bitexbit": {"rate_limit_rps": 50, "rate_limit_burst": 50}})
        try:
            self.assertEqual({k: v for k, v in s.sim_get("/sim/status")["variants"].items() if k.startswith("bitexbit.")},
                             {"bitexbit.trades_order": order, "bitexbit.since_bound": bound})
            natives = {i["symbol"]: i["native"] for i in get(s.hub + "/api/v1/instruments")["instruments"]
                       if i["venue"] == "bitexbit"}
            self.assertEqual(len(natives), 4)
            hub = lambda sym: get(f"{s.hub}/api/v1/trades/bitexbit/{sym}?limit=1000")["trades"]  # noqa: E731
            wait_until("trades in mdhub", lambda: all(hub(sym) for sym in natives), 20)
            start = {sym: self.sim_trades(s, native)[-1]["id"] for sym, native in natives.items()}
            # Full pages seen for every symbol's share: at least a few, for the walk or catch-up.
            wait_until("full trade pages", lambda: s.feed("bitexbit")["detected"].get("trades_page_full", 0) >= 8, 30)
            wait_until("a window of trades", lambda: all(
                int(hub(sym)[-1]["trade_id"]) > start[sym] + 20 for sym in natives), 30)
            s.sim_post("/sim/pause")
            try:
                for sym, native in natives.items():
                    truth = self.sim_trades(s, native)
                    wait_until(f"{sym} newest trade", lambda sym=sym, last=truth[-1]["id"]:
                               int(hub(sym)[-1]["trade_id"]) == last, 10)
                    self.assert_same_trades(sym, start[sym], truth, hub(sym))
            finally:
                s.sim_post("/sim/resume")
            f = s.feed("bitexbit")
            other = {"newest": "oldest", "oldest": "newest"}[order]
            self.assertGreater(f["detected"].get(f"trades_{order}_first", 0), 0, f["detected"])
            self.assertNotIn(f"trades_{other}_first", f["detected"])
            self.assertGreater(f["detected"].get(f"trades_since_{bound}", 0), 0, f["detected"])
            self.assertNotIn("trades_since_" + {"inclusive": "exclusive", "exclusive": "inclusive"}[bound],
                             f["detected"])
            self.assertNotIn("trades_backlog_cut", f["detected"])
            self.assertEqual(f["parse_errors"], 0)
        finally:
            s.close()

    @staticmethod
    def sim_trades(s, native):
        """The venue's last 1000 trades, oldest first whatever the page order."""
        rows = s.sim_get(f"/bitexbit/api/v2/public/trades?symbol={native}&limit=1000")
        return sorted(rows, key=lambda t: t["id"])

    def assert_same_trades(self, sym, start_id, truth, mine):
        self.assertLessEqual(truth[0]["id"], start_id, f"{sym}: the simulator's history no longer covers the window")
        self.assertLessEqual(int(mine[0]["trade_id"]), start_id, f"{sym}: mdhub's history no longer covers the window")
        want = [t for t in truth if t["id"] >= start_id]
        got = [t for t in mine if int(t["trade_id"]) >= start_id]
        self.assertGreater(len(want), 20, sym)
        self.assertEqual([int(t["trade_id"]) for t in got], [t["id"] for t in want], f"{sym}: trade ids differ")
        for w, g in zip(want, got):
            self.assertEqual((Decimal(g["price"]), Decimal(g["qty"]), g["side"]),
                             (Decimal(w["price"]), Decimal(w["amount"]), w["type"]), f"{sym} trade {w['id']}")
            self.assertEqual(g["ts_exchange"], w["date"] * 1000, f"{sym} trade {w['id']}")

    def test_newest_inclusive(self):
        self.check("newest", "inclusive")

    def test_newest_exclusive(self):
        self.check("newest", "exclusive")

    def test_oldest_inclusive(self):
        self.check("oldest", "inclusive")

    def test_oldest_exclusive(self):
        self.check("oldest", "exclusive")


class CoinbtrBookWindow(unittest.TestCase):
    """An orderbook push is the top ten orders per side (the doc) or every order of the top ten
    levels: mdhub holds the truth either way, and the REST books polled between pushes (the
    resync path) are cut to the same window, so the book does not flip between the two."""

    def check(self, variant):
        s = Stack(BIN, sim_args=["--variant", f"coinbtr.book={variant}"],
                  venue_options={"coinbtr": {"book_poll_ms": 200}})
        try:
            self.assertEqual(s.sim_get("/sim/status")["variants"]["coinbtr.book"], variant)
            wait_until("the window recognised",
                       lambda: s.feed("coinbtr")["detected"].get(f"book_top_{variant}", 0) > 0, 20)
            syms = s.instruments("coinbtr")
            self.assertEqual(sorted(syms), ["BTC-MXN", "ETH-MXN", "USDT-MXN"])
            s.sim_post("/sim/pause")
            try:
                for sym in syms:
                    wait_until(f"{sym} == truth", lambda sym=sym: s.book_matches("coinbtr", sym, 1000), 20)
                # The market stands still and REST books keep replacing the pushed one: every
                # look at the book must still be the truth.
                start = s.feed("coinbtr")["rest_requests"]
                looks = 0
                while s.feed("coinbtr")["rest_requests"] < start + 12:
                    for sym in syms:
                        self.assertTrue(s.book_matches("coinbtr", sym, 1000), f"{sym} left the truth")
                        looks += 1
                self.assertGreater(looks, 0)
                sizes = []
                for sym in syms:
                    book = get(f"{s.hub}/api/v1/book/coinbtr/{sym}?depth=1000")
                    sizes += [len(book["bids"]), len(book["asks"])]
            finally:
                s.sim_post("/sim/resume")
            if variant == "orders":
                self.assertTrue(all(0 < n <= 10 for n in sizes), sizes)
                self.assertLess(sum(sizes), 20 * len(syms), sizes)  # orders sharing a price: fewer levels
            else:
                self.assertEqual(sizes, [10] * 2 * len(syms))
            f = s.feed("coinbtr")
            other = {"orders": "levels", "levels": "orders"}[variant]
            self.assertNotIn(f"book_top_{other}", f["detected"])
            self.assertEqual(f["parse_errors"], 0)
        finally:
            s.close()

    def test_orders(self):
        self.check("orders")

    def test_levels(self):
        self.check("levels")


class CoinbtrVariation(unittest.TestCase):
    """The ticker's `variation` is the 24 h change in percent (the doc's text) or a ratio: with
    the matching variation_unit (percent by default) change_pct equals the venue's change."""

    def check(self, variant, options, scale):
        s = Stack(BIN, sim_args=["--variant", f"coinbtr.variation={variant}"],
                  venue_options={"coinbtr": options})
        try:
            wait_until("coinbtr live", lambda: s.feed("coinbtr")["state"] == "live", 20)
            ws_url = s.sim.replace("http", "ws", 1) + "/coinbtr/"
            wait_until("a price change", lambda: Decimal(self.variation(ws_url)) != 0, 30)
            s.sim_post("/sim/pause")
            try:
                want = Decimal(self.variation(ws_url)) * scale
                hub = lambda: ok_ticker(s.hub + "/api/v1/ticker/coinbtr/BTC-MXN")  # noqa: E731
                wait_until(f"change_pct == {want}", lambda: (t := hub()) and t["change_pct"] is not None
                           and Decimal(t["change_pct"]) == want, 20)
            finally:
                s.sim_post("/sim/resume")
        finally:
            s.close()

    @staticmethod
    def variation(ws_url):
        """The `variation` text of the venue's current BTC-MXN ticker (sent on subscribing)."""
        async def go():
            async with websockets.connect(ws_url) as ws:
                await ws.send(json.dumps({"action": "subscribe", "market": "BTC-MXN", "channel": "ticker"}))
                while True:
                    frame = await ws.recv()
                    if frame.startswith('{"channel":"ticker"'):
                        return re.search(r'"variation":(-?[0-9.]+)', frame).group(1)
        return asyncio.run(asyncio.wait_for(go(), 10))

    def test_percent_read_by_default(self):
        self.check("percent", {}, 1)

    def test_ratio_with_variation_unit_ratio(self):
        self.check("ratio", {"variation_unit": "ratio"}, 100)


class CoinbtrMarketPages(unittest.TestCase):
    """The market listing comes in pages of one (`limit`/`offset`, `next` on the venue's public
    host): mdhub follows every page against its own rest_base and serves every market."""

    def test_every_page_is_read(self):
        s = Stack(BIN, sim_args=["--variant", "coinbtr.markets=paged"])
        try:
            self.assertEqual(s.sim_get("/sim/status")["variants"]["coinbtr.markets"], "paged")
            self.assertEqual(len(s.sim_get("/coinbtr/api/v2/trading/markets/")["payload"]), 1)
            syms = s.converge("coinbtr", depth=1000)
            self.assertEqual(sorted(syms), ["BTC-MXN", "ETH-MXN", "USDT-MXN"])
            f = s.feed("coinbtr")
            self.assertEqual(f["parse_errors"], 0)
            self.assertEqual(f["state"], "live")
            self.assertNotIn("symbols not listed", f["last_error"] or "")
        finally:
            s.close()


def ok_ticker(url):
    status, body = http(url)
    return body if status == 200 else None


class CoinmotionLayout(unittest.TestCase):
    """Both rate layouts: every pair the layout can carry is quoted exactly as the truth,
    and the layout is recognised."""

    def check(self, layout, seen, want_symbols):
        s = Stack(BIN, sim_args=["--variant", f"coinmotion.layout={layout}"])
        try:
            syms = wait_until("coinmotion instruments", lambda: s.instruments("coinmotion"), 20)
            self.assertEqual(sorted(syms), want_symbols)
            s.sim_post("/sim/pause")
            for sym in syms:
                truth = s.sim_get(f"/sim/truth/coinmotion/{sym}?depth=1")
                want = (Decimal(truth["bids"][0][0]), Decimal(truth["asks"][0][0]))

                def quoted(sym=sym, want=want):
                    status, t = http(f"{s.hub}/api/v1/ticker/coinmotion/{sym}")
                    return status == 200 and (Decimal(t["bid"]), Decimal(t["ask"])) == want

                wait_until(f"coinmotion {sym} quote == truth {want}", quoted, 20)
            detected = s.feed("coinmotion")["detected"]
            self.assertGreater(detected.get(f"rates_by_{seen}", 0), 0, detected)
            other = "crypto" if seen == "pair" else "pair"
            self.assertNotIn(f"rates_by_{other}", detected)
        finally:
            s.close()

    def test_pairs_every_quote_currency(self):
        self.check("pairs", "pair", ["BTC-EUR", "BTC-SEK", "BTC-USDC", "ETH-BTC", "ETH-EUR", "USDC-EUR"])

    def test_crypto_keys_read_as_euro(self):
        self.check("crypto", "crypto", ["BTC-EUR", "ETH-EUR", "USDC-EUR"])


if __name__ == "__main__":
    unittest.main()
