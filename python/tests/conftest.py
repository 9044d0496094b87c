"""Fixtures: every test that takes `store` runs on both backends — the
embedded SQLite database in tmp_path, and a fresh keyspace on the real
Cassandra node (marked `integration`; host from CANOPY_TEST_HOSTS, default
127.0.0.1), dropped after the test."""

import os
import uuid

import pytest

import canopy_store


def pytest_configure(config):
    config.addinivalue_line("markers", "integration: needs the Cassandra node (CANOPY_TEST_HOSTS)")


def cassandra_hosts():
    return [h.strip() for h in os.environ.get("CANOPY_TEST_HOSTS", "").split(",") if h.strip()] or ["127.0.0.1"]


def sqlite_config(directory):
    return {
        "backend": {"embedded": {"path": str(directory / "metrics.db")}},
        # A failed write is retried soon, so tests that block the database
        # see the retry promptly once unblocked.
        "writer": {"retry_initial": "10ms", "retry_max": "100ms"},
    }


def cassandra_config(directory, keyspace):
    return {
        "backend.cassandra": {
            "keyspace": keyspace,
            "replication": {"class": "SimpleStrategy", "replication_factor": 1},
        },
        "writer.spool_dir": str(directory / "spool"),
        "backend.embedded.path": str(directory / "unused.db"),
    }


class Backend:
    """How to open (and reopen) the store of one test."""

    def __init__(self, name, directory):
        self.name = name
        self.directory = directory
        self.keyspace = f"python_test_{uuid.uuid4().hex[:12]}" if name == "cassandra" else None

    def open(self):
        if self.name == "sqlite":
            return canopy_store.open(sqlite_config(self.directory), environment={})
        return canopy_store.CassandraManager(cassandra_hosts(), cassandra_config(self.directory, self.keyspace),
                                             environment={})


@pytest.fixture(scope="session")
def cql_session():
    """A cassandra-driver session (the reference driver) for dropping the
    tests' keyspaces."""
    from cassandra.cluster import Cluster

    cluster = Cluster(cassandra_hosts())
    session = cluster.connect()
    yield session
    cluster.shutdown()


@pytest.fixture(params=["sqlite", pytest.param("cassandra", marks=pytest.mark.integration)])
def backend(request, tmp_path):
    b = Backend(request.param, tmp_path)
    session = request.getfixturevalue("cql_session") if b.name == "cassandra" else None
    yield b
    if session is not None:
        session.execute(f"DROP KEYSPACE IF EXISTS {b.keyspace}")


@pytest.fixture
def store(backend):
    s = backend.open()
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path):
    s = Backend("sqlite", tmp_path).open()
    yield s
    s.close()
