"""The book audit: every streamed book (btse, narkasa, coinbtr) is checked against the venue's
REST depth. Without faults no audit fails and nothing is resynced, coinbtr's included: its
pushes and its REST book both end at the tenth order, where they may legitimately disagree, so
its audits compare only the prices better than either side's last (coinbtr is audited every
second, as a user would run it, and for at least twenty audits a book). With the simulator's
`drift` fault on one BTSE symbol (a level of a pushed delta silently one lot off, sequence
numbers intact, so no gap shows) the audit fails, that book is resynced, and with the market
paused it equals the simulator's truth again. narkasa and coinbtr push whole sides, so their
next push undoes a drift: with the market paused after a drifted push, the audit fails, the
book is resynced from the REST book and equals the truth."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, get, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
VENUES = ("btse", "narkasa", "coinbtr")
AUDIT_MS = {"btse": 400, "narkasa": 400, "coinbtr": 1000}  # ms a venue's books are audited in
COINBTR_AUDITS = 20  # audits of each coinbtr book, the market running, that must not fail


def audits(stack, venue):
    """{symbol: audit object or None} from /api/v1/feeds."""
    return {sym: v["audit"] for sym, v in stack.feed(venue)["symbols"].items()}


def metric(stack, venue, symbol, result):
    text = http(stack.hub + "/metrics")[1]
    m = re.search(r'^mdhub_book_audits_total\{venue="%s",symbol="%s",result="%s"\} (\S+)$'
                  % (venue, re.escape(symbol), result), text, re.M)
    return float(m.group(1)) if m else None


class BookAudit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(BIN, venue_options={v: {"audit_interval_ms": AUDIT_MS[v]} for v in VENUES})

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def test_1_without_faults_audits_pass(self):
        s = self.stack
        for venue in VENUES:
            syms = wait_until(f"{venue} instruments", lambda v=venue: s.instruments(v), 20)
            wait_until(f"three passed audits of every {venue} book",
                       lambda v=venue: len(audits(s, v)) == len(syms)
                       and all(a and a["pass"] >= 3 for a in audits(s, v).values()), 90)
            if venue == "coinbtr":
                wait_until(f"{COINBTR_AUDITS} audits of every coinbtr book",
                           lambda: all(sum(a[k] for k in ("pass", "mismatch", "fail")) >= COINBTR_AUDITS
                                       for a in audits(s, "coinbtr").values()), 90)
            for sym, a in audits(s, venue).items():
                self.assertEqual(a["fail"], 0, f"{venue} {sym}: an audit failed without faults: {a}")
                self.assertEqual(s.feed(venue)["symbols"][sym]["resyncs"], 0, f"{venue} {sym} resynced")
                self.assertIn(a["last"], ("pass", "mismatch"))
                self.assertGreaterEqual(metric(s, venue, sym, "pass"), 3)
                self.assertEqual(metric(s, venue, sym, "fail"), 0)

    def test_2_drift_is_caught_and_the_book_returns_to_the_truth(self):
        s = self.stack
        syms = wait_until("btse instruments", lambda: s.instruments("btse"), 20)
        faulted = "BTC-USD" if "BTC-USD" in syms else syms[0]
        wait_until("btse books in sync", lambda: all(v["in_sync"] for v in s.feed("btse")["symbols"].values()), 30)
        before = s.feed("btse")["symbols"][faulted]
        s.sim_post("/sim/faults", f"drift:0.3@btse/{faulted}".encode())
        try:
            sym = lambda: s.feed("btse")["symbols"][faulted]  # noqa: E731
            wait_until(f"a failed audit of btse {faulted}", lambda: sym()["audit"]["fail"] > before["audit"]["fail"], 60)
        finally:
            s.sim_post("/sim/faults", b"")
        self.assertGreater(get(s.sim + "/sim/status", context=s.ssl_context)["faults_injected"]["drift"], 0)
        after = s.feed("btse")["symbols"][faulted]
        # Only the audit saw it: no sequence gap, yet a resync, and the drift was counted.
        self.assertEqual(after["gaps"], before["gaps"], after)
        self.assertGreater(after["resyncs"], before["resyncs"], after)
        self.assertGreaterEqual(metric(s, "btse", faulted, "fail"), 1)
        for other, a in audits(s, "btse").items():
            if other != faulted:
                self.assertEqual(a["fail"], 0, f"{other} failed an audit with drift only on {faulted}: {a}")
        # A level still drifted when the faults stopped is caught by the audits that follow.
        s.converge("btse", depth=1000, timeout=30)
        a = s.feed("btse")["symbols"][faulted]["audit"]
        self.assertIn(a["last"], ("pass", "mismatch", "fail", "skipped"))
        self.assertTrue(s.feed("btse")["symbols"][faulted]["in_sync"])

    def drift_until_caught(self, venue):
        """Pushes of one `venue` book drift (every push: a full replacement of a side, so the
        push after a drifted one carries the real size again); the market is then paused, so
        the book keeps its last, drifted push until the audit fails twice on the same
        difference and resyncs it from the REST book, which is the truth."""
        s = self.stack
        syms = wait_until(f"{venue} instruments", lambda: s.instruments(venue), 20)
        faulted = syms[0]
        sym = lambda: s.feed(venue)["symbols"][faulted]  # noqa: E731
        wait_until(f"{venue} books in sync", lambda: all(v["in_sync"] for v in s.feed(venue)["symbols"].values()), 30)
        before = sym()
        injected = lambda: get(s.sim + "/sim/status", context=s.ssl_context)["faults_injected"].get("drift", 0)  # noqa: E731
        drifted = injected()
        s.sim_post("/sim/faults", f"drift:1@{venue}/{faulted}".encode())
        paused = False
        try:
            wait_until(f"a drifted {venue} push", lambda: injected() > drifted, 30)
            s.sim_post("/sim/pause")  # the last push before the pause was drifted: it stays
            paused = True
            wait_until(f"a failed audit of {venue} {faulted}", lambda: sym()["audit"]["fail"] > before["audit"]["fail"], 60)
            s.sim_post("/sim/faults", b"")
            # Resynced from the REST book, and nothing pushed since: the book is the truth.
            wait_until(f"{venue} {faulted} book == truth", lambda: s.book_matches(venue, faulted, 1000), 30)
        finally:
            s.sim_post("/sim/faults", b"")
            if paused:
                s.sim_post("/sim/resume")
        after = sym()
        self.assertEqual(after["gaps"], before["gaps"], after)
        self.assertGreater(after["resyncs"], before["resyncs"], after)
        self.assertGreaterEqual(metric(s, venue, faulted, "fail"), 1)
        for other, a in audits(s, venue).items():
            if other != faulted:
                self.assertEqual(a["fail"], 0, f"{venue} {other} failed an audit with drift only on {faulted}: {a}")
        # With the market running again the book follows the pushes and stays the truth.
        s.converge(venue, depth=1000, timeout=30)

    def test_3_narkasa_drift_is_caught_and_the_book_returns_to_the_truth(self):
        self.drift_until_caught("narkasa")

    def test_4_coinbtr_drift_is_caught_and_the_book_returns_to_the_truth(self):
        self.drift_until_caught("coinbtr")


if __name__ == "__main__":
    unittest.main()
