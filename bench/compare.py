"""bench/compare: Canopy Store side by side with the drivers people would use
instead (issue 17; docs/performance.md, "Side by side with the drivers").

Starts a fresh node (scripts/cassandra start --first-ip 51 --fresh), warms it,
then runs every client alternately, --reps times each, on the same
training_metrics table, dropping the keyspace and waiting for an idle node
before each run; checks each run's row count; prints one table and writes
it as Markdown and CSV (plus SVG plots) into build/bench-compare/.
Run it through the bench/compare launcher (the project venv's Python).
"""
import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from cassandra.cluster import Cluster

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svg_chart import line_chart  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRST_IP = 51
HOST = f"127.0.0.{FIRST_IP}"
KEYSPACE = "bench_compare"
PID_FILE = os.path.join(ROOT, f"var/cassandra/c{FIRST_IP}/node1/pid")
JAVA17 = os.environ.get("CANOPY_JAVA17_HOME", "/usr/lib/jvm/java-17-openjdk-amd64")
TICK = os.sysconf("SC_CLK_TCK")
METRIC_COLUMNS = ("timestamp, step, epoch, train_loss, train_accuracy, val_loss, val_accuracy, "
                  "learning_rate, hidden_units")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the node

def server_pid():
    with open(PID_FILE) as f:
        return int(f.read().strip())


