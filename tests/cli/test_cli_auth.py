"""canopy-store against the node with PasswordAuthenticator (ctest labels:
integration auth): the password from the environment, never printed."""
import re

import pytest

from conftest import cassandra_cli_on
from cassandra_hosts import auth_cassandra_host


@pytest.fixture
def auth_cli(tmp_path):
    """The password comes from the environment (CASSANDRA_PASSWORD)."""
    yield from cassandra_cli_on(
        tmp_path, auth_cassandra_host(), "cli_auth_",
        extra_yaml="    auth_provider: {enabled: true, username: cassandra}",
        env={"CASSANDRA_PASSWORD": "cassandra"}, password="cassandra")


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
