// A run's event stream (/api/runs/{id}/events), read off the main thread.
//
// The server sends one Server-Sent Event per metric, in bursts (it polls
// the store a few times a second); a trainer at full speed means thousands
// of events a second, and dispatching each one on the page's thread would
// make it stutter. So a dedicated worker (live-worker.js) holds the
// EventSource, parses the events and hands them over in batches, at most
// ten times a second, in order: metrics collected before a topology or run
// event are handed over before it.
//
// openStream(url, handler) → {close()}; handler receives
//   {type: 'open'} | {type: 'metrics', data: packed (packMetrics)} |
//   {type: 'topology', data} | {type: 'run', data} | {type: 'error', closed}
// Metrics cross from the worker as columns of numbers in transferred
// buffers (no per-object copy), timestamps already parsed.

/* global __LIVE_WORKER_URL__ */

export const BATCH_MS = 100;
export const LIVE_FIELDS = ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy', 'hidden_units'];

function num(v) {
  return typeof v === 'number' ? v : NaN; // "NaN", "Infinity", null: not drawn
}

// Metrics as columns: {count, t, step, epoch (NaN: none), cols: {field:
// Float64Array}, last (the newest metric as sent)}.
export function packMetrics(metrics, fields = LIVE_FIELDS) {
  const n = metrics.length;
  const t = new Float64Array(n);
  const step = new Int32Array(n);
  const epoch = new Float64Array(n);
  const cols = Object.fromEntries(fields.map((f) => [f, new Float64Array(n)]));
  let last = null;
  for (let i = 0; i < n; i++) {
    const m = metrics[i];
    t[i] = Date.parse(m.timestamp);
    step[i] = m.step;
    epoch[i] = Number.isInteger(m.epoch) ? m.epoch : NaN;
    for (const f of fields) cols[f][i] = num(m[f]);
    if (!last || m.step > last.step) last = m;
  }
  return { count: n, t, step, epoch, cols, last };
}

export function transferables(packed) {
  return [packed.t.buffer, packed.step.buffer, packed.epoch.buffer, ...Object.values(packed.cols).map((c) => c.buffer)];
}

// Packed metrics as points per field ({t, step, epoch, v}), leaving out
// values a chart cannot draw.
export function unpackPoints(packed) {
  const out = {};
  for (const [f, col] of Object.entries(packed.cols)) {
    const pts = [];
    for (let i = 0; i < packed.count; i++) {
      const v = col[i];
      if (Number.isFinite(v)) {
        const e = packed.epoch[i];
        pts.push({ t: packed.t[i], step: packed.step[i], epoch: Number.isNaN(e) ? null : e, v });
      }
    }
    out[f] = pts;
  }
  return out;
}

// The stream itself, in whichever thread runs it; emit(message) receives
// the messages above.
export function runStream(url, emit, ES = globalThis.EventSource) {
  const es = new ES(url);
  let batch = [];
  let timer = null;
  const flush = () => {
    clearTimeout(timer);
    timer = null;
    if (batch.length) {
      const data = packMetrics(batch);
      batch = [];
      emit({ type: 'metrics', data }, transferables(data));
    }
  };
  es.addEventListener('open', () => emit({ type: 'open' }));
  es.addEventListener('metric', (e) => {
    batch.push(JSON.parse(e.data));
    if (!timer) timer = setTimeout(flush, BATCH_MS);
  });
  for (const type of ['topology', 'run']) {
    es.addEventListener(type, (e) => {
      flush();
      emit({ type, data: JSON.parse(e.data) });
    });
  }
  es.addEventListener('error', () => {
    flush();
    emit({ type: 'error', closed: es.readyState === 2 });
  });
  return {
    close() {
      flush();
      es.close();
    },
  };
}

// In the page: the stream in a worker when the browser has workers, else
// here (the same batching).
export function openStream(url, handler) {
  // set by the bundler (web/build.mjs); absent when not bundled
  const workerUrl = typeof __LIVE_WORKER_URL__ === 'string' ? __LIVE_WORKER_URL__ : null;
  if (typeof Worker === 'undefined' || !workerUrl) {
    return runStream(new URL(url, location.href).href, handler);
  }
  const worker = new Worker(workerUrl);
  let closed = false;
  worker.addEventListener('message', (e) => {
    if (!closed) handler(e.data);
  });
  worker.addEventListener('error', (e) => {
    console.error('live stream worker:', e.message);
  });
  worker.postMessage({ type: 'open', url: new URL(url, location.href).href });
  return {
    close() {
      closed = true;
      worker.terminate();
    },
  };
}