def server_cpu_seconds(pid):
    """utime + stime of the whole server process (every thread)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def scripts_cassandra(*args, capture=False):
    cmd = [os.path.join(ROOT, "scripts/cassandra"), *args, "--first-ip", str(FIRST_IP)]
    if capture:
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def nodetool(*args):
    cmd = [os.path.join(ROOT, "scripts/cassandra"), "nodetool", "--first-ip", str(FIRST_IP), "--", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout


def wait_idle(pid, limit_s):
    """Idle: the server's CPU grows by < 5 % of one core over 2 s and
    compactionstats shows no pending task. Gives up after limit_s (noted)."""
    t_end = time.monotonic() + limit_s
    while True:
        c0 = server_cpu_seconds(pid)
        time.sleep(2)
        busy = (server_cpu_seconds(pid) - c0) / 2
        if busy < 0.05:
            out = nodetool("compactionstats")
            m = re.search(r"pending tasks:\s*(\d+)", out)
            if m is None or int(m.group(1)) == 0:
                return "idle"
        if time.monotonic() > t_end:
            return f"not idle after {limit_s} s (last 2 s: {busy * 100:.0f} % of a core)"


# ------------------------------------------------------------- the clients

@dataclass
class Client:
    name: str
    kind: str            # "peer" (JSON line), "store_ingest", "cql_insert", "sqlite"
    argv: list           # without the workload's flags
    sweeps: bool = True  # takes --batch-rows / --in-flight
    skip: str = ""       # why it cannot run here (missing toolchain)


def build_clients(a):
    b = os.path.join(ROOT, a.build)
    peers = os.path.join(b, "bench-peers")
    clients = []
    for tool in ("bench/store_ingest", "bench/cql_insert", "canopy-store"):
        if not os.access(os.path.join(b, tool), os.X_OK):
            sys.exit(f"compare: {a.build}/{tool} is missing: cmake --build {a.build} --target store_ingest "
                     "cql_insert sqlite_direct canopy-store")
    # The loop stores faster than any node takes: like the peers, whose
    # in-flight limit makes them wait, the store waits for room
    # (writer.overflow block) instead of spilling the excess to its spool
    # (the default, for a backend that is down; docs/performance.md has both).
    store = [f"{b}/bench/store_ingest", "--backend", "cassandra", "--hosts", HOST, "--keyspace", KEYSPACE,
             "--connections", "1", "--sample", "0", "--durability", "buffered",
             "--buffer", "200000", "--overflow", "block", "--dir", os.path.join(b, "bench-compare/store-spool")]
    clients.append(Client("canopy-store (store_ingest)", "store_ingest", store))
    # The same without roll-ups: the rows every peer writes, and nothing more.
    clients.append(Client("canopy-store, roll-ups off", "store_ingest", store + ["--rollups", "off"], sweeps=False))
    clients.append(Client("canopy cql client (cql_insert)", "cql_insert",
                          [f"{b}/bench/cql_insert", "--host", HOST, "--keyspace", KEYSPACE, "--workload", "batch",
                           "--connections", "1", "--bind", "writer"]))
    py = [sys.executable, os.path.join(ROOT, "bench/peers/python/python_peer.py"), "--host", HOST, "--keyspace", KEYSPACE]
    clients.append(Client("python-driver, Manual (sync LOGGED)", "peer", py + ["--mode", "manual"], sweeps=False))
    clients.append(Client("python-driver at its best", "peer", py + ["--mode", "best"]))

    go = shutil.which("go") or ("/usr/local/go/bin/go" if os.access("/usr/local/go/bin/go", os.X_OK) else None)
    gocql = Client("gocql", "peer", [os.path.join(peers, "gocql-peer"), "--host", HOST, "--keyspace", KEYSPACE])
    if go is None:
        gocql.skip = "no Go toolchain (go not on PATH nor in /usr/local/go/bin; Debian: golang-go)"
    else:
        r = subprocess.run([go, "build", "-o", os.path.join(peers, "gocql-peer"), "."],
                           cwd=os.path.join(ROOT, "bench/peers/go"), capture_output=True, text=True)
        if r.returncode:
            gocql.skip = "go build failed (the module proxy unreachable?): " + r.stderr.strip()[-300:]
    clients.append(gocql)

    java = os.path.join(JAVA17, "bin/java")
    jpeer = Client("java-driver", "peer", [java, "-cp", f"{peers}/java/java-peer-1.jar:{peers}/java/lib/*",
                                           "canopy.bench.JavaPeer", "--host", HOST, "--keyspace", KEYSPACE])
    if not os.access(java, os.X_OK):
        jpeer.skip = f"no Java 17 at {JAVA17} (CANOPY_JAVA17_HOME)"
    elif shutil.which("mvn") is None:
        jpeer.skip = "no mvn (Debian: maven)"
    else:
        env = dict(os.environ, JAVA_HOME=JAVA17)
        r = subprocess.run(["mvn", "-q", "-f", os.path.join(ROOT, "bench/peers/java/pom.xml"), "package",
                            f"-Dpeers.build={peers}/java"], capture_output=True, text=True, env=env)
        if r.returncode:
            jpeer.skip = "mvn package failed (Maven Central unreachable?): " + r.stdout.strip()[-300:]
    clients.append(jpeer)
    for c in clients:
        if c.skip:
            log(f"compare: SKIPPING {c.name}: {c.skip}")
    return [c for c in clients if c.name in a.only or not a.only]


def workload_args(c, runs, count, warmup, batch_rows=100, in_flight=64, latency_file=""):
    if c.kind == "store_ingest":  # its latency comes from request_latency(), not a file
        return ["--runs", str(runs), "--count", str(count), "--warmup", str(warmup), "--batch-rows", str(batch_rows),
                "--in-flight", str(in_flight)]
    if c.kind == "cql_insert":
        args = ["--runs", str(runs), "--rows", str(count), "--warmup", str(warmup), "--batch-rows", str(batch_rows),
                "--batch-in-flight", str(in_flight)]
    else:
        args = ["--runs", str(runs), "--count", str(count), "--warmup", str(warmup), "--batch-rows", str(batch_rows),
                "--in-flight", str(in_flight)]
    return args + (["--latency-file", latency_file] if latency_file else [])


def parse_client(c, out):
    """(metrics/s, client CPU seconds per metric) as the client measured its timed part."""
    if c.kind == "store_ingest":
        rate = float(re.search(r"end-to-end\s+(\d+) metrics/s", out).group(1))
        cpu = float(re.search(r"client CPU\s+([\d.]+) µs per metric", out).group(1)) / 1e6
        return rate, cpu
    if c.kind == "cql_insert":
        m = re.search(r"rows\s+[\d.]+ s\s+(\d+) rows/s\s+([\d.]+) us client CPU/row\s+.*?(\d+) failed", out)
        if int(m.group(3)):
            raise RuntimeError(f"{m.group(3)} batches failed")
        return float(m.group(1)), float(m.group(2)) / 1e6
    j = json.loads([ln for ln in out.splitlines() if ln.startswith("{")][-1])
    if j.get("failed_batches"):
        raise RuntimeError(f"{j['failed_batches']} batches failed")
    return j["rows"] / j["seconds"], j["cpu_seconds"] / j["rows"]


def wait_with_peak_rss(pid):
    """Exit status and peak RSS (KiB) of a child: VmHWM from /proc, polled
    every 20 ms until it exits (wait4's ru_maxrss would report at least the
    harness's own RSS, which the child inherits at fork)."""
    peak = 0
    while True:
        try:
            with open(f"/proc/{pid}/status") as f:
                m = re.search(r"VmHWM:\s+(\d+) kB", f.read())
            if m:
                peak = max(peak, int(m.group(1)))
        except OSError:
            pass
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status, peak
        time.sleep(0.02)


def percentiles(path):
    try:
        with open(path) as f:
            xs = sorted(float(x) for x in f if x.strip())
    except FileNotFoundError:
        return None
    return xs or None


# ----------------------------------------------------------------- one run

@dataclass
class Result:
    workload: str
    client: str
    rep: int
    ok: bool
    note: str = ""
    rate: float = 0.0
    client_us: float = 0.0
    server_us: float = 0.0
    p50_ms: float = None
    p99_ms: float = None
    rss_mib: float = 0.0
    read_p50_ms: float = None
    read_p99_ms: float = None
    reads: int = 0
    latencies: list = field(default_factory=list, repr=False)


def count_rows(session):
    """Rows of KEYSPACE.training_metrics, partition by partition (a full
    count(*) would time out at millions of rows)."""
    ids = [r.run_id for r in session.execute(f"SELECT DISTINCT run_id FROM {KEYSPACE}.training_metrics", timeout=120)]
    q = session.prepare(f"SELECT count(*) FROM {KEYSPACE}.training_metrics WHERE run_id = ?")
    return sum(session.execute(q, (i,), timeout=120).one()[0] for i in ids)


def fresh_keyspace(a, session):
    session.execute(f"DROP KEYSPACE IF EXISTS {KEYSPACE}", timeout=120)
    subprocess.run([os.path.join(ROOT, a.build, "canopy-store"), "--backend", "cassandra",
                    "--set", f"backend.cassandra.contact_points={HOST}", "--set", f"backend.cassandra.keyspace={KEYSPACE}",
                    "--set", "backend.cassandra.replication={class: SimpleStrategy, replication_factor: 1}",
                    "schema", "apply"], check=True, stdout=subprocess.DEVNULL)


class Reader(threading.Thread):
    """Workload (c): reads shaped like query_metrics(run, limit=1000), one
    after another, while a writer runs; the same reader for every writer."""

    def __init__(self, session):
        super().__init__(daemon=True)
        self.session, self.stop, self.lat = session, threading.Event(), []
        self.q = session.prepare(f"SELECT run_id, {METRIC_COLUMNS} FROM {KEYSPACE}.training_metrics "
                                 "WHERE run_id = ? LIMIT 1000")

    def run(self):
        ids = []
        while not self.stop.is_set():
            if not ids:
                ids = [r.run_id for r in self.session.execute(
                    f"SELECT DISTINCT run_id FROM {KEYSPACE}.training_metrics LIMIT 100")]
                if not ids:
                    time.sleep(0.1)
                    continue
            t = time.perf_counter()
            list(self.session.execute(self.q, (ids[len(self.lat) % len(ids)],), timeout=60))
            self.lat.append((time.perf_counter() - t) * 1e3)
            time.sleep(0.05)


def run_once(a, session, pid, c, workload, rep, runs, count, warmup, **shape):
    res = Result(workload, c.name, rep, False)
    fresh_keyspace(a, session)
    state = wait_idle(pid, a.idle_limit)
    if state != "idle":
        res.note = state + "; "
    tag = f"{workload}-{re.sub(r'[^a-z0-9]+', '-', c.name.lower()).strip('-')}-{rep}"
    lat_file = os.path.join(a.out, "logs", tag + ".latency") if c.kind in ("peer", "cql_insert") else ""
    argv = c.argv + workload_args(c, runs, count, warmup, latency_file=lat_file, **shape)
    reader = Reader(session) if workload.startswith("c") else None
    s0 = server_cpu_seconds(pid)
    with open(os.path.join(a.out, "logs", tag + ".out"), "w") as out, \
            open(os.path.join(a.out, "logs", tag + ".err"), "w") as err:
        p = subprocess.Popen(argv, stdout=out, stderr=err)
        if reader:
            reader.start()
        status, peak_kib = wait_with_peak_rss(p.pid)
    if reader:
        reader.stop.set()
        reader.join()
    server = server_cpu_seconds(pid) - s0
    text = open(os.path.join(a.out, "logs", tag + ".out")).read()
    if os.waitstatus_to_exitcode(status) != 0:
        res.note += f"exit {os.waitstatus_to_exitcode(status)} (logs/{tag}.err)"
        return res
    expected = count // runs * runs + (warmup // runs * runs if c.kind == "peer" else warmup)
    stored = count_rows(session)
    if stored != expected:
        res.note += f"FAILED: {stored} rows stored, {expected} asked"
        return res
    try:
        res.rate, cpu = parse_client(c, text)
    except (AttributeError, RuntimeError, ValueError, IndexError) as e:
        res.note += f"FAILED: {e}"
        return res
    res.ok = True
    res.client_us = cpu * 1e6
    res.server_us = server * 1e6 / expected  # every row it wrote, warm-up included
    res.rss_mib = peak_kib / 1024
    lats = percentiles(lat_file) if lat_file else None
    if lats:
        res.latencies = lats
        res.p50_ms, res.p99_ms = lats[len(lats) // 2] / 1e3, lats[len(lats) * 99 // 100] / 1e3
    elif c.kind == "store_ingest":
        # The store reports its requests' percentiles (MetricsStore::request_latency,
        # exact to 1/8), not each request: no CDF line for it.
        m = re.search(r"write requests\s+\d+; latency p50 ([\d.]+) ms, p99 ([\d.]+) ms", text)
        if m:
            res.p50_ms, res.p99_ms = float(m.group(1)), float(m.group(2))
    if reader and reader.lat:
        r = sorted(reader.lat)
        res.reads, res.read_p50_ms, res.read_p99_ms = len(r), r[len(r) // 2], r[len(r) * 99 // 100]
    log(f"  {workload} {c.name} #{rep}: {res.rate:,.0f} metrics/s, {stored} rows checked")
    return res


def run_sqlite(a, rep, count, runs):
    """The embedded backend against SQLite through its C API (no node)."""
    b = os.path.join(ROOT, a.build)
    out = []
    # The loop stores ~10x faster than SQLite commits. With the default
    # writer.overflow (spool) the excess goes through the crash-safe spool
    # and is read back; with `block` the loop waits for room instead: the
    # writer at its best. Both are measured.
    store = [f"{b}/bench/store_ingest", "--backend", "sqlite", "--durability", "buffered", "--sample", "0",
             "--count", str(count), "--runs", str(runs), "--dir", os.path.join(b, "bench-compare/sqlite-store")]
    blocking = store + ["--buffer", "100000", "--overflow", "block"]
    direct = [f"{b}/bench/sqlite_direct", "--count", str(count), "--runs", str(runs),
              "--db", os.path.join(b, "bench-compare/sqlite-direct.db")]
    for name, tagname, argv in (("canopy-store embedded (store_ingest)", "store", store),
                                ("canopy-store embedded, overflow block", "store-block", blocking),
                                ("SQLite C API (sqlite_direct)", "sqlite-direct", direct)):
        res = Result("embedded", name, rep, False)
        tag = os.path.join(a.out, "logs", f"embedded-{tagname}-{rep}")
        with open(tag + ".out", "w") as so, open(tag + ".err", "w") as se:
            status, peak_kib = wait_with_peak_rss(subprocess.Popen(argv, stdout=so, stderr=se).pid)
        text = open(tag + ".out").read()
        res.rss_mib = peak_kib / 1024
        if os.waitstatus_to_exitcode(status):
            res.note = f"FAILED: exit {os.waitstatus_to_exitcode(status)} ({os.path.relpath(tag, a.out)}.err)"
        elif argv is not direct:
            res.ok = True
            res.rate, cpu = parse_client(Client("", "store_ingest", []), text)
            res.client_us = cpu * 1e6
        else:
            j = json.loads(text.strip().splitlines()[-1])
            res.ok = j["stored"] == count
            res.rate, res.client_us = j["rows_per_s"], j["cpu_seconds"] * 1e6 / count
        out.append(res)
    return out


# ------------------------------------------------------------------ report

COLUMNS = ["workload", "client", "runs ok", "metrics/s (median, min-max)", "client CPU µs/metric",
           "node CPU µs/metric", "write p50 / p99 ms", "peak RSS MiB", "reads: p50 / p99 ms"]


def summarize(results):
    rows = []
    keys = []
    for r in results:
        if (r.workload, r.client) not in keys:
            keys.append((r.workload, r.client))
    for w, name in keys:
        rs = [r for r in results if (r.workload, r.client) == (w, name)]
        ok = [r for r in rs if r.ok]
        med = lambda f: statistics.median([f(r) for r in ok])  # noqa: E731
        if not ok:
            rows.append([w, name, f"0/{len(rs)}", "failed: " + "; ".join(r.note for r in rs), "", "", "", "", ""])
            continue
        lat = "—" if ok[0].p50_ms is None else f"{med(lambda r: r.p50_ms):.1f} / {med(lambda r: r.p99_ms):.1f}"
        reads = "" if not ok[0].reads else f"{med(lambda r: r.read_p50_ms):.1f} / {med(lambda r: r.read_p99_ms):.1f}"
        rates = [r.rate for r in ok]
        rows.append([w, name, f"{len(ok)}/{len(rs)}",
                     f"{statistics.median(rates):,.0f} ({min(rates):,.0f}-{max(rates):,.0f})",
                     f"{med(lambda r: r.client_us):.2f}",
                     "—" if w == "embedded" else f"{med(lambda r: r.server_us):.1f}",
                     lat, f"{med(lambda r: r.rss_mib):.0f}", reads])
    return rows


def write_reports(a, results, meta, sweep):
    rows = summarize(results)
    widths = [max(len(str(x)) for x in col) for col in zip(COLUMNS, *rows)]
    table = "\n".join("  ".join(str(x).ljust(w) for x, w in zip(r, widths)) for r in [COLUMNS] + rows)
    print(table)
    md = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    md += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    with open(os.path.join(a.out, "compare.md"), "w") as f:
        f.write(meta + "\n\n" + "\n".join(md) + "\n")
    with open(os.path.join(a.out, "compare.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["workload", "client", "rep", "ok", "metrics_per_s", "client_cpu_us_per_metric",
                    "node_cpu_us_per_metric", "write_p50_ms", "write_p99_ms", "peak_rss_mib", "reads",
                    "read_p50_ms", "read_p99_ms", "note"])
        for r in results:
            w.writerow([r.workload, r.client, r.rep, r.ok, round(r.rate), round(r.client_us, 3), round(r.server_us, 2),
                        r.p50_ms, r.p99_ms, round(r.rss_mib, 1), r.reads, r.read_p50_ms, r.read_p99_ms, r.note])
    # Write-latency CDF of workload (a), first good repetition of each client.
    series = []
    for name in dict.fromkeys(r.client for r in results):
        rs = [r for r in results if r.client == name and r.workload.startswith("a") and r.ok and r.latencies]
        if rs:
            xs = rs[0].latencies
            step = max(1, len(xs) // 200)
            series.append((name, [(xs[i] / 1e3, (i + 1) / len(xs)) for i in range(0, len(xs), step)] +
                           [(xs[-1] / 1e3, 1.0)]))
    line_chart(os.path.join(a.out, "write_latency_cdf.svg"), "Write latency per batch, workload (a)",
               "batch latency (ms, log)", "fraction of batches", series, log_x=True)
    for key, label in (("batch_rows", "rows per batch (64 in flight)"), ("in_flight", "batches in flight (100 rows)")):
        pts = {}
        for (name, k, x), rate in sweep.items():
            if k == key:
                pts.setdefault(name, []).append((x, rate))
        line_chart(os.path.join(a.out, f"throughput_vs_{key}.svg"), f"Throughput against {label.split(' (')[0]}",
                   label + ", log", "metrics/s", list(pts.items()), log_x=True)
    log(f"compare: wrote {os.path.relpath(a.out, ROOT)}/compare.md, compare.csv and the SVG plots")


# -------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes, 1 repetition: checks the harness end to end")
    p.add_argument("--reps", type=int, help="repetitions of each client per workload (default 3; --quick 1)")
    p.add_argument("--workloads", default="a,b,c,embedded,sweep", help="comma-separated subset of a,b,c,embedded,sweep")
    p.add_argument("--only", action="append", default=[], help="run only this client (by its name; repeatable)")
    p.add_argument("--no-start", action="store_true", help="use the running node at 127.0.0.51 (no fresh start, no warm-up)")
    p.add_argument("--build", default="build", help="build directory, relative to the repository root")
    p.add_argument("--idle-limit", type=int, default=180, help="seconds to wait for an idle node before a run")
    a = p.parse_args()
    q = a.quick
    reps = a.reps or (1 if q else 3)
    warm_node = 50_000 if q else 6_000_000
    warm_client = 5_000 if q else 50_000
    sizes = {"a": (8, 30_000 if q else 300_000), "b": (10 if q else 100, 30_000 if q else 3_000_000)}
    sizes["c"] = sizes["b"]
    workloads = a.workloads.split(",")
    a.out = os.path.join(ROOT, a.build, "bench-compare")
    os.makedirs(os.path.join(a.out, "logs"), exist_ok=True)

    clients = build_clients(a)
    # The embedded workload alone needs no node.
    needs_node = any(w in workloads for w in ("a", "b", "c", "sweep"))
    if needs_node and not a.no_start:
        scripts_cassandra("start", "--fresh")
    pid = server_pid() if needs_node else None
    cluster = Cluster([HOST]) if needs_node else None
    session = cluster.connect() if needs_node else None
    if needs_node and not a.no_start:
        # Warm the node's JIT and caches with the bare client (fastest), then forget the rows.
        fresh_keyspace(a, session)
        log(f"compare: warming the node with {warm_node:,} rows")
        subprocess.run([os.path.join(ROOT, a.build, "bench/cql_insert"), "--host", HOST, "--keyspace", KEYSPACE,
                        "--workload", "batch", "--warmup", "0", "--rows", str(warm_node), "--batch-in-flight", "64"],
                       check=True, stdout=subprocess.DEVNULL)
    results, sweep = [], {}
    runnable = [c for c in clients if not c.skip]
    for w in ("a", "b", "c"):
        if w not in workloads:
            continue
        runs, count = sizes[w]
        label = {"a": f"a: {count:,} over {runs} runs", "b": f"b: {runs} runs x {count // runs:,}",
                 "c": f"c: reads while {runs} x {count // runs:,}"}[w]
        for rep in range(1, reps + 1):
            for c in runnable:  # alternately: every client once, then again
                log(f"compare: {label}, {c.name}, repetition {rep}")
                results.append(run_once(a, session, pid, c, label, rep, runs, count, warm_client))
    if "embedded" in workloads:
        for rep in range(1, reps + 1):
            results += run_sqlite(a, rep, sizes["a"][1] * (10 if not q else 1), 8)
    if "sweep" in workloads:
        runs, count = 8, (20_000 if q else 200_000)
        points = {"batch_rows": [10, 100] if q else [1, 10, 50, 100, 200, 500],
                  "in_flight": [4, 64] if q else [1, 4, 16, 64, 256]}
        for key, xs in points.items():
            for x in xs:
                shape = {"batch_rows": 100, "in_flight": 64, key: x}
                for c in (c for c in runnable if c.sweeps):
                    log(f"compare: sweep {key}={x}, {c.name}")
                    r = run_once(a, session, pid, c, f"sweep {key}={x}", 1, runs, count, warm_client, **shape)
                    if r.ok:
                        sweep[(c.name, key, x)] = r.rate
    if cluster:
        cluster.shutdown()
    uname = os.uname()
    node = (f"node 127.0.0.{FIRST_IP} (scripts/cassandra, -Xmx1g, "
            f"{'fresh, warmed by ' + format(warm_node, ',') + ' rows' if not a.no_start else 'reused'})"
            if needs_node else "no node (embedded only)")
    meta = (f"bench/compare{' --quick' if q else ''}: {reps} repetition(s); {node}; "
            f"each client warms with {warm_client:,} rows first; {os.cpu_count()} CPUs, {uname.sysname} {uname.release}; "
            f"load average at the end {os.getloadavg()[0]:.1f}")
    print(meta)
    for c in clients:
        if c.skip:
            print(f"skipped {c.name}: {c.skip}")
    write_reports(a, results, meta, sweep)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
