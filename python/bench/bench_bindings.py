"""Prints what the Python bindings cost on the embedded backend: store_metric
calls per second (one dict of seven fields each), store + flush, a
query_metrics of 1000 rows into dicts, and iter_metrics rows per second.

    PYTHONPATH=build/python .venv/bin/python3 python/bench/bench_bindings.py [N]

Figures, never assertions; docs/python.md quotes them.
"""

import os
import sys
import tempfile
import time

import canopy_store


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    metric = {"epoch": 1, "train_loss": 0.5, "train_accuracy": 0.9, "val_loss": 0.6,
              "val_accuracy": 0.8, "learning_rate": 0.01, "hidden_units": 3}
    for durability in ("buffered", "spool_each"):
        with tempfile.TemporaryDirectory() as directory:
            config = {"backend.embedded.path": os.path.join(directory, "m.db"), "writer.durability": durability}
            with canopy_store.open(config, environment={}) as store:
                run = store.create_run(dataset_name="bench")
                start = time.perf_counter()
                for _ in range(n):
                    store.store_metric(run, metric)
                stored = time.perf_counter()
                store.flush_metrics()
                flushed = time.perf_counter()
                print(f"writer.durability={durability}: store_metric {n / (stored - start):,.0f} calls/s "
                      f"({(stored - start) / n * 1e6:.1f} us/call); store + flush {n / (flushed - start):,.0f}/s")
                repeats = 20
                start = time.perf_counter()
                for _ in range(repeats):
                    rows = store.query_metrics(run, limit=1000)
                took = time.perf_counter() - start
                print(f"  query_metrics(limit=1000) -> {len(rows)} dicts: {took / repeats * 1e3:.2f} ms")
                start = time.perf_counter()
                count = sum(1 for _ in store.iter_metrics(run))
                took = time.perf_counter() - start
                print(f"  iter_metrics over {count:,} rows: {count / took:,.0f} rows/s")


if __name__ == "__main__":
    main()
