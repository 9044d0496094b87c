"""Endpoint cases run on every backend: test_http.py (SQLite) and
test_http_cassandra.py (the real Cassandra node) import them and define the
`backend` fixture (a conftest.Store)."""
import json
import threading
import time
import uuid

import pytest

from conftest import sse_events

UNKNOWN = "00000000-0000-0000-0000-0000000000aa"


@pytest.fixture
def recorded(backend):
    """A store with one demo run, served: (server, run_id)."""
    run_id = backend.demo()
    return backend.serve(), run_id


def error_of(answer, status, parameter=None):
    assert answer.status == status, (answer.status, answer.body[:300])
    body = answer.json()
    assert set(body) == {"detail", "error"}
    assert set(body["error"]) == {"code", "message", "parameter"}
    if parameter is not None:
        assert body["error"]["parameter"] == parameter, body
    return body


def test_runs_list_and_paging(recorded, backend):
    server, run_id = recorded
    page = server.ok("/api/runs?limit=1")
    assert page["count"] == 1 and page["runs"][0]["run_id"] == run_id
    assert set(page) == {"runs", "count", "next_cursor"}
    run = page["runs"][0]
    for field in ("run_id", "start_time", "end_time", "duration_seconds", "status", "dataset_name",
                  "config_json", "final_epoch", "best_val_accuracy", "total_hidden_units", "tags", "notes"):
        assert field in run
    assert server.ok("/api/runs?status=completed")["runs"][0]["run_id"] == run_id
    assert server.ok("/api/runs?status=running")["runs"] == []
    assert server.ok("/api/runs?dataset=two_spirals")["count"] == 1
    assert server.ok("/api/runs?dataset=nothing")["count"] == 0
    assert server.ok(f"/api/runs?cursor={run_id}")["runs"] == []
    error_of(server.get("/api/runs?limit=0"), 400, "limit")
    error_of(server.get("/api/runs?limit=abc"), 400, "limit")
    error_of(server.get("/api/runs?cursor=zzz"), 400, "cursor")
    error_of(server.get("/api/runs?limt=3"), 400, "limt")
    # Tags (the demo's seed is 1) and the start-time range combine with the rest.
    assert server.ok("/api/runs?tag=seed:1&status=completed")["count"] == 1
    assert server.ok("/api/runs?tag=seed%3D1")["count"] == 1  # the CLI's key=value, encoded
    assert server.ok("/api/runs?tag=seed:1&tag=source:nothing")["count"] == 0
    assert server.ok("/api/runs?tag=seed:2")["count"] == 0
    assert server.ok("/api/runs?from=-1d&dataset=two_spirals")["count"] == 1
    assert server.ok("/api/runs?to=-1d")["count"] == 0
    error_of(server.get("/api/runs?tag=seed"), 400, "tag")
    error_of(server.get("/api/runs?tag=seed:1&tag=seed:2"), 400, "tag")
    error_of(server.get("/api/runs?from=yesterday"), 400, "from")


def test_run_detail_topology_and_unknown_runs(recorded):
    server, run_id = recorded
    detail = server.ok(f"/api/runs/{run_id}")
    assert detail["run"]["run_id"] == run_id
    assert detail["metric_count"] == len(detail["metrics"]) > 0
    assert detail["metrics"][0]["timestamp"] >= detail["metrics"][-1]["timestamp"]
    topo = server.ok(f"/api/runs/{run_id}/topology")
    assert topo["count"] == len(topo["topology"]) > 0
    units = [t["hidden_units"] for t in topo["topology"]]
    assert units == sorted(units)
    assert isinstance(topo["topology"][0]["topology"], dict)
    assert server.ok(f"/api/runs/{run_id}/topology?limit=1")["count"] == 1
    assert error_of(server.get(f"/api/runs/{UNKNOWN}"), 404, "run_id")["detail"] == "Run not found"
    assert error_of(server.get("/api/runs/not-a-uuid"), 400, "run_id")["detail"] == "Invalid UUID"
    for sub in ("topology", "metrics", "series", "summary", "export", "events"):
        error_of(server.get(f"/api/runs/{UNKNOWN}/{sub}"), 404)
        error_of(server.get(f"/api/runs/bad/{sub}"), 400, "run_id")


