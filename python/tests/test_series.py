"""series, summary, compare and paged list_runs through the bindings, on
both backends: the same answers the read API serves."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

import canopy_store

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def record(store, run, n, first_epoch=0):
    for i in range(n):
        store.store_metric(run, {"timestamp": T0 + timedelta(milliseconds=first_epoch + i),
                                 "epoch": first_epoch + i,
                                 "val_accuracy": 0.5 + (0.4 if i == n // 2 else 0.0) + i / (10 * n),
                                 "train_loss": 1 / (i + 1)})
    store.flush_metrics()


def test_series_is_exact_when_it_fits_and_m4_when_not(store):
    run = store.create_run(dataset_name="py")
    record(store, run, 5000)
    exact = store.series(run, "val_accuracy", points=5000)
    assert exact["exact"] is True and exact["values"] == 5000 and len(exact["points"]) == 5000
    assert [p["epoch"] for p in exact["points"]] == list(range(5000))
    assert exact["points"][0]["timestamp"] == T0

    small = store.series(run, "val_accuracy", points=50)
    assert small["exact"] is False and small["values"] == 5000
    assert len(small["points"]) <= 200
    assert max(p["value"] for p in small["points"]) == max(p["value"] for p in exact["points"])  # the spike

    ranged = store.series(run, "val_accuracy", 10_000, T0 + timedelta(milliseconds=100),
                          T0 + timedelta(milliseconds=200))
    assert [p["epoch"] for p in ranged["points"]] == list(range(100, 200))


def test_series_refuses_unknown_field_and_bad_points(store):
    run = store.create_run()
    with pytest.raises(canopy_store.InvalidArgument, match="val_acc"):
        store.series(run, "val_acc", 10)
    with pytest.raises(canopy_store.InvalidArgument, match="points"):
        store.series(run, "val_accuracy", 0)
    with pytest.raises(canopy_store.InvalidArgument):
        store.series("not-a-uuid", "val_accuracy", 10)


def test_summary_and_compare(store):
    a = store.create_run(dataset_name="py")
    b = store.create_run(dataset_name="py")
    record(store, a, 300)
    record(store, b, 100, first_epoch=50)
    s = store.summary(a)
    assert s["metrics"] == 300
    acc = s["fields"]["val_accuracy"]
    assert acc["best"] == acc["max"] and acc["best_epoch"] == 150
    assert s["fields"]["train_loss"]["best"] == pytest.approx(1 / 300)
    assert s["fields"]["learning_rate"]["count"] == 0 and s["fields"]["learning_rate"]["mean"] is None
    assert store.summary(uuid.uuid4())["metrics"] == 0

    c = store.compare([a, b], "val_accuracy", 1000)
    assert c["runs"] == [a, b]
    assert c["epochs"] == list(range(300))
    assert c["values"][1][0] is None and c["values"][1][50] is not None
    assert len(c["summaries"]) == 2
    with pytest.raises(canopy_store.InvalidArgument):
        store.compare([], "val_accuracy", 10)


def test_list_runs_pages_with_after_and_combines_filters(store):
    ids = []
    for i in range(7):
        ids.append(store.create_run(dataset_name="even" if i % 2 == 0 else "odd",
                                    start_time=T0 + timedelta(seconds=i)))
    seen, after = [], None
    while True:
        page = store.list_runs(3, after=after)
        seen += [r["run_id"] for r in page]
        if len(page) < 3:
            break
        after = page[-1]["run_id"]
    assert seen == ids[::-1]  # newest first, no gap, no repeat
    evens = store.list_runs(100, "running", dataset="even")
    assert len(evens) == 4 and all(r["dataset_name"] == "even" for r in evens)
    with pytest.raises(canopy_store.NotFound):
        store.list_runs(3, after=uuid.uuid4())
