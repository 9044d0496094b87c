"""canopy-store runs tag | note | complete | reap | delete and the combined
listing filters, on the embedded store (checked with sqlite3 directly)."""
import re
import sqlite3

import pytest

UNKNOWN = "123e4567-e89b-12d3-a456-426614174000"


def demo(cli, seed):
    p = cli.run("demo", "--quiet", "--no-plot", "--seed", str(seed))
    return re.search(r"^Run ([0-9a-f-]{36})", p.stdout, re.M).group(1)


@pytest.fixture
def runs(cli):
    return [demo(cli, seed) for seed in (1, 2, 3)]


def rows_of_run(db_path, run_id):
    """Rows holding the run in every table that has a run_id column."""
    db = sqlite3.connect(db_path)
    key = bytes.fromhex(run_id.replace("-", ""))
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
              if any(c[1] == "run_id" for c in db.execute(f"PRAGMA table_info({r[0]})"))]
    counts = {t: db.execute(f"SELECT count(*) FROM {t} WHERE run_id = ?", (key,)).fetchone()[0] for t in tables}
    db.close()
    return counts


def test_tag_adds_overwrites_removes_and_list_filters_by_tag(cli, runs):
    a, b, _ = runs
    out = cli.run("runs", "tag", a, "+owner=ana", "stage=dev", "-seed").stdout
    assert "owner=ana" in out and "stage=dev" in out and "seed=" not in out
    cli.run("runs", "tag", b, "+owner=bob", "+stage=dev")
    cli.run("runs", "tag", a, "stage=prod")
    assert cli.json("runs", "show", a, "--format", "json")["tags"] == {
        "owner": "ana", "stage": "prod", "source": "canopy-store demo"}
    listed = cli.json("runs", "list", "--tag", "stage=dev", "--format", "json")
    assert [r["run_id"] for r in listed] == [b]
    both = cli.json("runs", "list", "--tag", "owner=ana", "--tag", "stage=prod", "--format", "json")
    assert [r["run_id"] for r in both] == [a]
    assert cli.json("runs", "list", "--tag", "owner=ana", "--tag", "stage=dev", "--format", "json") == []
    # --clear with changes sets exactly those tags.
    assert cli.run("runs", "tag", a, "--clear", "only=this").stdout.split() == ["only=this"]


def test_tag_and_note_errors(cli, runs):
    p = cli.run("runs", "tag", UNKNOWN, "+a=b", expect=3)
    assert UNKNOWN in p.stderr
    assert "=x" in cli.run("runs", "tag", runs[0], "=x", expect=2).stderr
    assert "--tag" in cli.run("runs", "list", "--tag", "novalue", expect=2).stderr
    cli.run("runs", "note", UNKNOWN, "text", expect=3)


def test_note_replaces_and_clears(cli, runs):
    cli.run("runs", "note", runs[0], "lr too high; rerun with 0.05")
    assert cli.json("runs", "show", runs[0], "--format", "json")["notes"] == "lr too high; rerun with 0.05"
    cli.run("runs", "note", runs[0], "")
    assert cli.json("runs", "show", runs[0], "--format", "json")["notes"] == ""


def test_complete_from_another_process_derives_the_writers_figures(cli, runs):
    before = cli.json("runs", "show", runs[0], "--format", "json")
    after = cli.json("runs", "complete", runs[0], "--status", "stopped", "--format", "json")
    assert after["status"] == "stopped"
    for key in ("final_epoch", "final_train_loss", "final_val_accuracy", "best_val_accuracy", "best_epoch",
                "total_hidden_units", "total_parameters"):
        assert after[key] == before[key], key
    assert "--status" in cli.run("runs", "complete", runs[0], "--status", "done", expect=2).stderr
    cli.run("runs", "complete", UNKNOWN, expect=3)


def test_reap_is_a_dry_run_unless_yes(cli, runs):
    p = cli.run("runs", "reap", "--older-than", "2h")
    assert "Dry run: 0 run(s)" in p.stderr  # the demo runs are completed
    assert "--older-than" in cli.run("runs", "reap", "--older-than", "soon", expect=2).stderr
    assert "--older-than" in cli.run("runs", "reap", "--older-than", "0", expect=2).stderr
    assert "0 run(s) marked failed" in cli.run("runs", "reap", "--older-than", "1m", "--yes").stderr


def test_list_filters_combine_and_page_with_after(cli, runs):
    cli.run("runs", "complete", runs[1], "--status", "failed")
    everything = [r["run_id"] for r in cli.json("runs", "list", "--format", "json")]
    assert sorted(everything) == sorted(runs)
    paged, after = [], []
    while True:
        page = cli.json("runs", "list", "--limit", "1", *after, "--format", "json")
        if not page:
            break
        paged.append(page[0]["run_id"])
        after = ["--after", page[0]["run_id"]]
    assert paged == everything
    failed = cli.json("runs", "list", "--status", "failed", "--dataset", "two_spirals", "--format", "json")
    assert [r["run_id"] for r in failed] == [runs[1]]
    assert cli.json("runs", "list", "--status", "failed", "--dataset", "xor", "--format", "json") == []
    assert cli.json("runs", "list", "--to", "2000-01-01T00:00:00Z", "--format", "json") == []
    assert len(cli.json("runs", "list", "--from", "2000-01-01T00:00:00Z", "--format", "json")) == 3
    cli.run("runs", "list", "--after", UNKNOWN, expect=3)
    assert "More runs may follow: add --after" in cli.run("runs", "list", "--limit", "2").stderr


def test_delete_asks_then_removes_every_row_of_the_run(cli, runs, tmp_path):
    db = str(tmp_path / "metrics.db")
    gone, kept, _ = runs
    assert all(n > 0 for n in rows_of_run(db, gone).values()), rows_of_run(db, gone)
    kept_before = rows_of_run(db, kept)
    p = cli.run("runs", "delete", gone, input="n\n", expect=1)
    assert "nothing deleted" in p.stderr
    assert rows_of_run(db, gone)["training_metrics"] > 0
    cli.run("runs", "delete", gone, input="y\n")
    assert set(rows_of_run(db, gone).values()) == {0}
    assert rows_of_run(db, kept) == kept_before
    cli.run("runs", "show", gone, expect=3)
    # Unknown runs: exit 3 before anything is deleted, also when listed with known ones.
    p = cli.run("runs", "delete", "--yes", kept, UNKNOWN, expect=3)
    assert UNKNOWN in p.stderr and "nothing deleted" in p.stderr
    assert rows_of_run(db, kept) == kept_before
    cli.run("runs", "delete", "--yes", gone, expect=3)
    assert "RUN" in cli.run("runs", "delete", "--yes", "not-a-uuid", expect=2).stderr
