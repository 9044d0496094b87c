"""Python cassandra-driver peer of bench/compare: writes the store's
training_metrics rows (docs/performance.md, "Side by side with the drivers").

  --mode manual  the Manual's design: one prepared INSERT, synchronous
                 session.execute of LOGGED batches of --batch-rows rows
  --mode best    the driver at its best: prepared INSERT, UNLOGGED batches
                 sent with execute_async, --in-flight at once, libev event
                 loop, one connection, TCP_NODELAY

Prints one JSON line; --latency-file gets each measured batch's latency (µs).
"""
import argparse
import json
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

from cassandra import ConsistencyLevel
from cassandra.cluster import Cluster, ExecutionProfile, EXEC_PROFILE_DEFAULT
from cassandra.policies import WhiteListRoundRobinPolicy
from cassandra.query import BatchStatement, BatchType

try:  # the C event loop, as the driver's docs recommend for throughput
    from cassandra.io.libevreactor import LibevConnection as Connection
except ImportError:
    from cassandra.io.asyncorereactor import AsyncoreConnection as Connection

INSERT = ("INSERT INTO {}.training_metrics (run_id, timestamp, step, epoch, train_loss, train_accuracy, "
          "val_loss, val_accuracy, learning_rate, hidden_units) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def plan(runs, count, batch_rows, base):
    """Batches (run, first row, rows, first step): runs round-robin."""
    ids = [uuid.uuid4() for _ in range(runs)]
    per_run = count // runs
    return [(ids[r], base + r * per_run + k, min(batch_rows, per_run - k), k)
            for k in range(0, per_run, batch_rows) for r in range(runs)]


def batch_of(prepared, kind, job, t0):
    run, first, n, step0 = job
    b = BatchStatement(batch_type=kind, consistency_level=ConsistencyLevel.ONE)
    for r in range(n):
        i, step = first + r, step0 + r
        b.add(prepared, (run, datetime.fromtimestamp((t0 + step) / 1000, timezone.utc), step, i,
                         1.0 / (i + 1), 0.5, 0.7, 0.6, 0.01, 4))
    return b


def run_manual(session, prepared, jobs, t0, lat):
    failed = 0
    for j, job in enumerate(jobs):
        b = batch_of(prepared, BatchType.LOGGED, job, t0)
        start = time.perf_counter()
        try:
            session.execute(b)
        except Exception as e:  # counted, not fatal: compare checks the row count
            failed += 1
            print("batch failed:", e, file=sys.stderr)
        if lat is not None:
            lat[j] = (time.perf_counter() - start) * 1e6
    return failed


def run_best(session, prepared, jobs, t0, lat, in_flight):
    window = threading.Semaphore(in_flight)
    all_done = threading.Event()
    state = {"left": len(jobs), "failed": 0}
    lock = threading.Lock()

    def finished(j, start, error):
        if lat is not None:
            lat[j] = (time.perf_counter() - start) * 1e6
        with lock:
            if error is not None:
                state["failed"] += 1
                if state["failed"] == 1:
                    print("batch failed:", error, file=sys.stderr)
            state["left"] -= 1
            if state["left"] == 0:
                all_done.set()
        window.release()

    for j, job in enumerate(jobs):
        b = batch_of(prepared, BatchType.UNLOGGED, job, t0)
        window.acquire()
        start = time.perf_counter()
        f = session.execute_async(b)
        f.add_callbacks(lambda _, j=j, s=start: finished(j, s, None),
                        lambda e, j=j, s=start: finished(j, s, e))
    if jobs:
        all_done.wait()
    return state["failed"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=["manual", "best"], default="best")
    p.add_argument("--host", default="127.0.0.51")
    p.add_argument("--keyspace", default="bench")
    p.add_argument("--runs", type=int, default=8)
    p.add_argument("--count", type=int, default=300_000)
    p.add_argument("--warmup", type=int, default=0)
    p.add_argument("--batch-rows", type=int, default=100)
    p.add_argument("--in-flight", type=int, default=64)
    p.add_argument("--latency-file", default="")
    a = p.parse_args()

    profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy([a.host]),
                               consistency_level=ConsistencyLevel.ONE, request_timeout=30)
    cluster = Cluster([a.host], connection_class=Connection, execution_profiles={EXEC_PROFILE_DEFAULT: profile},
                      sockopts=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    session = cluster.connect()
    prepared = session.prepare(INSERT.format(a.keyspace))
    prepared.is_idempotent = True
    t0 = int(time.time() * 1000)
    run = (lambda jobs, lat: run_manual(session, prepared, jobs, t0, lat)) if a.mode == "manual" else \
        (lambda jobs, lat: run_best(session, prepared, jobs, t0, lat, a.in_flight))
    if a.warmup:
        run(plan(a.runs, a.warmup, a.batch_rows, 0), None)
    jobs = plan(a.runs, a.count, a.batch_rows, a.warmup)
    lat = [0.0] * len(jobs)
    cpu0, w0 = time.process_time(), time.perf_counter()
    failed = run(jobs, lat)
    secs, cpu = time.perf_counter() - w0, time.process_time() - cpu0
    cluster.shutdown()
    if a.latency_file:
        with open(a.latency_file, "w") as f:
            f.writelines(f"{x:.0f}\n" for x in lat)
    rows = a.count // a.runs * a.runs
    print(json.dumps({"peer": f"python-driver {a.mode}", "rows": rows, "seconds": round(secs, 3),
                      "cpu_seconds": round(cpu, 3), "failed_batches": failed, "rows_per_s": round(rows / secs)}))


if __name__ == "__main__":
    main()
