"""A recording committed to the repository (tests/data/recording-v1: five simulated venues,
about six seconds) must replay and export to the same results forever: the format is a
contract (src/record/FORMAT.md), and replay and export are deterministic functions of it.
If a change to parsing, the engine or export legitimately alters the output, regenerate
the golden files (MDHUB_REGEN_GOLDEN=1, see tests/data/README.md) and explain why in the
commit."""
import collections
import hashlib
import json
import os
import subprocess
import unittest

BIN = os.environ["MDHUB_BIN"]
DATA = os.path.join(os.path.dirname(__file__), "..", "data")
REC = os.path.join(DATA, "recording-v1")
REGEN = os.environ.get("MDHUB_REGEN_GOLDEN") == "1"


def run(*args):
    r = subprocess.run([BIN, *args], capture_output=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"mdhub {' '.join(args)} -> {r.returncode}: {r.stderr.decode()[-2000:]}")
    return r.stdout


class GoldenRecording(unittest.TestCase):
    def test_replay_ends_in_the_golden_books(self):
        out = run("replay", "--from", REC, "--speed", "max", "--exit-at-end", "--print-books",
                  "--listen", "127.0.0.1:0").decode()
        got = [line for line in out.splitlines() if not line.startswith("bookjson ")]
        if REGEN:
            with open(os.path.join(DATA, "recording-v1.replay"), "w") as f:
                f.write("\n".join(got) + "\n")
        with open(os.path.join(DATA, "recording-v1.replay")) as f:
            want = f.read().splitlines()
        self.assertEqual(got[0], want[0])  # record count, no parse errors, nothing missing
        self.assertEqual(len(want), 15)    # the summary and 14 books from four venues
        self.assertEqual(got, want)
        # The hashes cover exact decimals; spot-check one book's text as well.
        books = {tuple(line.split(" ", 3)[1:3]): json.loads(line.split(" ", 3)[3])
                 for line in out.splitlines() if line.startswith("bookjson ")}
        btse = books[("btse", "BTC-USD")]
        self.assertEqual(btse["venue_seq"], 100112)
        self.assertEqual(btse["bids"][0], ["59994.5", "0.06125"])
        self.assertEqual(btse["asks"][0], ["59999.5", "0.17033"])

    def test_export_is_unchanged(self):
        jsonl = run("export", "--from", REC, "--format", "jsonl")
        counts = collections.Counter(json.loads(line)["type"] for line in jsonl.splitlines())
        csv = run("export", "--from", REC, "--format", "csv")
        if REGEN:
            with open(os.path.join(DATA, "recording-v1.export.json"), "w") as f:
                json.dump({"jsonl_lines_by_type": dict(sorted(counts.items())),
                           "jsonl_sha256": hashlib.sha256(jsonl).hexdigest(),
                           "csv_sha256": hashlib.sha256(csv).hexdigest()}, f, indent=2)
                f.write("\n")
        with open(os.path.join(DATA, "recording-v1.export.json")) as f:
            want = json.load(f)
        self.assertEqual(dict(counts), want["jsonl_lines_by_type"])
        self.assertEqual(hashlib.sha256(jsonl).hexdigest(), want["jsonl_sha256"])
        self.assertEqual(hashlib.sha256(csv).hexdigest(), want["csv_sha256"])

    def test_export_kinds_take_the_websocket_names_too(self):
        singular = run("export", "--from", REC, "--format", "jsonl", "--kind", "trade,candle")
        plural = run("export", "--from", REC, "--format", "jsonl", "--kind", "trades,candles")
        self.assertEqual(plural, singular)
        types = collections.Counter(json.loads(line)["type"] for line in plural.splitlines())
        self.assertEqual(set(types), {"trade", "candle"})
        with open(os.path.join(DATA, "recording-v1.export.json")) as f:
            want = json.load(f)["jsonl_lines_by_type"]
        self.assertEqual(dict(types), {k: want[k] for k in ("trade", "candle")})

    def test_a_truncated_copy_replays_everything_before_the_tear(self):
        import shutil
        import tempfile
        tmp = tempfile.mkdtemp(prefix="mdhub-golden-")
        self.addCleanup(shutil.rmtree, tmp, True)
        seg = sorted(os.listdir(REC))[0]
        with open(os.path.join(REC, seg), "rb") as f:
            data = f.read()
        with open(os.path.join(tmp, seg), "wb") as f:
            f.write(data[: len(data) - 1000])  # tears the last block
        out = run("replay", "--from", tmp, "--speed", "max", "--exit-at-end", "--listen", "127.0.0.1:0").decode()
        summary = out.splitlines()[0].split()
        records = int(summary[summary.index("records") + 1])
        full = int(open(os.path.join(DATA, "recording-v1.replay")).readline().split()[2])
        self.assertGreater(records, 0)
        self.assertLess(records, full)
        # Without --print-books: the summary and one hash line per book, nothing else.
        self.assertRegex(out, r"^replay: [^\n]*\n(book \S+ \S+ [0-9a-f]{16}\n)+$")


if __name__ == "__main__":
    unittest.main()
