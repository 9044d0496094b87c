"""The store API from Python, on both backends (see conftest.py)."""

import json
import math
import uuid
from datetime import datetime, timedelta, timezone

import pytest

import canopy_store

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def store_epochs(store, run, epochs, start=T0):
    """Stores one metric per epoch, a second apart; returns what was stored."""
    stored = []
    for epoch in range(1, epochs + 1):
        metric = {
            "timestamp": start + timedelta(seconds=epoch),
            "epoch": epoch,
            "train_loss": 1.0 / epoch,
            "train_accuracy": 0.5 + epoch / 100,
            "val_loss": 1.5 / epoch,
            "val_accuracy": 0.4 + (epoch % 7) / 100,  # best at epoch 6
            "learning_rate": 0.01,
            "hidden_units": epoch // 3,
        }
        store.store_metric(run, metric)
        stored.append(metric)
    return stored


def test_run_lifecycle_create_store_complete_query(store):
    run = store.create_run(dataset_name="two_spirals", config={"lr": 0.01, "patience": 8},
                           tags={"owner": "py"}, notes="first")
    assert isinstance(run, uuid.UUID)
    stored = store_epochs(store, run, 10)
    store.complete_run(run)

    got = store.get_run(run)
    assert got["run_id"] == run
    assert got["status"] == "completed"
    assert got["dataset_name"] == "two_spirals"
    assert json.loads(got["config_json"]) == {"lr": 0.01, "patience": 8}
    assert got["tags"] == {"owner": "py"}
    assert got["notes"] == "first"
    assert got["final_epoch"] == 10
    assert got["final_train_loss"] == pytest.approx(stored[-1]["train_loss"])
    assert got["best_val_accuracy"] == pytest.approx(0.46)
    assert got["best_epoch"] == 6
    assert got["total_hidden_units"] == 3
    assert got["start_time"].tzinfo is not None and got["start_time"].utcoffset() == timedelta(0)
    assert got["end_time"] >= got["start_time"]
    assert got["duration_seconds"] >= 0

    metrics = store.query_metrics(run)
    assert [m["epoch"] for m in metrics] == list(range(10, 0, -1))  # newest first
    newest = metrics[0]
    assert newest["timestamp"] == stored[-1]["timestamp"]
    assert newest["train_loss"] == pytest.approx(0.1)
    assert newest["hidden_units"] == 3
    assert isinstance(newest["step"], int)


def test_create_run_with_given_id_and_reference_signature(store):
    run_id = uuid.uuid4()
    assert store.create_run(run_id, "mnist", '{"raw": true}') == run_id
    got = store.get_run(str(run_id))  # a str run id works too
    assert got["status"] == "running"
    assert got["config_json"] == '{"raw": true}'
    assert got["end_time"] is None and got["final_epoch"] is None


def test_store_metric_accepts_keywords_and_str_run_id(store):
    run = store.create_run(dataset_name="d")
    store.store_metric(str(run), epoch=1, train_loss=0.5)
    store.store_metric(run, {"epoch": 2}, val_loss=0.25)
    store.flush_metrics()
    metrics = store.query_metrics(run)
    assert sorted((m["epoch"], m["train_loss"], m["val_loss"]) for m in metrics) == [
        (1, 0.5, None), (2, None, 0.25)]


def test_query_metrics_limit_keeps_the_newest(store):
    run = store.create_run(dataset_name="d")
    store_epochs(store, run, 20)
    store.flush_metrics()
    assert [m["epoch"] for m in store.query_metrics(run, limit=3)] == [20, 19, 18]


def test_query_metrics_time_range_is_half_open(store):
    run = store.create_run(dataset_name="d")
    store_epochs(store, run, 10)  # epoch e at T0 + e seconds
    store.flush_metrics()
    got = store.query_metrics(run, start_time=T0 + timedelta(seconds=3), end_time=T0 + timedelta(seconds=6))
    assert [m["epoch"] for m in got] == [5, 4, 3]
    only_start = store.query_metrics(run, start_time=T0 + timedelta(seconds=9))
    assert [m["epoch"] for m in only_start] == [10, 9]
    # Seconds since the epoch work as bounds too.
    only_end = store.query_metrics(run, end_time=(T0 + timedelta(seconds=3)).timestamp())
    assert [m["epoch"] for m in only_end] == [2, 1]


def test_iter_metrics_pages_through_every_metric(store):
    run = store.create_run(dataset_name="d")
    store_epochs(store, run, 25)
    store.flush_metrics()
    assert [m["epoch"] for m in store.iter_metrics(run, page_size=7)] == list(range(25, 0, -1))


