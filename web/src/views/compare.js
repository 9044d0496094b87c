// The compare view: two or more runs overlaid on one field (aligned by
// epoch by /api/compare), their summaries side by side. The selection is
// the URL: #/compare?run=A&run=B&field=val_loss.

import { api, isAbort } from '../api.js';
import { createChart } from '../charts.js';
import { h, clear, statusBadge, messageBox } from '../dom.js';
import { fmtDuration, fmtField, fmtInt, fmtNumber, runDuration, shortId, FIELD_LABELS } from '../format.js';
import { compareTable, countValues } from '../series.js';
import { FIELDS, formatHash, isRunId } from '../state.js';

const REFRESH_MS = 3000;

export function mountCompare(root, route, ctx) {
  let current = route;
  let destroyed = false;
  let ctrl = null;
  let chart = null;
  let timer = null;

  const field = h('select', { id: 'c-field', name: 'field' },
    FIELDS.map((f) => h('option', { value: f }, FIELD_LABELS[f])));
  const addInput = h('input', { id: 'c-add', name: 'run', type: 'text', list: 'recent-runs', autocomplete: 'off',
    spellcheck: 'false', placeholder: 'run id', size: 38 });
  const recent = h('datalist', { id: 'recent-runs' });
  const chips = h('ul', { class: 'chips', id: 'compare-runs', 'aria-label': 'Runs compared' });
  const body = h('div', { class: 'compare-body' });
  const view = h('section', { class: 'view view-compare', dataset: { view: 'compare', state: 'loading' } },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/runs' }, '‹ Runs')),
    h('div', { class: 'view-head' }, h('h1', null, 'Compare runs')),
    h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); addRun(); } },
      h('label', { for: 'c-field' }, 'Field', field),
      h('label', { for: 'c-add' }, 'Add a run', addInput, recent),
      h('button', { type: 'submit' }, 'Add')),
    chips, body);
  clear(root);
  root.append(view);

  field.addEventListener('change', () => go({ field: field.value }));

  function go(patch) {
    ctx.navigate(formatHash({ ...current, ...patch, view: 'compare' }));
  }
  function addRun() {
    const idText = addInput.value.trim();
    if (!idText) return;
    if (!current.runs.includes(idText)) go({ runs: [...current.runs, idText] });
    addInput.value = '';
  }

  // Recent runs for the "Add a run" suggestions.
  api.runs('/api/runs?limit=50').then((page) => {
    for (const r of page.runs || []) {
      recent.append(h('option', { value: r.run_id }, `${r.dataset_name || ''} ${r.status} ${r.start_time}`));
    }
  }).catch(() => {});

  function renderChips(runs) {
    clear(chips);
    runs.forEach((id, i) => {
      chips.append(h('li', { class: 'chip', dataset: { runId: id } },
        h('span', { class: 'swatch', dataset: { i: String(i % 8) }, 'aria-hidden': 'true' }),
        h('a', { href: formatHash({ view: 'run', id }) }, h('code', null, shortId(id))),
        h('button', { type: 'button', class: 'chip-remove', 'aria-label': `Remove run ${id} from the comparison`,
          onclick: () => go({ runs: current.runs.filter((r) => r !== id) }) }, '×')));
    });
  }

  function summaryTable(ids, runs, summaries, f) {
    const rows = [
      ['Status', (r) => statusBadge(r.run.status)],
      ['Dataset', (r) => r.run.dataset_name || '—'],
      ['Epochs', (r) => fmtInt(r.run.final_epoch ?? r.metrics?.[0]?.epoch ?? null)],
      ['Best validation accuracy', (r, s) => {
        const va = s?.fields?.val_accuracy;
        const best = r.run.best_val_accuracy ?? va?.best;
        const epoch = r.run.best_epoch ?? va?.best_epoch;
        return `${fmtField('val_accuracy', best)}${epoch != null ? ` (epoch ${fmtInt(epoch)})` : ''}`;
      }],
      ['Final validation accuracy', (r, s) => fmtField('val_accuracy', r.run.final_val_accuracy ?? s?.fields?.val_accuracy?.last)],
      ['Final train loss', (r, s) => fmtNumber(r.run.final_train_loss ?? s?.fields?.train_loss?.last)],
      ['Hidden units', (r, s) => fmtInt(r.run.total_hidden_units ?? s?.fields?.hidden_units?.last)],
      ['Duration', (r) => fmtDuration(runDuration(r.run))],
      [`${FIELD_LABELS[f]}: min`, (r, s) => fmtField(f, s?.fields?.[f]?.min)],
      [`${FIELD_LABELS[f]}: max`, (r, s) => fmtField(f, s?.fields?.[f]?.max)],
      [`${FIELD_LABELS[f]}: mean`, (r, s) => fmtField(f, s?.fields?.[f]?.mean)],
      [`${FIELD_LABELS[f]}: last`, (r, s) => fmtField(f, s?.fields?.[f]?.last)],
      [`${FIELD_LABELS[f]}: best`, (r, s) => {
        const b = s?.fields?.[f];
        return b?.best == null ? '—' : `${fmtField(f, b.best)}${b.best_epoch != null ? ` (epoch ${fmtInt(b.best_epoch)})` : ''}`;
      }],
      ['Metrics', (r, s) => fmtInt(s?.metrics ?? r.metric_count)],
    ];
    return h('table', { class: 'side-by-side', id: 'compare-summaries' },
      h('caption', { class: 'sr-only' }, 'Summaries of the runs compared'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, ''),
        ids.map((id, i) => h('th', { scope: 'col' }, h('span', { class: 'swatch', dataset: { i: String(i % 8) },
          'aria-hidden': 'true' }), h('a', { href: formatHash({ view: 'run', id }) }, h('code', null, shortId(id))))))),
      h('tbody', null, rows.map(([label, fn]) => h('tr', null, h('th', { scope: 'row' }, label),
        ids.map((id, i) => h('td', null, fn(runs[i], summaries[i])))))));
  }

  // Draws a compare answer and the summaries; returns the aligned table.
  function show(r, runs, cmp) {
    // The answer's runs come in the order asked; map by id in case.
    const order = r.runs.map((id) => (cmp.runs || []).indexOf(id));
    const table = compareTable(cmp);
    const aligned = [table[0], ...order.map((k, i) => (k >= 0 ? table[k + 1] : table[i + 1] || []))];
    chart.setData(aligned, aligned.slice(1).reduce((n, col) => n + countValues(col), 0));
    const summaries = order.map((k) => (k >= 0 ? cmp.summaries?.[k] : null));
    const next = summaryTable(r.runs, runs, summaries, r.field);
    const old = body.querySelector('#compare-summaries');
    if (old) old.replaceWith(next);
    else body.append(next);
    return table;
  }

  // While a compared run trains, the comparison is read again every few
  // seconds (in place: the chart keeps its cursor, the table its place).
  function schedule(r) {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (destroyed || r !== current) return;
      if (document.visibilityState !== 'visible') return schedule(r);
      try {
        const runs = await Promise.all(r.runs.map((id) => api.run(id, { signal: ctrl.signal })));
        const cmp = await api.compare(r.runs, r.field, chart.budget, { signal: ctrl.signal });
        if (destroyed || r !== current) return;
        show(r, runs, cmp);
        if (runs.some((x) => x.run.status === 'running')) schedule(r);
      } catch (e) {
        if (!isAbort(e) && !destroyed) schedule(r); // e.g. the server restarting: try again
      }
    }, REFRESH_MS);
  }

  async function load() {
    clearTimeout(timer);
    ctrl?.abort();
    ctrl = new AbortController();
    const r = current;
    field.value = r.field;
    renderChips(r.runs);
    chart?.destroy();
    chart = null;
    clear(body);
    view.dataset.state = 'loading';
    const bad = r.runs.filter((id) => !isRunId(id));
    if (bad.length) {
      view.dataset.state = 'error';
      body.append(messageBox('error', 'Not a run id', h('p', null, h('code', null, bad[0]),
        ' is not a run id. Remove it above, or pick runs from the list.')));
      return;
    }
    if (r.runs.length < 2) {
      view.dataset.state = 'empty';
      body.append(messageBox('empty', 'Pick two or more runs',
        h('p', null, 'Add runs above, or tick them in the ', h('a', { href: '#/runs' }, 'runs list'),
          ' and press “Compare selected”.')));
      return;
    }
    const figureBox = h('div', { class: 'charts' });
    body.append(figureBox);
    const f = r.field;
    const isAcc = f.endsWith('accuracy');
    chart = createChart(figureBox, { id: 'compare', title: `${FIELD_LABELS[f]} by epoch`, xLabel: 'epoch',
      fmt: isAcc ? (v) => `${(v * 100).toFixed(1)} %` : (v) => fmtNumber(v, 3),
      series: r.runs.map((id) => ({ label: shortId(id) })) });
    try {
      // The runs first: an unknown one is named.
      const got = await Promise.allSettled(r.runs.map((id) => api.run(id, { signal: ctrl.signal })));
      const missing = r.runs.filter((id, i) => got[i].status === 'rejected' && got[i].reason?.status === 404);
      if (missing.length) {
        const e = new Error(`Not in this store: ${missing.join(', ')}. Remove ${missing.length > 1 ? 'them' : 'it'} above.`);
        e.status = 404;
        throw e;
      }
      const failed = got.find((g) => g.status === 'rejected');
      if (failed) throw failed.reason;
      const runs = got.map((g) => g.value);
      const cmp = await api.compare(r.runs, f, chart.budget, { signal: ctrl.signal });
      if (destroyed || r !== current) return;
      const table = show(r, runs, cmp);
      if (!table[0].length) {
        body.insertBefore(messageBox('empty', 'Nothing to draw',
          `None of these runs recorded ${FIELDS.includes(f) ? FIELD_LABELS[f] : f} with an epoch.`), body.firstChild);
      }
      view.dataset.state = 'ready';
      if (runs.some((x) => x.run.status === 'running')) schedule(r);
    } catch (e) {
      if (isAbort(e) || destroyed) return;
      chart?.destroy();
      chart = null;
      clear(body);
      view.dataset.state = 'error';
      body.append(messageBox('error', e.status === 404 ? 'Run not found' : 'Cannot compare these runs', e.message));
    }
  }
  load();

  return {
    update(r) {
      if (r.view !== 'compare') return false;
      current = r;
      load();
      return true;
    },
    destroy() {
      destroyed = true;
      clearTimeout(timer);
      ctrl?.abort();
      chart?.destroy();
    },
  };
}
