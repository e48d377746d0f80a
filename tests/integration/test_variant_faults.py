"""Variant x fault matrix: the simulator speaks venues' non-default variants, and every fault
kind runs on every venue at once until each kind has fired and every venue has read and
rejected a malformed payload; then, faults cleared and the market paused, every book and quote
equals the truth, and each venue said which variant it recognised. Three simulators cover
every non-default variant and every bitexbit order x bound pair and btse Retry-After form:
first all at once (narkasa depth pushes of both whole sides, btse's Retry-After as an HTTP
date, bitexbit trades oldest first with an exclusive bound, coinbtr pushes of whole levels with
the variation as a ratio and the market listing in pages, coinmotion's older layout keyed by
crypto), then the two bitexbit pairs left with the two btse forms left. The defaults are the
fault matrix's (test_fault_matrix.py), one venue at a time."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import test_fault_matrix as fm  # noqa: E402
from harness import Stack, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
VENUES = fm.VENUES
# Market steps (over all instruments, about 75 each) after the faults, before the books are compared.
STEPS_AFTER = 1500
# Every kind on every venue; a REST-only venue's truncated bodies at the matrix's higher rate.
SPEC = ",".join([f"{k}:{r}" for k, r in fm.RATES.items()] +
                [f"malformed:{fm.REST_ONLY_MALFORMED}@{v}" for v in fm.REST_ONLY])


class VariantFaults:
    """The matrix for one simulator's VARIANTS; DETECTED / NOT_DETECTED: {venue: names} that
    venue must have / must not have recognised (its `detected`)."""
    VARIANTS = ""
    DETECTED = {}
    NOT_DETECTED = {}

    @classmethod
    def setUpClass(cls):
        cls.stack = s = Stack(BIN, sim_args=("--variant", cls.VARIANTS), venue_options=fm.OPTIONS)
        try:
            cls.hub_proc = next(p for n, p in s.procs if n == "hub")
            cls.symbols = {v: sorted(wait_until(f"{v} instruments", lambda v=v: s.instruments(v), 30)) for v in VENUES}
            cls.injected, cls.before, cls.after = cls.run_faults(s)
            cls.converged = fm.converge_all(s, cls.symbols)
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
    def run_faults(cls, s):
        """Every kind on every venue until each has fired, every venue has rejected a malformed
        payload and read a 429, and every websocket venue has reconnected; returns (injected per kind, feeds
        before, feeds after recovery)."""
        for v in VENUES:
            wait_until(f"{v} live before the faults", lambda v=v: s.feed(v)["state"] == "live", 30)
        before = {v: s.feed(v) for v in VENUES}
        inj0 = fm.injected(s)
        s.sim_post("/sim/faults", SPEC.encode())
        try:
            def fired():
                now = fm.injected(s)
                missing = sorted(k for k in fm.RATES if now[k] == inj0[k])
                for v in VENUES:
                    f = s.feed(v)
                    if f["parse_errors"] == before[v]["parse_errors"]:
                        missing.append(f"a parse error on {v}")
                    if f["rate_limited"] == before[v]["rate_limited"]:
                        missing.append(f"a 429 read by {v}")  # its Retry-After form is recognised
                    if v not in fm.REST_ONLY and f["reconnects"] == before[v]["reconnects"]:
                        missing.append(f"a reconnect of {v}")
                if missing:
                    raise AssertionError(f"not yet: {missing}")  # shown if the wait times out
                return now
            inj1 = wait_until("every fault kind on every venue", fired, 60, interval=0.25)
        finally:
            s.sim_post("/sim/faults", b"")
        injected = {k: inj1[k] - inj0[k] for k in fm.RATES}

        def recovered():
            feeds = {v: s.feed(v) for v in VENUES}
            limited = sum(f["rate_limited"] - before[v]["rate_limited"] for v, f in feeds.items())
            not_live = {v: (f["state"], f["stale"]) for v, f in feeds.items() if f["state"] != "live" or f["stale"]}
            if not_live or limited != injected["http429"]:  # shown if the wait times out
                raise AssertionError(f"not yet: not live {not_live}, 429s read {limited} of {injected['http429']}")
            return feeds
        # A request answered late (the slow fault: 5 s) or a Retry-After still running holds a
        # venue back for a while after the faults stop; on a loaded machine, longer.
        after = wait_until("every venue live again, its 429s counted", recovered, 60)
        # A frame dropped or cut last before the pause would be repaired only by an audit: with
        # no sequence (narkasa, coinbtr) by the next push of that side, and on btse by the gap
        # the next delta shows. The market runs on (steps over all instruments) until every
        # book has had later messages, as a venue's market would.
        steps = s.sim_get("/sim/status")["steps"]
        wait_until("the market moving on after the faults",
                   lambda: s.sim_get("/sim/status")["steps"] >= steps + STEPS_AFTER, 60)
        return injected, before, after

    def test_every_kind_fired_and_the_process_lived(self):
        self.assertEqual({k for k, n in self.injected.items() if n == 0}, set(), self.injected)
        self.assertIsNone(self.hub_proc.poll(), "mdhub died under the faults")

    def test_books_and_quotes_equal_the_truth_under_every_variant(self):
        # converge_all() waited for every book, quote and consolidated book; this names what it covered.
        self.assertEqual(set(self.converged), set().union(*(self.symbols[v] for v in VENUES if v != "coinmotion")))
        self.assertEqual(len(self.symbols["coinbtr"]), 3, "coinbtr's listing was followed to its end")

    def test_each_venue_recognised_its_variant(self):
        for v in VENUES:
            detected = self.stack.feed(v)["detected"]
            with self.subTest(venue=v, detected=detected):
                for name in self.DETECTED.get(v, ()):
                    self.assertGreater(detected.get(name, 0), 0)
                for name in self.NOT_DETECTED.get(v, ()):
                    self.assertNotIn(name, detected)

    def test_429s_counted_once_each(self):
        counted = sum(self.after[v]["rate_limited"] - self.before[v]["rate_limited"] for v in VENUES)
        self.assertEqual(counted, self.injected["http429"])


class EveryNonDefaultVariant(VariantFaults, unittest.TestCase):
    VARIANTS = ("narkasa.depth=full,btse.retry_after=date,bitexbit.trades_order=oldest,"
                "bitexbit.since_bound=exclusive,coinbtr.book=levels,coinbtr.variation=ratio,"
                "coinbtr.markets=paged,coinmotion.layout=crypto")
    DETECTED = {"btse": ("retry_after_date",), "bitexbit": ("trades_oldest_first", "trades_since_exclusive"),
                "coinbtr": ("book_top_levels",), "coinmotion": ("rates_by_crypto",)}
    NOT_DETECTED = {"btse": ("retry_after_epoch_ms",), "narkasa": ("depth_side_absent", "depth_side_empty"),
                    "bitexbit": ("trades_newest_first", "trades_since_inclusive"), "coinbtr": ("book_top_orders",),
                    "coinmotion": ("rates_by_pair",)}


class NewestExclusiveEpochSeconds(VariantFaults, unittest.TestCase):
    VARIANTS = "btse.retry_after=epoch_s,bitexbit.since_bound=exclusive"
    DETECTED = {"btse": ("retry_after_epoch_s",), "bitexbit": ("trades_newest_first", "trades_since_exclusive")}
    NOT_DETECTED = {"btse": ("retry_after_epoch_ms",), "bitexbit": ("trades_oldest_first", "trades_since_inclusive")}


class OldestInclusiveDelay(VariantFaults, unittest.TestCase):
    VARIANTS = "btse.retry_after=delay,bitexbit.trades_order=oldest"
    DETECTED = {"btse": ("retry_after_delay",), "bitexbit": ("trades_oldest_first", "trades_since_inclusive")}
    NOT_DETECTED = {"btse": ("retry_after_epoch_ms",), "bitexbit": ("trades_newest_first", "trades_since_exclusive")}


if __name__ == "__main__":
    unittest.main()
