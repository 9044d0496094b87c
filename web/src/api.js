// The read API (docs/http.md): JSON requests and their errors.

export class ApiError extends Error {
  constructor(message, { status = 0, code = null, parameter = null, down = false } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.parameter = parameter;
    this.down = down; // the server did not answer at all
  }
}

const listeners = new Set();
let serverDown = false;

// fn(down) is called when the server stops or starts answering.
export function onConnectivity(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function setDown(down) {
  if (down === serverDown) return;
  serverDown = down;
  for (const fn of listeners) fn(down);
}

export async function getJSON(path, { signal } = {}) {
  let res;
  try {
    res = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    setDown(true);
    throw new ApiError('The server does not answer: is canopy-store serve still running?', { down: true });
  }
  setDown(res.status === 502 || res.status === 503 || res.status === 504);
  if (!res.ok) {
    let body;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    const message = body?.error?.message || body?.detail || `${res.status} ${res.statusText}`;
    throw new ApiError(message, { status: res.status, code: body?.error?.code ?? null,
      parameter: body?.error?.parameter ?? null });
  }
  return res.json();
}

export function isAbort(e) {
  return e && e.name === 'AbortError';
}

export const api = {
  runs: (query, opts) => getJSON(query, opts),
  run: (id, opts) => getJSON(`/api/runs/${encodeURIComponent(id)}`, opts),
  summary: (id, opts) => getJSON(`/api/runs/${encodeURIComponent(id)}/summary`, opts),
  topology: (id, opts) => getJSON(`/api/runs/${encodeURIComponent(id)}/topology?limit=1000`, opts),
  latestMetric: (id, opts) => getJSON(`/api/runs/${encodeURIComponent(id)}/metrics?limit=1`, opts),
  series(id, field, points, from, to, opts) {
    const p = new URLSearchParams({ field, points: String(points) });
    if (from) p.set('from', from);
    if (to) p.set('to', to);
    return getJSON(`/api/runs/${encodeURIComponent(id)}/series?${p}`, opts);
  },
  compare(ids, field, points, opts) {
    const p = new URLSearchParams();
    for (const id of ids) p.append('run', id);
    p.set('field', field);
    p.set('points', String(points));
    return getJSON(`/api/compare?${p}`, opts);
  },
  exportUrl: (id, format) => `/api/runs/${encodeURIComponent(id)}/export?format=${format}`,
  // from: replay what was stored since then before the live events (no gap)
  eventsUrl: (id, from) => `/api/runs/${encodeURIComponent(id)}/events${from ? `?from=${encodeURIComponent(from)}` : ''}`,
};
