// The run view: loss, accuracy and hidden-unit charts, the run's summary,
// downloads, zoom at full resolution, and live updates over the event
// stream while the run trains.

import { api, isAbort } from '../api.js';
import { createChart } from '../charts.js';
import { h, clear, setText, statusBadge, messageBox } from '../dom.js';
import { fmtDuration, fmtField, fmtInt, fmtNumber, fmtTime, runDuration, FIELD_LABELS } from '../format.js';
import {
  seriesPoints, chooseXKey, alignXY, mergeLive, needsRefetch, rangeToTimes, unitMarkers,
  withMarkers, countValues, xOf,
} from '../series.js';
import { formatHash, isRunId } from '../state.js';
import { LIVE_FIELDS, openStream, unpackPoints } from '../live-stream.js';

const FIELDS = LIVE_FIELDS; // the fields drawn, the fields the stream passes on
const CHARTS = [
  { id: 'loss', title: 'Loss', fields: ['train_loss', 'val_loss'], fmt: (v) => fmtNumber(v, 3) },
  { id: 'accuracy', title: 'Accuracy', fields: ['train_accuracy', 'val_accuracy'],
    fmt: (v) => `${(v * 100).toFixed(v >= 0.995 || v === 0 ? 0 : 1)} %` },
  { id: 'hidden', title: 'Hidden units', fields: ['hidden_units'], fmt: (v) => fmtInt(v), integer: true },
];
const FLUSH_MS = 100; // live redraws at most this often
const emptyPending = () => Object.fromEntries(FIELDS.map((f) => [f, []]));
// The chart's point count (data-points) counts this field's points.
const PRIMARY = { loss: 'val_loss', accuracy: 'val_accuracy', hidden: 'hidden_units' };

