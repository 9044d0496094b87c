"""Data written by our C++ CQL client (cql_crosscheck_writer) reads back
identically through the reference Python cassandra-driver.
Usage: cql_python_crosscheck.py WRITER_BINARY [HOST]"""
import datetime
import decimal
import ipaddress
import os
import subprocess
import sys
import uuid

from cassandra.cluster import Cluster
from cassandra.util import Date, Time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # tests/: cassandra_hosts
from cassandra_hosts import first_cassandra_host  # noqa: E402

writer = sys.argv[1]
host = sys.argv[2] if len(sys.argv) > 2 else first_cassandra_host()
subprocess.run([writer, host], check=True)

cluster = Cluster([host], port=9042, protocol_version=4)
session = cluster.connect()
failures = []
rows = {r.k: r for r in session.execute("SELECT * FROM cql_test_crosscheck.t")}
if len(rows) != 100:
    failures.append(f"expected 100 rows, got {len(rows)}")
for i in range(100):
    r = rows.get(i)
    if r is None:
        continue
    expected = {
        "t": f"row-{i}-é✓",
        "bi": i * 1_000_000_000_000,
        "d": i / 3.0,
        "f": i + 0.5,
        "b": bytes([i]) * (i % 5) if i % 5 else None,  # an empty blob reads back as b'' or None
        "bo": i % 2 == 0,
        "ts": datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=1700000000000 + i),
        "u": uuid.UUID(bytes=bytes((i + b) % 256 for b in range(16))),
        "da": Date(19000 + i),
        "tm": Time(i * 1_000_000_007),
        "ip": str(ipaddress.IPv4Address(bytes([10, 0, 0, i]))),
        "vi": -i * 123456789,
        "de": decimal.Decimal(i * 101).scaleb(-2),
        "si": -i,
        "ti": i,
        "l": [i, i + 1],
        "st": {f"a{i}", "b"},
        "m": {"x": i * 0.25},
        "tp": (i, f"t{i}"),
        "n": None,
        "un": f"kept-{i}",
    }
    for col, want in expected.items():
        got = getattr(r, col)
        if col == "b" and not want:
            ok = got in (None, b"")
        elif col == "st":
            ok = set(got or ()) == want
        elif col == "m":
            ok = dict(got or {}) == want
        elif col == "l":
            ok = list(got or []) == want
        elif col == "ts":
            ok = got.replace(tzinfo=None) == want
        else:
            ok = got == want
        if not ok:
            failures.append(f"row {i} column {col}: python read {got!r}, expected {want!r}")
session.execute("DROP KEYSPACE cql_test_crosscheck")
cluster.shutdown()
if failures:
    print("\n".join(failures[:40]), file=sys.stderr)
    sys.exit(1)
print("python cassandra-driver read 100 rows written by the C++ client identically")
