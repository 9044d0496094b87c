"""The config argument of canopy_store.open() and CassandraManager."""

from datetime import timedelta

import pytest

import canopy_store


def test_nested_and_dotted_settings_are_the_same(tmp_path):
    path = str(tmp_path / "m.db")
    nested = canopy_store.dump_config({"backend": {"embedded": {"path": path}, "cassandra": {"port": 9043}}},
                                      environment={})
    dotted = canopy_store.dump_config({"backend.embedded.path": path, "backend.cassandra.port": 9043},
                                      environment={})
    assert nested == dotted
    assert f"path: {path}" in nested and "port: 9043" in nested


def test_value_types_are_rendered_for_the_loader():
    text = canopy_store.dump_config({
        "backend.cassandra": {
            "contact_points": ["10.0.0.1", "10.0.0.2"],
            "flush_interval": timedelta(milliseconds=250),
            "request_timeout": 2.5,
            "enabled": False,
            "replication": {"class": "SimpleStrategy", "replication_factor": 1},
        },
    }, environment={})
    assert "contact_points: [10.0.0.1, 10.0.0.2]" in text
    assert "flush_interval: 250ms" in text
    assert "request_timeout: 2500ms" in text
    assert "replication: {class: SimpleStrategy, replication_factor: 1}" in text


def test_yaml_file_then_environment_then_settings(tmp_path):
    config = tmp_path / "canopy.yaml"
    config.write_text("backend:\n  cassandra:\n    keyspace: from_file\n    port: 9100\n    batch_size: 10\n")
    text = canopy_store.dump_config(config, environment={"CASCOR_CASSANDRA_PORT": "9200"},
                                    overrides={"backend.cassandra.batch_size": 20})
    assert "keyspace: from_file" in text
    assert "port: 9200" in text  # the environment beats the file
    assert "batch_size: 20" in text  # overrides beat both


def test_invalid_value_raises_config_error_naming_the_key():
    with pytest.raises(canopy_store.ConfigError) as raised:
        canopy_store.dump_config({"backend.cassandra.port": 70000}, environment={})
    assert raised.value.key == "backend.cassandra.port"
    assert "70000" in str(raised.value)
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, canopy_store.Error)


def test_unknown_key_raises_config_error():
    with pytest.raises(canopy_store.ConfigError, match="backend.cassandra.prot"):
        canopy_store.dump_config({"backend": {"cassandra": {"prot": 1}}}, environment={})


def test_missing_file_raises_config_error(tmp_path):
    with pytest.raises(canopy_store.ConfigError, match="cannot read config file"):
        canopy_store.open(tmp_path / "missing.yaml", environment={})


def test_wrong_config_type_raises_config_error():
    with pytest.raises(canopy_store.ConfigError, match="got int"):
        canopy_store.open(3)


def test_open_uses_the_configured_sqlite_file(tmp_path):
    path = tmp_path / "sub.db"
    with canopy_store.open({"backend.embedded.path": path}, environment={}) as store:
        assert store.describe() == f"sqlite:{path}"
        assert str(path) in repr(store)
    assert path.exists()


def test_process_environment_is_read_unless_replaced(monkeypatch):
    monkeypatch.setenv("CASCOR_CASSANDRA_KEYSPACE", "from_env")
    assert "keyspace: from_env" in canopy_store.dump_config()
    assert "keyspace: cascor" in canopy_store.dump_config(environment={})
    # A settings dict beats the environment, like command-line flags.
    assert "keyspace: mine" in canopy_store.dump_config({"backend.cassandra.keyspace": "mine"})
