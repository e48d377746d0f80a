"""Integration harness: runs `mdhub sim` and `mdhub run` on free loopback ports and gives
tests HTTP helpers. Conditions are awaited by polling with a deadline, never by fixed sleeps.
Standard library only (plus python3-websockets for websocket tests)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from decimal import Decimal


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url, method="GET", body=None, timeout=5, context=None):
    """Returns (status, parsed JSON or text)."""
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    try:
        return status, json.loads(raw.decode())
    except ValueError:
        return status, raw.decode(errors="replace")


def get(url, **kw):
    status, body = http(url, **kw)
    if status != 200:
        raise AssertionError(f"GET {url} -> {status}: {str(body)[:300]}")
    return body


def wait_until(what, fn, timeout=30.0, interval=0.1):
    """Polls fn() until it returns a truthy value; raises with `what` on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
            if last:
                return last
        except (OSError, AssertionError, ValueError) as e:  # not up yet
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {str(last)[:500]})")


def levels(side):
    return [(Decimal(str(lv[0])), Decimal(str(lv[1]))) for lv in side]


def apply(book, msg):
    """Applies a websocket book message's levels to {"bids": {price: qty}, "asks": {...}};
    qty 0 deletes."""
    for side in ("bids", "asks"):
        for p, q in levels(msg[side]):
            if q == 0:
                book[side].pop(p, None)
            else:
                book[side][p] = q


def patch_options(cfg, venue_options):
    """Adds `key = value` lines to each venue's options table, creating the table if needed."""
    for venue, opts in venue_options.items():
        lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in opts.items())
        header = f"[venues.{venue}.options]\n"
        if header in cfg:
            cfg = cfg.replace(header, header + lines, 1)
        else:
            cfg = cfg.rstrip("\n") + "\n\n" + header + lines
    return cfg


def patch_venue_keys(cfg, venue_keys):
    """Adds `key = value` lines to each venue's own table (rate_limit_rps and the like)."""
    for venue, keys in venue_keys.items():
        lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in keys.items())
        header = f"[venues.{venue}]\n"
        assert header in cfg, header
        cfg = cfg.replace(header, header + lines, 1)
    return cfg


def patch_table(cfg, tables):
    """Adds `key = value` lines to top-level tables the printed config has ({"fx": {...}})."""
    for table, keys in tables.items():
        lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in keys.items())
        header = f"[{table}]\n"
        assert header in cfg, header
        cfg = cfg.replace(header, header + lines, 1)
    return cfg


