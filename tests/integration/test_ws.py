"""The local websocket API against a live stack: snapshot + updates == the HTTP book at the
same seq, error replies to bad input without harm to other clients, consolidated book."""
import asyncio
import json
import os
import sys
import unittest
from decimal import Decimal

import websockets

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, apply, http, levels, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]


class WebsocketApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(BIN)
        cls.ws = cls.stack.hub.replace("http://", "ws://") + "/ws"
        wait_until("btse book", lambda: http(cls.stack.hub + "/api/v1/book/btse/BTC-USD")[0] == 200, 30)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def run_async(self, coro):
        return asyncio.run(asyncio.wait_for(coro, 60))

    def test_updates_rebuild_the_http_book_at_the_same_seq(self):
        async def go():
            async with websockets.connect(self.ws, max_size=2**24) as ws:
                await ws.send(json.dumps({"op": "subscribe", "channels": ["book:btse:BTC-USD"], "id": 1}))
                ack = json.loads(await ws.recv())
                self.assertEqual(ack, {"type": "subscribed", "id": 1, "channels": ["book:btse:BTC-USD"]})
                snap = json.loads(await ws.recv())
                self.assertEqual(snap["type"], "book_snapshot")
                book = {"bids": {}, "asks": {}}
                apply(book, snap)
                seq, venue_seq, updates = snap["seq"], snap["venue_seq"], 0
                while updates < 30:
                    m = json.loads(await ws.recv())
                    self.assertEqual(m["type"], "book_update")
                    self.assertEqual(m["seq"], seq + 1)
                    seq, venue_seq = m["seq"], m["venue_seq"]
                    apply(book, m)
                    updates += 1
                self.stack.sim_post("/sim/pause")
                try:
                    # The paused venue's last sequence is the truth's; once the HTTP book has
                    # applied it, its seq is the last one the channel publishes: read up to it.
                    truth = self.stack.sim_get("/sim/truth/btse/BTC-USD?depth=1")
                    url = f"{self.stack.hub}/api/v1/book/btse/BTC-USD?depth=5000"
                    http_book = wait_until("HTTP book at the truth's venue_seq", lambda: (
                        lambda r: r[0] == 200 and r[1]["venue_seq"] == truth["seq"] and r[1])(http(url)), 10)
                    self.assertGreaterEqual(http_book["seq"], seq)
                    while seq < http_book["seq"]:
                        m = json.loads(await asyncio.wait_for(ws.recv(), 10))
                        self.assertEqual(m["type"], "book_update")
                        self.assertEqual(m["seq"], seq + 1)
                        seq, venue_seq = m["seq"], m["venue_seq"]
                        apply(book, m)
                    self.assertEqual(venue_seq, truth["seq"])
                    self.assertEqual(levels(http_book["bids"]), sorted(book["bids"].items(), reverse=True))
                    self.assertEqual(levels(http_book["asks"]), sorted(book["asks"].items()))
                    # Nothing was left behind: the HTTP book did not move on after it was read.
                    self.assertEqual(http(url)[1]["seq"], seq)
                finally:
                    self.stack.sim_post("/sim/resume")
        self.run_async(go())

    def test_bad_input_gets_errors_and_other_clients_are_unaffected(self):
        async def go():
            async with websockets.connect(self.ws) as good, websockets.connect(self.ws, max_size=2**24) as bad:
                await good.send(json.dumps({"op": "subscribe", "channels": ["trades:btse:*"], "id": "g"}))
                self.assertEqual(json.loads(await good.recv())["type"], "subscribed")
                cases = [
                    ("not json", "bad_request"),
                    (json.dumps([1, 2]), "bad_request"),
                    (json.dumps({"op": "nope", "id": 5}), "unknown_op"),
                    (json.dumps({"op": "subscribe", "channels": ["book:novenue:XXX-YYY"], "id": 6}), "unknown_channel"),
                    (json.dumps({"op": "subscribe", "channels": ["book:btse:NOPE-USD"]}), "unknown_channel"),
                    (json.dumps({"op": "subscribe", "channels": ["quotes:btse:BTC-USD"]}), "bad_channel"),
                    (json.dumps({"op": "subscribe", "channels": []}), "bad_request"),
                    (json.dumps({"op": "subscribe", "channels": "book:btse:BTC-USD"}), "bad_request"),
                ]
                for frame, code in cases:
                    await bad.send(frame)
                    r = json.loads(await bad.recv())
                    self.assertEqual((r["type"], r["code"]), ("error", code), frame)
                    self.assertTrue(r["message"])
                r = None
                await bad.send(json.dumps({"op": "nope", "id": 5}))
                self.assertEqual(json.loads(await bad.recv())["id"], 5)
                await bad.send(json.dumps({"op": "ping", "id": 9}))
                self.assertEqual(json.loads(await bad.recv()), {"type": "pong", "id": 9})
                await bad.send("x" * 100_000)  # over the 64 KiB frame limit
                r = json.loads(await bad.recv())
                self.assertEqual((r["type"], r["code"]), ("error", "frame_too_large"))
                with self.assertRaises(websockets.ConnectionClosed) as cm:
                    await bad.recv()
                self.assertEqual(cm.exception.rcvd.code, 1009)
                # The other client still gets its trades.
                m = json.loads(await asyncio.wait_for(good.recv(), 10))
                self.assertEqual(m["type"], "trade")
                await good.send(json.dumps({"op": "list", "id": 2}))
                while True:
                    m = json.loads(await asyncio.wait_for(good.recv(), 10))
                    if m["type"] == "list":
                        break
                self.assertEqual(m["channels"], ["trades:btse:*"])
        self.run_async(go())

    def test_consolidated_book_and_wildcards(self):
        async def go():
            async with websockets.connect(self.ws, max_size=2**24) as ws:
                await ws.send(json.dumps({"op": "subscribe", "channels": ["book:all:BTC-USDT", "bbo:*:BTC-USDT"], "id": 1}))
                self.assertEqual(json.loads(await ws.recv())["type"], "subscribed")
                venues, snap = set(), None
                want = {"btse", "narkasa", "bitexbit"}  # every simulated venue listing BTC-USDT
                while snap is None or not want <= venues:
                    m = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if m["type"] == "book_snapshot" and m["venue"] == "all":
                        snap = m
                    elif m["type"] == "bbo":
                        venues.add(m["venue"])
                for side in ("bids", "asks"):
                    self.assertTrue(snap[side], side)
                    for p, q, parts in snap[side]:
                        self.assertEqual(sum(Decimal(v) for v in parts.values()), Decimal(q))
        self.run_async(go())
        # With the market paused, the consolidated book is the merge of the venues' truths.
        s = self.stack
        s.sim_post("/sim/pause")
        try:
            wait_until("BTC-USDT consolidated == merged truths",
                       lambda: s.consolidated_matches("BTC-USDT", ["btse", "narkasa", "bitexbit"]), 20)
        finally:
            s.sim_post("/sim/resume")


if __name__ == "__main__":
    unittest.main()
