"""BTSE with gaps, duplicates and reorders injected on one symbol only: that symbol resyncs
and every book converges to the truth once the faults stop, the other symbols never resync,
and no book mdhub publishes over the websocket ever differs from the venue's true book at
the venue sequence number the message carries (so nothing went out while out of sync)."""
import asyncio
import json
import os
import sys
import threading
import time
import unittest

import websockets

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, apply, levels, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
FAULTS_AFTER_RESYNC_S = 10  # faults stay on this long after the first resync
SAMPLE_EVERY = 5            # every snapshot, and every 5th update, is checked against the truth
MAX_SAMPLES = 1000          # bounds memory and the number of truth requests
MAX_PROBLEMS = 20


def book_of(snapshot):
    return {"bids": dict(levels(snapshot["bids"])), "asks": dict(levels(snapshot["asks"]))}


def frozen(book):
    """Best first, as the truth lists it."""
    return (sorted(book["bids"].items(), reverse=True), sorted(book["asks"].items()))


def diff(side, mine, truth, limit=5):
    """What differs between two ladders, price by price."""
    a, b = dict(mine), dict(truth)
    out = []
    for p in sorted(set(a) | set(b), reverse=(side == "bids")):
        if a.get(p) != b.get(p):
            out.append(f"{side} {p}: published {a.get(p, 'absent')}, truth {b.get(p, 'absent')}")
    more = f" (+{len(out) - limit} more)" if len(out) > limit else ""
    return out[:limit], more


class BookWatcher:
    """A websocket client of mdhub on its own thread and event loop (so HTTP polling in the
    test never stalls its reads): applies every book message of one channel, checks the
    stream's own invariants and keeps a bounded sample of (venue_seq, full book)."""

    def __init__(self, url, channel):
        self.url, self.channel = url, channel
        self.samples = []   # (description, venue_seq, (bids, asks))
        self.problems = []  # stream invariant violations, as sentences
        self.snapshots = self.updates = self.messages = 0
        self.subscribed = threading.Event()
        self.got_snapshot = threading.Event()
        self._stop = threading.Event()
        self._error = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(10)
        if self._thread.is_alive():
            raise AssertionError("websocket watcher did not stop")
        if self._error:
            raise AssertionError(f"websocket watcher failed: {self._error!r}")

    def _problem(self, text):
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)

    def _sample(self, what, venue_seq, book):
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append((what, venue_seq, frozen(book)))

    def _run(self):
        try:
            asyncio.run(self._read())
        except Exception as e:  # reported by stop()
            self._error = e

    async def _read(self):
        async with websockets.connect(self.url, max_size=2**24) as ws:
            await ws.send(json.dumps({"op": "subscribe", "channels": [self.channel], "id": 1}))
            ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if ack != {"type": "subscribed", "id": 1, "channels": [self.channel]}:
                raise AssertionError(f"subscribe reply {ack}")
            self.subscribed.set()
            book, seq, venue_seq = None, None, None
            while not self._stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.2)
                except asyncio.TimeoutError:
                    continue
                m = json.loads(raw)
                self.messages += 1
                kind, vs = m.get("type"), m.get("venue_seq")
                where = f"message #{self.messages} ({kind} seq={m.get('seq')} venue_seq={vs})"
                if kind not in ("book_snapshot", "book_update"):
                    self._problem(f"{where}: unexpected message {raw[:200]}")
                    continue
                if not isinstance(vs, int):
                    self._problem(f"{where}: no integer venue_seq")
                    continue
                if kind == "book_snapshot":
                    book, seq, venue_seq = book_of(m), m["seq"], vs
                    self.snapshots += 1
                    self.got_snapshot.set()
                    self._sample(where, vs, book)
                    continue
                if book is None:
                    self._problem(f"{where}: update before any snapshot")
                    continue
                if m["seq"] != seq + 1:
                    self._problem(f"{where}: seq after {seq} must be {seq + 1}")
                if vs < venue_seq:
                    self._problem(f"{where}: venue_seq went back from {venue_seq} within one snapshot's run")
                seq, venue_seq = m["seq"], vs
                apply(book, m)
                self.updates += 1
                if self.updates % SAMPLE_EVERY == 0:
                    self._sample(where, vs, book)


