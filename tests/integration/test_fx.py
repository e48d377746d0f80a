"""The cross-currency book, three ways: mdhub's /api/v1/book/fx and /api/v1/premium, the
simulator's /sim/truth/fx and /sim/truth/premium, and a computation made here with exact
fractions from the per-venue truth books (/sim/truth/{venue}/{symbol}), by the contract's
rules (README "Cross-currency book"). With the market paused the three must agree to the
last digit: entries, venues, paths, rates and basis points. Then a venue whose books give
rates goes stale: exactly the venues whose path depends on it leave with rate_stale, and
come back; a pair without a path is 404 no_fx_path; the websocket snapshot is the HTTP book."""
import asyncio
import itertools
import json
import os
import sys
import unittest
from decimal import Decimal
from fractions import Fraction

import websockets

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
BASE = "BTC"
QUOTES = ("USD", "USDT", "TRY", "EUR")
# Beside BTC's: ETH's paths may go through BTC, and MXN is a home currency of one venue only.
PAIRS = tuple((BASE, q) for q in QUOTES) + (("ETH", "USD"), ("ETH", "MXN"))
DEPTH = 5000
PRICE_SCALE, RATE_SCALE = 8, 12
PEGS = (("USDC", "USD"),)  # what sim --print-config writes
STALE_VENUE = "btse"  # its USDT-USD and ETH-USD are on most paths into USD
OPTIONS = {STALE_VENUE: {"stale_after_ms": 1500, "backoff_base_ms": 100, "backoff_cap_ms": 500}}


# ---- exact decimals ---------------------------------------------------------------------
def frac(text):
    return Fraction(Decimal(text))


def round_half_even(x, places):
    """x (a Fraction) rounded half even to `places` decimals, as an integer mantissa."""
    n = x * 10 ** places
    q = n.numerator // n.denominator
    rest = n - q
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and q % 2 == 1):
        q += 1
    return q


def fixed(mantissa, places):
    """Exactly `places` decimals, trailing zeros kept."""
    return format(Decimal(mantissa).scaleb(-places), "f")


def shortest(x):
    """The shortest exact decimal text of a Fraction that has one."""
    places = 0
    while (x * 10 ** places).denominator != 1:
        places += 1
    return format(Decimal(int(x * 10 ** places)).scaleb(-places), "f")


# ---- the contract, computed here --------------------------------------------------------
class Truth:
    """Every venue instrument's truth book, read from the simulator."""

    def __init__(self, stack):
        self.books = {}  # (venue, symbol) -> {"bids": [(text, Fraction, qty text)], "asks": ...}
        for inst in http(stack.hub + "/api/v1/instruments")[1]["instruments"]:
            venue, symbol = inst["venue"], inst["symbol"]
            t = stack.sim_get(f"/sim/truth/{venue}/{symbol}?depth=100000")
            self.books[(venue, symbol)] = {side: [(p, frac(p), q) for p, q in t[side]] for side in ("bids", "asks")}

    def has_book(self, key):
        return any(q is not None for side in ("bids", "asks") for _, _, q in self.books[key][side])


def rate_graph(truth, stale=()):
    """{frozenset({X, Y}): hop source} with the contract's choice: venue mids before static
    rates, then venue name, then the X-Y instrument with X < Y. Venues in `stale` give none."""
    best = {}
    for (venue, symbol), book in truth.books.items():
        if venue in stale or not book["bids"] or not book["asks"]:
            continue
        a, b = symbol.split("-")
        mid = (book["bids"][0][1] + book["asks"][0][1]) / 2
        cand = ((0, venue, 0 if a < b else 1, 0), {"a": a, "b": b, "mid": mid, "source": venue, "symbol": symbol})
        key = frozenset((a, b))
        if key not in best or cand[0] < best[key][0]:
            best[key] = cand
    for i, (a, b) in enumerate(PEGS):
        cand = ((1, "", 0, i), {"a": a, "b": b, "mid": Fraction(1), "source": "static", "symbol": f"{a}-{b}"})
        key = frozenset((a, b))
        if key not in best or cand[0] < best[key][0]:
            best[key] = cand
    return {k: v[1] for k, v in best.items()}


