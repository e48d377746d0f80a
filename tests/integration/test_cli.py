"""The command line: check-config, usage errors and exit codes, graceful shutdown."""
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import websockets  # noqa: E402

from harness import free_port, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(*args, **kw):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=30, **kw)


class CommandLine(unittest.TestCase):
    def write(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_live_config_is_valid(self):
        r = run("check-config", os.path.join(ROOT, "feeds", "live.toml"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("5 venues, 5 enabled", r.stdout)

    def test_sim_printed_config_is_valid(self):
        cfg = self.write(run("sim", "--listen", "127.0.0.1:9999", "--print-config").stdout)
        r = run("check-config", cfg)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_config_errors_are_line_precise(self):
        path = self.write('listen = "127.0.0.1:8080"\n[venues.narkasa]\nrest_base = "ftp://x"\n'
                          'channels = ["book", "nope"]\nbogus = 1\n[venues.kraken]\nrest_base = "https://x"\n')
        r = run("check-config", path)
        self.assertEqual(r.returncode, 2)
        err = r.stderr
        lines = err.splitlines()
        self.assertEqual(lines[0], f"{path}:3:13: 'rest_base' must start with http:// or https://")
        self.assertEqual(lines[1], f"{path}:4:12: unknown channel 'nope' (known: book, bbo, trades, ticker, candles)")
        self.assertEqual(lines[2], f"{path}:5:9: unknown key 'bogus' in [venues.narkasa]")
        self.assertTrue(lines[3].startswith(f"{path}:6:1: unknown venue 'kraken' (known: "), lines[3])
        self.assertEqual(len(lines), 4, err)

    def test_typo_gets_the_nearest_key(self):
        path = self.write('[venues.btse]\nrest_base = "https://x"\nchanels = ["book"]\nrate_limit_rps = 0\n')
        r = run("check-config", path)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.splitlines(), [
            f"{path}:3:11: unknown key 'chanels' in [venues.btse]; did you mean 'channels'?",
            f"{path}:4:18: 'rate_limit_rps' must be between 0.01 and 100000",
        ])

    def test_run_refuses_a_config_with_no_enabled_venue(self):
        path = self.write('[venues.btse]\nenabled = false\n')
        r = run("run", "--config", path, "--listen", f"127.0.0.1:{free_port()}")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no venue is enabled in the config: add a [venues.<id>] table with enabled = true", r.stderr)

    def test_venue_options_are_checked(self):
        path = self.write('[venues.btse]\nrest_base = "https://x"\n[venues.btse.options]\n'
                          'rest_timout_ms = 1000\nbackoff_base_ms = 0\nws_enabled = "no"\n')
        want = [f"{path}:4:18: unknown option 'rest_timout_ms' for venue btse; did you mean 'rest_timeout_ms'?",
                f"{path}:5:19: option 'backoff_base_ms' for venue btse must be an integer from 10 to 600000",
                f"{path}:6:14: option 'ws_enabled' for venue btse must be true or false"]
        r = run("check-config", path)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.splitlines(), want)
        # `run` refuses the same file before it starts anything.
        r = run("run", "--config", path, "--listen", f"127.0.0.1:{free_port()}")
        self.assertEqual(r.returncode, 2)
        for line in want:
            self.assertIn(line, r.stderr)

    def test_toml_syntax_error_has_position(self):
        path = self.write('listen = "127.0.0.1:8080"\n[venues.btse\n')
        r = run("check-config", path)
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, rf"^{path}:2:\d+: ")

    def test_usage_errors_exit_2(self):
        self.assertEqual(run("frobnicate").returncode, 2)
        self.assertEqual(run("run", "--listen").returncode, 2)
        self.assertEqual(run("run", "--listen", "nonsense").returncode, 2)
        self.assertEqual(run("sim", "--faults", "gap:2").returncode, 2)
        self.assertEqual(run("sim", "--faults", "bogus:0.1").returncode, 2)
        for args in ([], ["run"], ["sim"], ["check-config"]):
            r = run(*args, "--help")
            self.assertEqual(r.returncode, 0)
            self.assertIn("--help", r.stdout)

    def test_sigterm_exits_0_within_2_seconds(self):
        port = free_port()
        p = subprocess.Popen([BIN, "run", "--listen", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            wait_until("demo /healthz", lambda: http(f"http://127.0.0.1:{port}/healthz")[0] == 200, 20)
            t0 = time.monotonic()
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(timeout=5), 0)
            self.assertLess(time.monotonic() - t0, 2.0)
        finally:
            if p.poll() is None:
                p.kill()

    def test_version(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^mdhub \d+\.\d+\.\d+\n$")

    def test_listen_errors_give_the_form_and_range(self):
        for sub in ("run", "sim", "replay"):
            extra = ["--from", "/nonexistent"] if sub == "replay" else []
            r = run(sub, *extra, "--listen", "127.0.0.1:70000")
            self.assertEqual(r.returncode, 2, (sub, r.stderr))
            self.assertIn("--listen must be HOST:PORT with a port from 0 to 65535 (IPv6 as [ADDR]:PORT), "
                          "got '127.0.0.1:70000'", r.stderr)

    def test_help_says_what_is_not_there_yet(self):
        self.assertIn("publish every event to this NATS server", run("run", "--help").stdout)
        self.assertIn("generated CA", run("sim", "--help").stdout)

    def test_nats_url_must_be_nats(self):
        r = run("run", "--nats", "http://127.0.0.1:4222")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--nats must start with nats://, got 'http://127.0.0.1:4222'", r.stderr)

    def test_nats_creds_variable_must_be_set(self):
        env = {k: v for k, v in os.environ.items() if k != "MDHUB_TEST_NATS_CREDS"}
        cfg = self.write('[venues.btse]\nrest_base = "http://127.0.0.1:1/btse"\n'
                         '[nats]\nurl = "nats://127.0.0.1:1"\ncreds_env = "MDHUB_TEST_NATS_CREDS"\n')
        r = run("run", "--config", cfg, "--listen", "127.0.0.1:0", env=env)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("nats: creds_env names the environment variable MDHUB_TEST_NATS_CREDS, which is not set", r.stderr)
        env["MDHUB_TEST_NATS_CREDS"] = "/nonexistent/mdhub.creds"
        r = run("run", "--config", cfg, "--listen", "127.0.0.1:0", env=env)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("nats: the NATS creds file named by MDHUB_TEST_NATS_CREDS cannot be read", r.stderr)

    def test_tail_needs_a_subject(self):
        self.assertEqual(run("tail", "--nats", "nats://127.0.0.1:1").returncode, 2)
        self.assertIn("on a NATS subject, one per line", run("tail", "--help").stdout)

    def test_run_options_without_the_subcommand_run(self):
        """`mdhub --listen HOST:PORT` is `mdhub run --listen HOST:PORT` (the README puts them together)."""
        self.assertEqual(run("--listen", "nonsense").returncode, 2)
        port = free_port()
        p = subprocess.Popen([BIN, f"--listen=127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            wait_until("demo /healthz", lambda: http(f"http://127.0.0.1:{port}/healthz")[0] == 200, 20)
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(timeout=5), 0)
        finally:
            if p.poll() is None:
                p.kill()

    def test_sigterm_closes_clients_1001_and_flushes_the_recording(self):
        port = free_port()
        rec = tempfile.mkdtemp(prefix="mdhub-rec-")
        self.addCleanup(shutil.rmtree, rec, True)
        log = tempfile.TemporaryFile()
        self.addCleanup(log.close)
        p = subprocess.Popen([BIN, "run", "--listen", f"127.0.0.1:{port}", "--record", rec],
                             stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        hub = f"http://127.0.0.1:{port}"
        wait_until("demo btse book", lambda: http(hub + "/api/v1/book/btse/BTC-USD")[0] == 200, 30)

        async def client():
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=2**24) as ws:
                await ws.send(json.dumps({"op": "subscribe", "channels": ["book:btse:BTC-USD"], "id": 1}))
                self.assertEqual(json.loads(await ws.recv())["type"], "subscribed")
                self.assertEqual(json.loads(await ws.recv())["type"], "book_snapshot")
                t0 = time.monotonic()
                p.send_signal(signal.SIGTERM)
                # Updates may still arrive before the close frame; the close ends the loop.
                with self.assertRaises(websockets.ConnectionClosed):
                    while True:
                        await ws.recv()
                return ws.close_code, t0

        code, t0 = asyncio.run(asyncio.wait_for(client(), 30))
        self.assertEqual(code, 1001)
        self.assertEqual(p.wait(timeout=5), 0)
        # The old fixed grace period alone took 1.5 s; a prompt shutdown is far below it.
        self.assertLess(time.monotonic() - t0, 1.0)
        log.seek(0)
        self.assertIn("recorder: closed", log.read().decode())

        r = run("export", "--from", rec, "--format", "jsonl", "--kind", "book")
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertNotIn("torn_tail", r.stderr)
        self.assertNotIn("corrupt", r.stderr)
        books = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertTrue(any(b["venue"] == "btse" and b["symbol"] == "BTC-USD" for b in books))


if __name__ == "__main__":
    unittest.main()
