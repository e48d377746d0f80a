"""Serving beyond loopback: the start-up refusal without a token, the token on /ws and /api,
the Origin rule, the per-address connection cap, the request-header deadline and the
websocket command rate limit, each with its exact refusal and its metric."""
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import websockets
import websockets.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from harness import Stack, free_port, get, http, wait_until  # noqa: E402

BIN = os.environ["MDHUB_BIN"]
TOKEN_VAR = "MDHUB_IT_EXPOSURE_TOKEN"
TOKEN = "it-s3cret-token"
NEEDS_TOKEN = ("(not a loopback address) needs an auth token: set auth_token_env in [server] (or "
               "--auth-token-env) to the name of an environment variable holding it, or listen on 127.0.0.1")


def run(args, env=None, timeout=20):
    e = dict(os.environ)
    e.pop(TOKEN_VAR, None)
    e.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, env=e)


class StartupRefusal(unittest.TestCase):
    """Nothing is served off loopback without a token: exit 2 and what to do about it."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mdhub-it-exposure-")
        cfg = subprocess.run([BIN, "sim", "--listen", f"127.0.0.1:{free_port()}", "--print-config"],
                             check=True, capture_output=True, text=True).stdout
        cls.config = os.path.join(cls.dir, "sim.toml")
        with open(cls.config, "w") as f:
            f.write(cfg)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_run_on_any_address_without_token_exits_2(self):
        port = free_port()
        for args in (["run", "--config", self.config, "--listen", f"0.0.0.0:{port}"],
                     ["--listen", f"0.0.0.0:{port}"],  # the demo
                     ["replay", "--from", self.dir, "--listen", f"[::]:{port}"]):
            r = run(args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            addr = args[args.index("--listen") + 1]
            self.assertIn(f"listening on {addr} {NEEDS_TOKEN}", r.stderr, args)

    def test_named_variable_must_be_set(self):
        r = run(["run", "--config", self.config, "--listen", f"127.0.0.1:{free_port()}", "--auth-token-env", TOKEN_VAR])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(f"auth_token_env names {TOKEN_VAR}, which is not set or empty: export it with the token "
                      "(or drop auth_token_env)", r.stderr)
        r = run(["run", "--config", self.config, "--listen", f"0.0.0.0:{free_port()}", "--auth-token-env", TOKEN_VAR],
                env={TOKEN_VAR: ""})
        self.assertEqual(r.returncode, 2, r.stderr)

    def test_check_config_warns_at_the_listen_line_and_run_needs_the_flag(self):
        path = os.path.join(self.dir, "exposed.toml")
        with open(path, "w") as f:
            cfg = open(self.config).read()
            f.write('log_level = "info"\nlisten = "0.0.0.0:8080"\n' + re.sub(r'^listen = .*\n', "", cfg, flags=re.M))
        r = run(["check-config", path])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), f"{path}:2:10: warning: listening on 0.0.0.0:8080 {NEEDS_TOKEN} "
                                           "(mdhub run refuses it without --auth-token-env)")
        r = run(["run", "--config", path])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(f"listening on 0.0.0.0:8080 {NEEDS_TOKEN}", r.stderr)

    def test_any_address_with_token_serves(self):
        port = free_port()
        e = dict(os.environ, **{TOKEN_VAR: TOKEN})
        p = subprocess.Popen([BIN, "run", "--config", self.config, "--listen", f"0.0.0.0:{port}",
                              "--auth-token-env", TOKEN_VAR], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=e)
        try:
            wait_until("/healthz on 0.0.0.0", lambda: http(f"http://127.0.0.1:{port}/healthz")[0] == 200, 20)
            self.assertEqual(http(f"http://127.0.0.1:{port}/api/v1/feeds")[0], 401)
        finally:
            p.terminate()
            self.assertEqual(p.wait(10), 0)


def metric(hub, name, labels=""):
    text = get(hub + "/metrics")
    m = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def refused(hub, reason):
    return metric(hub, "mdhub_http_refused_total", f'{{reason="{reason}"}}')


def bearer(url, token):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


class GuardedHub(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.environ[TOKEN_VAR] = TOKEN
        cls.stack = Stack(BIN, hub_args=["--auth-token-env", TOKEN_VAR], extra_config=(
            "\n[server]\nmax_connections_per_ip = 8\nheader_timeout_ms = 500\n"
            "allowed_origins = [\"https://dash.example\"]\n"
            "[ws]\ncommand_rate = 0.1\ncommand_burst = 5\n"))
        cls.hub = cls.stack.hub
        cls.ws = cls.hub.replace("http://", "ws://") + "/ws"
        wait_until("btse book", lambda: bearer(cls.hub + "/api/v1/book/btse/BTC-USD", TOKEN)[0] == 200, 30)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()
        os.environ.pop(TOKEN_VAR, None)

    def run_async(self, coro):
        return asyncio.run(asyncio.wait_for(coro, 60))

    def test_api_needs_the_token(self):
        before = refused(self.hub, "unauthorized")
        status, body = http(self.hub + "/api/v1/feeds")
        self.assertEqual(status, 401)
        self.assertEqual(body, {"error": {"code": "unauthorized", "message":
                                          "this path needs the server's token: header 'Authorization: Bearer <token>' "
                                          "or query parameter 'token'"}})
        self.assertEqual(bearer(self.hub + "/api/v1/feeds", "wrong")[0], 401)
        self.assertEqual(http(self.hub + "/api/v1/feeds?token=wrong")[0], 401)
        self.assertEqual(refused(self.hub, "unauthorized"), before + 3)
        self.assertEqual(bearer(self.hub + "/api/v1/feeds", TOKEN)[0], 200)
        # The query token is not one of the API's parameters (a strict endpoint still answers).
        status, book = http(self.hub + f"/api/v1/book/btse/BTC-USD?depth=3&token={TOKEN}")
        self.assertEqual(status, 200, book)
        self.assertLessEqual(len(book["bids"]), 3)
        # Probes, metrics and the dashboard stay open.
        self.assertEqual(http(self.hub + "/healthz")[0], 200)
        self.assertIn(http(self.hub + "/readyz")[0], (200, 503))
        self.assertEqual(http(self.hub + "/metrics")[0], 200)
        with urllib.request.urlopen(self.hub + "/", timeout=5) as r:
            self.assertEqual(r.status, 200)

    def test_ws_needs_the_token(self):
        async def go():
            with self.assertRaises(websockets.exceptions.InvalidStatusCode) as e:
                async with websockets.connect(self.ws):
                    pass
            self.assertEqual(e.exception.status_code, 401)
            for url, headers in ((self.ws + f"?token={TOKEN}", None),
                                 (self.ws, {"Authorization": f"Bearer {TOKEN}"})):
                async with websockets.connect(url, extra_headers=headers) as ws:
                    await ws.send(json.dumps({"op": "ping", "id": 1}))
                    self.assertEqual(json.loads(await ws.recv()), {"type": "pong", "id": 1})
        self.run_async(go())

    def test_cross_origin_upgrade_refused_unless_listed(self):
        url = self.ws + f"?token={TOKEN}"
        before = refused(self.hub, "forbidden_origin")

        async def go():
            with self.assertRaises(websockets.exceptions.InvalidStatusCode) as e:
                async with websockets.connect(url, origin="http://evil.example"):
                    pass
            self.assertEqual(e.exception.status_code, 403)
            for origin in (self.hub, "https://dash.example"):
                async with websockets.connect(url, origin=origin) as ws:
                    await ws.send(json.dumps({"op": "ping", "id": 2}))
                    self.assertEqual(json.loads(await ws.recv()), {"type": "pong", "id": 2})
        self.run_async(go())
        self.assertEqual(refused(self.hub, "forbidden_origin"), before + 1)

    def test_connections_per_address_are_capped(self):
        port = self.stack.hub_port
        before = refused(self.hub, "per_ip_limit")
        held = []
        try:
            # Each holder is proven accepted (it got an answer on a kept-alive connection).
            for _ in range(8):
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200"))
                held.append(s)
            extra = socket.create_connection(("127.0.0.1", port), timeout=5)
            try:
                self.assertEqual(extra.recv(4096), b"")  # closed at accept, no reply
            except ConnectionResetError:
                pass
            extra.close()
        finally:
            for s in held:
                s.close()
        # The server may not have seen every holder leave yet: count the refused retries.
        # (The metrics request is a connection too, so it comes after.)
        retries = 0
        deadline = time.monotonic() + 10
        while True:
            try:
                self.assertEqual(http(self.hub + "/healthz")[0], 200)
                break
            except OSError:
                retries += 1
                self.assertLess(time.monotonic(), deadline, "no connection after the holders left")
                time.sleep(0.05)
        self.assertEqual(refused(self.hub, "per_ip_limit"), before + 1 + retries)

    def test_slow_request_header_is_cut(self):
        before = refused(self.hub, "header_timeout")
        s = socket.create_connection(("127.0.0.1", self.stack.hub_port), timeout=10)
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the end of the header
            started = time.monotonic()
            self.assertEqual(s.recv(4096), b"")
            self.assertLess(time.monotonic() - started, 9)  # the 500 ms deadline, not the 60 s idle one
        finally:
            s.close()
        self.assertEqual(refused(self.hub, "header_timeout"), before + 1)

    def test_subscribe_churn_is_rate_limited_and_feeds_keep_up(self):
        before = metric(self.hub, "mdhub_ws_rate_limited_total")

        async def go():
            async with websockets.connect(self.ws + f"?token={TOKEN}", max_size=2**26) as ws:
                # Five commands pass (the burst), and every one after is refused unexecuted.
                for i in range(15):
                    op = "subscribe" if i % 2 == 0 else "unsubscribe"
                    await ws.send(json.dumps({"op": op, "channels": ["book:*:*"], "id": i}))
                errors, closed = [], None
                try:
                    while True:
                        m = json.loads(await asyncio.wait_for(ws.recv(), 20))
                        if m["type"] == "error":
                            errors.append(m)
                except websockets.exceptions.ConnectionClosed as e:
                    closed = e
                self.assertEqual(errors[0], {"type": "error", "id": 5, "code": "rate_limited", "message":
                                             "more than 0.1 commands per second (bursts of 5): command not executed"})
                self.assertEqual([m["id"] for m in errors], [5, 6, 7, 8, 9])
                self.assertEqual(closed.code, 1008)
                self.assertEqual(closed.reason, "rate_limited")
        self.run_async(go())
        self.assertEqual(metric(self.hub, "mdhub_ws_rate_limited_total"), before + 5)
        self.assertGreaterEqual(metric(self.hub, "mdhub_ws_dropped_total", '{reason="rate_limited"}'), 1)
        # The feeds were not starved: btse's books still equal the simulator's truth.
        self.stack.sim_post("/sim/pause")
        try:
            truth = self.stack.sim_get("/sim/truth/btse/BTC-USD?depth=50")
            wait_until("btse book == truth", lambda: (lambda r: r[0] == 200 and r[1]["bids"] == truth["bids"]
                                                      and r[1]["asks"] == truth["asks"])(
                bearer(self.hub + "/api/v1/book/btse/BTC-USD?depth=50", TOKEN)), 20)
        finally:
            self.stack.sim_post("/sim/resume")


if __name__ == "__main__":
    unittest.main()