def find_path(graph, base, start, end):
    """Fewest hops (at most 3) from start to end, never through base; among equals the
    smallest list of intermediates. A list of (from, to, hop source), or None."""
    nodes = sorted({c for pair in graph for c in pair} - {base, start, end})
    for n in range(0, 3):
        for mids in itertools.permutations(nodes, n):  # sorted input: lexicographic order
            chain = [start, *mids, end]
            hops = [frozenset(p) for p in zip(chain, chain[1:])]
            if all(h in graph for h in hops):
                return [(x, y, graph[frozenset((x, y))]) for x, y in zip(chain, chain[1:])]
    return None


def conversion(graph, base, start, end):
    """(rate mantissa at 12 decimals or None for native, path as JSON) or None: no path."""
    if start == end:
        return None, []
    path = find_path(graph, base, start, end)
    if path is None:
        return None
    r = Fraction(1)
    for x, y, src in path:
        r = r * src["mid"] if (x, y) == (src["a"], src["b"]) else r / src["mid"]
    hops = [{"from": x, "to": y, "source": s["source"], "symbol": s["symbol"], "mid": shortest(s["mid"]), "age_ms": None}
            for x, y, s in path]
    return round_half_even(r, RATE_SCALE), hops


def members(truth, base, quote, books_only, stale=()):
    """[(venue, symbol, native quote, rate or None, path)] and [(venue, symbol, reason)]."""
    graph, every = rate_graph(truth, stale), rate_graph(truth)
    kept, excluded = [], []
    for venue, symbol in sorted(truth.books):
        b, q = symbol.split("-")
        if b != base or (books_only and not truth.has_book((venue, symbol))) or venue in stale:
            continue
        conv = conversion(graph, base, q, quote)
        if conv is None:
            excluded.append((venue, symbol, "rate_stale" if conversion(every, base, q, quote) else "no_fx_path"))
        else:
            kept.append((venue, symbol, q, *conv))
    return kept, excluded


def shown(price, rate):
    return price if rate is None else fixed(round_half_even(frac(price) * Fraction(rate, 10 ** RATE_SCALE), PRICE_SCALE), PRICE_SCALE)


def rate_text(rate):
    return "1" if rate is None else shortest(Fraction(rate, 10 ** RATE_SCALE))


def fx_book(truth, base, quote, depth=DEPTH, stale=()):
    kept, excluded = members(truth, base, quote, True, stale)
    sides = {}
    for side in ("bids", "asks"):
        entries = []
        for venue, symbol, _, rate, _ in kept:
            for text, native, qty in truth.books[(venue, symbol)][side]:
                price = shown(text, rate)
                entries.append(((frac(price), venue, native, symbol),
                                [price, qty, {"venue": venue, "symbol": symbol, "price": text, "rate": rate_text(rate)}]))
        bid = side == "bids"
        entries.sort(key=lambda e: (-e[0][0] if bid else e[0][0], e[0][1], -e[0][2] if bid else e[0][2], e[0][3]))
        sides[side] = [e[1] for e in entries[:depth]]
    return {"venue": "fx", "symbol": f"{base}-{quote}", "price_scale": PRICE_SCALE, "rate_scale": RATE_SCALE,
            "bids": sides["bids"], "asks": sides["asks"],
            "venues": [{"venue": v, "symbol": s, "converted": r is not None, "rate": rate_text(r), "path": p}
                       for v, s, _, r, p in kept],
            "excluded": [list(e) for e in excluded]}


def bp(x, y, ref):
    return fixed(round_half_even((frac(x) - frac(y)) / frac(ref) * 10000, 2), 2)


