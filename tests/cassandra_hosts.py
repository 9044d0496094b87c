"""The Cassandra node the Python tests talk to: CANOPY_TEST_HOSTS as
scripts/test sets it (comma-separated; unset or empty means 127.0.0.1). The
C++ tests read the same variable in tests/integration/test_hosts.h."""
import os


def cassandra_hosts():
    hosts = [h.strip() for h in os.environ.get("CANOPY_TEST_HOSTS", "").split(",") if h.strip()]
    return hosts or ["127.0.0.1"]


def first_cassandra_host():
    return cassandra_hosts()[0]


def auth_cassandra_host():
    """The node with PasswordAuthenticator: CANOPY_AUTH_HOST (default 127.0.0.11)."""
    hosts = [h.strip() for h in os.environ.get("CANOPY_AUTH_HOST", "").split(",") if h.strip()]
    return (hosts or ["127.0.0.11"])[0]
