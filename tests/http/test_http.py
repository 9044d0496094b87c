"""The read API (`canopy-store serve`) on the embedded SQLite store, through
a real HTTP client against a real server process (ctest label: unit)."""
import pytest

from api_cases import *  # noqa: F401,F403  (the cases shared with the Cassandra suite)


@pytest.fixture
def backend(store):
    return store


import json
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse

from conftest import BINARY, sse_events


def test_openapi_is_valid_and_lists_every_route(recorded):
    from openapi_spec_validator import validate
    server, run_id = recorded
    doc = server.ok("/api/openapi.json")
    validate(doc)  # raises on an invalid OpenAPI 3.1 document
    assert doc["openapi"] == "3.1.0"
    assert "Error" in doc["components"]["schemas"]
    # Every documented route is answered (no 404 for the path, no 405)...
    for path, item in doc["paths"].items():
        for method in item:
            concrete = path.replace("{run_id}", run_id)
            if method == "get":
                query = f"?run_id={run_id}" if "run_id" in json.dumps(item[method].get("parameters", [])) and "{run_id}" not in path else ""
                query = query or (f"?run={run_id}" if path == "/api/compare" else "")
                if path.endswith("/events"):
                    continue  # a stream of a completed run: covered below
                a = server.get(concrete + query)
                assert a.status == 200, (path, a.status, a.body[:200])
            else:
                a = server.request(method.upper(), concrete, body={})
                assert a.status == 403, (path, a.status)  # known route, writes off
    events, _ = sse_events(server.url, f"/api/runs/{run_id}/events")
    assert [e[0] for e in events] == ["run"]
    # ...and the server answers nothing else under /api/.
    for path in ("/api/run", "/api/runs/x/metric", "/api/openapi", "/api/compare/x", "/api/health/"):
        assert error_of(server.get(path), 404)["error"]["code"] == "no_route"


def test_index_page_and_assets(recorded):
    server, _ = recorded
    page = server.get("/")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Cache-Control"] == "no-cache"


def test_help_says_every_flag():
    p = subprocess.run([BINARY, "serve", "--help"], capture_output=True, text=True)
    assert p.returncode == 0
    for flag in ("--listen", "--threads", "--max-streams", "--poll-interval", "--keepalive", "--max-body",
                 "--allow-writes", "--token-file", "--quiet", "SIGTERM", "serving http://"):
        assert flag in p.stdout, flag


