#!/usr/bin/env python3
"""Read API benchmark: prints figures for docs/performance.md.

Over one run of --metrics metrics (default 1,000,000, recorded with
`canopy-store bench --runs 1`): p50/p99 of series?points=1000 and summary,
p50 of /api/runs, export rows/s (csv, ndjson) and the server's peak RSS;
then --clients concurrent SSE clients (default 100) following a demo that
trains in another process, checking that every client got every metric.

    bench/http_read.py [--bin build/canopy-store] [--metrics N] [--clients N]
                       [--config FILE | --backend cassandra]   (default: a fresh SQLite store)
                       [--node-pid PID]   (the Cassandra node: its CPU per exported row)

Not a test: it only measures. Run it on a quiet machine.
"""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def percentile(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def cpu_seconds(pid):
    """User + system CPU seconds of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_get(url, n):
    """n sequential GETs on one kept-alive connection; returns ms each."""
    u = urllib.request.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", u.path + ("?" + u.query if u.query else ""))
        r = conn.getresponse()
        r.read()
        assert r.status == 200, (url, r.status)
        out.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return out


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def follow(url, path, result, index):
    u = urllib.request.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    conn.request("GET", path)
    r = conn.getresponse()
    metrics, final = 0, None
    event = None
    for raw in r:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "metric":
            metrics += 1
        elif line.startswith("data: ") and event == "run":
            final = json.loads(line[6:])["status"]
    result[index] = (metrics, final)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "canopy-store"))
    ap.add_argument("--metrics", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--config", help="YAML configuration (e.g. a Cassandra keyspace)")
    ap.add_argument("--backend", choices=["embedded", "cassandra"])
    ap.add_argument("--node-pid", type=int, help="the Cassandra node's pid: print its CPU per exported row")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="canopy-http-bench-")
    store = []
    if args.config:
        store += ["--config", args.config]
    if args.backend:
        store += ["--backend", args.backend]
    if not args.config and args.backend != "cassandra":
        store += ["--set", f"backend.embedded.path={tmp}/metrics.db"]
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, "xdg"))

    print(f"recording {args.metrics:,} metrics in one run (canopy-store bench --runs 1) ...", flush=True)
    subprocess.run([args.bin, *store, "bench", "--metrics", str(args.metrics), "--runs", "1"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([args.bin, *store, "serve", "--listen", "127.0.0.1:0", "--quiet",
                               "--max-streams", str(args.clients + 16), "--poll-interval", "250"],
                              stdout=subprocess.PIPE, text=True, env=env)
    url = re.match(r"serving (\S+)", server.stdout.readline()).group(1)
    try:
        runs = json.load(urllib.request.urlopen(url + "/api/runs?dataset=canopy-store-bench&limit=1"))["runs"]
        run_id = runs[0]["run_id"]
        total = json.load(urllib.request.urlopen(f"{url}/api/runs/{run_id}/summary"))["metrics"]
        print(f"server {url}, run {run_id}: {total:,} metrics")

        def report(name, samples):
            print(f"{name:<34} p50 {statistics.median(samples):8.2f} ms   p99 {percentile(samples, 99):8.2f} ms")

        timed_get(f"{url}/api/runs/{run_id}/series?points=1000", 3)  # warm
        report("series?points=1000", timed_get(f"{url}/api/runs/{run_id}/series?field=val_accuracy&points=1000", args.samples))
        report("summary", timed_get(f"{url}/api/runs/{run_id}/summary", args.samples))
        report("/api/runs", timed_get(f"{url}/api/runs", args.samples * 4))
        report("runs/{id}/metrics?limit=1000", timed_get(f"{url}/api/runs/{run_id}/metrics?limit=1000", args.samples))

        rss_before = vm_hwm_kib(server.pid)
        for fmt in ("csv", "ndjson", "csv", "ndjson"):
            t0 = time.perf_counter()
            cpu0 = {pid: cpu_seconds(pid) for pid in (server.pid, args.node_pid) if pid}
            rows, size = 0, 0
            # Read in 1 MiB blocks: a Python loop per line is slower than the
            # server and would measure the client.
            with urllib.request.urlopen(f"{url}/api/runs/{run_id}/export?format={fmt}", timeout=3600) as r:
                while block := r.read(1 << 20):
                    rows += block.count(b"\n")
                    size += len(block)
            secs = time.perf_counter() - t0
            rows -= fmt == "csv"  # header
            assert rows == total, (fmt, rows, total)
            cpu = "   ".join(f"{name} CPU {(cpu_seconds(pid) - cpu0[pid]) * 1e6 / rows:.2f} µs/row"
                            for name, pid in (("server", server.pid), ("node", args.node_pid)) if pid)
            print(f"export {fmt:<27} {rows / secs:10,.0f} rows/s  ({size / secs / 1e6:.0f} MB/s, {secs:.1f} s)   {cpu}")
        print(f"server peak RSS (VmHWM)            {rss_before / 1024:8.1f} MiB before exports, "
              f"{vm_hwm_kib(server.pid) / 1024:.1f} MiB after")

        # SSE: clients follow a demo training in another process.
        demo = subprocess.Popen([args.bin, *store, "demo", "--quiet", "--no-plot", "--epoch-delay", "5"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        live = None
        while live is None and demo.poll() is None:
            running = json.load(urllib.request.urlopen(url + "/api/runs?status=running&dataset=two_spirals&limit=1"))["runs"]
            live = running[0]["run_id"] if running else None
            time.sleep(0.02)
        results = [None] * args.clients
        threads = [threading.Thread(target=follow, args=(url, f"/api/runs/{live}/events?from=@0", results, i))
                   for i in range(args.clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        demo.wait()
        for t in threads:
            t.join(timeout=600)
        secs = time.perf_counter() - t0
        stored = json.load(urllib.request.urlopen(f"{url}/api/runs/{live}/summary"))["metrics"]
        complete = sum(1 for r in results if r and r[0] == stored and r[1] == "completed")
        print(f"SSE: {args.clients} clients following a demo: {complete}/{args.clients} got all {stored:,} "
              f"metrics and the final run event ({secs:.1f} s)")
        print(f"server peak RSS (VmHWM) at the end  {vm_hwm_kib(server.pid) / 1024:8.1f} MiB")
        return 0 if complete == args.clients else 1
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
