"""Read latency from Python, the same as bench/store_reads: records --runs
runs (one with --metrics metrics), then times query_metrics(run,
limit=1000) into dicts and list_runs(100), --samples calls each, and prints
p50 / p99. The performance issue's targets: query_metrics p50 <= 3 ms from
Python, list_runs(100) p50 <= 1 ms.

    PYTHONPATH=build/python .venv/bin/python3 python/bench/bench_reads.py \\
        [--cassandra 127.0.0.1] [--metrics 100000] [--runs 120] [--samples 300]

Figures, never assertions.
"""

import argparse
import os
import statistics
import tempfile
import time

import canopy_store


def timed(n, call):
    for _ in range(10):  # warm
        call()
    ms = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        ms.append((time.perf_counter() - t0) * 1e3)
    ms.sort()
    return ms


def report(name, ms):
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(f"{name:<28} p50 {statistics.median(ms):7.3f} ms   p99 {p99:7.3f} ms   ({len(ms)} calls)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cassandra", help="a node's address (default: a temporary SQLite store)")
    ap.add_argument("--metrics", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=120)
    ap.add_argument("--samples", type=int, default=300)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        config = {"backend.embedded.path": os.path.join(directory, "m.db"), "writer.durability": "buffered",
                  "writer.spool_dir": os.path.join(directory, "spool")}
        if a.cassandra:
            config.update({"backend.cassandra.enabled": True, "backend.cassandra.contact_points": a.cassandra,
                           "backend.cassandra.keyspace": "python_reads",
                           "backend.cassandra.replication": {"class": "SimpleStrategy", "replication_factor": 1}})
        with canopy_store.open(config, environment={}) as store:
            runs = [store.create_run(dataset_name="bench-reads") for _ in range(a.runs)]
            run = runs[-1]
            n = a.metrics
            store.store_metrics(run, columns={"epoch": list(range(n)), "train_loss": [1 / (i + 1) for i in range(n)],
                                              "val_accuracy": [0.6] * n, "hidden_units": [4] * n})
            store.flush_metrics()
            print(f"bench_reads: {'cassandra ' + a.cassandra if a.cassandra else 'sqlite'}, "
                  f"{a.runs} runs, {n:,} metrics in one")
            rows = store.query_metrics(run, limit=1000)
            assert len(rows) == 1000, len(rows)
            report("query_metrics(limit=1000)", timed(a.samples, lambda: store.query_metrics(run, limit=1000)))
            assert len(store.list_runs(100)) == 100
            report("list_runs(100)", timed(a.samples, lambda: store.list_runs(100)))


if __name__ == "__main__":
    main()
