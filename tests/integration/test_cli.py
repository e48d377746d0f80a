"""The command line: check-config, usage errors and exit codes, graceful shutdown."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
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


if __name__ == "__main__":
    unittest.main()