export function mountRun(root, route, ctx) {
  const id = route.id;
  let current = route;
  let destroyed = false;
  const ctrl = new AbortController();
  let run = null;
  let summary = null;
  let topology = [];
  let points = {}; // field → points held
  let xKey = 'epoch';
  let charts = [];
  let es = null;
  let pending = emptyPending(); // live points not yet merged, per field
  let pendingLast = null; // the newest metric among them
  let frame = 0; // a timer, then an animation frame, while a flush is scheduled
  let lastFlush = 0;
  let refetching = null;
  let lastRefetch = 0;
  let seriesIn = false; // the first series answer is in: live points can be merged
  let tick = null;
  let latest = null; // newest metric seen
  let liveBest = null; // best validation accuracy seen live: {v, epoch}

  clear(root);
  const view = h('section', { class: 'view view-run', dataset: { view: 'run', state: 'loading', runId: id } });
  root.append(view);

  if (!isRunId(id)) {
    view.dataset.state = 'error';
    view.append(backLink(), messageBox('error', 'Not a run id',
      h('p', null, h('code', null, id), ' is not a run id (expected a UUID such as ',
        h('code', null, '123e4567-e89b-12d3-a456-426614174000'), ').')));
    return { update: () => false, destroy() {} };
  }

  const badge = h('span', { class: 'badge-slot' });
  const live = h('span', { class: 'live', id: 'live-indicator', role: 'status', 'aria-live': 'polite' });
  const resetBtn = h('button', { type: 'button', id: 'reset-zoom', hidden: true, 'aria-keyshortcuts': 'Escape',
    onclick: () => resetZoom() }, 'Reset zoom');
  const cards = h('dl', { class: 'cards', id: 'run-summary' });
  const chartsBox = h('div', { class: 'charts' });
  const zoomNote = h('p', { class: 'muted', id: 'zoom-note' });
  view.append(
    backLink(),
    h('div', { class: 'view-head' },
      h('h1', null, 'Run ', h('code', { class: 'run-id' }, id)), badge, live),
    h('div', { class: 'toolbar' },
      h('a', { class: 'button', id: 'download-csv', href: api.exportUrl(id, 'csv'), download: `run-${id}.csv` },
        'Download CSV'),
      h('a', { class: 'button', id: 'download-json', href: api.exportUrl(id, 'json'), download: `run-${id}.json` },
        'Download JSON'),
      h('a', { class: 'button', href: formatHash({ view: 'compare', runs: [id, ...[...ctx.selected].filter((r) => r !== id)] }) },
        'Compare with…'),
      resetBtn),
    cards, chartsBox, zoomNote);

  function backLink() {
    return h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/runs' }, '‹ Runs'));
  }

  function fail(e) {
    if (isAbort(e) || destroyed) return;
    stopLive();
    clear(view);
    view.dataset.state = 'error';
    if (e.status === 404) {
      view.append(backLink(), messageBox('error', 'Run not found',
        h('p', null, 'No run ', h('code', null, id), ' in this store. It may have expired (ttl.runs), or the link is from another store.')));
    } else if (e.down) {
      view.append(backLink(), messageBox('error', 'The server does not answer', e.message,
        h('button', { type: 'button', onclick: () => ctx.reload() }, 'Try again')));
    } else {
      view.append(backLink(), messageBox('error', 'Cannot show this run', e.message));
    }
  }

  // ---- summary cards ----
  function card(label, value, key, sub) {
    return h('div', { class: 'card', dataset: { key } }, h('dt', null, label),
      h('dd', null, value, sub ? h('span', { class: 'sub' }, sub) : null));
  }
  function fieldValue(name) {
    const fromRun = run?.[`final_${name}`];
    if (fromRun !== null && fromRun !== undefined) return fromRun;
    if (latest && latest[name] !== undefined && latest[name] !== null) return latest[name];
    return summary?.fields?.[name]?.last ?? null;
  }
  function renderCards() {
    if (!run) return;
    const va = summary?.fields?.val_accuracy;
    let best = run.best_val_accuracy ?? va?.best ?? null;
    let bestEpoch = run.best_epoch ?? va?.best_epoch ?? null;
    if (run.best_val_accuracy == null && liveBest && (best === null || liveBest.v > best)) {
      best = liveBest.v;
      bestEpoch = liveBest.epoch;
    }
    const epochs = run.final_epoch ?? latest?.epoch ?? summary?.fields?.val_accuracy?.last_epoch ?? null;
    const snap = topology.length ? topology[topology.length - 1] : null;
    const units = run.total_hidden_units ?? latest?.hidden_units ?? summary?.fields?.hidden_units?.last ?? null;
    const params = run.total_parameters ?? snap?.total_parameters ?? null;
    const now = run.status === 'running' ? 'Latest' : 'Final';
    clear(cards);
    cards.append(
      card('Best validation accuracy', fmtField('val_accuracy', best), 'best',
        bestEpoch !== null ? `at epoch ${fmtInt(bestEpoch)}` : null),
      card(`${now} validation accuracy`, fmtField('val_accuracy', fieldValue('val_accuracy')), 'final-val-accuracy'),
      card(`${now} train accuracy`, fmtField('train_accuracy', fieldValue('train_accuracy')), 'final-train-accuracy'),
      card(`${now} validation loss`, fmtNumber(fieldValue('val_loss')), 'final-val-loss'),
      card(`${now} train loss`, fmtNumber(fieldValue('train_loss')), 'final-train-loss'),
      card('Epochs', fmtInt(epochs), 'epochs'),
      card('Hidden units', fmtInt(units), 'hidden-units', params != null ? `${fmtInt(params)} parameters` : null),
      card('Duration', fmtDuration(runDuration(run)), 'duration', `started ${fmtTime(run.start_time)}`),
      card('Dataset', run.dataset_name || '—', 'dataset',
        summary ? `${fmtInt(Math.max(summary.metrics || 0, latest ? latest.step + 1 : 0))} metrics` : null),
    );
  }
  function renderHead() {
    clear(badge);
    badge.append(statusBadge(run.status));
    view.dataset.status = run.status;
    if (run.status === 'running') {
      live.dataset.live = es ? 'on' : 'off';
      setText(live, es ? '● live' : 'running');
    } else {
      live.dataset.live = 'done';
      setText(live, run.status === 'completed' ? 'training complete' : `training ended (${run.status})`);
    }
  }

  // ---- charts ----
  function buildCharts() {
    for (const c of charts) c.chart.destroy();
    clear(chartsBox);
    const xLabel = xKey === 'epoch' ? 'epoch' : 'step';
    charts = CHARTS.map((spec) => {
      const series = spec.fields.map((f) => ({ label: FIELD_LABELS[f], kind: f === 'hidden_units' ? 'step' : 'line' }));
      if (spec.id === 'hidden') series.push({ label: 'unit installed', kind: 'markers' });
      const chart = createChart(chartsBox, { id: spec.id, title: spec.title, xLabel, fmt: spec.fmt, series,
        integer: spec.integer,
        syncKey: `run-${id}`, onZoom: zoomTo, onReset: resetZoom });
      return { spec, chart };
    });
  }
  // Points to ask for a field: the width in pixels of the chart drawing it.
  function budget(field) {
    const c = charts.find((x) => x.spec.fields.includes(field));
    return c ? c.chart.budget : Math.max(200, Math.floor(chartsBox.clientWidth || 800));
  }
  function draw() {
    for (const { spec, chart } of charts) {
      let table = alignXY(spec.fields.map((f) => points[f] || []), xKey);
      if (spec.id === 'hidden') {
        const hp = points.hidden_units || [];
        const m = unitMarkers(topology, hp, xKey);
        if (zoomed() && hp.length) { // only the markers of the range shown
          const lo = xOf(hp[0], xKey);
          const hi = xOf(hp[hp.length - 1], xKey);
          const keep = m.xs.map((x) => x >= lo && x <= hi);
          m.xs = m.xs.filter((x, i) => keep[i]);
          m.ys = m.ys.filter((y, i) => keep[i]);
        }
        table = withMarkers(table, m);
      }
      chart.figure.dataset.budget = String(chart.budget);
      chart.setData(table, (points[PRIMARY[spec.id]] || []).length);
      chart.figure.dataset.rendered = String(countValues(table[1] || []));
      const held = points[PRIMARY[spec.id]] || [];
      chart.figure.dataset.firstStep = held.length ? String(held[0].step) : '';
      chart.figure.dataset.lastStep = held.length ? String(held[held.length - 1].step) : '';
    }
  }

  async function fetchSeries(r) {
    const answers = await Promise.all(FIELDS.map((f) => api.series(id, f, budget(f), r.from, r.to,
      { signal: ctrl.signal })));
    const next = {};
    FIELDS.forEach((f, i) => { next[f] = seriesPoints(answers[i]); });
    return next;
  }

  function zoomed() {
    return Boolean(current.from || current.to);
  }
  function zoomTo(x0, x1) {
    const all = FIELDS.flatMap((f) => points[f] || []);
    const range = rangeToTimes(all, xKey, x0, x1);
    if (range) ctx.navigate(formatHash({ view: 'run', id, ...range }));
  }
  function resetZoom() {
    if (zoomed()) ctx.navigate(formatHash({ view: 'run', id }));
  }
  // Fetches and draws the range of route r (a zoom or zoom-out); an answer
  // for a range no longer asked for is dropped.
  function showRange(r) {
    renderZoomNote();
    view.dataset.state = 'loading';
    fetchSeries(r).then((next) => {
      if (destroyed || current !== r) return;
      if (zoomed()) points = next;
      else adopt(next);
      draw();
      view.dataset.state = 'ready';
    }).catch(fail);
  }
  function renderZoomNote() {
    resetBtn.hidden = !zoomed();
    view.dataset.zoomed = zoomed() ? 'true' : 'false';
    setText(zoomNote, zoomed()
      ? `Zoomed to ${fmtTime(current.from)} – ${fmtTime(current.to)}, full resolution. Double-click a chart, press Esc or Reset zoom to see the whole run.`
      : 'Drag across a chart to zoom in: the range is fetched again at full resolution.');
  }

  // ---- live ----
  // The stream replays what was stored since the newest point held (the
  // server's ?from=), so nothing falls between the series answer and the
  // stream; what both hold is merged once (by step).
  function startLive() {
    if (es || destroyed) return;
    let reconnecting = false;
    let newest = null;
    for (const f of FIELDS) {
      const p = points[f]?.[points[f].length - 1];
      if (p && (newest === null || p.t > newest)) newest = p.t;
    }
    const from = zoomed() ? null : newest !== null ? new Date(newest).toISOString() : run.start_time;
    es = openStream(api.eventsUrl(id, from), (m) => {
      if (destroyed) return;
      if (m.type === 'open') {
        if (reconnecting) refetch(); // metrics may have been missed
        reconnecting = false;
        renderHead();
      } else if (m.type === 'metrics') {
        const per = unpackPoints(m.data);
        for (const f of FIELDS) for (const p of per[f] || []) pending[f].push(p);
        if (m.data.last && (!pendingLast || m.data.last.step > pendingLast.step)) pendingLast = m.data.last;
        scheduleFlush();
      } else if (m.type === 'topology') {
        const snap = m.data;
        if (!topology.some((s) => s.timestamp === snap.timestamp && s.hidden_units === snap.hidden_units)) {
          topology.push(snap);
          scheduleFlush();
        }
      } else if (m.type === 'run') {
        run = m.data;
        if (run.status !== 'running') {
          stopLive();
          complete();
        }
        renderHead();
        renderCards();
      } else if (m.type === 'error' && es) {
        if (m.closed) {
          // The server ended the stream without a run event: look again.
          stopLive();
          refreshRun();
        } else {
          reconnecting = true;
          setText(live, 'reconnecting…');
          live.dataset.live = 'reconnecting';
        }
      }
    });
  }
  function stopLive() {
    if (es) {
      es.close();
      es = null;
    }
  }
  // Merges the metrics received since the last redraw, at most ten times a
  // second (in an animation frame) however fast the trainer records: a
  // redraw of three charts of a few thousand points costs milliseconds, a
  // metric arriving costs microseconds.
  function scheduleFlush() {
    if (frame) return;
    const wait = Math.max(0, lastFlush + FLUSH_MS - performance.now());
    frame = setTimeout(() => { frame = requestAnimationFrame(flush); }, wait);
  }
  function flush() {
    frame = 0;
    lastFlush = performance.now();
    if (destroyed || !seriesIn) return; // kept in `pending` until the first answer
    const perField = pending;
    pending = emptyPending();
    if (pendingLast && (!latest || pendingLast.step > latest.step)) latest = pendingLast;
    pendingLast = null;
    for (const p of perField.val_accuracy) {
      if (!liveBest || p.v > liveBest.v) liveBest = { v: p.v, epoch: p.epoch };
    }
    if (!zoomed() && charts.length) {
      let over = false;
      for (const f of FIELDS) {
        points[f] = points[f] || [];
        mergeLive(points[f], perField[f]);
        if (needsRefetch(points[f].length, budget(f))) over = true;
      }
      // A run that started empty: its first metrics tell whether epochs
      // can be the x axis.
      if (xKey === 'epoch' && chooseXKey(FIELDS.map((f) => points[f])) === 'step') {
        xKey = 'step';
        buildCharts();
      }
      draw();
      // At most one downsampling refetch a second: a fast trainer only
      // makes the chart hold more points for that long.
      if (over && performance.now() - lastRefetch > 1000) refetch();
    }
    renderCards();
  }
  async function refetch() {
    if (refetching) return refetching;
    lastRefetch = performance.now();
    refetching = (async () => {
      try {
        const next = await fetchSeries(current);
        if (destroyed) return;
        adopt(next);
        draw();
      } catch (e) {
        if (!isAbort(e)) console.warn('refetch failed:', e.message);
      } finally {
        refetching = null;
      }
    })();
    return refetching;
  }
  // Takes a series answer, keeping the live points merged while it was on
  // its way (those after its last point).
  function adopt(next) {
    for (const f of FIELDS) {
      const last = next[f].length ? next[f][next[f].length - 1].step : -Infinity;
      mergeLive(next[f], (points[f] || []).filter((p) => p.step > last));
    }
    points = next;
  }

  async function refreshRun() {
    try {
      const [r, s] = await Promise.all([api.run(id, { signal: ctrl.signal }), api.summary(id, { signal: ctrl.signal })]);
      run = r.run;
      summary = s;
      renderHead();
      renderCards();
      if (run.status === 'running') startLive();
      else complete();
    } catch (e) {
      if (!isAbort(e) && !destroyed) console.warn('refresh failed:', e.message);
    }
  }
  // The run ended: the final series, summary and topology from the store,
  // so the charts end equal to what the API answers.
  async function complete() {
    clearInterval(tick);
    tick = null;
    try {
      const [s, t] = await Promise.all([api.summary(id, { signal: ctrl.signal }), api.topology(id, { signal: ctrl.signal })]);
      if (destroyed) return;
      summary = s;
      topology = t.topology || [];
      if (refetching) await refetching;
      const next = await fetchSeries(current);
      if (destroyed) return;
      points = next;
      draw();
      renderCards();
      view.dataset.live = 'done';
    } catch (e) {
      if (!isAbort(e) && !destroyed) console.warn('final fetch failed:', e.message);
    }
  }

  // ---- load ----
  async function load() {
    const started = performance.now();
    try {
      // Charts first: their width is the number of points to ask for. The
      // x axis is chosen from the answer (epoch unless epochs repeat).
      buildCharts();
      const [first, s, t] = await Promise.all([api.run(id, { signal: ctrl.signal }),
        api.summary(id, { signal: ctrl.signal }), api.topology(id, { signal: ctrl.signal })]);
      run = first.run;
      latest = first.metrics?.[0] ?? null;
      summary = s;
      topology = t.topology || [];
      renderHead();
      renderCards();
      const asked = current;
      points = await fetchSeries(asked);
      if (destroyed) return;
      performance.mark('canopy:run-data');
      seriesIn = true;
      xKey = chooseXKey(FIELDS.map((f) => points[f]));
      if (xKey !== 'epoch') buildCharts();
      draw();
      if (run.status === 'running') startLive();
      renderZoomNote();
      view.dataset.state = 'ready';
      view.dataset.renderMs = String(Math.round(performance.now() - started));
      performance.mark('canopy:run-ready');
      if (run.status === 'running') {
        tick = setInterval(renderCards, 1000);
      } else {
        view.dataset.live = 'done';
      }
      if (current !== asked) showRange(current); // zoomed meanwhile
    } catch (e) {
      fail(e);
    }
  }
  load();

  function onKey(e) {
    if (e.key === 'Escape' && zoomed() && !e.defaultPrevented) resetZoom();
  }
  document.addEventListener('keydown', onKey);

  return {
    update(r) {
      if (r.view !== 'run' || r.id !== id) return false;
      const rangeChanged = r.from !== current.from || r.to !== current.to;
      current = r;
      // Before the first answer, load() shows the newest range itself.
      if (rangeChanged && seriesIn) showRange(r);
      return true;
    },
    destroy() {
      destroyed = true;
      stopLive();
      ctrl.abort();
      clearInterval(tick);
      if (frame) {
        clearTimeout(frame);
        cancelAnimationFrame(frame);
      }
      document.removeEventListener('keydown', onKey);
      for (const c of charts) c.chart.destroy();
    },
  };
}
