"""canopy-store over TLS, against the node of `scripts/cassandra start
--tls-client-auth` (ctest label: tls; CANOPY_TLS_HOST, CANOPY_TLS_DIR)."""
import json
import os
import ssl
import uuid

import pytest

TLS_HOST = os.environ.get("CANOPY_TLS_HOST", "127.0.0.21")
TLS_DIR = os.environ.get("CANOPY_TLS_DIR", "")


def tls_file(name):
    assert TLS_DIR, "set CANOPY_TLS_DIR to the folder `scripts/cassandra start --tls-client-auth` prints"
    return os.path.join(TLS_DIR, name)


def tls_sets(ca="ca.pem"):
    return ["--set", "backend.cassandra.ssl.enabled=true",
            "--set", f"backend.cassandra.ssl.ca_file={tls_file(ca)}",
            "--set", f"backend.cassandra.ssl.cert_file={tls_file('client.pem')}",
            "--set", f"backend.cassandra.ssl.key_file={tls_file('client-key.pem')}"]


@pytest.fixture
def keyspace():
    name = "cli_tls_" + uuid.uuid4().hex[:8]
    yield name
    from cassandra.cluster import Cluster
    from cassandra.policies import WhiteListRoundRobinPolicy
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.load_verify_locations(tls_file("ca.pem"))
    context.load_cert_chain(tls_file("client.pem"), tls_file("client-key.pem"))
    cluster = Cluster([TLS_HOST], protocol_version=4, ssl_context=context,
                      load_balancing_policy=WhiteListRoundRobinPolicy([TLS_HOST]))
    cluster.connect().execute(f"DROP KEYSPACE IF EXISTS {name}")
    cluster.shutdown()


def cassandra_args(keyspace):
    return ["--backend", "cassandra",
            "--set", f"backend.cassandra.contact_points={TLS_HOST}",
            "--set", f"backend.cassandra.keyspace={keyspace}",
            "--set", "backend.cassandra.replication={class: SimpleStrategy, replication_factor: 1}",
            "--set", "backend.cassandra.pool_size=1"]


def test_runs_list_over_tls_with_set(cli, keyspace):
    p = cli.run(*cassandra_args(keyspace), *tls_sets(), "runs", "list", "--format", "json")
    assert p.stdout.strip() == "[]"


def test_writes_and_reads_over_tls_set_by_environment_variables(cli, keyspace):
    env = {"CASCOR_CASSANDRA_SSL_ENABLED": "true",
           "CASCOR_CASSANDRA_SSL_CA_FILE": tls_file("ca.pem"),
           "CASCOR_CASSANDRA_SSL_CERT_FILE": tls_file("client.pem"),
           "CASCOR_CASSANDRA_SSL_KEY_FILE": tls_file("client-key.pem")}
    cli.run(*cassandra_args(keyspace), "bench", "--metrics", "200", "--runs", "2", env=env)
    runs = json.loads(cli.run(*cassandra_args(keyspace), "runs", "list", "--format", "json", env=env).stdout)
    assert len(runs) == 2
    exported = [json.loads(cli.run(*cassandra_args(keyspace), "export", r["run_id"], "--format", "json",
                                   env=env).stdout) for r in runs]
    assert sum(len(rows) for rows in exported) == 200


def test_config_show_prints_the_ssl_keys(cli):
    out = cli.run(*tls_sets(), "--set", "backend.cassandra.ssl.verify_hostname=false", "config", "show").stdout
    assert "  ssl:\n      enabled: true\n" in out
    assert f"ca_file: {tls_file('ca.pem')}" in out
    assert "verify_hostname: false" in out


def test_an_unreadable_ca_file_is_a_usage_error_naming_key_and_path(cli, keyspace):
    missing = tls_file("no-such-ca.pem")
    p = cli.run(*cassandra_args(keyspace), *tls_sets(), "--set", f"backend.cassandra.ssl.ca_file={missing}",
                "runs", "list", expect=2)
    assert f"backend.cassandra.ssl.ca_file: cannot read {missing}: No such file or directory" in p.stderr


def test_an_untrusted_ca_is_a_clear_failure(cli, keyspace):
    p = cli.run(*cassandra_args(keyspace), *tls_sets(ca="untrusted-ca.pem"), "runs", "list", expect=1)
    assert f"TLS handshake with {TLS_HOST}:9042 failed: certificate verify failed" in p.stderr
