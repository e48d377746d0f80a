"""The README's commands, run as a newcomer runs them.

The first command (`tools/demo`) is started exactly as written and must serve the dashboard
and all five venues; every other command the README shows must exist and start; every path
it names must exist. A command added to the README without a way to check it fails here.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import free_port, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
README = os.path.join(ROOT, "README.md")
VENUES = {"btse", "narkasa", "coinbtr", "bitexbit", "coinmotion"}
# Top-level folders of the checkout: a README token starting with one of these is a path.
TOP = ("book/", "feeds/", "src/", "tools/", "bench/", "tests/", "build/release/", ".ci/", "cmake/")


def readme():
    with open(README, encoding="utf-8") as f:
        return f.read()


def sh_blocks(text):
    """(heading, [command lines]) for every ```sh block, comments and blank lines removed."""
    out, heading = [], ""
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("#") and not line.startswith("#!"):
            heading = line.lstrip("#").strip()
        elif line.strip() == "```sh":
            cmds = []
            for body in lines:
                if body.strip() == "```":
                    break
                cmd = re.sub(r"\s+#\s.*$", "", body).strip()
                if cmd and not cmd.startswith("#"):
                    cmds.append(cmd)
            out.append((heading, cmds))
    return out


def release_build():
    return os.path.realpath(BIN) == os.path.join(ROOT, "build", "release", "src", "mdhub")


class Readme(unittest.TestCase):
    def test_starts_with_exactly_the_two_setup_commands(self):
        first = sh_blocks(readme())[0][1]
        self.assertEqual(first, ["tools/demo", "tools/test"])

    def test_paths_named_exist(self):
        text = readme()
        tokens = set(re.findall(r"`([^`\s]+)`", text))
        for _, cmds in sh_blocks(text):
            for c in cmds:
                tokens.update(c.split())
        paths = sorted(t for t in tokens if t.startswith(TOP) and not re.search(r"[<>*{}]|\.\.\.", t))
        self.assertGreater(len(paths), 10, paths)
        # Paths in the build folder: only the programs the README runs (checked below when
        # built); folders a command creates at run time (build/release/peers/) are not.
        paths = [p for p in paths if not p.startswith("build/release/")]
        missing = [p for p in paths if not os.path.exists(os.path.join(ROOT, p))]
        self.assertEqual(missing, [], "paths in README.md that do not exist")

    def test_every_command_exists_and_starts(self):
        """Long-running commands are started with --help (or their own listing flag)."""
        checked = 0
        for heading, cmds in sh_blocks(readme())[1:]:
            for cmd in cmds:
                with self.subTest(heading=heading, cmd=cmd):
                    self.check_starts(cmd.split())
                    checked += 1
        self.assertGreaterEqual(checked, 8)

    def check_starts(self, argv):
        exe = argv[0]
        if exe in ("curl", "ctest"):
            self.assertIsNotNone(shutil.which(exe), f"{exe} is not installed by tools/setup")
            if exe == "ctest":  # lists the tests of the named build without running them
                r = subprocess.run(argv + ["-N"], cwd=ROOT, capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertRegex(r.stdout, r"Total Tests: [1-9]")
            return  # curl commands run for real against the demo below
        path = os.path.join(ROOT, exe)
        if exe.startswith("build/release/") and not release_build():
            self.skipTest("checked by the release build's tests")
        self.assertTrue(os.access(path, os.X_OK), f"{exe} is not an executable of the checkout")
        for arg in argv[1:]:
            if arg.startswith(TOP):
                self.assertTrue(os.path.exists(os.path.join(ROOT, arg)), arg)
        if exe.startswith("build/release/bench/"):
            extra = ["--benchmark_list_tests"]
        else:
            extra = ["--help"]
        r = subprocess.run([path] + argv[1:] + extra, cwd=ROOT, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, f"{' '.join(argv + extra)}: {r.stdout}{r.stderr}")
        self.assertTrue(r.stdout.strip(), f"{' '.join(argv + extra)} printed nothing")


class Demo(unittest.TestCase):
    """`tools/demo` as the README writes it, on a free port through the pass-through arguments."""

    def setUp(self):
        if not release_build():
            self.skipTest("tools/demo builds and runs the release preset; run with the release build")

    def test_demo_serves_every_venue_and_stops_on_sigterm(self):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        self.addCleanup(os.unlink, log.name)
        p = subprocess.Popen(["tools/demo", "--listen", f"127.0.0.1:{port}"], cwd=ROOT,
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def stop_all():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.addCleanup(stop_all)

        def tail():
            log.seek(0)
            return log.read()[-3000:]

        def venues():
            if p.poll() is not None:
                raise RuntimeError(f"tools/demo exited with {p.returncode}:\n{tail()}")
            try:
                status, body = http(f"{base}/api/v1/instruments")
            except OSError:
                return False
            return status == 200 and {i["venue"] for i in body["instruments"]} == VENUES

        wait_until("every venue's instruments from tools/demo", venues, 180)
        status, page = http(f"{base}/")
        self.assertEqual(status, 200)
        self.assertIn("<html", page.lower())

        self.run_quick_look_curls(port, p)

        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=10), 0, tail())

    def run_quick_look_curls(self, port, p):
        """The README's curl lines, pointed at this demo's port, answer with a book."""
        curls = [c for h, cmds in sh_blocks(readme()) if h == "Quick look" for c in cmds
                 if c.startswith("curl ")]
        self.assertGreaterEqual(len(curls), 2)
        for c in curls:
            argv = c.replace("localhost:8080", f"127.0.0.1:{port}").split()
            self.assertIn(f"127.0.0.1:{port}", " ".join(argv), c)

            def answers():
                r = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=10)
                return r.returncode == 0 and '"bids":[[' in r.stdout and '"asks":[[' in r.stdout
            wait_until(c, answers, 60, interval=0.5)
        self.assertIsNone(p.poll())


if __name__ == "__main__":
    unittest.main()
