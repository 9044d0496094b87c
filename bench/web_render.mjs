#!/usr/bin/env node
// The web page's run view on a run of 1,000,000 metrics: how long from
// navigation until its charts are drawn (the page marks `canopy:run-ready`
// once the summary, topology and five series are fetched and drawn), in
// headless Chromium from Debian against `canopy-store serve` on a temporary
// SQLite store. Then, with --live, the page following a run written at
// several times the demo's full speed: frame gaps and long tasks.
//
//   node bench/web_render.mjs [--metrics 1000000] [--repeat 7] [--live-rate 25000] [--live-seconds 10] [--no-live]
//
// Needs build/canopy-store (or CANOPY_STORE_BIN), web/node_modules, and for
// the live part the Python bindings (build/python, or CANOPY_PYTHONPATH) and
// .venv/bin/python3 (or CANOPY_PYTHON) for the writer.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  getJSON, launchBrowser, newPage, repoRoot, runStore, startServe, tempDir, waitFor,
} from '../tests/web/lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const METRICS = opt('--metrics', 1000000);
const REPEAT = opt('--repeat', 7);
const LIVE_RATE = opt('--live-rate', 25000);
const LIVE_SECONDS = opt('--live-seconds', 10);
const LIVE = !args.includes('--no-live');

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const fmt = (ms) => `${ms.toFixed(0)} ms`;