def premium(truth, base, quote, stale=()):
    kept, excluded = members(truth, base, quote, False, stale)
    rows = []
    for venue, symbol, _, rate, path in kept:
        book = truth.books[(venue, symbol)]
        rows.append({"venue": venue, "symbol": symbol,
                     "bid": shown(book["bids"][0][0], rate) if book["bids"] else None,
                     "ask": shown(book["asks"][0][0], rate) if book["asks"] else None,
                     "converted": rate is not None, "rate": rate_text(rate), "rate_age_ms": None, "path": path})
    bids = sorted((r for r in rows if r["bid"]), key=lambda r: (-frac(r["bid"]), r["venue"], r["symbol"]))
    asks = sorted((r for r in rows if r["ask"]), key=lambda r: (frac(r["ask"]), r["venue"], r["symbol"]))
    best_bid, best_ask = (bids[0] if bids else None), (asks[0] if asks else None)
    out_rows = []
    for r in rows:
        out_rows.append({"venue": r["venue"], "symbol": r["symbol"], "bid": r["bid"], "ask": r["ask"],
                         "bid_bp": bp(best_bid["bid"], r["bid"], best_bid["bid"]) if r["bid"] else None,
                         "ask_bp": bp(r["ask"], best_ask["ask"], best_ask["ask"]) if r["ask"] else None,
                         "converted": r["converted"], "rate": r["rate"], "rate_age_ms": None, "path": r["path"]})
    out_rows.sort(key=lambda r: (r["ask_bp"] is None, Decimal(r["ask_bp"] or 0), r["venue"], r["symbol"]))

    def best(r, side):
        return None if r is None else {"venue": r["venue"], "symbol": r["symbol"], "price": r[side]}
    return {"base": base, "quote": quote, "price_scale": PRICE_SCALE, "rate_scale": RATE_SCALE,
            "best_bid": best(best_bid, "bid"), "best_ask": best(best_ask, "ask"),
            "venues": out_rows, "excluded": [list(e) for e in excluded]}


# ---- comparing ----------------------------------------------------------------------------
def comparable(view):
    """A view without what only a live hub has (seq, ts_received, ages) or words
    (exclusion messages); venues in name order (the contract orders the premium's only)."""
    v = {k: x for k, x in view.items() if k not in ("seq", "ts_received")}
    v["excluded"] = sorted([e["venue"], e["symbol"], e["reason"]] if isinstance(e, dict) else e for e in v["excluded"])
    rows = []
    for r in v["venues"]:
        r = dict(r, path=[dict(h, age_ms=None) for h in r["path"]])
        if "rate_age_ms" in r:
            r["rate_age_ms"] = None
        rows.append(r)
    v["venues"] = rows if "base" in view else sorted(rows, key=lambda r: (r["venue"], r["symbol"]))
    return v


