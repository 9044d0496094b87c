"""The read API on the real Cassandra node, in a keyspace of its own dropped
afterwards (ctest label: integration; CANOPY_TEST_HOSTS names the node)."""
import pytest

from api_cases import *  # noqa: F401,F403  (the same cases as on SQLite)


@pytest.fixture
def backend(cassandra_store):
    return cassandra_store