const dir = tempDir('canopy-web-bench-');
const db = join(dir, 'metrics.db');
let serve = null;
let browser = null;
let writer = null;
try {
  let t = performance.now();
  const made = await runStore(db, ['bench', '--metrics', String(METRICS), '--runs', '1'], { timeoutMs: 600000 });
  if (made.code !== 0) throw new Error(`canopy-store bench failed:\n${made.stderr}`);
  console.log(`setup: ${METRICS.toLocaleString('en-US')} metrics in one run written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  serve = await startServe(db);
  const { runs } = await getJSON(`${serve.url}/api/runs?limit=1`);
  const id = runs[0].run_id;
  const { metrics: count } = await getJSON(`${serve.url}/api/runs/${id}/summary`);
  console.log(`run ${id}: ${count.toLocaleString('en-US')} metrics, serve at ${serve.url}`);

  // What the server does with Chromium's Accept-Encoding (compression of
  // the answers is part of what the page waits for).
  for (const enc of ['gzip, deflate, br, zstd', 'gzip', 'identity']) {
    const t0 = performance.now();
    const res = await fetch(`${serve.url}/api/runs/${id}/series?field=val_loss&points=600`, { headers: { 'Accept-Encoding': enc } });
    const body = await res.arrayBuffer();
    console.log(`series?points=600 with Accept-Encoding "${enc}": ${res.headers.get('content-encoding') || 'identity'}, ` +
      `${fmt(performance.now() - t0)}, ${body.byteLength.toLocaleString('en-US')} bytes`);
  }

  browser = await launchBrowser();
  const times = [];
  const fetches = [];
  const draws = [];
  for (let i = 0; i <= REPEAT; i++) {
    const page = await newPage(browser, { width: 1280, height: 900 });
    t = performance.now();
    await page.goto(`${serve.url}/#/run/${id}`);
    await page.waitForSelector('[data-view="run"][data-state="ready"]', { timeout: 60000 });
    const m = await page.evaluate(() => {
      const mark = performance.getEntriesByName('canopy:run-ready')[0];
      const data = performance.getEntriesByName('canopy:run-data')[0];
      const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/'));
      return {
        ready: mark.startTime,
        draw: mark.startTime - data.startTime,
        view: Number(document.querySelector('[data-view="run"]').dataset.renderMs),
        apiMax: Math.max(...api.map((e) => e.duration)),
        points: [...document.querySelectorAll('figure[data-chart]')].map((f) => Number(f.dataset.points)),
      };
    });
    if (page.errors.length) throw new Error(`console errors: ${page.errors.join('; ')}`);
    await page.context().close();
    if (i === 0) {
      console.log(`warm-up: ${fmt(m.ready)} (points drawn per chart: ${m.points.join(', ')})`);
      continue; // the first load warms the server's and SQLite's caches
    }
    times.push(m.ready);
    fetches.push(m.apiMax);
    draws.push(m.draw);
    console.log(`load ${i}: run view ready ${fmt(m.ready)} after navigation start (view's fetches and drawing ${fmt(m.view)}, ` +
      `of which drawing ${fmt(m.draw)}; slowest API request ${fmt(m.apiMax)})`);
  }
  console.log(`run view of a ${count.toLocaleString('en-US')}-metric run: p50 ${fmt(pct(times, 0.5))}, min ${fmt(Math.min(...times))}, max ${fmt(Math.max(...times))} over ${times.length} loads; ` +
    `drawing p50 ${fmt(pct(draws, 0.5))}; slowest API request p50 ${fmt(pct(fetches, 0.5))}`);

  if (LIVE) {
    // A writer at LIVE_RATE metrics/s (the demo at full speed records about
    // 12,000 a second), through the Python bindings.
    const py = join(dir, 'writer.py');
    writeFileSync(py, `
import sys, time, canopy_store
rate, seconds, path = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
with canopy_store.open({"backend.embedded.path": path, "backend.cassandra.flush_interval": "100ms"}) as s:
    run = s.create_run(dataset_name="web-bench-live")
    print(run, flush=True)
    time.sleep(3)  # the page opens the run meanwhile
    t0 = time.time(); n = 0
    while time.time() - t0 < seconds:
        target = int((time.time() - t0) * rate)
        while n < target:
            n += 1
            s.store_metric(run, {"epoch": n, "train_loss": 1 / n, "val_loss": 1.2 / n,
                                 "train_accuracy": 1 - 1 / n, "val_accuracy": 0.9 - 1 / n, "hidden_units": n // 10000})
        time.sleep(0.005)
    s.complete_run(run)
    print(n, flush=True)
`);
    const python = process.env.CANOPY_PYTHON || join(repoRoot, '.venv/bin/python3');
    writer = spawn(python, [py, String(LIVE_RATE), String(LIVE_SECONDS), db], {
      env: { ...process.env, PYTHONPATH: process.env.CANOPY_PYTHONPATH || join(repoRoot, 'build/python') }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    writer.stdout.on('data', (d) => { out += d; });
    const liveId = await waitFor(() => out.split('\n')[0].match(/^[0-9a-f-]{36}$/)?.[0], { what: 'the writer' });
    const page = await newPage(browser);
    await page.goto(`${serve.url}/#/run/${liveId}`);
    await page.waitForSelector('[data-view="run"][data-state="ready"]');
    await page.evaluate(() => {
      window.__gaps = [];
      window.__long = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); })
        .observe({ type: 'longtask', buffered: false });
      let last = performance.now();
      const loop = (now) => { window.__gaps.push(now - last); last = now; if (!window.__stop) requestAnimationFrame(loop); };
      requestAnimationFrame(loop);
    });
    await page.waitForSelector('[data-view="run"][data-live="done"]', { timeout: (LIVE_SECONDS + 60) * 1000 });
    const r = await page.evaluate(() => {
      window.__stop = true;
      return { gaps: window.__gaps, long: window.__long, points: document.querySelector('figure[data-chart="loss"]').dataset.points };
    });
    const written = Number(out.trim().split('\n').pop());
    console.log(`live: ${written.toLocaleString('en-US')} metrics at ${LIVE_RATE.toLocaleString('en-US')}/s for ${LIVE_SECONDS} s followed; ` +
      `frame gap p50 ${fmt(pct(r.gaps, 0.5))}, p99 ${fmt(pct(r.gaps, 0.99))}, max ${fmt(Math.max(...r.gaps))} over ${r.gaps.length} frames; ` +
      `long tasks (>50 ms) ${r.long.length}, longest ${r.long.length ? fmt(Math.max(...r.long)) : '—'}; final chart points ${r.points}`);
    if (page.errors.length) throw new Error(`console errors: ${page.errors.join('; ')}`);
  }
} finally {
  writer?.kill();
  await browser?.close();
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
}
