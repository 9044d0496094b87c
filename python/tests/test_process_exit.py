"""A program that exits without closing its store loses nothing: the store
is closed, and flushed, when the interpreter shuts down."""

import os
import subprocess
import sys
import textwrap

import canopy_store

from conftest import sqlite_config


def test_metrics_survive_exit_without_close(tmp_path):
    config = sqlite_config(tmp_path)
    program = textwrap.dedent(f"""
        import canopy_store
        store = canopy_store.open({config!r}, environment={{}})
        run = store.create_run(dataset_name="exit")
        for epoch in range(1, 6):
            store.store_metric(run, {{"epoch": epoch}})
        print(run)
        # no close(), no flush: the interpreter exits with metrics buffered
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    run = done.stdout.strip()
    with canopy_store.open(config, environment={}) as store:
        assert [m["epoch"] for m in store.query_metrics(run)] == [5, 4, 3, 2, 1]