def test_list_runs_newest_first_with_limit_and_status(store):
    runs = [store.create_run(dataset_name=name, start_time=T0 + timedelta(minutes=i))
            for i, name in enumerate(["a", "b", "a"])]
    store.complete_run(runs[1], {"final_epoch": 7})
    assert [r["run_id"] for r in store.list_runs()] == runs[::-1]
    assert [r["run_id"] for r in store.list_runs(limit=2)] == [runs[2], runs[1]]
    assert [r["run_id"] for r in store.list_runs(status="completed")] == [runs[1]]
    assert [r["run_id"] for r in store.list_runs(status="running")] == [runs[2], runs[0]]
    assert [r["run_id"] for r in store.list_runs_by_dataset("a")] == [runs[2], runs[0]]
    assert store.get_run(runs[1])["final_epoch"] == 7


def test_unknown_run_is_none_and_has_no_metrics(store):
    unknown = uuid.uuid4()
    assert store.get_run(unknown) is None
    assert store.query_metrics(unknown) == []
    assert store.query_topology(unknown) == []


def test_complete_unknown_run_raises_not_found(store):
    unknown = uuid.uuid4()
    with pytest.raises(canopy_store.NotFound) as raised:
        store.complete_run(unknown)
    assert str(unknown) in str(raised.value)
    assert isinstance(raised.value, LookupError)


def test_bad_uuid_raises_invalid_argument_naming_it(store):
    with pytest.raises(canopy_store.InvalidArgument) as raised:
        store.get_run("not-a-uuid")
    assert "run_id" in str(raised.value) and "not-a-uuid" in str(raised.value)
    assert isinstance(raised.value, ValueError)
    with pytest.raises(canopy_store.InvalidArgument, match="expected a uuid.UUID or a str, got int"):
        store.store_metric(42, {"epoch": 1})


def test_bad_limit_raises_invalid_argument(store):
    with pytest.raises(canopy_store.InvalidArgument):
        store.list_runs(limit=0)
    with pytest.raises(canopy_store.InvalidArgument):
        store.query_metrics(uuid.uuid4(), limit=0)


def test_closed_store_raises_closed_error(store):
    run = store.create_run(dataset_name="d")
    store.close()
    assert store.closed
    for call in (lambda: store.store_metric(run, {"epoch": 1}), lambda: store.get_run(run),
                 lambda: store.list_runs(), lambda: store.flush_metrics(), lambda: store.counters()):
        with pytest.raises(canopy_store.ClosedError, match="closed"):
            call()
    store.close()  # idempotent
    assert "closed" in repr(store)


def test_counters_count_stored_and_written_metrics(store):
    before = store.counters()
    assert set(before) == {"stored", "written", "retried", "spooled", "replayed", "dropped", "spool_failures",
                           "spool_full"}
    run = store.create_run(dataset_name="d")
    store_epochs(store, run, 5)
    store.flush_metrics()
    after = store.counters()
    assert after["stored"] - before["stored"] == 5
    assert after["written"] - before["written"] >= 5
    assert after["dropped"] == 0


def test_request_latency_is_a_phase_on_cassandra_and_none_on_sqlite(store, backend):
    store.request_latency()
    run = store.create_run(dataset_name="d")
    store_epochs(store, run, 5)
    store.flush_metrics()
    latency = store.request_latency()
    if backend.name == "sqlite":
        assert latency is None
        return
    assert set(latency) == {"requests", "p50_ms", "p99_ms", "p999_ms", "max_ms"}
    assert latency["requests"] >= 2  # the run's rows and the metrics' batch
    assert 0 < latency["p50_ms"] <= latency["p99_ms"] <= latency["max_ms"]


def test_context_manager_closes_and_flushes(backend):
    with backend.open() as s:
        run = s.create_run(dataset_name="d")
        store_epochs(s, run, 3)
    assert s.closed
    with backend.open() as reopened:
        assert [m["epoch"] for m in reopened.query_metrics(run)] == [3, 2, 1]


def test_topology_round_trip(store):
    run = store.create_run(dataset_name="d")
    first = {"timestamp": T0, "epoch": 10, "input_size": 2, "output_size": 1, "hidden_units": 1,
             "total_parameters": 7, "topology_json": {"units": [[0, 1]]}}
    second = dict(first, timestamp=T0 + timedelta(seconds=5), epoch=20, hidden_units=2,
                  total_parameters=11, topology_json='{"units": [[0, 1], [0, 1, 2]]}')
    store.store_topology(run, first)
    store.store_topology(run, second)
    got = store.query_topology(run)
    assert [t["hidden_units"] for t in got] == [2, 1]
    assert got[1] == dict(first, run_id=run, topology_json='{"units": [[0, 1]]}')
    assert got[0]["topology_json"] == '{"units": [[0, 1], [0, 1, 2]]}'
    assert len(store.query_topology(run, limit=1)) == 1


