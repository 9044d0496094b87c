"""Waits until a local Cassandra node answers CQL and sees its peers.

Used by scripts/cassandra: `cql_check.py HOST --peers N --timeout S [--auth]
[--tls-dir DIR]` (--tls-dir: connect with TLS, the CA and client certificate
scripts/cassandra made in DIR).
Prints the release version and peer count; exits 1 with the reason on timeout.
"""
import argparse
import logging
import ssl
import sys
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

logging.disable(logging.CRITICAL)  # the driver logs every refused connection

from cassandra.auth import PlainTextAuthProvider  # noqa: E402
from cassandra.cluster import Cluster  # noqa: E402
from cassandra.policies import WhiteListRoundRobinPolicy  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("host")
parser.add_argument("--peers", type=int, default=0)
parser.add_argument("--timeout", type=float, default=120)
parser.add_argument("--auth", action="store_true")
parser.add_argument("--tls-dir")
args = parser.parse_args()

ssl_context = None
if args.tls_dir:
    ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ssl_context.check_hostname = False  # readiness only; the C++ tests check the address
    ssl_context.load_verify_locations(f"{args.tls_dir}/ca.pem")
    ssl_context.load_cert_chain(f"{args.tls_dir}/client.pem", f"{args.tls_dir}/client-key.pem")

auth = PlainTextAuthProvider("cassandra", "cassandra") if args.auth else None
deadline = time.monotonic() + args.timeout
last = "no attempt"
while time.monotonic() < deadline:
    cluster = Cluster([args.host], port=9042, protocol_version=4, auth_provider=auth,
                      load_balancing_policy=WhiteListRoundRobinPolicy([args.host]),
                      connect_timeout=3, control_connection_timeout=3, ssl_context=ssl_context)
    try:
        session = cluster.connect()
        version = session.execute("SELECT release_version FROM system.local").one()[0]
        peers = len(list(session.execute("SELECT peer FROM system.peers")))
        if peers >= args.peers:
            print(f"{args.host}: Cassandra {version}, {peers} peer(s)")
            sys.exit(0)
        last = f"sees {peers} peer(s), waiting for {args.peers}"
    except Exception as e:  # noqa: BLE001 - any failure means "not yet"
        last = str(e).splitlines()[0][:200]
    finally:
        cluster.shutdown()
    time.sleep(0.5)
print(f"{args.host}: not ready after {args.timeout:.0f} s: {last}", file=sys.stderr)
sys.exit(1)
