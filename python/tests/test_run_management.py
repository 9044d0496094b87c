"""update_run, delete_run, reap_runs and the combined list_runs filters, on
both backends (the `store` fixture); complete_run from a second store."""

from datetime import datetime, timedelta, timezone

import pytest

import canopy_store

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_update_run_edits_tags_and_notes_and_list_filters_by_them(store):
    a = store.create_run(dataset_name="iris", tags={"owner": "ana", "seed": "1"}, start_time=T0)
    b = store.create_run(dataset_name="iris", tags={"owner": "bob"}, start_time=T0 + timedelta(days=40))
    run = store.update_run(a, set_tags={"stage": "dev"}, remove_tags=["seed"], notes="baseline")
    assert run["tags"] == {"owner": "ana", "stage": "dev"} and run["notes"] == "baseline"
    assert store.get_run(a)["tags"] == {"owner": "ana", "stage": "dev"}
    assert [r["run_id"] for r in store.list_runs(tags={"stage": "dev"})] == [a]
    assert [r["run_id"] for r in store.list_runs(tags={"owner": "bob"}, dataset="iris", status="running")] == [b]
    assert [r["run_id"] for r in store.list_runs(started_from=T0 + timedelta(days=1))] == [b]
    assert [r["run_id"] for r in store.list_runs(started_before=T0 + timedelta(days=1))] == [a]
    assert store.update_run(b, clear_tags=True)["tags"] == {}
    with pytest.raises(canopy_store.NotFound):
        store.update_run("123e4567-e89b-12d3-a456-426614174000", notes="x")
    with pytest.raises(canopy_store.InvalidArgument):
        store.update_run(a, set_tags={"": "x"})


def test_delete_run_removes_it_and_unknown_is_not_found(store):
    gone = store.create_run(dataset_name="xor", start_time=T0)
    kept = store.create_run(dataset_name="xor", start_time=T0 + timedelta(seconds=1))
    for run in (gone, kept):
        for i in range(50):
            store.store_metric(run, epoch=i, timestamp=T0 + timedelta(milliseconds=i), val_accuracy=i / 50)
    store.delete_run(gone)
    assert store.get_run(gone) is None
    assert store.query_metrics(gone) == []
    assert [r["run_id"] for r in store.list_runs()] == [kept]
    assert len(store.query_metrics(kept)) == 50
    with pytest.raises(canopy_store.NotFound):
        store.delete_run(gone)


def test_reap_runs_marks_only_stale_running_runs_failed(store):
    now = datetime.now(timezone.utc)
    stale = store.create_run(start_time=now - timedelta(hours=5))
    store.store_metric(stale, epoch=3, timestamp=now - timedelta(hours=4))
    fresh = store.create_run(start_time=now - timedelta(minutes=5))
    assert [r["run_id"] for r in store.reap_runs(timedelta(hours=2))] == [stale]
    assert store.get_run(stale)["status"] == "running"
    reaped = store.reap_runs(7200, dry_run=False)
    assert [r["run_id"] for r in reaped] == [stale] and reaped[0]["status"] == "failed"
    assert reaped[0]["final_epoch"] == 3
    assert store.get_run(fresh)["status"] == "running"


def test_complete_run_from_a_second_store_derives_the_figures(backend):
    writer = backend.open()
    run = writer.create_run(start_time=T0)
    for i in range(20):
        writer.store_metric(run, epoch=i, timestamp=T0 + timedelta(seconds=i), val_accuracy=[0.1, 0.9, 0.5][i % 3],
                            hidden_units=i // 4)
    writer.flush_metrics()
    other = backend.open()
    other.complete_run(run, status="stopped")
    got = other.get_run(run)
    assert (got["status"], got["final_epoch"], got["best_val_accuracy"], got["best_epoch"],
            got["total_hidden_units"]) == ("stopped", 19, 0.9, 1, 4)
    other.close()
    writer.close()