def test_timestamps_are_utc_and_millisecond_precise(store):
    run = store.create_run(dataset_name="d")
    plus_two = timezone(timedelta(hours=2))
    local = datetime(2026, 3, 1, 14, 0, 1, 123456, tzinfo=plus_two)  # 12:00:01.123456Z
    store.store_metric(run, {"timestamp": local, "epoch": 1})
    store.store_metric(run, {"timestamp": T0.timestamp() + 2.5, "epoch": 2})  # float seconds
    store.flush_metrics()
    got = {m["epoch"]: m["timestamp"] for m in store.query_metrics(run)}
    assert got[1] == datetime(2026, 3, 1, 12, 0, 1, 123000, tzinfo=timezone.utc)
    assert got[1].utcoffset() == timedelta(0)
    assert got[2] == T0 + timedelta(seconds=2.5)


def test_naive_datetime_is_refused(store):
    run = store.create_run(dataset_name="d")
    with pytest.raises(canopy_store.InvalidArgument, match="naive datetime"):
        store.store_metric(run, {"timestamp": datetime(2026, 1, 1), "epoch": 1})


def test_metric_fields_are_checked(store):
    run = store.create_run(dataset_name="d")
    with pytest.raises(canopy_store.InvalidArgument, match='unknown field "trian_loss".*allowed: timestamp'):
        store.store_metric(run, {"trian_loss": 0.1})
    with pytest.raises(canopy_store.InvalidArgument, match="metric.train_loss: expected a number, got str"):
        store.store_metric(run, {"train_loss": "0.1"})
    with pytest.raises(canopy_store.InvalidArgument, match="metric.epoch: expected an int, got bool"):
        store.store_metric(run, {"epoch": True})
    with pytest.raises(canopy_store.InvalidArgument, match="metric.epoch: .* out of range"):
        store.store_metric(run, {"epoch": 2**40})
    with pytest.raises(canopy_store.InvalidArgument, match="final_metrics: unknown field"):
        store.complete_run(run, {"epoch": 3})


def test_nan_and_infinity_round_trip(store):
    run = store.create_run(dataset_name="d")
    store.store_metric(run, {"timestamp": T0, "train_loss": math.nan, "val_loss": math.inf})
    store.flush_metrics()
    [m] = store.query_metrics(run)
    assert math.isnan(m["train_loss"]) and m["val_loss"] == math.inf
    assert m["train_accuracy"] is None


def test_threads_store_concurrently_without_losing_metrics(store):
    import threading

    run = store.create_run(dataset_name="d")

    def produce(worker):
        for i in range(250):
            store.store_metric(run, {"timestamp": T0, "epoch": worker, "train_loss": float(i)})

    threads = [threading.Thread(target=produce, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.flush_metrics()
    metrics = list(store.iter_metrics(run))
    # Same timestamp for all: the per-run step keeps every one of them.
    assert len(metrics) == 1000
    assert len({m["step"] for m in metrics}) == 1000
    assert sorted(sum(1 for m in metrics if m["epoch"] == w) for w in range(4)) == [250] * 4


def test_store_dropped_without_close_flushes(backend):
    import gc

    s = backend.open()
    run = s.create_run(dataset_name="d")
    store_epochs(s, run, 4)
    del s
    gc.collect()
    with backend.open() as reopened:
        assert [m["epoch"] for m in reopened.query_metrics(run)] == [4, 3, 2, 1]


def test_cursor_of_a_closed_store_raises_closed_error(store):
    run = store.create_run(dataset_name="d")
    store_epochs(store, run, 5)
    store.flush_metrics()
    rows = store.iter_metrics(run, page_size=2)
    assert next(rows)["epoch"] == 5
    store.close()
    with pytest.raises(canopy_store.ClosedError):
        list(rows)
    del rows  # the cursor is released after its store closed


def test_threads_iterating_while_another_closes_all_get_closed_error(store):
    """Three threads page through a run while a fourth closes the store:
    each reader ends with ClosedError, never another exception."""
    import threading

    run = store.create_run(dataset_name="d")
    for i in range(2000):
        store.store_metric(run, epoch=i, timestamp=T0 + timedelta(milliseconds=i))
    store.flush_metrics()
    started = threading.Barrier(4)
    outcomes = []

    def read():
        started.wait()
        try:
            while True:
                for _ in store.iter_metrics(run, page_size=50):
                    pass
        except Exception as e:  # noqa: BLE001 - the class is what is checked
            outcomes.append(type(e).__name__)

    threads = [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    started.wait()
    store.close()
    for t in threads:
        t.join(timeout=120)
    assert outcomes == ["ClosedError"] * 3


def test_verify_run_reports_a_complete_run_and_an_unknown_one(store):
    run = store.create_run(dataset_name="d")
    store_epochs(store, run, 25)
    store.flush_metrics()
    report = store.verify_run(run)
    assert report["complete"] is True
    assert report["acknowledged"] == report["stored"] == 25
    assert report["first_step"] == 0 and report["last_step"] == 24
    assert report["missing"] == [] and report["missing_steps"] == 0
    assert report["ledger_entries"] == 1
    with pytest.raises(canopy_store.NotFound):
        store.verify_run(uuid.uuid4())
