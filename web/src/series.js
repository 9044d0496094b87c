// Series bookkeeping for the charts: points from /api/runs/{id}/series,
// live points from the event stream merged into them, alignment into
// uPlot's data format, and the mapping of a zoom selection back to the
// time range the API takes. Pure functions, tested by test/series.test.js.
//
// A point here is {t (ms since the epoch), step, epoch (or null), v}.

import { finite } from './format.js';

// An API series ({points: [{timestamp, step, epoch, value}]}) as points,
// without values a chart cannot draw (NaN, ±Inf, null).
export function seriesPoints(series) {
  const out = [];
  for (const p of series?.points || []) {
    const v = finite(p.value);
    if (v === null) continue;
    out.push({ t: Date.parse(p.timestamp), step: p.step, epoch: p.epoch ?? null, v });
  }
  return out;
}

// The x axis of a run's charts. Epoch is what people think in, and what
// the compare view aligns on; but a producer may record several metrics per
// epoch, or none, so epoch is used only when every point has one and
// epochs strictly increase. Otherwise step, which every metric has and
// which strictly increases by construction.
export function chooseXKey(lists) {
  for (const pts of lists) {
    let prev = -Infinity;
    for (const p of pts) {
      if (!Number.isInteger(p.epoch) || p.epoch <= prev) return 'step';
      prev = p.epoch;
    }
  }
  return 'epoch';
}

export function xOf(p, xKey) {
  return xKey === 'epoch' ? p.epoch : p.step;
}

// Several point lists (each ascending in x) as one uPlot table
// [xs, ys0, ys1, …]: xs is the sorted union, ysI[j] is list I's value at
// xs[j] or null. Series downsampled separately keep different points (M4
// picks each field's own extremes), so the union is what is drawn, with
// gaps spanned.
export function alignXY(lists, xKey) {
  const idx = lists.map(() => 0);
  const xs = [];
  const ys = lists.map(() => []);
  for (;;) {
    let x = Infinity;
    for (let i = 0; i < lists.length; i++) {
      if (idx[i] < lists[i].length) x = Math.min(x, xOf(lists[i][idx[i]], xKey));
    }
    if (x === Infinity) break;
    xs.push(x);
    for (let i = 0; i < lists.length; i++) {
      const p = lists[i][idx[i]];
      if (p && xOf(p, xKey) === x) {
        ys[i].push(p.v);
        // Equal x within one list (not produced by chooseXKey): keep the last.
        while (idx[i] + 1 < lists[i].length && xOf(lists[i][idx[i] + 1], xKey) === x) {
          idx[i]++;
          ys[i][ys[i].length - 1] = lists[i][idx[i]].v;
        }
        idx[i]++;
      } else {
        ys[i].push(null);
      }
    }
  }
  return [xs, ...ys];
}

// Appends live points that come after the last point held (by step), in
// step order. Points at or before it are already held: the stream and the
// first fetch overlap, and a reconnected stream may repeat. Returns the
// number appended; `points` is changed in place.
export function mergeLive(points, incoming) {
  const sorted = incoming.length > 1 ? [...incoming].sort((a, b) => a.step - b.step) : incoming;
  let last = points.length ? points[points.length - 1].step : -Infinity;
  let added = 0;
  for (const p of sorted) {
    if (p.step > last) {
      points.push(p);
      last = p.step;
      added++;
    }
  }
  return added;
}

// Downsample bookkeeping. A series fetched for a chart `budget` pixels
// wide holds at most 4·budget points (M4 keeps four per pixel bucket), or
// every value when the run is short. Live points are appended as they
// come; once a series holds more than a fresh fetch could return, it is
// fetched again (downsampled), so a run that trains for days never makes
// the chart draw millions of points.
export function needsRefetch(count, budget) {
  return count > 4 * budget;
}

// The time range [from, to) that holds the points of x range [x0, x1]
// (a zoom selection), from the points drawn: from the first point at or
// after x0 to the last point at or before x1 (to is exclusive, hence the
// millisecond added). Null when the selection holds no point.
export function rangeToTimes(points, xKey, x0, x1) {
  let first = null;
  let last = null;
  for (const p of points) {
    const x = xOf(p, xKey);
    if (x < x0 || x > x1) continue;
    if (first === null || p.t < first.t) first = p;
    if (last === null || p.t > last.t) last = p;
  }
  if (!first) return null;
  return { from: new Date(first.t).toISOString(), to: new Date(last.t + 1).toISOString() };
}

// Markers where hidden units were installed: one per topology snapshot, at
// its epoch (or, on a step axis, the step of the first hidden_units point
// of that epoch or later) and its hidden unit count.
export function unitMarkers(topology, hiddenPoints, xKey) {
  const xs = [];
  const ys = [];
  for (const s of topology || []) {
    if (!Number.isInteger(s.hidden_units)) continue;
    let x;
    if (xKey === 'epoch') {
      x = Number.isInteger(s.epoch) ? s.epoch : null;
    } else {
      const t = Date.parse(s.timestamp);
      const p = hiddenPoints.find((q) => (Number.isInteger(s.epoch) && q.epoch !== null
        ? q.epoch >= s.epoch : q.t >= t));
      x = p ? p.step : null;
    }
    if (x !== null && (xs.length === 0 || x > xs[xs.length - 1])) {
      xs.push(x);
      ys.push(s.hidden_units);
    }
  }
  return { xs, ys };
}

// Places markers into an aligned table: adds a column that is the marker's
// y at the marker's x and null elsewhere (markers whose x is not in the
// table are inserted, the other columns getting null there).
export function withMarkers(table, markers) {
  const [xs, ...cols] = table;
  const outX = [];
  const outCols = cols.map(() => []);
  const outM = [];
  let i = 0;
  let j = 0;
  while (i < xs.length || j < markers.xs.length) {
    const xa = i < xs.length ? xs[i] : Infinity;
    const xb = j < markers.xs.length ? markers.xs[j] : Infinity;
    const x = Math.min(xa, xb);
    outX.push(x);
    cols.forEach((c, k) => outCols[k].push(xa === x ? c[i] : null));
    outM.push(xb === x ? markers.ys[j] : null);
    if (xa === x) i++;
    if (xb === x) j++;
  }
  return [outX, ...outCols, outM];
}

// /api/compare's answer as a uPlot table: epochs, then one column per run.
export function compareTable(cmp) {
  const xs = cmp?.epochs || [];
  return [xs, ...(cmp?.values || []).map((col) => col.map((v) => finite(v)))];
}

// Values a column holds (what a chart draws as points).
export function countValues(col) {
  let n = 0;
  for (const v of col) if (v !== null && v !== undefined) n++;
  return n;
}
