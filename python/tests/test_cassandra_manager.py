"""CassandraManager, the reference's entry point, against the real node."""

import uuid

import pytest

import canopy_store
from conftest import cassandra_config, cassandra_hosts

pytestmark = pytest.mark.integration


def test_contact_points_argument_selects_cassandra(tmp_path, cql_session):
    keyspace = f"python_test_{uuid.uuid4().hex[:12]}"
    try:
        # backend.cassandra.enabled stays false: CassandraManager ignores it.
        with canopy_store.CassandraManager(",".join(cassandra_hosts()), cassandra_config(tmp_path, keyspace),
                                           environment={}) as manager:
            assert manager.describe().startswith(f"cassandra:{keyspace}@")
            run = manager.create_run(dataset_name="reference")
            manager.store_metric(run, {"epoch": 1, "train_loss": 0.3})
            manager.complete_run(run, {"final_epoch": 1})
            assert manager.get_run(run)["status"] == "completed"
        rows = list(cql_session.execute(f"SELECT status FROM {keyspace}.training_runs WHERE run_id = %s", [run]))
        assert [r.status for r in rows] == ["completed"]  # seen by the reference driver too
    finally:
        cql_session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")


def test_unreachable_contact_point_raises_unavailable(tmp_path):
    config = cassandra_config(tmp_path, "python_test_unreachable")
    config["backend.cassandra.port"] = 1  # nothing listens there
    config["backend.cassandra.connect_timeout"] = "2s"
    with pytest.raises(canopy_store.Unavailable) as raised:
        canopy_store.CassandraManager(["127.0.0.1"], config, environment={})
    assert "127.0.0.1" in str(raised.value)
    assert isinstance(raised.value, canopy_store.BackendError)
