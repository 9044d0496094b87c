"""C++ exceptions arrive as the matching canopy_store class, with the C++
message and attributes (embedded backend; Cassandra's are in
test_cassandra_manager.py)."""

import sqlite3

import pytest

import canopy_store


def test_unopenable_database_raises_unavailable_with_sqlite_code(tmp_path):
    with pytest.raises(canopy_store.Unavailable) as raised:
        canopy_store.open({"backend.embedded.path": tmp_path}, environment={})  # a directory
    assert str(tmp_path) in str(raised.value)
    assert raised.value.code == 14  # SQLITE_CANTOPEN
    assert isinstance(raised.value, canopy_store.BackendError)


def test_flush_that_cannot_finish_raises_flush_error_and_keeps_the_metric(sqlite_store, tmp_path):
    store = sqlite_store
    run = store.create_run(dataset_name="d")
    store.flush_metrics()
    blocker = sqlite3.connect(tmp_path / "metrics.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # no write can succeed until COMMIT
    store.store_metric(run, {"epoch": 1})
    with pytest.raises(canopy_store.FlushError) as raised:
        store.flush_metrics(timeout=0.2)
    assert str(raised.value)  # says why
    blocker.execute("COMMIT")
    blocker.close()
    store.flush_metrics()  # the kept metric goes out now
    assert [m["epoch"] for m in store.query_metrics(run)] == [1]


def test_bad_timeout_raises_invalid_argument(sqlite_store):
    with pytest.raises(canopy_store.InvalidArgument, match="timeout"):
        sqlite_store.flush_metrics(timeout=-1)
    with pytest.raises(canopy_store.InvalidArgument, match="timeout: expected seconds or a datetime.timedelta"):
        sqlite_store.flush_metrics(timeout="soon")


def test_wrong_python_type_for_plain_argument_raises_type_error(sqlite_store):
    with pytest.raises(TypeError):
        sqlite_store.list_runs(limit="3")