class BtseSymbolFaults(unittest.TestCase):
    """One run shared by the checks: faults on one BTSE symbol, then convergence."""

    @classmethod
    def setUpClass(cls):
        cls.stack = s = Stack(BIN)
        try:
            cls.run_faults(s)
        except BaseException:
            s.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    @classmethod
    def run_faults(cls, s):
        syms = wait_until("btse instruments", lambda: s.instruments("btse"), 20)
        cls.symbols = sorted(syms)
        cls.faulted = "BTC-USD" if "BTC-USD" in syms else cls.symbols[0]
        wait_until("btse books in sync", lambda: all(v["in_sync"] for v in s.feed("btse")["symbols"].values())
                   and len(s.feed("btse")["symbols"]) == len(syms), 30)
        cls.watcher = w = BookWatcher(s.hub.replace("http://", "ws://") + "/ws", f"book:btse:{cls.faulted}")
        try:
            if not w.got_snapshot.wait(15):
                raise AssertionError("no book snapshot over the websocket within 15 s")
            cls.spec = ",".join(f"{k}:0.05@btse/{cls.faulted}" for k in ("gap", "dup", "reorder"))
            s.sim_post("/sim/faults", cls.spec.encode())
            sym_stats = lambda: s.feed("btse")["symbols"][cls.faulted]  # noqa: E731
            wait_until(f"gaps and resyncs on {cls.faulted}",
                       lambda: sym_stats()["gaps"] > 0 and sym_stats()["resyncs"] > 0, 30)
            time.sleep(FAULTS_AFTER_RESYNC_S)  # the fault window itself, not a synchronisation
            s.sim_post("/sim/faults", b"")
            cls.injected = s.sim_get("/sim/status")["faults_injected"]
            # A delta or resync snapshot lost just before the faults stopped shows only in
            # later deltas, so the market must run until one has gone out clean and the book is
            # back in sync: converge() pauses it.
            truth_seq = lambda: s.sim_get(f"/sim/truth/btse/{cls.faulted}?depth=1")["seq"]  # noqa: E731
            cleared = truth_seq()
            wait_until(f"a {cls.faulted} frame after the faults", lambda: truth_seq() > cleared, 20)
            wait_until(f"{cls.faulted} back in sync", lambda: sym_stats()["in_sync"], 20)
            s.converge("btse", depth=1000, timeout=30)
            cls.feed = s.feed("btse")
        finally:
            w.stop()

    def test_faults_hit_only_the_named_symbol(self):
        for kind in ("gap", "dup", "reorder"):
            self.assertGreater(self.injected[kind], 0, f"no {kind} injected by {self.spec}")
        per = self.feed["symbols"]
        self.assertEqual(sorted(per), self.symbols)
        self.assertGreater(per[self.faulted]["gaps"], 0, per)
        self.assertGreater(per[self.faulted]["resyncs"], 0, per)
        for sym in self.symbols:
            if sym != self.faulted:
                self.assertEqual((per[sym]["gaps"], per[sym]["resyncs"]), (0, 0),
                                 f"{sym} had gaps/resyncs with faults only on {self.faulted}: {per}")
            self.assertTrue(per[sym]["in_sync"], f"{sym} not in sync after convergence: {per}")

    def test_every_published_book_is_the_venue_book_at_its_seq(self):
        w = self.watcher
        if w.problems:
            self.fail("websocket stream invariants broken:\n" + "\n".join(w.problems))
        # Not vacuous: the client lived through resyncs and a stream of updates.
        self.assertGreaterEqual(w.snapshots, 2, "no resync snapshot reached the client")
        self.assertGreaterEqual(w.updates // SAMPLE_EVERY, 5, f"only {w.updates} updates reached the client")
        s = self.stack
        s.sim_post("/sim/pause")
        try:
            failures = []
            for what, vs, (bids, asks) in w.samples:
                truth = s.sim_get(f"/sim/truth/btse/{self.faulted}?depth=1000&seq={vs}")
                self.assertEqual(truth["seq"], vs)
                tb, ta = levels(truth["bids"]), levels(truth["asks"])
                if (bids, asks) == (tb, ta):
                    continue
                d1, m1 = diff("bids", bids, tb)
                d2, m2 = diff("asks", asks, ta)
                failures.append(f"{what}: published book != venue book at seq {vs}: "
                                + "; ".join(d1 + d2) + m1 + m2)
            if failures:
                self.fail(f"{len(failures)} of {len(w.samples)} sampled books differ from the venue's book at "
                          "their venue_seq:\n" + "\n".join(failures[:10]))
        finally:
            s.sim_post("/sim/resume")


if __name__ == "__main__":
    unittest.main()
