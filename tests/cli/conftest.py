"""Fixtures for the canopy-store command tests: run the built binary against a
fresh embedded store in a temporary folder (or the real Cassandra node)."""
import json
import os
import subprocess
import sys
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))  # tests/: cassandra_hosts
from cassandra_hosts import first_cassandra_host  # noqa: E402

BINARY = os.environ.get("CANOPY_STORE_BIN", os.path.join(os.path.dirname(__file__), "../../build/canopy-store"))


class Cli:
    def __init__(self, args_prefix, env):
        self.prefix = args_prefix
        self.env = env

    def run(self, *args, expect=0, env=None, input=None):
        full_env = dict(self.env)
        full_env.update(env or {})
        p = subprocess.run([BINARY, *self.prefix, *args], capture_output=True, text=True,
                           env=full_env, timeout=600, input=input)
        assert p.returncode == expect, (
            f"canopy-store {' '.join(args)} exited {p.returncode}, expected {expect}\n"
            f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p

    def json(self, *args):
        return json.loads(self.run(*args).stdout)


def clean_env(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CASCOR_") and not k.startswith("CASSANDRA_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    return env


@pytest.fixture
def cli(tmp_path):
    """canopy-store on an embedded store of its own."""
    return Cli(["--set", f"backend.embedded.path={tmp_path / 'metrics.db'}"], clean_env(tmp_path))


@pytest.fixture
def bare_cli(tmp_path):
    """canopy-store with no flags added (its default embedded path is under tmp)."""
    return Cli([], clean_env(tmp_path))


def cassandra_cli_on(tmp_path, host, keyspace_prefix, extra_yaml="", env=None, password=None):
    """canopy-store on the Cassandra node `host`, in a keyspace of its own that
    is dropped afterwards (a generator for fixtures). `extra_yaml` adds keys
    under backend.cassandra (indented 4); `password` is the cassandra user's,
    for the node with PasswordAuthenticator."""
    keyspace = keyspace_prefix + uuid.uuid4().hex[:8]
    config = tmp_path / "canopy.yaml"
    config.write_text(f"""
backend:
  cassandra:
    enabled: true
    contact_points: [{host}]
    keyspace: {keyspace}
    pool_size: 2
    flush_interval: 1
    replication: {{class: SimpleStrategy, replication_factor: 1}}
{extra_yaml}
  embedded:
    path: {tmp_path / 'unused.db'}
""")
    full_env = clean_env(tmp_path)
    full_env.update(env or {})
    yield Cli(["--config", str(config)], full_env)
    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import Cluster
    auth = PlainTextAuthProvider("cassandra", password) if password else None
    cluster = Cluster([host], protocol_version=4, auth_provider=auth)
    cluster.connect().execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
    cluster.shutdown()


@pytest.fixture
def cassandra_cli(tmp_path):
    """canopy-store on the real Cassandra node, in a keyspace of its own."""
    yield from cassandra_cli_on(tmp_path, first_cassandra_host(), "cli_test_")
