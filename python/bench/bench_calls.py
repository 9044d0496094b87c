"""N store_metric calls (``single``) or the same N metrics through
store_metrics in lists of 1000 dicts (``bulk``) or columns of 1000 values
(``columns``), on the embedded backend; prints µs per metric. Made for
bench/caller_instructions.sh (callgrind over the interpreter at two sizes),
also useful alone:

    PYTHONPATH=build/python .venv/bin/python3 python/bench/bench_calls.py single|bulk|columns N

Figures, never assertions; docs/performance.md quotes them.
"""

import os
import sys
import tempfile
import time

import canopy_store


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "single"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    metric = {"epoch": 1, "train_loss": 0.5, "train_accuracy": 0.9, "val_loss": 0.6,
              "val_accuracy": 0.8, "learning_rate": 0.01, "hidden_units": 3}
    chunk = 1000
    with tempfile.TemporaryDirectory() as directory:
        config = {"backend.embedded.path": os.path.join(directory, "m.db")}
        with canopy_store.open(config, environment={}) as store:
            run = store.create_run(dataset_name="bench")
            if mode == "single":
                start = time.perf_counter()
                for _ in range(n):
                    store.store_metric(run, metric)
            elif mode == "bulk":
                metrics = [metric] * chunk
                start = time.perf_counter()
                for _ in range(n // chunk):
                    store.store_metrics(run, metrics)
            elif mode == "columns":
                columns = {key: [value] * chunk for key, value in metric.items()}
                start = time.perf_counter()
                for _ in range(n // chunk):
                    store.store_metrics(run, columns=columns)
            else:
                raise SystemExit(f"unknown mode {mode!r}: single, bulk or columns")
            took = time.perf_counter() - start
            store.flush_metrics()
    print(f"{mode}: {took / n * 1e6:.2f} us per metric ({n} metrics)")


if __name__ == "__main__":
    main()
