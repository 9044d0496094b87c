"""store_metrics, the bulk form of store_metric (lists of dicts, columns),
and store_metric's direct path to C++, on the embedded backend."""

from datetime import datetime, timedelta, timezone

import pytest

import canopy_store
from conftest import sqlite_config

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def rows(store, run):
    store.flush_metrics()
    return sorted(((m["step"], m["epoch"], m["train_loss"], m["val_accuracy"]) for m in store.query_metrics(run)))


def test_a_list_of_dicts_is_stored_in_order_like_single_calls(sqlite_store):
    store = sqlite_store
    bulk, single = store.create_run(dataset_name="d"), store.create_run(dataset_name="d")
    metrics = [{"timestamp": T0 + timedelta(seconds=i), "epoch": i, "train_loss": 1.0 / (i + 1)} for i in range(250)]
    metrics[7]["val_accuracy"] = 0.75
    assert store.store_metrics(bulk, metrics) == 250
    for m in metrics:
        store.store_metric(single, m)
    assert rows(store, bulk) == rows(store, single)
    assert [r[0] for r in rows(store, bulk)] == list(range(250))  # steps in list order
    assert rows(store, bulk)[7][3] == 0.75


def test_columns_are_stored_like_dicts_with_none_as_not_recorded(sqlite_store):
    store = sqlite_store
    run = store.create_run(dataset_name="d")
    n = store.store_metrics(run, columns={"epoch": [1, 2, 3], "train_loss": (0.5, None, 0.25),
                                          "timestamp": [T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=2)]})
    assert n == 3
    assert rows(store, run) == [(0, 1, 0.5, None), (1, 2, None, None), (2, 3, 0.25, None)]


def test_keys_that_are_not_interned_strings_are_found(sqlite_store):
    store = sqlite_store
    run = store.create_run(dataset_name="d")
    key = "".join(["train_", "loss"])  # built at run time: not the interned literal
    store.store_metrics(run, [{key: 0.5, "epoch": 1}])
    store.store_metric(run, {key: 0.25, "epoch": 2})
    assert [r[1:3] for r in rows(store, run)] == [(1, 0.5), (2, 0.25)]


def test_a_bad_metric_names_index_and_field_and_nothing_is_stored(sqlite_store):
    store = sqlite_store
    run = store.create_run(dataset_name="d")
    metrics = [{"epoch": i, "train_loss": 0.1} for i in range(20)]
    metrics[12]["train_loss"] = "0.1"
    with pytest.raises(canopy_store.InvalidArgument, match=r"metrics\[12\]\.train_loss: expected a number, got str"):
        store.store_metrics(run, metrics)
    metrics[12] = {"epoch": 12, "trian_loss": 0.1}
    with pytest.raises(canopy_store.InvalidArgument, match=r'metrics\[12\]: unknown field "trian_loss"'):
        store.store_metrics(run, metrics)
    metrics[12] = 5
    with pytest.raises(canopy_store.InvalidArgument, match=r"metrics\[12\]: expected a dict, got int"):
        store.store_metrics(run, metrics)
    with pytest.raises(canopy_store.InvalidArgument, match=r"columns\.epoch\[1\]: expected an int, got bool"):
        store.store_metrics(run, columns={"epoch": [1, True]})
    with pytest.raises(canopy_store.InvalidArgument, match=r"columns\.epoch\[0\]: .* out of range"):
        store.store_metrics(run, columns={"epoch": [2**40]})
    with pytest.raises(canopy_store.InvalidArgument, match=r"columns\.train_loss: 1 values, but epoch has 2"):
        store.store_metrics(run, columns={"epoch": [1, 2], "train_loss": [0.5]})
    with pytest.raises(canopy_store.InvalidArgument, match="either metrics .* or columns"):
        store.store_metrics(run, [{"epoch": 1}], columns={"epoch": [1]})
    with pytest.raises(canopy_store.InvalidArgument, match="either metrics .* or columns"):
        store.store_metrics(run)
    store.flush_metrics()
    assert store.counters()["stored"] == 0
    assert store.query_metrics(run) == []


def test_an_error_while_storing_says_how_many_were_stored(tmp_path):
    # One 4 MiB spool segment at most, every metric spooled: the segment
    # holds about 34,000 records, the next one is refused.
    config = sqlite_config(tmp_path)
    config["writer"].update({"durability": "spool_each", "spool_max_bytes": 4 * 1024 * 1024})
    with canopy_store.open(config, environment={}) as store:
        run = store.create_run(dataset_name="d")
        with pytest.raises(canopy_store.SpoolFullError,
                           match=r"store_metrics: (\d+) of 40000 metric\(s\) stored, then metrics\[\1\]: .*spool is full") \
                as info:
            store.store_metrics(run, columns={"epoch": list(range(40_000))})
        stored = int(str(info.value).split(":")[1].split()[0])
        assert 0 < stored < 40_000
        assert store.counters()["stored"] == stored


def test_store_metric_takes_none_and_other_mappings(sqlite_store):
    store = sqlite_store
    run = store.create_run(dataset_name="d")
    store.store_metric(run, None, epoch=1)
    store.store_metric(run, [("epoch", 2)])  # what dict() takes, as before
    store.store_metric(str(run), {"epoch": 3})
    assert [r[1] for r in rows(store, run)] == [1, 2, 3]
    with pytest.raises(canopy_store.InvalidArgument, match="metric.epoch: expected an int, got float"):
        store.store_metric(run, {"epoch": 1.5})


def test_the_remembered_run_id_follows_the_argument(sqlite_store):
    store = sqlite_store
    a, b = store.create_run(dataset_name="a"), store.create_run(dataset_name="b")
    for i in range(3):
        store.store_metric(a, epoch=i)
        store.store_metric(b, epoch=10 + i)
        store.store_metric(str(a), epoch=20 + i)
    assert [r[1] for r in rows(store, a)] == [0, 20, 1, 21, 2, 22]
    assert [r[1] for r in rows(store, b)] == [10, 11, 12]
