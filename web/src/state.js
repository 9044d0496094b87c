// URL state: which view is shown and its selection, kept in location.hash
// so that any view can be bookmarked, shared and navigated with Back.
//
//   #/runs?status=running&dataset=two_spirals&q=3fa&cursor=<run id>
//   #/run/<run id>?from=<ISO time>&to=<ISO time>      (to is exclusive)
//   #/compare?run=<id>&run=<id>&field=val_accuracy
//
// Pure functions: no DOM, tested by test/state.test.js.

export const FIELDS = [
  'train_loss', 'train_accuracy', 'val_loss', 'val_accuracy', 'learning_rate', 'hidden_units',
];
export const STATUSES = ['running', 'completed', 'failed', 'stopped'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isRunId(s) {
  return typeof s === 'string' && UUID_RE.test(s);
}

function one(params, name) {
  const v = params.get(name);
  return v === null || v === '' ? null : v;
}

// Parses a location.hash ("#/run/…?from=…") into a route object.
export function parseHash(hash) {
  let h = (hash || '').replace(/^#/, '');
  if (!h.startsWith('/')) h = `/${h}`;
  const qi = h.indexOf('?');
  const path = qi < 0 ? h : h.slice(0, qi);
  const params = new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1));
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);

  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'runs')) {
    return {
      view: 'runs',
      status: one(params, 'status'),
      dataset: one(params, 'dataset'),
      q: one(params, 'q'),
      cursor: one(params, 'cursor'),
    };
  }
  if (parts[0] === 'run' && parts.length === 2) {
    return { view: 'run', id: parts[1], from: one(params, 'from'), to: one(params, 'to') };
  }
  if (parts[0] === 'compare' && parts.length === 1) {
    const runs = [];
    for (const r of params.getAll('run')) {
      for (const id of r.split(',')) {
        const t = id.trim();
        if (t && !runs.includes(t)) runs.push(t);
      }
    }
    const field = one(params, 'field');
    return { view: 'compare', runs, field: FIELDS.includes(field) ? field : 'val_accuracy' };
  }
  return { view: 'notfound', path };
}

function query(pairs) {
  const p = new URLSearchParams();
  for (const [k, v] of pairs) if (v !== null && v !== undefined && v !== '') p.append(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

// The inverse of parseHash: formatHash(parseHash(h)) is h's canonical form.
export function formatHash(route) {
  switch (route.view) {
    case 'run':
      return `#/run/${encodeURIComponent(route.id)}${query([['from', route.from], ['to', route.to]])}`;
    case 'compare':
      return `#/compare${query([...(route.runs || []).map((r) => ['run', r]),
        ['field', route.field && route.field !== 'val_accuracy' ? route.field : null]])}`;
    case 'runs':
    default:
      return `#/runs${query([['status', route.status], ['dataset', route.dataset], ['q', route.q],
        ['cursor', route.cursor]])}`;
  }
}

// The /api/runs request of a runs-view route. A search by run id prefix
// reads a larger page and filters it here (filterRuns), as the API has no
// prefix search.
export function runsQuery(route, limit = 25) {
  const p = new URLSearchParams();
  p.set('limit', String(route.q ? 1000 : limit));
  if (route.status) p.set('status', route.status);
  if (route.dataset) p.set('dataset', route.dataset);
  if (route.cursor) p.set('cursor', route.cursor);
  return `/api/runs?${p}`;
}

export function filterRuns(runs, route) {
  const q = (route.q || '').trim().toLowerCase();
  return runs.filter((r) => (!route.status || r.status === route.status) &&
    (!route.dataset || r.dataset_name === route.dataset) &&
    (!q || String(r.run_id).toLowerCase().startsWith(q)));
}