def test_metrics_pages_cover_the_run_once(recorded):
    server, run_id = recorded
    total = server.ok(f"/api/runs/{run_id}/summary")["metrics"]
    seen, cursor, pages = [], None, 0
    while True:
        page = server.ok(f"/api/runs/{run_id}/metrics?limit=100" + (f"&cursor={cursor}" if cursor else ""))
        seen += [(m["timestamp"], m["step"]) for m in page["metrics"]]
        cursor = page["next_cursor"]
        pages += 1
        if not cursor:
            break
    assert len(seen) == total == len(set(seen))
    assert seen == sorted(seen, reverse=True)
    assert pages == (total + 99) // 100
    newest = server.ok(f"/api/runs/{run_id}/metrics?limit=1")["metrics"][0]
    since = server.ok(f"/api/runs/{run_id}/metrics?from={newest['timestamp']}")["metrics"]
    assert all(m["timestamp"] >= newest["timestamp"] for m in since)
    error_of(server.get(f"/api/runs/{run_id}/metrics?cursor=garbage"), 400, "cursor")
    error_of(server.get(f"/api/runs/{run_id}/metrics?from=yesterday"), 400, "from")
    error_of(server.get(f"/api/runs/{run_id}/metrics?limit=-1"), 400, "limit")


def test_manual_range_alias(recorded):
    server, run_id = recorded
    r = server.ok(f"/api/metrics/range?run_id={run_id}&limit=5")
    assert r["count"] == 5 and set(r) == {"metrics", "count"}
    newest = r["metrics"][0]["timestamp"]
    r = server.ok(f"/api/metrics/range?run_id={run_id}&start_time={newest}")
    assert all(m["timestamp"] >= newest for m in r["metrics"])
    assert server.ok(f"/api/metrics/range?run_id={run_id}&end_time=2000-01-01")["count"] == 0
    error_of(server.get(f"/api/metrics/range?run_id={run_id}&start_time=tuesday"), 400, "start_time")
    error_of(server.get(f"/api/metrics/range?run_id={run_id}&end_time=2026-13-01"), 400, "end_time")
    error_of(server.get("/api/metrics/range"), 400, "run_id")
    assert error_of(server.get("/api/metrics/range?run_id=xyz"), 400)["detail"] == "Invalid UUID"
    error_of(server.get(f"/api/metrics/range?run_id={UNKNOWN}"), 404)


def test_series_summary_compare(recorded, backend):
    server, run_id = recorded
    other = backend.demo()
    summary = server.ok(f"/api/runs/{run_id}/summary")
    assert summary["metrics"] > 0 and summary["run_id"] == run_id
    acc = summary["fields"]["val_accuracy"]
    assert acc["min"] <= acc["mean"] <= acc["max"] and acc["best"] == acc["max"]
    full = server.ok(f"/api/runs/{run_id}/series?field=val_accuracy&points=100000")
    assert full["exact"] and full["values"] == len(full["points"]) == acc["count"]
    small = server.ok(f"/api/runs/{run_id}/series?field=val_accuracy&points=10")
    assert not small["exact"] and len(small["points"]) <= 40
    values = [p["value"] for p in small["points"]]
    assert min(values) == acc["min"] and max(values) == acc["max"]  # M4 keeps the extremes
    assert server.ok(f"/api/runs/{run_id}/series?field=train_loss")["field"] == "train_loss"
    error_of(server.get(f"/api/runs/{run_id}/series?field=nope"), 400, "field")
    error_of(server.get(f"/api/runs/{run_id}/series?points=0"), 400, "points")
    error_of(server.get(f"/api/runs/{run_id}/series?points=100001"), 400, "points")
    error_of(server.get(f"/api/runs/{run_id}/series?to=later"), 400, "to")
    cmp = server.ok(f"/api/compare?run={run_id}&run={other}&field=train_loss&points=50")
    assert cmp["field"] == "train_loss" and cmp["runs"] == [run_id, other]
    assert len(cmp["values"]) == 2 and len(cmp["values"][0]) == len(cmp["epochs"])
    assert len(cmp["series"]) == len(cmp["summaries"]) == 2
    error_of(server.get("/api/compare"), 400, "run")
    error_of(server.get(f"/api/compare?run={run_id}&run={UNKNOWN}"), 404, "run")
    error_of(server.get(f"/api/compare?run={run_id}&field=x"), 400, "field")
    error_of(server.get("/api/compare?run=abc"), 400, "run")


