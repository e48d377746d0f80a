"""Where a venue's documents allow several readings, the simulator speaks each of them
(`mdhub sim --variant`) and mdhub must hold the simulator's truth under every one, and say
in /api/v1/feeds what it recognised."""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, get, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]


def run_sim(*args):
    return subprocess.run([BIN, "sim", *args], capture_output=True, text=True, timeout=20)


class VariantSwitch(unittest.TestCase):
    def test_unknown_venue_key_or_value_is_a_usage_error_naming_the_item(self):
        cases = [
            ("nope.depth=full", "'nope.depth=full': unknown venue 'nope'"),
            ("narkasa.deep=full", "'narkasa.deep=full': unknown key 'deep' for narkasa"),
            ("narkasa.depth=half", "'narkasa.depth=half': unknown value 'half' (one of sides full)"),
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
        for line in ("narkasa.depth=sides|full (default sides)",
                     "narkasa.refuse=none|BTCTRY|ETHTRY|BTCUSDT|ETHUSDT (default none)",
                     "btse.retry_after=epoch_ms|epoch_s|delay|date (default epoch_ms)"):
            self.assertIn(line, out)
        plain = run_sim("--listen", "127.0.0.1:9999", "--print-config")
        varied = run_sim("--listen", "127.0.0.1:9999", "--print-config",
                         "--variant", "narkasa.depth=full,btse.retry_after=date")
        self.assertEqual(plain.returncode, 0)
        self.assertEqual(varied.returncode, 0)
        self.assertEqual(plain.stdout, varied.stdout)


class NarkasaDepth(unittest.TestCase):
    """Every depth reading converges; the one-sided pushes are recognised and counted."""

    def check(self, variant, one_sided):
        stack = Stack(BIN, sim_args=["--variant", f"narkasa.depth={variant}"])
        try:
            self.assertEqual(stack.sim_get("/sim/status")["variants"],
                             {"narkasa.depth": variant, "narkasa.refuse": "none", "btse.retry_after": "epoch_ms"})
            if one_sided:
                # The sides reading leaves the unchanged side out or sends it as [].
                wait_until("one-sided depth pushes counted", lambda: all(
                    stack.feed("narkasa")["detected"].get(k, 0) > 0
                    for k in ("depth_side_absent", "depth_side_empty")), 30)
            syms = stack.converge("narkasa", depth=1000)
            self.assertEqual(sorted(syms), ["BTC-TRY", "BTC-USDT", "ETH-TRY", "ETH-USDT"])
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
            self.assertEqual(len(syms), 4)
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


if __name__ == "__main__":
    unittest.main()
