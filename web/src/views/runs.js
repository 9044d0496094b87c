// The runs view: newest first, status badges, filters (status, dataset),
// paging by next_cursor, search by run id prefix, runs picked for compare.
// Live: polls /api/runs every 2 s while the page is visible, so a new run
// appears and a running run's epoch count moves.

import { api, isAbort } from '../api.js';
import { h, clear, setText, statusBadge, messageBox } from '../dom.js';
import { fmtDuration, fmtField, fmtInt, fmtTime, runDuration } from '../format.js';
import { STATUSES, formatHash, runsQuery, filterRuns } from '../state.js';

const POLL_MS = 2000;

export function mountRuns(root, route, ctx) {
  let current = route;
  let timer = null;
  let ctrl = null;
  let destroyed = false;
  const rows = new Map(); // run id → {tr, cells}
  const latest = new Map(); // running run id → its newest metric
  const pageStack = []; // cursors of the pages before this one

  const status = h('select', { id: 'f-status', name: 'status' },
    h('option', { value: '' }, 'any'), STATUSES.map((s) => h('option', { value: s }, s)));
  const dataset = h('input', { id: 'f-dataset', name: 'dataset', type: 'text', list: 'datasets',
    placeholder: 'any', autocomplete: 'off', spellcheck: 'false' });
  const datasets = h('datalist', { id: 'datasets' });
  const search = h('input', { id: 'f-q', name: 'q', type: 'search', placeholder: 'e.g. 3fa85f64',
    autocomplete: 'off', spellcheck: 'false', 'aria-keyshortcuts': '/' });
  const compareBtn = h('button', { type: 'button', id: 'compare-selected', disabled: true },
    'Compare selected');
  const updated = h('span', { class: 'muted', 'aria-live': 'off', id: 'runs-updated' });
  const tbody = h('tbody');
  const table = h('table', { class: 'runs', id: 'runs-table' },
    h('caption', { class: 'sr-only' }, 'Runs, newest first'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select for compare')),
      h('th', { scope: 'col' }, 'Run'), h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col' }, 'Dataset'), h('th', { scope: 'col' }, 'Started'),
      h('th', { scope: 'col' }, 'Duration'), h('th', { scope: 'col', class: 'num' }, 'Epochs'),
      h('th', { scope: 'col', class: 'num' }, 'Best val. accuracy'),
      h('th', { scope: 'col', class: 'num' }, 'Hidden units'))),
    tbody);
  const message = h('div', { id: 'runs-message' });
  const firstBtn = h('button', { type: 'button', id: 'page-first' }, '« Newest');
  const prevBtn = h('button', { type: 'button', id: 'page-prev' }, '‹ Newer');
  const nextBtn = h('button', { type: 'button', id: 'page-next' }, 'Older ›');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of runs' }, firstBtn, prevBtn, nextBtn);

  const view = h('section', { class: 'view view-runs', dataset: { view: 'runs', state: 'loading' } },
    h('div', { class: 'view-head' }, h('h1', null, 'Runs'), updated),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
      h('label', { for: 'f-status' }, 'Status', status),
      h('label', { for: 'f-dataset' }, 'Dataset', dataset, datasets),
      h('label', { for: 'f-q' }, 'Run id starts with', search)),
    h('div', { class: 'toolbar' }, compareBtn,
      h('span', { class: 'muted' }, 'Tick runs to overlay their curves.')),
    table, message, pager);
  clear(root);
  root.append(view);

  function setControls(r) {
    status.value = r.status || '';
    if (document.activeElement !== dataset) dataset.value = r.dataset || '';
    if (document.activeElement !== search) search.value = r.q || '';
  }
  setControls(route);

  function go(patch, replace = false) {
    const next = { ...current, ...patch, view: 'runs' };
    ctx.navigate(formatHash(next), replace);
  }
  status.addEventListener('change', () => { pageStack.length = 0; go({ status: status.value, cursor: null }); });
  dataset.addEventListener('change', () => { pageStack.length = 0; go({ dataset: dataset.value.trim(), cursor: null }); });
  let searchTimer = null;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => go({ q: search.value.trim(), cursor: null }, true), 200);
  });
  firstBtn.addEventListener('click', () => { pageStack.length = 0; go({ cursor: null }); });
  prevBtn.addEventListener('click', () => go({ cursor: pageStack.pop() ?? null }));
  nextBtn.addEventListener('click', () => {
    pageStack.push(current.cursor);
    go({ cursor: nextBtn.dataset.cursor });
  });
  compareBtn.addEventListener('click', () => {
    ctx.navigate(formatHash({ view: 'compare', runs: [...ctx.selected], field: 'val_accuracy' }));
  });

  function updateCompareBtn() {
    const n = ctx.selected.size;
    compareBtn.disabled = n < 2;
    setText(compareBtn, n ? `Compare selected (${n})` : 'Compare selected');
  }
  updateCompareBtn();

  function makeRow(run) {
    const id = run.run_id;
    const box = h('input', { type: 'checkbox', 'aria-label': `Select run ${id} for compare`,
      checked: ctx.selected.has(id) });
    box.addEventListener('change', () => {
      if (box.checked) ctx.selected.add(id);
      else ctx.selected.delete(id);
      updateCompareBtn();
    });
    const cells = {
      status: h('td'), dataset: h('td'), started: h('td'), duration: h('td', { class: 'num' }),
      epochs: h('td', { class: 'num epochs' }), best: h('td', { class: 'num' }), units: h('td', { class: 'num' }),
    };
    const tr = h('tr', { dataset: { runId: id } },
      h('td', null, box),
      h('td', null, h('a', { href: formatHash({ view: 'run', id }), class: 'run-link' }, h('code', null, id))),
      cells.status, cells.dataset, cells.started, cells.duration, cells.epochs, cells.best, cells.units);
    return { tr, cells, status: null };
  }

  function fillRow(row, run) {
    if (row.status !== run.status) {
      clear(row.cells.status);
      row.cells.status.append(statusBadge(run.status));
      row.status = run.status;
      row.tr.dataset.status = run.status;
    }
    setText(row.cells.dataset, run.dataset_name || '—');
    setText(row.cells.started, fmtTime(run.start_time));
    row.cells.started.title = run.start_time || '';
    setText(row.cells.duration, fmtDuration(runDuration(run)));
    const m = latest.get(run.run_id);
    setText(row.cells.epochs, fmtInt(run.final_epoch ?? m?.epoch ?? null));
    setText(row.cells.best, fmtField('val_accuracy', run.best_val_accuracy));
    setText(row.cells.units, fmtInt(run.total_hidden_units ?? m?.hidden_units ?? null));
  }

  // Updates the rows in place (keyed by run id) so focus and selection in
  // the table survive each poll.
  function render(runs) {
    const keep = new Set(runs.map((r) => r.run_id));
    for (const [id, row] of rows) {
      if (!keep.has(id)) {
        row.tr.remove();
        rows.delete(id);
      }
    }
    let prev = null;
    for (const run of runs) {
      let row = rows.get(run.run_id);
      if (!row) {
        row = makeRow(run);
        rows.set(run.run_id, row);
      }
      fillRow(row, run);
      const want = prev ? prev.nextSibling : tbody.firstChild;
      if (want !== row.tr) tbody.insertBefore(row.tr, want);
      prev = row.tr;
    }
  }

  async function load() {
    ctrl?.abort();
    ctrl = new AbortController();
    const r = current;
    try {
      const page = await api.runs(runsQuery(r), { signal: ctrl.signal });
      const runs = filterRuns(page.runs || [], r);
      const running = runs.filter((x) => x.status === 'running' && x.final_epoch == null).slice(0, 25);
      await Promise.all(running.map(async (x) => {
        try {
          const m = await api.latestMetric(x.run_id, { signal: ctrl.signal });
          if (m.metrics?.[0]) latest.set(x.run_id, m.metrics[0]);
        } catch (e) {
          if (isAbort(e)) throw e;
        }
      }));
      if (destroyed) return;
      render(runs);
      for (const name of new Set((page.runs || []).map((x) => x.dataset_name).filter(Boolean))) {
        if (![...datasets.options].some((o) => o.value === name)) datasets.append(h('option', { value: name }));
      }
      clear(message);
      if (runs.length === 0) {
        const filtered = r.status || r.dataset || r.q || r.cursor;
        message.append(filtered
          ? messageBox('empty', 'No runs match', 'Change the filters, or clear them to see every run.')
          : messageBox('empty', 'No runs yet',
            h('p', null, 'Record one with ', h('code', null, 'canopy-store demo'),
              ' — it shows up here while it trains.')));
      }
      table.hidden = runs.length === 0;
      nextBtn.disabled = !page.next_cursor || Boolean(r.q);
      nextBtn.dataset.cursor = page.next_cursor || '';
      prevBtn.disabled = !r.cursor;
      firstBtn.disabled = !r.cursor;
      pager.hidden = !r.cursor && !page.next_cursor;
      view.dataset.state = 'ready';
      setText(updated, `updated ${new Date().toLocaleTimeString()}`);
    } catch (e) {
      if (isAbort(e) || destroyed) return;
      if (rows.size === 0) {
        clear(message);
        message.append(messageBox('error', e.down ? 'The server does not answer' : 'Cannot list runs', e.message));
        table.hidden = true;
        view.dataset.state = 'error';
      }
    }
  }

  function schedule() {
    clearTimeout(timer);
    if (destroyed) return;
    timer = setTimeout(async () => {
      if (document.visibilityState === 'visible') await load();
      schedule();
    }, POLL_MS);
  }
  function onVisible() {
    if (document.visibilityState === 'visible') load();
  }
  document.addEventListener('visibilitychange', onVisible);

  load().then(schedule);

  return {
    update(r) {
      if (r.view !== 'runs') return false;
      current = r;
      setControls(r);
      if (!r.cursor) pageStack.length = 0;
      load();
      return true;
    },
    focusSearch() {
      search.focus();
    },
    destroy() {
      destroyed = true;
      clearTimeout(timer);
      clearTimeout(searchTimer);
      ctrl?.abort();
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
