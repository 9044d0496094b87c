"""The read API (`canopy-store serve`) on the embedded SQLite store, through
a real HTTP client against a real server process (ctest label: unit)."""
import pytest

from api_cases import *  # noqa: F401,F403  (the cases shared with the Cassandra suite)


@pytest.fixture
def backend(store):
    return store
