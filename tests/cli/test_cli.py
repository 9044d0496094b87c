"""canopy-store, every subcommand with good and bad input (embedded store)."""
import csv
import io
import json
import re

import pytest

SUBCOMMANDS = ["demo", "runs", "metrics", "export", "config", "schema", "bench", "plot", "verify"]


def run_id_of(demo_stdout):
    m = re.search(r"^Run ([0-9a-f-]{36})", demo_stdout, re.M)
    assert m, demo_stdout
    return m.group(1)


@pytest.fixture
def demo_run(cli, tmp_path):
    p = cli.run("demo", "--quiet", "--plot", str(tmp_path / "curves.svg"))
    return run_id_of(p.stdout), p


def test_help_lists_every_subcommand(bare_cli):
    out = bare_cli.run("--help").stdout
    for sub in SUBCOMMANDS:
        assert sub in out
    assert "Exit codes" in out


@pytest.mark.parametrize("args", [["demo"], ["runs"], ["runs", "list"], ["runs", "show"], ["metrics"],
                                  ["export"], ["config"], ["config", "show"], ["schema"],
                                  ["schema", "print"], ["schema", "apply"], ["bench"]])
def test_help_on_every_level(bare_cli, args):
    out = bare_cli.run(*args, "--help").stdout
    assert "Usage" in out


def test_version_names_the_backends_built_in(bare_cli):
    out = bare_cli.run("--version").stdout
    assert re.match(r"canopy-store \d+\.\d+\.\d+\nbackends:\n", out), out
    assert re.search(r"^  embedded \(SQLite 3\.\d+\.\d+\)$", out, re.M), out
    assert re.search(r"^  cassandra \(CQL native protocol v4", out, re.M), out


def test_unknown_subcommand_is_usage_error(bare_cli):
    p = bare_cli.run("frobnicate", expect=2)
    assert "frobnicate" in p.stderr


def test_unknown_flag_is_usage_error(cli):
    p = cli.run("runs", "list", "--colour", "red", expect=2)
    assert "--colour" in p.stderr


def test_bad_backend_value_names_flag(bare_cli):
    p = bare_cli.run("--backend", "mysql", "runs", "list", expect=2)
    assert "--backend" in p.stderr and "mysql" in p.stderr


def test_runs_list_on_empty_store(cli):
    assert cli.json("runs", "list", "--format", "json") == []
    assert cli.run("runs", "list").stdout.startswith("run_id")


def test_demo_records_run_metrics_and_topology(cli, demo_run, tmp_path):
    run_id, p = demo_run
    m = re.search(r"epochs trained\s+(\d+)", p.stdout)
    epochs = int(m.group(1))
    units = int(re.search(r"hidden units\s+(\d+)", p.stdout).group(1))
    run = cli.json("runs", "show", run_id, "--format", "json")
    assert run["status"] == "completed"
    assert run["dataset_name"] == "two_spirals"
    assert run["total_hidden_units"] == units
    assert run["final_epoch"] == epochs
    exported = cli.json("export", run_id, "--format", "json")
    assert len(exported) == epochs
    assert sorted(r["epoch"] for r in exported) == list(range(1, epochs + 1))
    topology = cli.json("runs", "show", run_id, "--topology", "--format", "json")
    assert len(topology) == units
    assert sorted(t["hidden_units"] for t in topology) == list(range(1, units + 1))
    svg = (tmp_path / "curves.svg").read_text()
    assert svg.startswith("<?xml") and "</svg>" in svg


def test_runs_list_filters(cli, demo_run):
    run_id, _ = demo_run
    assert [r["run_id"] for r in cli.json("runs", "list", "--format", "json")] == [run_id]
    assert cli.json("runs", "list", "--status", "completed", "--format", "json")[0]["run_id"] == run_id
    assert cli.json("runs", "list", "--status", "running", "--format", "json") == []
    assert cli.json("runs", "list", "--dataset", "two_spirals", "--format", "json")[0]["run_id"] == run_id
    assert cli.json("runs", "list", "--dataset", "mnist", "--format", "json") == []
    rows = list(csv.DictReader(io.StringIO(cli.run("runs", "list", "--format", "csv").stdout)))
    assert rows[0]["run_id"] == run_id


def test_runs_list_bad_limit(cli):
    p = cli.run("runs", "list", "--limit", "0", expect=2)
    assert "--limit" in p.stderr


