"""Fixtures for the read API tests: a real `canopy-store serve` process on a
temporary SQLite store (or a keyspace of its own on the real Cassandra node),
talked to through a real HTTP client (urllib / http.client)."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))  # tests/: cassandra_hosts
from cassandra_hosts import first_cassandra_host  # noqa: E402

BINARY = os.environ.get("CANOPY_STORE_BIN", os.path.join(os.path.dirname(__file__), "../../build/canopy-store"))


def clean_env(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CASCOR_") and not k.startswith("CASSANDRA_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    return env


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def text(self):
        return self.body.decode()


class Server:
    """One `canopy-store serve` process; stopped (SIGTERM) by stop()."""

    def __init__(self, prefix, env, args=(), tmp_path=None):
        self.prefix = list(prefix)
        self.env = env
        self.proc = subprocess.Popen([BINARY, *self.prefix, "serve", "--listen", "127.0.0.1:0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline()
        m = re.match(r"serving (http://127\.0\.0\.1:(\d+))", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"serve did not start: {line!r}\n{self.proc.stderr.read()}")
        self.url = m.group(1)
        self.port = int(m.group(2))
        self.stderr_lines = []
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def request(self, method, path, body=None, headers=None, timeout=60):
        data = body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        elif isinstance(body, str):
            data = body.encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Answer(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.headers, e.read())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def ok(self, path):
        a = self.get(path)
        assert a.status == 200, f"GET {path}: {a.status} {a.body[:500]!r}"
        return a.json()

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("serve did not stop within %ss of SIGTERM" % timeout)
        self._reader.join(timeout=5)
        return code


class Store:
    """A store for the tests: the flags that name it, and the CLI on it."""

    def __init__(self, prefix, env, tmp_path):
        self.prefix = prefix
        self.env = env
        self.tmp_path = tmp_path
        self.servers = []

    def cli(self, *args, expect=0, timeout=600):
        p = subprocess.run([BINARY, *self.prefix, *args], capture_output=True, text=True, env=self.env,
                           timeout=timeout)
        assert p.returncode == expect, f"canopy-store {' '.join(args)}: {p.returncode}\n{p.stdout}\n{p.stderr}"
        return p

    def demo(self, *args):
        """Trains and records a run; returns its id."""
        p = self.cli("demo", "--quiet", "--no-plot", *args)
        return re.search(r"^Run ([0-9a-f-]{36})", p.stdout, re.M).group(1)

    def popen(self, *args):
        return subprocess.Popen([BINARY, *self.prefix, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=self.env)

    def serve(self, *args):
        s = Server(self.prefix, self.env, args)
        self.servers.append(s)
        return s

    def close(self):
        """Stops every server; each must exit 0 (a sanitizer report or a crash at
        shutdown fails the test)."""
        for s in self.servers:
            code = s.stop() if s.proc.poll() is None else s.proc.returncode
            assert code == 0, f"serve exited {code}:\n{''.join(s.stderr_lines)[-4000:]}"


@pytest.fixture
def store(tmp_path):
    s = Store(["--set", f"backend.embedded.path={tmp_path / 'metrics.db'}"], clean_env(tmp_path), tmp_path)
    yield s
    s.close()


@pytest.fixture
def cassandra_keyspace():
    """A keyspace of its own for each test, dropped after it."""
    host = first_cassandra_host()
    keyspace = "http_test_" + uuid.uuid4().hex[:8]
    yield host, keyspace
    from cassandra.cluster import Cluster
    cluster = Cluster([host], protocol_version=4)
    cluster.connect().execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
    cluster.shutdown()


@pytest.fixture
def cassandra_store(tmp_path, cassandra_keyspace):
    host, keyspace = cassandra_keyspace
    config = tmp_path / "canopy.yaml"
    config.write_text(f"""
backend:
  cassandra:
    enabled: true
    contact_points: [{host}]
    keyspace: {keyspace}
    pool_size: 2
    flush_interval: 0.2
    replication:
      class: SimpleStrategy
      replication_factor: 1
  embedded:
    path: {tmp_path / 'unused.db'}
""")
    s = Store(["--config", str(config)], clean_env(tmp_path), tmp_path)
    yield s
    s.close()


def sse_events(url, path, headers=None, timeout=60, on_open=None, until=None):
    """Reads a Server-Sent Events stream until it ends (or until(events) is
    true); returns [(event, data, id)] with data parsed as JSON, and the
    comments seen."""
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    assert resp.status == 200, (resp.status, resp.read())
    assert resp.getheader("Content-Type").startswith("text/event-stream")
    if on_open:
        on_open()
    events, comments = [], []
    event, data, eid = None, [], None
    while True:
        line = resp.readline()
        if not line:
            break
        line = line.decode().rstrip("\n")
        if line == "":
            if event or data:
                events.append((event or "message", json.loads("\n".join(data)), eid))
                if until and until(events):
                    break
            event, data, eid = None, [], None
        elif line.startswith(":"):
            comments.append(line)
        elif line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data.append(line[6:])
        elif line.startswith("id: "):
            eid = line[4:]
    conn.close()
    return events, comments
