"""A real nats-server with JetStream for integration tests: loopback port, store in a
temporary directory that survives stop()/start() (so a restart keeps the streams), and a
minimal client speaking the NATS text protocol (standard library only) for publishing,
subscribing and JetStream API requests in tests."""
import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

from harness import free_port, wait_until

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


class NatsServer:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="mdhub-natsd-")
        self.proc = None
        self.start()

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"

    def start(self):
        log = open(os.path.join(self.dir, "server.log"), "ab")
        self.proc = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", os.path.join(self.dir, "js")],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_until("nats-server accepts connections", self._ready, timeout=20)

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"nats-server exited with {self.proc.returncode}: {self.log()}")
        try:
            with NatsClient(self.url, timeout=1) as c:
                return c.ping()
        except OSError:
            return False

    def stop(self):
        """SIGTERM and wait: JetStream flushes its store, so start() finds the streams again."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None

    def log(self):
        try:
            with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class NatsClient:
    """Just enough of the client protocol for tests: CONNECT, PUB, SUB, request/reply."""

    def __init__(self, url, timeout=5):
        host, port = url.removeprefix("nats://").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.buf = b""
        self.sid = 0
        self.inbox_sid = None
        info = self._line()
        if not info.startswith(b"INFO "):
            raise OSError(f"not a NATS server: {info!r}")
        self._send(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\n')

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.sock.close()

    def _send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise OSError("nats-server closed the connection")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _take(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def ping(self):
        self._send(b"PING\r\n")
        return self._until_pong()

    def _until_pong(self):
        while True:
            line = self._line()
            if line == b"PONG":
                return True
            if line == b"PING":
                self._send(b"PONG\r\n")
            elif line.startswith(b"-ERR"):
                raise OSError(line.decode())

    def publish(self, subject, payload):
        data = payload if isinstance(payload, bytes) else payload.encode()
        self._send(b"PUB %s %d\r\n%s\r\n" % (subject.encode(), len(data), data))

    def subscribe(self, subject):
        self.sid += 1
        self._send(b"SUB %s %d\r\n" % (subject.encode(), self.sid))
        self.ping()  # the server has the subscription once it answers
        return self.sid

    def next_msg(self, timeout=5):
        """(subject, headers or None, payload bytes) of the next MSG/HMSG."""
        self.sock.settimeout(timeout)
        while True:
            line = self._line()
            if line == b"PING":
                self._send(b"PONG\r\n")
                continue
            if line.startswith(b"MSG "):
                parts = line.split()
                return parts[1].decode(), None, self._take(int(parts[-1]))
            if line.startswith(b"HMSG "):
                parts = line.split()
                hlen, total = int(parts[-2]), int(parts[-1])
                raw = self._take(total)
                return parts[1].decode(), raw[:hlen].decode(), raw[hlen:]
            if line.startswith(b"-ERR"):
                raise OSError(line.decode())

    def request(self, subject, payload=b"", timeout=5):
        """One request/reply (JetStream API calls); returns the reply payload."""
        inbox = f"_INBOX.test.{os.getpid()}.{time.monotonic_ns()}"
        self.sid += 1
        sid = self.sid
        data = payload if isinstance(payload, bytes) else payload.encode()
        self._send(b"SUB %s %d\r\nUNSUB %d 1\r\nPUB %s %s %d\r\n%s\r\n" % (
            inbox.encode(), sid, sid, subject.encode(), inbox.encode(), len(data), data))
        while True:
            subj, hdrs, body = self.next_msg(timeout)
            if subj == inbox:
                if hdrs and " 503" in hdrs.split("\r\n", 1)[0]:
                    raise OSError(f"no responders for {subject}")
                return body

    def js(self, api, body=None):
        """A JetStream API request ($JS.API.<api>) with a JSON body; returns the parsed reply."""
        reply = json.loads(self.request("$JS.API." + api, json.dumps(body or {})))
        return reply

    def stream_info(self, stream):
        return self.js(f"STREAM.INFO.{stream}")

    def last_msg(self, stream, subject):
        """The last message of `subject` in `stream` (payload bytes), or None."""
        r = self.js(f"STREAM.MSG.GET.{stream}", {"last_by_subj": subject})
        if "message" not in r:
            return None
        return base64.b64decode(r["message"].get("data", ""))
