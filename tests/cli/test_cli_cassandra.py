"""canopy-store against the real Cassandra node (ctest label: integration)."""
import re


def test_demo_on_cassandra(cassandra_cli, tmp_path):
    p = cassandra_cli.run("demo", "--quiet", "--no-plot")
    run_id = re.search(r"^Run ([0-9a-f-]{36})", p.stdout, re.M).group(1)
    epochs = int(re.search(r"epochs trained\s+(\d+)", p.stdout).group(1))
    units = int(re.search(r"hidden units\s+(\d+)", p.stdout).group(1))
    assert "cassandra:" in p.stderr
    run = cassandra_cli.json("runs", "show", run_id, "--format", "json")
    assert run["status"] == "completed" and run["final_epoch"] == epochs
    assert len(cassandra_cli.json("export", run_id, "--format", "json")) == epochs
    assert len(cassandra_cli.json("runs", "show", run_id, "--topology", "--format", "json")) == units
    listed = cassandra_cli.json("runs", "list", "--format", "json")
    assert listed[0]["run_id"] == run_id
    assert cassandra_cli.json("runs", "list", "--dataset", "two_spirals", "--format", "json")[0]["run_id"] == run_id


def test_schema_apply_and_print_on_cassandra(cassandra_cli):
    cassandra_cli.run("schema", "apply")
    cassandra_cli.run("schema", "apply")  # idempotent
    assert "CREATE KEYSPACE IF NOT EXISTS" in cassandra_cli.run("schema", "print").stdout


def test_unreachable_cassandra_is_a_clear_failure(tmp_path, cli):
    p = cli.run("--backend", "cassandra", "--set", "backend.cassandra.contact_points=127.0.0.99",
                "--set", "backend.cassandra.connect_timeout=2", "runs", "list", expect=1)
    assert "127.0.0.99" in p.stderr
