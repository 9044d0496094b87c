"""Methods that wait release the GIL: other Python threads keep running.

The proof needs no timing assumption: the flush below can only finish after
the main Python thread releases a SQLite write lock it holds. If the flush
held the GIL while it waits, the main thread could not run to release the
lock and the flush would end in FlushError at its timeout instead."""

import sqlite3
import threading

import canopy_store


def test_flush_releases_the_gil_while_it_waits(sqlite_store, tmp_path):
    store = sqlite_store
    run = store.create_run(dataset_name="d")
    store.flush_metrics()

    blocker = sqlite3.connect(tmp_path / "metrics.db", isolation_level=None, timeout=60)
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock: the store's writes must wait

    store.store_metric(run, {"epoch": 1, "train_loss": 0.5})
    flushing = threading.Event()
    outcome = []

    def flush():
        flushing.set()
        try:
            store.flush_metrics(timeout=120)
            outcome.append("flushed")
        except canopy_store.FlushError as e:
            outcome.append(e)

    thread = threading.Thread(target=flush)
    thread.start()
    assert flushing.wait(60)
    # This thread runs Python while the flush is pending...
    thread.join(0.5)
    assert thread.is_alive(), "the flush finished while the database was locked"
    progress = sum(range(100_000))  # ...and keeps running Python code
    blocker.execute("COMMIT")  # only now can the flush succeed
    blocker.close()
    thread.join(180)
    assert progress == 4_999_950_000
    assert outcome == ["flushed"]
    assert [m["epoch"] for m in store.query_metrics(run)] == [1]
