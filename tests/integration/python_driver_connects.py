"""The reference client (DataStax/Apache cassandra-driver from PyPI) reaches the
node started by scripts/cassandra with protocol v4. Later tests use it to
cross-check what our C++ client writes."""
import os
import sys

from cassandra.cluster import Cluster

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # tests/: cassandra_hosts
from cassandra_hosts import first_cassandra_host  # noqa: E402

host = first_cassandra_host()
cluster = Cluster([host], port=9042, protocol_version=4)
session = cluster.connect()
version = session.execute("SELECT release_version FROM system.local").one().release_version
cluster.shutdown()
if not version.startswith("5.0"):
    print(f"expected Cassandra 5.0.x, got {version}", file=sys.stderr)
    sys.exit(1)
print(f"python cassandra-driver connected: release_version={version}")
