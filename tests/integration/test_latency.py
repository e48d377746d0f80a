"""Latency attribution: /api/v1/feeds shows each venue's four stages (exact keys), filled for
a venue with a websocket subscriber, in a plausible order, and /metrics exports the same
histograms."""
import asyncio
import json
import os
import re
import sys
import unittest

import websockets

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
STAGES = ["exchange_to_received", "received_to_parsed", "parsed_to_applied", "applied_to_written"]
VENUES = {"btse", "narkasa", "coinbtr", "bitexbit", "coinmotion"}


class LatencyAttribution(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(BIN)
        cls.ws = cls.stack.hub.replace("http://", "ws://") + "/ws"
        wait_until("btse book", lambda: http(cls.stack.hub + "/api/v1/book/btse/BTC-USD")[0] == 200, 30)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def latencies(self):
        status, body = http(self.stack.hub + "/api/v1/feeds")
        self.assertEqual(status, 200)
        return {f["venue"]: f["latency"] for f in body["feeds"]}

    def test_four_stages_per_venue_filled_for_a_subscribed_venue(self):
        async def go():
            async with websockets.connect(self.ws, max_size=2**24) as ws:
                await ws.send(json.dumps({"op": "subscribe", "channels": ["book:btse:*", "trades:btse:*"], "id": 1}))
                self.assertEqual(json.loads(await ws.recv())["type"], "subscribed")

                async def read():
                    while True:
                        await ws.recv()
                reader = asyncio.create_task(read())
                try:
                    loop = asyncio.get_running_loop()
                    deadline = loop.time() + 30
                    while True:
                        lat = self.latencies()
                        if all(lat["btse"][s]["count"] >= 5 for s in STAGES):
                            return lat
                        self.assertLess(loop.time(), deadline, f"btse stages still unfilled: {lat['btse']}")
                        await asyncio.sleep(0.2)
                finally:
                    reader.cancel()

        lat = asyncio.run(asyncio.wait_for(go(), 60))
        self.assertEqual(set(lat), VENUES)
        for venue, stages in lat.items():
            self.assertEqual(list(stages), STAGES, venue)
            for name, st in stages.items():
                self.assertEqual(list(st), ["count", "p50_us", "p99_us"], (venue, name))
                if st["count"] == 0:
                    self.assertEqual((st["p50_us"], st["p99_us"]), (None, None), (venue, name))
                else:
                    self.assertIsInstance(st["p50_us"], int, (venue, name))
                    self.assertGreaterEqual(st["p50_us"], 0, (venue, name))
                    self.assertLessEqual(st["p50_us"], st["p99_us"], (venue, name))
            # A frame is probed only for a payload whose apply was timed, which was parsed first.
            self.assertGreaterEqual(stages["received_to_parsed"]["count"], stages["parsed_to_applied"]["count"], venue)
            self.assertGreaterEqual(stages["parsed_to_applied"]["count"], stages["applied_to_written"]["count"], venue)
        # Nobody subscribes to narkasa's channels: none of its frames is written to a client.
        self.assertEqual(lat["narkasa"]["applied_to_written"], {"count": 0, "p50_us": None, "p99_us": None})
        self.assertGreater(lat["narkasa"]["received_to_parsed"]["count"], 0)

        # /metrics: the same histograms, at least as many samples as the API showed before.
        status, text = http(self.stack.hub + "/metrics")
        self.assertEqual(status, 200)
        for stage in STAGES:
            m = re.search(r'^mdhub_feed_latency_seconds_count\{venue="btse",stage="%s"\} (\d+)$' % stage, text, re.M)
            self.assertIsNotNone(m, stage)
            self.assertGreaterEqual(int(m.group(1)), lat["btse"][stage]["count"], stage)
            inf = re.search(r'^mdhub_feed_latency_seconds_bucket\{venue="btse",stage="%s",le="\+Inf"\} (\d+)$'
                            % stage, text, re.M)
            self.assertEqual(inf.group(1), m.group(1), stage)


if __name__ == "__main__":
    unittest.main()
