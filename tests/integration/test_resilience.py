"""Reconnects, TLS and injected faults: books converge to the simulator's truth again."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]


class Resilience(unittest.TestCase):
    def stack(self, **kw):
        s = Stack(BIN, **kw)
        self.addCleanup(s.close)
        return s

    def test_books_converge_after_the_venue_drops_connections(self):
        s = self.stack()
        wait_until("narkasa live", lambda: s.feed("narkasa")["state"] == "live", 20)
        s.sim_post("/sim/faults", b"disconnect:0.05")
        wait_until("reconnects", lambda: s.feed("narkasa")["reconnects"] >= 2 and s.feed("btse")["reconnects"] >= 2, 30)
        s.sim_post("/sim/faults", b"")
        wait_until("live again", lambda: s.feed("narkasa")["state"] == "live" and s.feed("btse")["state"] == "live", 30)
        s.converge("narkasa", depth=1000)
        s.converge("btse", depth=1000)

    def test_sequenced_book_survives_gaps_duplicates_and_reorders(self):
        s = self.stack(sim_args=["--faults", "gap:0.02,dup:0.02,reorder:0.02"])
        wait_until("gaps detected", lambda: s.feed("btse")["gaps"] > 0 and s.feed("btse")["resyncs"] > 0, 30)
        s.sim_post("/sim/faults", b"")
        # A delta or resync snapshot lost just before the faults stopped shows only in the next
        # frame about that symbol: the market must run until each symbol has sent one without
        # faults and every book is back in sync, since converge() pauses it.
        cleared = {sym: s.sim_get(f"/sim/truth/btse/{sym}?depth=1")["seq"] for sym in s.instruments("btse")}
        wait_until("a frame per btse symbol after the faults",
                   lambda: all(s.sim_get(f"/sim/truth/btse/{sym}?depth=1")["seq"] > seq for sym, seq in cleared.items()), 30)
        wait_until("btse books back in sync",
                   lambda: all(v["in_sync"] for v in s.feed("btse")["symbols"].values()), 30)
        s.converge("btse", depth=1000, timeout=30)
        f = s.feed("btse")
        self.assertGreaterEqual(f["resyncs"], f["gaps"])
        self.assertEqual(sum(v["resyncs"] for v in f["symbols"].values()), f["resyncs"])

    def test_malformed_frames_are_counted_and_lose_nothing_else(self):
        s = self.stack(sim_args=["--faults", "malformed:0.02"])
        wait_until("parse errors", lambda: s.feed("narkasa")["parse_errors"] > 0, 30)
        s.sim_post("/sim/faults", b"")
        s.converge("narkasa", depth=1000)

    def test_tls_with_a_generated_ca(self):
        s = self.stack(tls=True)
        with open(s.config_path) as f:
            cfg = f.read()
        self.assertIn("wss://127.0.0.1:", cfg)
        self.assertIn("sim-ca.pem", cfg)
        s.converge("narkasa", depth=1000)
        s.converge("btse", depth=1000)


if __name__ == "__main__":
    unittest.main()
