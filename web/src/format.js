// Formatting of the API's values for people. Pure functions, tested by
// test/format.test.js. The API writes NaN and ±Inf as strings and unset
// fields as null (docs/http.md).

export function num(v) {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return null;
}

// A finite number, or null (what a chart can draw).
export function finite(v) {
  const n = num(v);
  return n !== null && Number.isFinite(n) ? n : null;
}

const DASH = '—';

export function fmtNumber(v, digits = 4) {
  const n = num(v);
  if (n === null) return DASH;
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '−∞';
  if (n === 0) return '0';
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return fmtInt(n);
  const a = Math.abs(n);
  if (a >= 1e6 || a < 1e-4) return n.toExponential(digits - 1);
  return Number(n.toPrecision(digits)).toString();
}

export function fmtPercent(v, digits = 1) {
  const n = finite(v);
  return n === null ? fmtNumber(v) : `${(n * 100).toFixed(digits)} %`;
}

// A field's value as people read it: accuracies in percent.
export function fmtField(field, v) {
  return field.endsWith('accuracy') ? fmtPercent(v) : fmtNumber(v);
}

// 1234567 → "1,234,567" (toLocaleString is slow enough to show on chart axes).
export function fmtInt(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return DASH;
  const s = String(Math.abs(Math.round(v)));
  const g = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return v < 0 && Math.round(v) !== 0 ? `-${g}` : g;
}

export function fmtDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return DASH;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min ${sec} s`;
}

// Seconds between two ISO times (end null: now).
export function durationBetween(startIso, endIso, now = Date.now()) {
  const a = Date.parse(startIso);
  if (Number.isNaN(a)) return null;
  const b = endIso ? Date.parse(endIso) : now;
  return Number.isNaN(b) ? null : Math.max(0, (b - a) / 1000);
}

// A run's duration: the stored one when complete, else the time since start.
export function runDuration(run, now = Date.now()) {
  if (typeof run.duration_seconds === 'number' && run.status !== 'running') return run.duration_seconds;
  return durationBetween(run.start_time, run.status === 'running' ? null : run.end_time, now);
}

function pad(n, w = 2) {
  return String(n).padStart(w, '0');
}

// "2026-11-30 19:10:32" in the viewer's time zone (or UTC with utc=true).
export function fmtTime(iso, utc = false) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return DASH;
  const d = new Date(t);
  const [Y, M, D, h, m, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${Y}-${pad(M)}-${pad(D)} ${pad(h)}:${pad(m)}:${pad(s)}`;
}

// "3 min ago" for recent times.
export function fmtAgo(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return DASH;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function shortId(id) {
  return String(id).slice(0, 8);
}

export const FIELD_LABELS = {
  train_loss: 'train loss',
  train_accuracy: 'train accuracy',
  val_loss: 'validation loss',
  val_accuracy: 'validation accuracy',
  learning_rate: 'learning rate',
  hidden_units: 'hidden units',
};

export function statusLabel(status) {
  return status || 'unknown';
}
