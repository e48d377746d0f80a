"""Fault matrix: every fault kind on every venue, one venue at a time, against one mdhub that
must never die; then, faults cleared and the market paused, every book equals the truth, every
consolidated book equals the merge of the venues' truths, and each venue's counters show what
was injected into it."""
import os
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
VENUES = ("btse", "narkasa", "coinbtr", "bitexbit", "coinmotion")
# Per websocket frame (the first seven) or per REST request (the last three; malformed also
# truncates REST bodies). Sized so that each kind fires within seconds on any venue without
# keeping a feed from ever getting a book through.
RATES = {"disconnect": 0.005, "drop": 0.02, "dup": 0.02, "reorder": 0.02, "gap": 0.02, "malformed": 0.05,
         "oversize": 0.005, "slow": 0.2, "http429": 0.2, "http5xx": 0.2}
# A REST-only venue sees a truncated body only on answers that were neither 5xx nor 429, a
# second apart: a higher rate keeps its phase as short as the others.
REST_ONLY_MALFORMED = 0.3
WS_KINDS = ("disconnect", "drop", "dup", "reorder", "gap", "malformed", "oversize")
REST_KINDS = ("slow", "http429", "http5xx", "malformed")
# What each venue's traffic can carry: bitexbit and coinmotion are REST only; the others speak
# websocket and poll REST besides (tickers, candles).
REST_ONLY = ("bitexbit", "coinmotion")
CARRIES = {"btse": set(WS_KINDS) | set(REST_KINDS), "narkasa": set(WS_KINDS) | set(REST_KINDS),
           "coinbtr": set(WS_KINDS) | set(REST_KINDS), "bitexbit": set(REST_KINDS), "coinmotion": set(REST_KINDS)}
# A slow answer takes seconds: a short request deadline keeps the phases short. narkasa and
# coinbtr poll their tickers often, so that REST faults reach them within a phase too.
OPTIONS = {v: {"rest_timeout_ms": 2000, "backoff_base_ms": 100, "backoff_cap_ms": 1000} for v in VENUES}
OPTIONS["narkasa"]["ticker_poll_ms"] = 500
OPTIONS["coinbtr"]["ticker_poll_ms"] = 500


def dec(x):
    return None if x is None else Decimal(str(x))


def quote_matches(s, sym):
    truth = s.sim_get(f"/sim/truth/coinmotion/{sym}?depth=1")
    status, t = http(f"{s.hub}/api/v1/ticker/coinmotion/{sym}")
    return status == 200 and (dec(t["bid"]), dec(t["ask"])) == (dec(truth["bids"][0][0]), dec(truth["asks"][0][0]))


def converge_all(s, symbols):
    """Pauses the market and waits for every book, quote and consolidated book of `symbols`
    ({venue: [symbol]}) to equal the truth; returns {symbol: [venues]} of the consolidated books."""
    s.sim_post("/sim/pause")
    try:
        for v in VENUES:
            for sym in symbols[v]:
                if v == "coinmotion":
                    wait_until(f"coinmotion {sym} quote == truth", lambda sym=sym: quote_matches(s, sym), 20)
                else:
                    wait_until(f"{v} {sym} book == truth", lambda v=v, sym=sym: s.book_matches(v, sym, 1000), 30)
        merged = {}
        for v in VENUES:
            if v != "coinmotion":
                for sym in symbols[v]:
                    merged.setdefault(sym, []).append(v)
        for sym, venues in merged.items():
            wait_until(f"{sym} consolidated == merged truths ({venues})",
                       lambda sym=sym, venues=venues: s.consolidated_matches(sym, venues), 20)
        return merged
    finally:
        s.sim_post("/sim/resume")


def injected(s):
    return s.sim_get("/sim/status")["faults_injected"]