class FxViews(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(BIN, venue_options=OPTIONS, table_keys={"fx": {"max_age_ms": 0}})
        s = cls.stack
        venues = s.sim_get("/sim/status")["venues"]
        wait_until("every venue live", lambda: all(s.feed(v)["state"] == "live" for v in venues), 60)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def setUp(self):
        self.stack.sim_post("/sim/pause")
        self.addCleanup(self.stack.sim_post, "/sim/resume")
        self.addCleanup(self.stack.sim_post, "/sim/faults", b"")

    def hub_view(self, path):
        status, body = http(self.stack.hub + path)
        return body if status == 200 else None

    def settle(self, hub_path, truth_path):
        """Waits until mdhub's view equals the simulator's (the paused market is settling)."""
        def same():
            mine = self.hub_view(hub_path)
            return mine is not None and comparable(mine) == comparable(self.stack.sim_get(truth_path))
        try:
            wait_until(f"{hub_path} == {truth_path}", same, 30)
        except AssertionError:
            mine, truth = self.hub_view(hub_path), self.stack.sim_get(truth_path)
            self.assertEqual(comparable(mine) if mine else mine, comparable(truth))

    def test_books_and_premiums_agree_three_ways(self):
        s = self.stack
        for base, quote in PAIRS:
            with self.subTest(base=base, quote=quote):
                self.settle(f"/api/v1/book/fx/{base}-{quote}?depth={DEPTH}", f"/sim/truth/fx/{base}-{quote}?depth={DEPTH}")
                self.settle(f"/api/v1/premium/{base}?quote={quote}", f"/sim/truth/premium/{base}?quote={quote}")
                truth = Truth(s)
                sim_book = s.sim_get(f"/sim/truth/fx/{base}-{quote}?depth={DEPTH}")
                mine = fx_book(truth, base, quote)
                self.assertEqual(comparable(sim_book), comparable(mine))
                self.assertEqual(list(sim_book), list(mine), "keys in the contract's order")
                self.assertEqual(sim_book["venues"], mine["venues"])  # exact order too
                self.assertGreater(len(mine["bids"]), 0)
                self.assertGreater(len(mine["asks"]), 0)
                sim_premium = s.sim_get(f"/sim/truth/premium/{base}?quote={quote}")
                self.assertEqual(comparable(sim_premium), comparable(premium(truth, base, quote)))
        # The books hold converted venues, and their entries are at the declared scale.
        usd = s.sim_get(f"/sim/truth/fx/{BASE}-USD?depth={DEPTH}")
        converted = [v["venue"] + " " + v["symbol"] for v in usd["venues"] if v["converted"]]
        self.assertIn("narkasa BTC-TRY", converted)
        self.assertIn("coinbtr BTC-MXN", converted)
        eth = s.sim_get("/sim/truth/fx/ETH-USD")
        via = {v["venue"] + " " + v["symbol"]: [h["to"] for h in v["path"]] for v in eth["venues"]}
        self.assertEqual(via["narkasa ETH-TRY"], ["BTC", "USD"])  # TRY-BTC-USD: BTC sorts first
        for entry in usd["bids"] + usd["asks"]:
            if entry[2]["rate"] != "1":
                self.assertRegex(entry[0], r"^\d+\.\d{8}$")
        # depth cuts each side, in both.
        cut = self.hub_view(f"/api/v1/book/fx/{BASE}-USD?depth=3")
        self.assertEqual(cut["bids"], usd["bids"][:3])
        self.assertEqual(cut["asks"], usd["asks"][:3])

    def test_a_pair_without_a_path_is_404(self):
        for path in (f"/api/v1/book/fx/{BASE}-JPY", f"/api/v1/premium/{BASE}?quote=JPY"):
            status, body = http(self.stack.hub + path)
            self.assertEqual(status, 404, body)
            self.assertEqual(body["error"]["code"], "no_fx_path")
        status, body = http(self.stack.sim + f"/sim/truth/fx/{BASE}-JPY")
        self.assertEqual((status, body["error"]["code"]), (404, "no_fx_path"))
        for hub_path, sim_path in ((f"/api/v1/book/fx/DOGE-USD", "/sim/truth/fx/DOGE-USD"),):
            for url in (self.stack.hub + hub_path, self.stack.sim + sim_path):
                status, body = http(url)
                self.assertEqual((status, body["error"]["code"]), (404, "unknown_symbol"), url)
        status, body = http(self.stack.hub + f"/api/v1/premium/{BASE}")
        self.assertEqual((status, body["error"]["code"]), (400, "bad_param"))

    def test_a_stale_rate_source_removes_exactly_the_venues_that_depend_on_it(self):
        s = self.stack
        path_usd = (f"/api/v1/book/fx/{BASE}-USD?depth={DEPTH}", f"/sim/truth/fx/{BASE}-USD?depth={DEPTH}")
        self.settle(*path_usd)
        before = comparable(self.hub_view(path_usd[0]))
        truth = Truth(s)
        want_kept, want_excluded = members(truth, BASE, "USD", True, stale=(STALE_VENUE,))
        depends = {(v, sym) for v, sym, reason in want_excluded if reason == "rate_stale"}
        self.assertTrue(depends, "some path into USD goes through the stale venue")
        # The fault only fires on outgoing frames: the market runs until the venue is stale.
        s.sim_post("/sim/faults", f"disconnect:1@{STALE_VENUE}".encode())
        s.sim_post("/sim/resume")
        wait_until(f"{STALE_VENUE} stale", lambda: s.feed(STALE_VENUE)["stale"], 30)
        s.sim_post("/sim/pause")
        truth = Truth(s)
        # What is left is what the live venues' books make, to the digit, once mdhub has them.
        want = comparable(fx_book(truth, BASE, "USD", stale=(STALE_VENUE,)))

        def removed():
            mine = self.hub_view(path_usd[0])
            return mine if mine is not None and all(comparable(mine)[k] == want[k] for k in ("bids", "asks", "venues")) else None
        try:
            mine = wait_until("the dependent venues out of the fx book", removed, 30)
        except AssertionError:
            got = comparable(self.hub_view(path_usd[0]))
            for key in ("venues", "bids", "asks"):
                self.assertEqual(got[key], want[key], key)
            raise
        got = comparable(mine)
        # The stale venue's own books are out too (book_unavailable): not a rate matter.
        own = sorted(e[:2] for e in got["excluded"] if e[0] == STALE_VENUE)
        self.assertEqual(own, sorted([STALE_VENUE, sym] for v, sym in truth.books if v == STALE_VENUE and sym.startswith(BASE + "-")))
        self.assertEqual(sorted(e for e in got["excluded"] if e[0] != STALE_VENUE), want["excluded"])
        # The premium view likewise (coinmotion's quotes are polled: they may settle later).
        want_prem = comparable(premium(truth, BASE, "USD", stale=(STALE_VENUE,)))

        def premium_settled():
            prem = self.hub_view(f"/api/v1/premium/{BASE}?quote=USD")
            return prem is not None and all(comparable(prem)[k] == want_prem[k] for k in ("best_bid", "best_ask", "venues"))
        try:
            wait_until("the premium view without the dependent venues", premium_settled, 30)
        except AssertionError:
            prem = comparable(self.hub_view(f"/api/v1/premium/{BASE}?quote=USD"))
            for key in ("best_bid", "best_ask", "venues"):
                self.assertEqual(prem[key], want_prem[key], key)
            raise
        reasons = {(e["venue"], e["symbol"]): e["reason"] for e in mine["excluded"]}
        for key in depends:
            self.assertEqual(reasons.get(key), "rate_stale", (key, mine["excluded"]))
        for e in mine["excluded"]:
            if e["reason"] == "rate_stale":
                self.assertIn(STALE_VENUE, e["message"])
        # Nothing of theirs is in the entries.
        named = {(e[2]["venue"], e[2]["symbol"]) for side in ("bids", "asks") for e in mine[side]}
        self.assertFalse(named & depends)
        self.assertFalse({k for k in named if k[0] == STALE_VENUE})
        # Back once the venue is.
        s.sim_post("/sim/faults", b"")
        wait_until(f"{STALE_VENUE} live", lambda: not s.feed(STALE_VENUE)["stale"], 30)
        self.settle(*path_usd)
        after = comparable(self.hub_view(path_usd[0]))
        self.assertEqual(sorted((v["venue"], v["symbol"]) for v in after["venues"]),
                         sorted((v["venue"], v["symbol"]) for v in before["venues"]))

    def test_websocket_snapshot_is_the_http_book(self):
        s = self.stack
        path = f"/api/v1/book/fx/{BASE}-USD"
        self.settle(f"{path}?depth={DEPTH}", f"/sim/truth/fx/{BASE}-USD?depth={DEPTH}")
        url = s.hub.replace("http://", "ws://") + "/ws"
        channel = f"book:fx:{BASE}-USD"

        async def snapshot():
            async with websockets.connect(url, max_size=2**24) as ws:
                await ws.send(json.dumps({"op": "subscribe", "channels": [channel], "id": 1}))
                while True:
                    m = json.loads(await asyncio.wait_for(ws.recv(), 20))
                    if m.get("type") == "error":
                        raise AssertionError(m)
                    if m.get("type") == "book_snapshot":
                        return m
        snap = asyncio.run(snapshot())
        self.assertEqual(snap["channel"], channel)
        depth = max(len(snap["bids"]), len(snap["asks"]))
        self.assertGreater(depth, 0)
        http_book = self.hub_view(f"{path}?depth={depth}")
        for key in ("venue", "symbol", "price_scale", "rate_scale", "bids", "asks"):
            self.assertEqual(snap[key], http_book[key], key)
        self.assertEqual(comparable({"venues": snap["venues"], "excluded": snap["excluded"]}),
                         comparable({"venues": http_book["venues"], "excluded": http_book["excluded"]}))


if __name__ == "__main__":
    unittest.main()
