"""A venue that is down is never served as live, for each kind of venue: sequenced (btse),
snapshot-pushed (narkasa), REST-polled (bitexbit). The simulator fails the venue; after
stale_after_ms its books answer 503 book_stale, it leaves the consolidated book, websocket
clients get status messages; once the fault is cleared its books come back with a snapshot.
Also: a configured symbol of a venue that has never been reachable answers 503 feed_down."""
import asyncio
import json
import os
import sys
import unittest

import websockets

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
SYMBOL = "BTC-USDT"  # traded by all three venues, so all three make up its consolidated book
VENUES = ("btse", "narkasa", "bitexbit")
# Short outages and quick reconnects keep the test short.
OPTIONS = {v: {"stale_after_ms": 1500, "backoff_base_ms": 100, "backoff_cap_ms": 500} for v in VENUES}


def book(hub, venue):
    return http(f"{hub}/api/v1/book/{venue}/{SYMBOL}?depth=1000")


def consolidated_venues(hub):
    """The venues the consolidated book says it holds, and those its levels name."""
    status, b = http(f"{hub}/api/v1/book/all/{SYMBOL}?depth=1000")
    assert status == 200, b
    named = {v for side in ("bids", "asks") for lv in b[side] for v in lv[2]}
    return set(b["venues"]), named


class Client:
    """A websocket client that keeps every message it receives, read in the background."""

    def __init__(self, url, channels):
        self.url, self.channels, self.msgs = url, channels, []

    async def __aenter__(self):
        self.ws = await websockets.connect(self.url, max_size=2**24, max_queue=None)
        await self.ws.send(json.dumps({"op": "subscribe", "channels": self.channels, "id": 1}))
        self.task = asyncio.create_task(self._read())
        await self.wait("subscribed", lambda m: m.get("type") == "subscribed")
        return self

    async def __aexit__(self, *exc):
        self.task.cancel()
        await self.ws.close()

    async def _read(self):
        async for raw in self.ws:
            self.msgs.append(json.loads(raw))

    async def wait(self, what, pred, start=0, timeout=40.0):
        """Index of the first message from `start` on that satisfies `pred`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for i in range(start, len(self.msgs)):
                if pred(self.msgs[i]):
                    return i
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; last messages: {self.msgs[-5:]}")


class StaleVenues(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(BIN, venue_options=OPTIONS)
        cls.ws = cls.stack.hub.replace("http://", "ws://") + "/ws"

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def tearDown(self):
        self.stack.sim_post("/sim/faults", b"")

    def outage(self, venue, fault):
        s = self.stack
        hub = s.hub
        wait_until(f"{venue} book", lambda: book(hub, venue)[0] == 200, 30)
        wait_until(f"{venue} in the consolidated book", lambda: venue in consolidated_venues(hub)[0], 30)

        async def go():
            async with Client(self.ws, [f"status:{venue}"]) as status_sub, \
                    Client(self.ws, [f"book:{venue}:{SYMBOL}"]) as book_sub:
                await book_sub.wait("the first snapshot", lambda m: m.get("type") == "book_snapshot")
                await asyncio.to_thread(s.sim_post, "/sim/faults", fault.encode())

                status, body = await asyncio.to_thread(
                    wait_until, f"{venue} book_stale", lambda: (lambda r: r if r[0] == 503 and r[1]["error"]["code"] == "book_stale" else None)(book(hub, venue)), 30)
                # "... is connecting and has not been live for N ms: ..." (or, should a
                # reconnect just have opened, "... is back after N ms not live: ...").
                self.assertRegex(body["error"]["message"],
                                 rf"^the {venue} feed is \S.* \d+ ms.*: its {SYMBOL} book is stale")
                held, named = await asyncio.to_thread(consolidated_venues, hub)
                self.assertNotIn(venue, held)
                self.assertNotIn(venue, named)

                def stale_status(m):
                    return m.get("type") == "status" and m["venue"] == venue and m["stale"] is True

                for client in (status_sub, book_sub):
                    i = await client.wait(f"{venue} stale status", stale_status)
                    self.assertEqual(set(client.msgs[i]), {"type", "venue", "state", "stale"})
                    self.assertNotEqual(client.msgs[i]["state"], "live")
                # The book channel was quiet since (no stale book went out as live).
                i_book = book_sub.msgs.index(next(m for m in book_sub.msgs if stale_status(m)))
                mark = len(book_sub.msgs)

                await asyncio.to_thread(s.sim_post, "/sim/faults", b"")
                back = await book_sub.wait(f"{venue} live status", lambda m: m.get("type") == "status" and m["state"] == "live" and m["stale"] is False, i_book)
                await status_sub.wait(f"{venue} live status", lambda m: m.get("type") == "status" and m["state"] == "live" and m["stale"] is False)
                snap = await book_sub.wait(f"{venue} fresh snapshot", lambda m: m.get("type") == "book_snapshot", back)
                self.assertEqual(book_sub.msgs[snap]["channel"], f"book:{venue}:{SYMBOL}")
                self.assertFalse([m for m in book_sub.msgs[i_book:mark] if m.get("type") == "book_update"])

        asyncio.run(asyncio.wait_for(go(), 120))
        wait_until(f"{venue} book back", lambda: book(hub, venue)[0] == 200, 30)
        wait_until(f"{venue} back in the consolidated book", lambda: venue in consolidated_venues(hub)[0], 30)

    def test_sequenced_venue(self):
        self.outage("btse", "disconnect:1@btse")

    def test_snapshot_pushed_venue(self):
        self.outage("narkasa", "disconnect:1@narkasa")

    def test_rest_polled_venue(self):
        self.outage("bitexbit", "http5xx:1@bitexbit")


class NeverReachable(unittest.TestCase):
    """A venue whose discovery always fails: its configured symbols are feed_down, others unknown."""

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(BIN, sim_args=["--faults", "http5xx:1@bitexbit"], venue_options=OPTIONS)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def test_configured_symbol_is_feed_down_with_the_last_error(self):
        hub = self.stack.hub
        wait_until("bitexbit down", lambda: self.stack.feed("bitexbit")["state"] == "down", 30)
        for name in ("BTC-USDT", "btc-usdt"):
            status, body = http(f"{hub}/api/v1/book/bitexbit/{name}")
            self.assertEqual(status, 503, body)
            self.assertEqual(body["error"]["code"], "feed_down")
            msg = body["error"]["message"]
            self.assertTrue(msg.startswith(f"venue 'bitexbit' is down and has not listed '{name}' yet; last error: "), msg)
            self.assertIn("HTTP 5", msg)
        status, body = http(f"{hub}/api/v1/ticker/bitexbit/BTC-USDT")
        self.assertEqual((status, body["error"]["code"]), (503, "feed_down"))
        status, body = http(f"{hub}/api/v1/book/bitexbit/DOGE-XYZ")
        self.assertEqual((status, body["error"]["code"]), (404, "unknown_symbol"))


if __name__ == "__main__":
    unittest.main()
