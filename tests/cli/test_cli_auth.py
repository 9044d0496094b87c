"""canopy-store against the node with PasswordAuthenticator (ctest labels:
integration auth): the password from the environment, never printed."""
import re
import uuid

import pytest

from conftest import Cli, clean_env
from cassandra_hosts import auth_cassandra_host


@pytest.fixture
def auth_cli(tmp_path):
    host = auth_cassandra_host()
    keyspace = "cli_auth_" + uuid.uuid4().hex[:8]
    config = tmp_path / "canopy.yaml"
    config.write_text(f"""
backend:
  cassandra:
    enabled: true
    contact_points: [{host}]
    keyspace: {keyspace}
    pool_size: 1
    flush_interval: 1
    auth_provider: {{enabled: true, username: cassandra}}
    replication: {{class: SimpleStrategy, replication_factor: 1}}
  embedded:
    path: {tmp_path / 'unused.db'}
""")
    env = clean_env(tmp_path)
    env["CASSANDRA_PASSWORD"] = "cassandra"
    yield Cli(["--config", str(config)], env)
    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import Cluster
    cluster = Cluster([host], protocol_version=4,
                      auth_provider=PlainTextAuthProvider("cassandra", "cassandra"))
    cluster.connect().execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
    cluster.shutdown()


def test_demo_and_reads_with_password_authentication(auth_cli):
    p = auth_cli.run("demo", "--quiet", "--no-plot")
    run_id = re.search(r"^Run ([0-9a-f-]{36})", p.stdout, re.M).group(1)
    run = auth_cli.json("runs", "show", run_id, "--format", "json")
    assert run["status"] == "completed"
    assert len(auth_cli.json("export", run_id, "--format", "json")) == run["final_epoch"]
    assert "cassandra" not in auth_cli.run("config", "show").stdout.split("password:")[1].split("\n")[0]


def test_wrong_password_is_a_clear_failure_naming_the_keys(auth_cli):
    p = auth_cli.run("runs", "list", expect=1, env={"CASSANDRA_PASSWORD": "not-the-password"})
    assert auth_cassandra_host() in p.stderr
    assert "incorrect" in p.stderr
    assert "backend.cassandra.auth_provider" in p.stderr
    assert "not-the-password" not in p.stderr + p.stdout