class Stack:
    """A simulator and an mdhub pointed at it."""

    def __init__(self, binary, sim_args=(), hub_args=(), tls=False, venue_options=None, venue_keys=None,
                 extra_config="", table_keys=None):
        """venue_options: {venue: {key: value}} added to the printed config's
        `[venues.<id>.options]` tables (runtime knobs such as rest_timeout_ms); venue_keys
        likewise to the `[venues.<id>]` tables (rate_limit_rps); extra_config: TOML appended
        to the config (e.g. a [recording] table); table_keys: {table: {key: value}} added to
        the printed config's top-level tables ([fx])."""
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="mdhub-it-")
        self.sim_port, self.hub_port = free_port(), free_port()
        self.procs = []
        self.expected_exit = {}  # name -> exit code announced by end()
        scheme = "https" if tls else "http"
        self.sim = f"{scheme}://127.0.0.1:{self.sim_port}"
        self.hub = f"http://127.0.0.1:{self.hub_port}"
        tls_args = ["--tls", "--tls-dir", self.dir] if tls else []
        self.ssl_context = None
        cfg = subprocess.run([binary, "sim", "--listen", f"127.0.0.1:{self.sim_port}", "--print-config", *tls_args],
                             check=True, capture_output=True, text=True).stdout
        self.config_path = os.path.join(self.dir, "sim.toml")
        with open(self.config_path, "w") as f:
            cfg = patch_table(cfg, table_keys or {})
            f.write(patch_venue_keys(patch_options(cfg, venue_options or {}), venue_keys or {}) + extra_config)
        if tls:
            import ssl
            self.ssl_context = ssl.create_default_context(cafile=os.path.join(self.dir, "sim-ca.pem"))
        self._start("sim", [binary, "sim", "--listen", f"127.0.0.1:{self.sim_port}", "--seed", "7", *tls_args, *sim_args])
        # The hub would cope with a simulator that is not up yet (discovery backs off), but
        # tests should not start with a failed discovery and a backoff.
        wait_until("simulator /sim/status",
                   lambda: http(self.sim + "/sim/status", context=self.ssl_context)[0] == 200, 20)
        self._start("hub", [binary, "run", "--config", self.config_path, "--listen", f"127.0.0.1:{self.hub_port}", *hub_args])
        wait_until("mdhub /healthz", lambda: http(self.hub + "/healthz")[0] == 200, 20)

    def _start(self, name, args):
        with open(os.path.join(self.dir, name + ".log"), "w") as log:  # the child keeps its own fd
            self.procs.append((name, subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)))

    def log(self, name):
        with open(os.path.join(self.dir, name + ".log")) as f:
            return f.read()

    def sim_get(self, path):
        return get(self.sim + path, context=self.ssl_context)

    def sim_post(self, path, body=b""):
        status, out = http(self.sim + path, method="POST", body=body, context=self.ssl_context)
        if status != 200:
            raise AssertionError(f"POST {path} -> {status}: {out}")
        return out

    def instruments(self, venue):
        return [i["symbol"] for i in get(self.hub + "/api/v1/instruments")["instruments"] if i["venue"] == venue]

    def book_matches(self, venue, symbol, depth):
        status, mine = http(f"{self.hub}/api/v1/book/{venue}/{symbol}?depth={depth}")
        if status != 200:
            return False
        truth = self.sim_get(f"/sim/truth/{venue}/{symbol}?depth={depth}")
        same = levels(mine["bids"]) == levels(truth["bids"]) and levels(mine["asks"]) == levels(truth["asks"])
        return same and len(truth["bids"]) > 0 and len(truth["asks"]) > 0

    def merged_truth(self, symbol, venues, depth=1000):
        """The consolidated book the venues' truths make: {"bids"|"asks": [(price, qty, {venue: qty})]},
        quantities summed per price, best first."""
        out = {}
        for side in ("bids", "asks"):
            by_price = {}
            for v in venues:
                for p, q in levels(self.sim_get(f"/sim/truth/{v}/{symbol}?depth={depth}")[side]):
                    by_price.setdefault(p, {})[v] = q
            out[side] = [(p, sum(parts.values()), parts)
                         for p, parts in sorted(by_price.items(), reverse=side == "bids")]
        return out

    def consolidated_matches(self, symbol, venues, depth=1000):
        """True when /api/v1/book/all/{symbol} holds exactly `venues` and equals the merge of
        their truths, level by level and venue by venue."""
        status, mine = http(f"{self.hub}/api/v1/book/all/{symbol}?depth={depth}")
        if status != 200 or sorted(mine["venues"]) != sorted(venues):
            return False
        want = self.merged_truth(symbol, venues, depth)
        for side in ("bids", "asks"):
            got = [(Decimal(p), Decimal(q), {v: Decimal(x) for v, x in parts.items()}) for p, q, parts in mine[side]]
            if got != want[side][:depth]:
                return False
        return True

    def converge(self, venue, depth=1000, timeout=20):
        """Pauses the market and waits until every book of `venue` equals the truth."""
        syms = wait_until(f"{venue} instruments", lambda: self.instruments(venue), 20)
        self.sim_post("/sim/pause")
        try:
            for s in syms:
                try:
                    wait_until(f"{venue} {s} book == truth", lambda s=s: self.book_matches(venue, s, depth), timeout)
                except AssertionError as e:
                    raise AssertionError(f"{e}\n{self.diagnose(venue, s, depth)}") from None
        finally:
            self.sim_post("/sim/resume")
        return syms

    def diagnose(self, venue, symbol, depth):
        """What mdhub and the simulator say about a book that does not converge."""
        out = []
        for what, fn in (("feed symbol", lambda: self.feed(venue).get("symbols", {}).get(symbol)),
                         ("mdhub book", lambda: http(f"{self.hub}/api/v1/book/{venue}/{symbol}?depth=5")),
                         ("truth", lambda: self.sim_get(f"/sim/truth/{venue}/{symbol}?depth=5")),
                         ("hub log tail", lambda: "\n".join(self.log("hub").splitlines()[-15:]))):
            try:
                out.append(f"{what}: {str(fn())[:1500]}")
            except (OSError, AssertionError, ValueError) as e:
                out.append(f"{what}: unavailable ({e})")
        return "\n".join(out)

    def feed(self, venue):
        for f in get(self.hub + "/api/v1/feeds")["feeds"]:
            if f["venue"] == venue:
                return f
        raise AssertionError(f"no feed {venue}")

    def end(self, name, sig=signal.SIGTERM, timeout=10):
        """Ends one process now and returns its exit code. SIGTERM is an orderly stop, held to
        exit 0 like stop(); any other signal is a crash the test means, which stop() accepts."""
        p = next(p for n, p in self.procs if n == name)
        if sig != signal.SIGTERM:
            self.expected_exit[name] = -sig
        p.send_signal(sig)
        return p.wait(timeout=timeout)

    def stop(self):
        """SIGTERMs every process still running and asserts that each exited 0 (or as end()
        was told): a crash or an error exit at shutdown fails the test that owns the stack."""
        for _, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        problems = []
        for name, p in self.procs:
            try:
                code = p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                problems.append(f"{name} did not exit within 5 s of SIGTERM")
                continue
            want = self.expected_exit.get(name, 0)
            if code != want:
                tail = "\n".join(self.log(name).splitlines()[-15:])
                problems.append(f"{name} exited {code}, expected {want}; log tail:\n{tail}")
        self.procs = []
        if problems:
            raise AssertionError("\n".join(problems))

    def close(self, keep_logs=False):
        try:
            self.stop()
        finally:
            if not keep_logs:
                shutil.rmtree(self.dir, ignore_errors=True)