def test_metrics_limit_order_and_formats(cli, demo_run):
    run_id, _ = demo_run
    rows = cli.json("metrics", run_id, "--limit", "5", "--format", "json")
    assert len(rows) == 5
    stamps = [(r["timestamp"], r["step"]) for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    table = cli.run("metrics", run_id, "--limit", "3").stdout.splitlines()
    assert table[0].startswith("timestamp") and len(table) == 4
    csv_rows = list(csv.DictReader(io.StringIO(cli.run("metrics", run_id, "--limit", "3", "--format", "csv").stdout)))
    assert len(csv_rows) == 3 and float(csv_rows[0]["train_loss"]) >= 0


def test_metrics_time_range(cli, demo_run):
    run_id, _ = demo_run
    everything = cli.json("metrics", run_id, "--from", "-1h", "--to", "+1m", "--limit", "100000", "--format", "json")
    assert len(everything) == len(cli.json("export", run_id, "--format", "json"))
    assert cli.json("metrics", run_id, "--to", "-1h", "--format", "json") == []
    assert cli.json("metrics", run_id, "--from", "2000-01-01", "--to", "2000-01-02T00:00:00Z", "--format", "json") == []


@pytest.mark.parametrize("flag,value", [("--from", "yesterday"), ("--to", "-3y"), ("--from", "2026-02-30")])
def test_metrics_bad_time_names_flag(cli, demo_run, flag, value):
    run_id, _ = demo_run
    p = cli.run("metrics", run_id, flag, value, expect=2)
    assert flag in p.stderr and value in p.stderr


def test_metrics_bad_run_id(cli):
    p = cli.run("metrics", "not-a-uuid", expect=2)
    assert "not-a-uuid" in p.stderr and "RUN" in p.stderr


def test_unknown_run_is_exit_3(cli):
    p = cli.run("runs", "show", "123e4567-e89b-12d3-a456-426614174000", expect=3)
    assert "not found" in p.stderr
    cli.run("metrics", "123e4567-e89b-12d3-a456-426614174000", expect=3)
    cli.run("export", "123e4567-e89b-12d3-a456-426614174000", "--format", "csv", expect=3)


def test_bad_format(cli, demo_run):
    run_id, _ = demo_run
    p = cli.run("metrics", run_id, "--format", "xml", expect=2)
    assert "--format" in p.stderr and "xml" in p.stderr
    p = cli.run("export", run_id, "--format", "table", expect=2)
    assert "--format" in p.stderr


def test_export_csv_to_file(cli, demo_run, tmp_path):
    run_id, _ = demo_run
    out = tmp_path / "export.csv"
    p = cli.run("export", run_id, "--format", "csv", "--output", str(out))
    rows = list(csv.DictReader(out.open()))
    assert f"exported {len(rows)} metrics" in p.stderr
    assert len(rows) == len(cli.json("export", run_id, "--format", "json"))


def test_export_to_unwritable_file(cli, demo_run, tmp_path):
    run_id, _ = demo_run
    p = cli.run("export", run_id, "--format", "csv", "--output", str(tmp_path / "no/such/dir/x.csv"), expect=1)
    assert "--output" in p.stderr


def test_config_show_masks_password(cli):
    out = cli.run("config", "show", env={"CASSANDRA_USERNAME": "ada", "CASSANDRA_PASSWORD": "s3cret-pw"}).stdout
    assert "s3cret-pw" not in out
    assert "ada" in out and "****" in out


def test_config_show_precedence_flag_over_env(cli):
    out = cli.run("--set", "backend.cassandra.port=9100", "config", "show",
                  env={"CASCOR_CASSANDRA_PORT": "9200"}).stdout
    assert re.search(r"^\s*port: 9100$", out, re.M), out


def test_config_errors_name_the_key(cli, tmp_path):
    p = cli.run("--set", "backend.cassandra.prot=9042", "config", "show", expect=2)
    assert "prot" in p.stderr and "port" in p.stderr  # did-you-mean
    p = cli.run("--set", "backend.cassandra.port=70000", "config", "show", expect=2)
    assert "70000" in p.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("backend:\n  cassandra:\n    port: [1\n")
    p = cli.run("--config", str(bad), "config", "show", expect=2)
    assert "bad.yaml:4:" in p.stderr and "YAML syntax error" in p.stderr  # file:line:column
    p = cli.run("--config", str(tmp_path / "missing.yaml"), "config", "show", expect=2)
    assert "missing.yaml" in p.stderr


def test_schema_print_shows_cql(cli):
    out = cli.run("schema", "print").stdout
    assert "CREATE TABLE IF NOT EXISTS" in out and "training_metrics" in out


def test_schema_apply_embedded(cli):
    cli.run("schema", "apply")
    assert cli.json("runs", "list", "--format", "json") == []


def test_bench_prints_figures(cli):
    out = cli.run("bench", "--metrics", "2000", "--runs", "2").stdout
    assert re.search(r"end to end\s+\d+ metrics/s", out)
    assert "stored 2000 written 2000" in out


def test_bench_bad_count(cli):
    p = cli.run("bench", "--metrics", "-5", expect=2)
    assert "--metrics" in p.stderr


def test_paced_demo_is_visible_to_another_process_while_it_trains(cli):
    import subprocess
    import time
    from conftest import BINARY
    p = subprocess.Popen([BINARY, *cli.prefix, "demo", "--quiet", "--no-plot", "--epoch-delay", "4"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli.env)
    try:
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and p.poll() is None:
            runs = cli.json("runs", "list", "--format", "json")
            if runs and runs[0]["status"] == "running":
                n = len(cli.json("metrics", runs[0]["run_id"], "--limit", "100000", "--format", "json"))
                seen.append(n)
                if len([x for x in seen if x > 0]) >= 2 and seen[-1] > seen[0] > 0:
                    break
            time.sleep(0.3)
        died = "" if p.poll() is None else f"; demo exited {p.returncode}: {p.stderr.read()}"
        assert any(0 < a < b for a, b in zip(seen, seen[1:])), f"metric counts seen while running: {seen}{died}"
    finally:
        p.terminate()
        p.wait(timeout=30)


def test_demo_epoch_delay_out_of_range_is_usage_error(cli):
    p = cli.run("demo", "--epoch-delay", "-5", expect=2)
    assert "--epoch-delay" in p.stderr


def test_plot_draws_the_stored_series_into_svg(cli, demo_run, tmp_path):
    import xml.etree.ElementTree as ET
    run_id, _ = demo_run
    out = tmp_path / "run.svg"
    p = cli.run("plot", run_id, "--output", str(out), "--points", "100", "--field", "val_accuracy",
                "--field", "hidden_units")
    assert "2 chart(s)" in p.stdout
    root = ET.parse(out).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    panels = root.findall(f"{ns}g")
    assert [g.get("data-field") for g in panels] == ["val_accuracy", "hidden_units"]
    for g in panels:
        pts = g.find(f"{ns}polyline").get("points").split()
        assert 2 <= len(pts) <= 400  # M4: at most 4 points per pixel bucket
    epochs = len(cli.json("metrics", run_id, "--limit", "100000", "--format", "json"))
    assert f"({epochs} values, downsampled" in out.read_text()


def test_plot_errors_name_the_flag_or_run(cli, demo_run, tmp_path):
    run_id, _ = demo_run
    assert "--field" in cli.run("plot", run_id, "-o", str(tmp_path / "x.svg"), "--field", "acc", expect=2).stderr
    assert "not found" in cli.run("plot", "11111111-1111-1111-1111-111111111111", "-o",
                                  str(tmp_path / "x.svg"), expect=3).stderr
    assert "--output" in cli.run("plot", run_id, expect=2).stderr
    assert "--output" in cli.run("plot", run_id, "-o", str(tmp_path / "no" / "such" / "dir.svg"), expect=1).stderr


def test_verify_exit_status_follows_the_completeness_ledger(cli, demo_run, tmp_path):
    import sqlite3
    import uuid as uuidlib
    run_id, _ = demo_run
    p = cli.run("verify", run_id)
    assert "verdict: complete" in p.stdout
    report = cli.json("verify", run_id, "--json")
    assert report["complete"] is True and report["missing"] == []
    assert report["acknowledged"] == report["stored"] > 0
    # Rows deleted behind the store's back: exit 1, the exact steps named.
    db = sqlite3.connect(tmp_path / "metrics.db")
    db.execute("DELETE FROM training_metrics WHERE run_id = ? AND step BETWEEN 3 AND 5",
               (uuidlib.UUID(run_id).bytes,))
    db.commit()
    db.close()
    p = cli.run("verify", run_id, expect=1)
    assert "INCOMPLETE" in p.stdout and "3-5" in p.stdout
    assert "incomplete" in p.stderr and run_id in p.stderr
    p = cli.run("verify", run_id, "--json", expect=1)
    report = json.loads(p.stdout)
    assert report["complete"] is False
    assert report["missing"] == [[3, 5]] and report["missing_steps"] == 3


def test_verify_unknown_run_is_exit_3_and_bad_id_exit_2(cli):
    p = cli.run("verify", "123e4567-e89b-12d3-a456-426614174000", expect=3)
    assert "123e4567-e89b-12d3-a456-426614174000" in p.stderr
    cli.run("verify", "not-a-uuid", expect=2)


def hint_commands(demo_stdout):
    """The commands the demo prints under "look at it", split as a shell would."""
    import shlex
    lines = re.findall(r"^(?:  look at it)?\s+(canopy-store .*)$", demo_stdout, re.M)
    assert len(lines) == 2, demo_stdout
    return [shlex.split(line) for line in lines]


def test_demo_hints_carry_the_global_options_and_run_as_printed(cli, tmp_path):
    import subprocess
    from conftest import BINARY
    p = cli.run("demo", "--quiet", "--no-plot")
    run_id = run_id_of(p.stdout)
    for argv in hint_commands(p.stdout):
        assert argv[:3] == ["canopy-store", "--set", f"backend.embedded.path={tmp_path / 'metrics.db'}"], argv
        # Run exactly as printed, from another folder: it must find the run.
        q = subprocess.run([BINARY, *argv[1:]], capture_output=True, text=True, env=cli.env,
                           cwd=tmp_path.parent, timeout=120)
        assert q.returncode == 0, q.stderr  # an unknown run would exit 3
        if argv[-2:] == ["show", run_id]:
            assert run_id in q.stdout, q.stdout


def test_tables_round_numbers_and_csv_keeps_them(cli, demo_run):
    run_id, _ = demo_run
    run = cli.json("runs", "show", run_id, "--format", "json")
    table = cli.run("runs", "list").stdout
    full = repr(run["final_val_accuracy"])
    assert f"{run['final_val_accuracy']:.4f}".rstrip("0").rstrip(".") in table, table
    if len(full) > 8:  # an accuracy such as 0.8958333333333334
        assert full not in table, table
        assert full in cli.run("runs", "list", "--format", "csv").stdout


def run_on_terminal(cli, *args):
    """canopy-store with stderr on a pseudo-terminal; returns (stdout, stderr)."""
    import os
    import pty
    import subprocess
    from conftest import BINARY
    import tempfile
    master, slave = pty.openpty()
    env = dict(cli.env, CANOPY_PROGRESS_AFTER_MS="0")
    # stdout to a file: a pipe nobody reads while we read the terminal would fill and block.
    out_file = tempfile.TemporaryFile()
    p = subprocess.Popen([BINARY, *cli.prefix, *args], stdout=out_file, stderr=slave, env=env)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's last writer closed it
            break
        if not chunk:
            break
        err += chunk
    assert p.wait(timeout=300) == 0, err
    os.close(master)
    out_file.seek(0)
    return out_file.read().decode(), err.decode(errors="replace")


def test_progress_on_a_terminal_and_not_in_a_pipe(cli, demo_run):
    run_id, _ = demo_run
    _, err = run_on_terminal(cli, "bench", "--metrics", "50000", "--runs", "2")
    assert "storing: " in err and "of 50000 metrics" in err, err
    assert "\r" in err and "\033[K" in err, err  # one line, rewritten in place
    out, err = run_on_terminal(cli, "export", run_id, "--format", "csv")
    assert "exporting: " in err, err
    assert "exporting" not in out and out.startswith("timestamp,")
    # In a pipe (the cli fixture captures stderr): results only, no progress.
    import subprocess
    from conftest import BINARY
    piped = subprocess.run([BINARY, *cli.prefix, "bench", "--metrics", "50000", "--runs", "2"],
                           capture_output=True, text=True, env=dict(cli.env, CANOPY_PROGRESS_AFTER_MS="0"))
    assert piped.returncode == 0, piped.stderr
    assert "storing:" not in piped.stderr and "\r" not in piped.stderr, piped.stderr
