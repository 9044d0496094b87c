"""canopy-store against the real Cassandra node (ctest label: integration)."""
import json
import re
import uuid

from cassandra.cluster import Cluster

from cassandra_hosts import first_cassandra_host
from conftest import Cli, clean_env


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


def test_hint_after_backend_cassandra_demo_runs_as_printed(tmp_path, cli):
    """`canopy-store --backend cassandra demo` prints hints that keep --backend
    and --set: run as printed, they find the run (without them they would look
    in the embedded store)."""
    import shlex
    import subprocess
    import uuid
    from cassandra_hosts import first_cassandra_host
    from conftest import BINARY
    host = first_cassandra_host()
    keyspace = "cli_hint_" + uuid.uuid4().hex[:8]
    flags = ["--backend", "cassandra", "--set", f"backend.cassandra.contact_points={host}",
             "--set", f"backend.cassandra.keyspace={keyspace}",
             # spaces and braces: the hint must quote it for the shell
             "--set", "backend.cassandra.replication={class: SimpleStrategy, replication_factor: 1}"]
    try:
        p = subprocess.run([BINARY, *flags, "demo", "--quiet", "--no-plot"], capture_output=True, text=True,
                           env=cli.env, timeout=600)
        assert p.returncode == 0, p.stderr
        run_id = re.search(r"^Run ([0-9a-f-]{36})", p.stdout, re.M).group(1)
        hints = re.findall(r"^(?:  look at it)?\s+(canopy-store .*)$", p.stdout, re.M)
        assert len(hints) == 2, p.stdout
        for hint in hints:
            argv = shlex.split(hint)
            assert argv[1:1 + len(flags)] == flags, argv
            q = subprocess.run([BINARY, *argv[1:]], capture_output=True, text=True, env=cli.env, timeout=120)
            assert q.returncode == 0, q.stderr  # an unknown run would exit 3
        shown = subprocess.run([BINARY, *shlex.split(hints[0])[1:], "--format", "json"], capture_output=True,
                               text=True, env=cli.env, timeout=120)
        assert '"run_id": "' + run_id + '"' in shown.stdout, shown.stdout
    finally:
        from cassandra.cluster import Cluster
        cluster = Cluster([host], protocol_version=4)
        cluster.connect().execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
        cluster.shutdown()


def test_warnings_go_to_stderr_and_leave_json_output_clean(tmp_path):
    """A keyspace with replication factor 3 on one node makes every command
    warn; the warning must not land in stdout, where it broke `--format json`
    (spdlog's default logger writes to stdout)."""
    keyspace = "cli_warn_" + uuid.uuid4().hex[:8]
    config = tmp_path / "canopy.yaml"
    config.write_text(f"""
backend:
  cassandra:
    enabled: true
    contact_points: [{first_cassandra_host()}]
    keyspace: {keyspace}
    replication: {{class: SimpleStrategy, replication_factor: 3}}
""")
    cli = Cli(["--config", str(config)], clean_env(tmp_path))
    try:
        p = cli.run("runs", "list", "--format", "json")
        assert json.loads(p.stdout) == []
        assert "replication factor 3" in p.stderr
        assert "replication factor" not in p.stdout
    finally:
        cluster = Cluster([first_cassandra_host()], protocol_version=4)
        cluster.connect().execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
        cluster.shutdown()