class FaultMatrix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = s = Stack(BIN, venue_options=OPTIONS)
        try:
            cls.hub_proc = next(p for n, p in s.procs if n == "hub")
            cls.symbols = {v: sorted(wait_until(f"{v} instruments", lambda v=v: s.instruments(v), 30)) for v in VENUES}
            cls.phases = {v: cls.run_phase(s, v) for v in VENUES}
            cls.converged = cls.converge_all(s)
        except BaseException:
            try:
                s.close()
            except AssertionError:
                pass  # the first failure is the one to report
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    @classmethod
    def run_phase(cls, s, venue):
        """Every kind at once on `venue` until each kind its traffic carries has fired; returns
        (injected per kind, feed before, feed after recovery)."""
        wait_until(f"{venue} live before its faults", lambda: s.feed(venue)["state"] == "live", 30)
        before, inj0 = s.feed(venue), injected(s)
        rates = dict(RATES, malformed=REST_ONLY_MALFORMED) if venue in REST_ONLY else RATES
        s.sim_post("/sim/faults", ",".join(f"{k}:{r}@{venue}" for k, r in rates.items()).encode())
        try:
            def fired():
                now = injected(s)
                missing = sorted(k for k in CARRIES[venue] if now[k] == inj0[k])
                # A truncated body may also have been slow and timed out first: wait for one
                # that was read and rejected.
                if s.feed(venue)["parse_errors"] == before["parse_errors"]:
                    missing.append("a parse error")
                if missing:
                    raise AssertionError(f"not yet: {missing}")  # shown if the wait times out
                return now
            inj1 = wait_until(f"every fault kind on {venue}", fired, 90, interval=0.25)
        finally:
            s.sim_post("/sim/faults", b"")
        delta = {k: inj1[k] - inj0[k] for k in RATES}

        def recovered():
            # Live again, and every 429 and 5xx answer sent has been read and counted.
            f = s.feed(venue)
            errors = f["rest_errors"] - before["rest_errors"]
            return (f["state"] == "live" and not f["stale"] and
                    f["rate_limited"] - before["rate_limited"] == delta["http429"] and
                    errors >= delta["http429"] + delta["http5xx"] and f)
        return delta, before, wait_until(f"{venue} live again, its errors counted", recovered, 30)

    @classmethod
    def converge_all(cls, s):
        return converge_all(s, cls.symbols)

    def test_every_kind_fired_on_every_venue_and_the_process_lived(self):
        for v in VENUES:
            delta = self.phases[v][0]
            with self.subTest(venue=v):
                self.assertEqual({k for k in CARRIES[v] if delta[k] == 0}, set(), delta)
        self.assertIsNone(self.hub_proc.poll(), "mdhub died under the faults")
        self.assertEqual(http(self.stack.hub + "/healthz")[0], 200)

    def test_books_and_consolidated_books_equal_the_truth(self):
        # converge_all() waited for each; this names what it covered.
        self.assertEqual(set(self.converged), set().union(*(self.symbols[v] for v in VENUES if v != "coinmotion")))
        self.assertTrue(any(len(vs) >= 2 for vs in self.converged.values()), self.converged)

    def test_counters_show_what_was_injected(self):
        for v in VENUES:
            delta, before, after = self.phases[v]
            d = {k: after[k] - before[k] for k in ("reconnects", "parse_errors", "rest_errors", "rate_limited",
                                                     "gaps", "resyncs")}
            with self.subTest(venue=v, injected=delta, counted=d):
                # Each 429 is counted once as rate limited; the REST errors are the 429s, the
                # 5xx and the slow answers that outlived the request deadline.
                self.assertEqual(d["rate_limited"], delta["http429"])
                self.assertGreaterEqual(d["rest_errors"], delta["http429"] + delta["http5xx"])
                self.assertLessEqual(d["rest_errors"], delta["http429"] + delta["http5xx"] + delta["slow"])
                self.assertGreater(d["parse_errors"], 0)  # malformed frames and truncated bodies
                if v not in REST_ONLY:
                    self.assertGreater(d["reconnects"], 0)  # disconnect and oversize close the connection
                else:
                    self.assertEqual(d["reconnects"], 0)
                if v == "btse":  # sequenced: gaps, duplicates and reorders are seen and resynced
                    self.assertGreater(d["gaps"], 0)
                    self.assertGreater(d["resyncs"], 0)
                else:  # no sequence to see a gap in
                    self.assertEqual(d["gaps"], 0)

if __name__ == "__main__":
    unittest.main()
