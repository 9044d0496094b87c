"""canopy-store run management against the real Cassandra node (ctest
label: integration); deletes are checked with the Python cassandra-driver."""
import re
import uuid

from cassandra.cluster import Cluster

from cassandra_hosts import first_cassandra_host

UNKNOWN = "123e4567-e89b-12d3-a456-426614174000"


def demo(cli, seed):
    p = cli.run("demo", "--quiet", "--no-plot", "--seed", str(seed))
    return re.search(r"^Run ([0-9a-f-]{36})", p.stdout, re.M).group(1)


def rows_of_run(keyspace, run_id):
    """Rows holding the run in every table of the keyspace with a run_id column."""
    cluster = Cluster([first_cassandra_host()], protocol_version=4)
    session = cluster.connect()
    tables = [r.table_name for r in session.execute(
        "SELECT table_name FROM system_schema.columns WHERE keyspace_name = %s AND column_name = 'run_id' "
        "ALLOW FILTERING", (keyspace,))]
    counts = {t: session.execute(f"SELECT count(*) FROM {keyspace}.{t} WHERE run_id = %s ALLOW FILTERING",
                                 (uuid.UUID(run_id),)).one()[0] for t in tables}
    cluster.shutdown()
    return counts


def test_tag_complete_reap_delete_on_cassandra(cassandra_cli):
    cli = cassandra_cli
    keyspace = re.search(r"keyspace: (\S+)", open(cli.prefix[1]).read()).group(1)
    gone, kept = demo(cli, 1), demo(cli, 2)
    cli.run("runs", "tag", gone, "+owner=ana", "-seed")
    cli.run("runs", "note", gone, "to be deleted")
    listed = cli.json("runs", "list", "--tag", "owner=ana", "--status", "completed", "--format", "json")
    assert [r["run_id"] for r in listed] == [gone]
    assert listed[0]["notes"] == "to be deleted"
    before = cli.json("runs", "show", kept, "--format", "json")
    after = cli.json("runs", "complete", kept, "--status", "stopped", "--format", "json")
    for key in ("final_epoch", "final_val_accuracy", "best_val_accuracy", "best_epoch", "total_hidden_units"):
        assert after[key] == before[key], key
    assert "Dry run: 0 run(s)" in cli.run("runs", "reap", "--older-than", "2h").stderr

    counts = rows_of_run(keyspace, gone)
    assert {"training_metrics", "training_runs", "runs_by_time", "network_topology", "metric_rollups",
            "rollup_chunks", "run_ledger"} <= set(counts)
    for table in ("training_metrics", "training_runs", "runs_by_time", "network_topology", "metric_rollups",
                  "run_ledger"):
        assert counts[table] > 0, (table, counts)
    kept_before = rows_of_run(keyspace, kept)
    cli.run("runs", "delete", "--yes", gone)
    assert set(rows_of_run(keyspace, gone).values()) == {0}
    assert rows_of_run(keyspace, kept) == kept_before
    assert [r["run_id"] for r in cli.json("runs", "list", "--format", "json")] == [kept]
    assert cli.json("runs", "list", "--dataset", "two_spirals", "--format", "json")[0]["run_id"] == kept
    cli.run("runs", "delete", "--yes", gone, expect=3)
    cli.run("runs", "delete", "--yes", UNKNOWN, expect=3)
