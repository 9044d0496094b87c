"""The snippets of docs/python.md run as written (the README copies them)."""

import os
import pathlib
import re
import uuid

import pytest

from conftest import cassandra_hosts

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "python.md"


def snippets():
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_embedded_quick_start_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the snippet's metrics.db lands here
    for name in [n for n in os.environ if n.startswith("CASCOR_")]:
        monkeypatch.delenv(name)
    exec(compile(snippets()[0], "docs/python.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert float(lines[0]) == pytest.approx(0.9)  # best_val_accuracy: 0.5 + 100/250
    assert [line.split()[2] for line in lines[1:6]] == ["100", "99", "98", "97", "96"]  # epochs
    assert "two_spirals" in lines[6]
    assert (tmp_path / "metrics.db").exists()


@pytest.mark.integration
def test_cassandra_snippet_runs(tmp_path, monkeypatch, cql_session):
    import canopy_store

    keyspace = f"python_test_{uuid.uuid4().hex[:12]}"
    monkeypatch.chdir(tmp_path)  # the spool next to the default embedded path stays out of $HOME
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    code = snippets()[1].replace('"cascor"', repr(keyspace)).replace('["127.0.0.1"]', repr(cassandra_hosts()))
    assert keyspace in code
    scope = {"canopy_store": canopy_store}
    try:
        exec(compile(code, "docs/python.md", "exec"), scope)
        rows = list(cql_session.execute(f"SELECT status FROM {keyspace}.training_runs"))
        assert [r.status for r in rows] == ["completed"]
    finally:
        cql_session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
