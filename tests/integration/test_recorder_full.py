"""The recorder on a full disk: a small tmpfs the test mounts (root only). Recording fills it;
the loss is visible (/readyz 503, /api/v1/feeds, /metrics), retries leave no empty segment
files, the feeds and the API keep working, and recording resumes once space is back."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, get, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]


def mount_tmpfs(path, size):
    if os.geteuid() != 0:
        return "needs root to mount a tmpfs"
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path], capture_output=True, text=True)
    return None if r.returncode == 0 else f"cannot mount a tmpfs here: {r.stderr.strip()}"


def recorder(hub):
    return get(hub + "/api/v1/feeds")["recorder"]


class RecorderOnAFullDisk(unittest.TestCase):
    def setUp(self):
        self.mnt = tempfile.mkdtemp(prefix="mdhub-full-")
        why = mount_tmpfs(self.mnt, "1m")
        if why:
            os.rmdir(self.mnt)
            self.skipTest(why)
        self.addCleanup(self.unmount)
        self.rec = os.path.join(self.mnt, "rec")
        # Leave about 96 KiB: a few seconds of recording.
        self.filler = os.path.join(self.mnt, "filler")
        with open(self.filler, "wb") as f:
            f.write(b"\0" * (1024 * 1024 - 96 * 1024))
        self.stack = Stack(BIN, sim_args=["--rate", "2000"], extra_config=(
            f'\n[recording]\ndir = "{self.rec}"\nfsync_ms = 100\nretry_ms = 200\n'))
        self.addCleanup(self.stack.close)

    def unmount(self):
        subprocess.run(["umount", self.mnt], check=False)
        shutil.rmtree(self.mnt, ignore_errors=True)

    def segments(self):
        return sorted(glob.glob(os.path.join(self.rec, "*.mdrec")))

    def test_loss_is_visible_retries_leave_nothing_and_recording_resumes(self):
        hub = self.stack.hub
        wait_until("every feed live", lambda: http(hub + "/readyz")[0] == 200 or recorder(hub)["errors"] > 0, 30)
        r = wait_until("the disk to fill", lambda: (lambda r: r if not r["healthy"] and r["lost"] > 0 else None)(recorder(hub)), 60)
        self.assertIn("No space left on device", r["last_error"])
        status, body = http(hub + "/readyz")
        self.assertEqual(status, 503)
        self.assertEqual(body["status"], "not_ready")
        self.assertFalse(body["recorder"]["healthy"])
        self.assertEqual(http(hub + "/healthz")[0], 200)
        _, metrics = http(hub + "/metrics")
        self.assertRegex(metrics, r"(?m)^mdhub_recorder_healthy 0$")
        # Several retries later there is still only the segment that filled the disk.
        first = r["errors"]
        wait_until("three more retries", lambda: recorder(hub)["errors"] >= first + 3, 30)
        self.assertEqual(len(self.segments()), 1, self.segments())
        # Feeds and the API are untouched by the recorder's trouble.
        for f in get(hub + "/api/v1/feeds")["feeds"]:
            self.assertEqual(f["state"], "live", f)

        os.remove(self.filler)
        written = recorder(hub)["records_written"]
        wait_until("the recorder to recover", lambda: recorder(hub)["healthy"], 30)
        wait_until("records written again", lambda: recorder(hub)["records_written"] > written, 30)
        wait_until("ready again", lambda: http(hub + "/readyz")[0] == 200, 30)
        self.assertEqual(len(self.segments()), 2, self.segments())
        lost = recorder(hub)["lost"]
        self.stack.stop()  # asserts that mdhub, recorder trouble and all, exits 0 on SIGTERM

        # What was written reads back: the full segment ends in a torn tail, the new one is whole.
        out = subprocess.run([BIN, "replay", "--from", self.rec, "--speed", "max", "--listen", "127.0.0.1:0",
                              "--exit-at-end"], capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr[-2000:])
        m = re.search(r"(\d+) records", out.stdout + out.stderr)
        self.assertIsNotNone(m, out.stdout[-2000:] + out.stderr[-2000:])
        self.assertGreater(int(m.group(1)), 0)
        self.assertGreater(lost, 0)


if __name__ == "__main__":
    unittest.main()