def test_export_formats_stream_every_row(recorded):
    server, run_id = recorded
    total = server.ok(f"/api/runs/{run_id}/summary")["metrics"]
    csv = server.get(f"/api/runs/{run_id}/export?format=csv")
    assert csv.status == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert csv.headers["Transfer-Encoding"] == "chunked"
    lines = csv.text().splitlines()
    assert lines[0].startswith("timestamp,step,epoch,train_loss") and len(lines) == total + 1
    rows = server.get(f"/api/runs/{run_id}/export?format=json").json()
    assert len(rows) == total and rows[0]["timestamp"] >= rows[-1]["timestamp"]
    nd = server.get(f"/api/export?run_id={run_id}&format=ndjson")
    assert nd.headers["Content-Type"].startswith("application/x-ndjson")
    assert [json.loads(l) for l in nd.text().splitlines()] == rows
    assert server.get(f"/api/export?run_id={run_id}&format=json").json() == rows
    error_of(server.get(f"/api/runs/{run_id}/export?format=xml"), 400, "format")
    error_of(server.get(f"/api/export?run_id={run_id}&format=xls"), 400, "format")
    error_of(server.get("/api/export?format=csv"), 400, "run_id")
    error_of(server.get(f"/api/export?run_id={UNKNOWN}"), 404)


def test_health_and_unknown_paths(recorded):
    server, _ = recorded
    h = server.ok("/api/health")
    assert h["status"] == "ok" and set(h["counters"]) >= {"stored", "written", "dropped"}
    error_of(server.get("/api/nothing"), 404)
    error_of(server.get("/api/runs/x/y/z"), 404)
    a = server.request("DELETE", "/api/runs")
    error_of(a, 405)
    assert "GET" in a.headers["Allow"]
    error_of(server.request("PUT", "/api/health"), 405)


def test_events_follow_a_demo_in_another_process(backend):
    """SSE while `canopy-store demo` records in a second process."""
    server = backend.serve("--poll-interval", "100")
    demo = backend.popen("demo", "--quiet", "--no-plot", "--epoch-delay", "2")
    try:
        run_id = None
        deadline = time.time() + 120
        while not run_id and time.time() < deadline:
            runs = server.ok("/api/runs?status=running&limit=1")["runs"]
            run_id = runs[0]["run_id"] if runs else None
            time.sleep(0.05)
        assert run_id, "the demo's run never appeared"
        events, _ = sse_events(server.url, f"/api/runs/{run_id}/events?from=@0", timeout=120)
    finally:
        demo.wait(timeout=300)
    assert demo.returncode == 0, demo.stderr.read()
    kinds = [e[0] for e in events]
    assert kinds[0] == "run" and kinds[-1] == "run"
    assert events[-1][1]["status"] == "completed"
    metrics = [e for e in events if e[0] == "metric"]
    keys = [(e[1]["timestamp"], e[1]["step"]) for e in metrics]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    stored = server.ok(f"/api/runs/{run_id}/summary")["metrics"]
    assert len(metrics) == stored  # every metric, once, in order
    assert all(e[2] for e in metrics)  # each carries an id to resume from
    assert len([e for e in events if e[0] == "topology"]) == server.ok(f"/api/runs/{run_id}/topology")["count"]