def test_bad_listen_and_taken_port(store):
    for bad in ("8080", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:http", "a b:80"):
        p = store.cli("serve", "--listen", bad, expect=2)
        assert "--listen" in p.stderr and bad in p.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        p = store.cli("serve", "--listen", f"127.0.0.1:{port}", expect=1)
        assert f"127.0.0.1:{port}" in p.stderr and "in use" in p.stderr
    server = store.serve()
    p = store.cli("serve", "--listen", f"127.0.0.1:{server.port}", expect=1)
    assert "address already in use" in p.stderr
    p = store.cli("serve", "--max-body", "lots", expect=2)
    assert "--max-body" in p.stderr and "lots" in p.stderr


def test_token_file_errors(store, tmp_path):
    p = store.cli("serve", "--allow-writes", expect=2)
    assert "--token-file" in p.stderr
    (tmp_path / "empty").write_text("\n")
    p = store.cli("serve", "--allow-writes", "--token-file", str(tmp_path / "empty"), expect=2)
    assert "empty" in p.stderr
    p = store.cli("serve", "--allow-writes", "--token-file", str(tmp_path / "missing"), expect=2)
    assert "missing" in p.stderr


def test_access_log_line_per_request(recorded):
    server, run_id = recorded
    server.get("/api/runs?limit=1")
    server.get("/api/runs/nope")
    server.get(f"/api/runs/{run_id}/export?format=csv")
    assert server.stop() == 0
    log = "".join(server.stderr_lines)
    assert re.search(r"^GET /api/runs\?limit=1 200 \d+ [\d.]+ms$", log, re.M)
    assert re.search(r"^GET /api/runs/nope 400 \d+ [\d.]+ms$", log, re.M)
    m = re.search(rf"^GET /api/runs/{run_id}/export\?format=csv 200 (\d+) [\d.]+ms$", log, re.M)
    assert m and int(m.group(1)) > 1000  # streamed bytes counted


def writes_server(store, tmp_path, *args):
    token = "s3cret-token-" + "x" * 20
    (tmp_path / "token").write_text(token + "\n")
    return store.serve("--allow-writes", "--token-file", str(tmp_path / "token"), *args), token


def test_writes_record_a_run_over_http(store, tmp_path):
    server, token = writes_server(store, tmp_path)
    auth = {"Authorization": f"Bearer {token}"}
    created = server.request("POST", "/api/runs", body={"dataset_name": "xor", "config": {"lr": 0.5},
                                                        "tags": {"who": "ada"}, "notes": "over http"}, headers=auth)
    assert created.status == 201, created.body
    run_id = created.json()["run_id"]
    assert created.json()["run"]["status"] == "running"
    metrics = [{"epoch": e, "train_loss": 1 / e, "val_accuracy": 0.5 + e / 100} for e in range(1, 51)]
    a = server.request("POST", f"/api/runs/{run_id}/metrics", body=metrics, headers=auth)
    assert a.status == 202 and a.json() == {"accepted": 50}
    nd = "\n".join(json.dumps({"epoch": e, "train_loss": "NaN" if e == 60 else 1 / e}) for e in range(51, 61)) + "\n"
    a = server.request("POST", f"/api/runs/{run_id}/metrics", body=nd,
                       headers={**auth, "Content-Type": "application/x-ndjson"})
    assert a.status == 202 and a.json() == {"accepted": 10}
    done = server.request("POST", f"/api/runs/{run_id}/complete", body={}, headers=auth)
    assert done.status == 200, done.body
    run = done.json()["run"]
    assert run["status"] == "completed" and run["final_epoch"] == 60
    assert run["best_val_accuracy"] == 1.0 and run["config"] == {"lr": 0.5} and run["tags"] == {"who": "ada"}
    assert server.ok(f"/api/runs/{run_id}/summary")["metrics"] == 60
    assert server.ok("/api/health")["counters"]["written"] >= 60
    # Bad bodies name what is wrong; nothing is stored from them.
    bad = server.request("POST", f"/api/runs/{run_id}/metrics", body=[{"epoch": 1}, {"epoch": "x"}], headers=auth)
    assert "body[1].epoch" in error_of(bad, 400, "body")["error"]["message"]
    bad = server.request("POST", f"/api/runs/{run_id}/metrics", body=[{"loss": 1}], headers=auth)
    assert "unknown field" in error_of(bad, 400)["error"]["message"]
    bad = server.request("POST", f"/api/runs/{run_id}/metrics", body="{not json", headers={**auth, "Content-Type": "application/json"})
    error_of(bad, 400, "body")
    bad = server.request("POST", f"/api/runs/{run_id}/metrics", body="1,2", headers={**auth, "Content-Type": "text/csv"})
    error_of(bad, 415)
    bad = server.request("POST", "/api/runs", body={"run_id": "nope"}, headers=auth)
    error_of(bad, 400, "body")
    error_of(server.request("POST", f"/api/runs/{UNKNOWN}/metrics", body=[], headers=auth), 404)
    error_of(server.request("POST", f"/api/runs/{UNKNOWN}/complete", body={}, headers=auth), 404)
    assert server.ok(f"/api/runs/{run_id}/summary")["metrics"] == 60


def test_writes_need_the_token(store, tmp_path):
    server, token = writes_server(store, tmp_path)
    a = server.request("POST", "/api/runs", body={})
    error_of(a, 401)
    assert a.headers["WWW-Authenticate"].startswith("Bearer")
    error_of(server.request("POST", "/api/runs", body={}, headers={"Authorization": "Bearer wrong"}), 403)
    error_of(server.request("POST", "/api/runs", body={}, headers={"Authorization": f"Bearer {token}x"}), 403)
    error_of(server.request("POST", "/api/runs", body={}, headers={"Authorization": token}), 403)
    assert server.ok("/api/runs")["count"] == 0


def test_body_above_the_limit_is_413(store, tmp_path):
    server, token = writes_server(store, tmp_path, "--max-body", "1KiB")
    auth = {"Authorization": f"Bearer {token}"}
    big = [{"epoch": i} for i in range(200)]
    error_of(server.request("POST", "/api/runs", body={"notes": "x" * 5000}, headers=auth), 413, "body")
    run_id = server.request("POST", "/api/runs", body={}, headers=auth).json()["run_id"]
    error_of(server.request("POST", f"/api/runs/{run_id}/metrics", body=big, headers=auth), 413)
    # Chunked uploads are limited too.
    u = urllib.parse.urlparse(server.url)
    import http.client
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request("POST", f"/api/runs/{run_id}/metrics", body=iter([json.dumps(big).encode()]),
                 headers={**auth, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
                 encode_chunked=True)
    r = conn.getresponse()
    assert r.status == 413
    conn.close()
    assert server.ok("/api/health")["status"] == "ok"


def test_malformed_requests_never_crash_or_500(recorded):
    server, run_id = recorded
    odd = ["/api/runs?limit=%ff", "/api/runs?limit=1e3", "/api/runs?limit=99999999999999999999",
           f"/api/runs/{run_id}/series?points=-0", f"/api/runs/{run_id}/series?from=@99999999999999999",
           f"/api/runs/{run_id}/metrics?cursor=c1.ffffffffffffffffff.1", f"/api/runs/{run_id}/metrics?to=-99999999999w",
           "/api/runs/%00", "/api/runs/" + "a" * 5000, f"/api/compare?run={run_id}&" + "&".join(f"run={i}" for i in range(30)),
           f"/api/runs/{run_id}/events?after=zz", "/%2e%2e/etc/passwd", "/api/../api/runs"]
    for path in odd:
        a = server.get(path)
        assert 400 <= a.status < 500 or a.status == 200, (path, a.status)
    # Raw garbage on the socket.
    for raw in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /api/runs HTTP/1.1\r\nContent-Length: x\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(raw)
            s.recv(4096)
    assert server.ok("/api/health")["status"] == "ok"


def test_too_many_streams_is_503(store):
    run_id = store.demo()
    server = store.serve("--max-streams", "0")
    error_of(server.get(f"/api/runs/{run_id}/events"), 503)


def test_sigterm_ends_open_streams_and_exits_0(store, tmp_path):
    # A running run that nobody completes: its stream stays open until shutdown.
    server, token = writes_server(store, tmp_path, "--poll-interval", "50")
    run_id = server.request("POST", "/api/runs", body={}, headers={"Authorization": f"Bearer {token}"}).json()["run_id"]
    results = []

    def watch():
        results.append(sse_events(server.url, f"/api/runs/{run_id}/events", timeout=60))

    threads = [threading.Thread(target=watch) for _ in range(3)]
    for t in threads:
        t.start()
    deadline = time.time() + 30
    while server.ok("/api/health")["event_streams"] < 3 and time.time() < deadline:
        time.sleep(0.05)
    assert server.ok("/api/health")["event_streams"] == 3
    started = time.time()
    assert server.stop(timeout=30) == 0
    for t in threads:
        t.join(timeout=10)
    assert len(results) == 3 and all(events[0][0] == "run" for events, _ in results)
    assert time.time() - started < 10
    assert "stopped" in "".join(server.stderr_lines)


def test_keepalive_comments(store, tmp_path):
    server, token = writes_server(store, tmp_path, "--keepalive", "1")
    run_id = server.request("POST", "/api/runs", body={}, headers={"Authorization": f"Bearer {token}"}).json()["run_id"]
    got = []
    t = threading.Thread(target=lambda: got.append(sse_events(server.url, f"/api/runs/{run_id}/events", timeout=30)))
    t.start()
    time.sleep(2.5)
    server.request("POST", f"/api/runs/{run_id}/complete", body={}, headers={"Authorization": f"Bearer {token}"})
    t.join(timeout=20)
    events, comments = got[0]
    assert ": keepalive" in comments
    assert events[-1][0] == "run" and events[-1][1]["status"] == "completed"


def test_events_resume_after_an_event_id(store, tmp_path):
    server, token = writes_server(store, tmp_path, "--poll-interval", "50")
    auth = {"Authorization": f"Bearer {token}"}
    run_id = server.request("POST", "/api/runs", body={}, headers=auth).json()["run_id"]
    server.request("POST", f"/api/runs/{run_id}/metrics", body=[{"epoch": e} for e in range(1, 11)], headers=auth)
    server.request("POST", f"/api/runs/{run_id}/complete", body={}, headers=auth)
    events, _ = sse_events(server.url, f"/api/runs/{run_id}/events?from=@0")
    metrics = [e for e in events if e[0] == "metric"]
    assert [e[1]["epoch"] for e in metrics] == list(range(1, 11))
    later, _ = sse_events(server.url, f"/api/runs/{run_id}/events", headers={"Last-Event-ID": metrics[6][2]})
    assert [e[1]["epoch"] for e in later if e[0] == "metric"] == [8, 9, 10]
    error_of(server.get(f"/api/runs/{run_id}/events?from=soon"), 400, "from")


def test_110_concurrent_streams_each_get_every_metric(store, tmp_path):
    server, token = writes_server(store, tmp_path, "--poll-interval", "50")
    auth = {"Authorization": f"Bearer {token}"}
    run_id = server.request("POST", "/api/runs", body={}, headers=auth).json()["run_id"]
    clients = 110
    results = [None] * clients

    def watch(i):
        results[i] = sse_events(server.url, f"/api/runs/{run_id}/events", timeout=120)

    threads = [threading.Thread(target=watch, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    deadline = time.time() + 60
    while server.ok("/api/health")["event_streams"] < clients and time.time() < deadline:
        time.sleep(0.05)
    assert server.ok("/api/health")["event_streams"] == clients
    for batch in range(4):
        body = [{"epoch": batch * 25 + e} for e in range(1, 26)]
        assert server.request("POST", f"/api/runs/{run_id}/metrics", body=body, headers=auth).status == 202
    server.request("POST", f"/api/runs/{run_id}/complete", body={}, headers=auth)
    for t in threads:
        t.join(timeout=120)
    for events, _ in results:
        epochs = [e[1]["epoch"] for e in events if e[0] == "metric"]
        assert epochs == list(range(1, 101))
        assert events[-1][0] == "run" and events[-1][1]["status"] == "completed"
    assert server.ok("/api/health")["event_streams"] == 0


def test_paging_through_one_millisecond_of_many_steps(store, tmp_path):
    server, token = writes_server(store, tmp_path)
    auth = {"Authorization": f"Bearer {token}"}
    run_id = server.request("POST", "/api/runs", body={}, headers=auth).json()["run_id"]
    same = [{"timestamp": "2026-11-30T10:00:00.000Z", "step": s, "epoch": s} for s in range(300)]
    before = [{"timestamp": "2026-11-30T09:59:59.999Z", "step": s, "epoch": -1} for s in range(3)]
    server.request("POST", f"/api/runs/{run_id}/metrics", body=same + before, headers=auth)
    server.request("POST", f"/api/runs/{run_id}/complete", body={}, headers=auth)  # flushes
    seen, cursor = [], None
    while True:
        page = server.ok(f"/api/runs/{run_id}/metrics?limit=7" + (f"&cursor={cursor}" if cursor else ""))
        seen += [(m["timestamp"], m["step"]) for m in page["metrics"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 303 == len(set(seen)) and seen == sorted(seen, reverse=True)


def test_random_parameters_on_every_route_never_500(recorded):
    import random
    server, run_id = recorded
    doc = server.ok("/api/openapi.json")
    rng = random.Random(13)
    junk = ["", "0", "-1", "1e9", "abc", "%00", "%ff%fe", "@", "@-5", "now", "-1h", "2026-02-30", "c1.0.0",
            run_id, "NaN", "9" * 40, "' OR 1=1 --", "<script>", "%0d%0aX: y", "\u00e9", "a" * 3000]
    for _ in range(400):
        path = rng.choice([p for p, item in doc["paths"].items() if "get" in item and not p.endswith("/events")])
        path = path.replace("{run_id}", rng.choice([run_id, run_id, UNKNOWN, "bad", "%2F"]))
        names = ["limit", "from", "to", "cursor", "field", "points", "format", "run", "run_id", "status",
                 "dataset", "start_time", "end_time", "after", "x"]
        query = "&".join(f"{rng.choice(names)}={urllib.parse.quote(rng.choice(junk), safe='%@')}"
                         for _ in range(rng.randint(0, 4)))
        a = server.get(path + ("?" + query if query else ""))
        assert a.status != 500 and a.status < 503, (path, query, a.status, a.body[:200])
        if a.status >= 400:
            error_of(a, a.status)
    assert server.ok("/api/health")["status"] == "ok"


def test_browsers_get_gzip_not_brotli(recorded):
    import gzip
    server, run_id = recorded
    plain = server.get(f"/api/runs/{run_id}/series?points=600")
    for path in (f"/api/runs/{run_id}/series?points=600", f"/api/runs/{run_id}/export?format=json"):
        a = server.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert a.status == 200 and a.headers["Content-Encoding"] == "gzip", path
        json.loads(gzip.decompress(a.body))
    a = server.get(f"/api/runs/{run_id}/series?points=600", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert json.loads(gzip.decompress(a.body)) == plain.json()
    assert server.get(f"/api/runs/{run_id}", headers={"Accept-Encoding": "br"}).headers["Content-Encoding"] is None
