// The page's entry: a hash router over three views (runs, run, compare),
// a banner while the server does not answer, and keyboard shortcuts.

import './style.css';
import { onConnectivity } from './api.js';
import { h, clear, messageBox } from './dom.js';
import { parseHash } from './state.js';
import { mountRuns } from './views/runs.js';
import { mountRun } from './views/run.js';
import { mountCompare } from './views/compare.js';

const root = document.getElementById('main');
const banner = document.getElementById('banner');
let view = null;
let viewName = null;

const ctx = {
  selected: new Set(), // runs ticked for compare, kept across views
  navigate(hash, replace = false) {
    if (hash === location.hash) return;
    if (replace) {
      history.replaceState(null, '', hash);
      route();
    } else {
      location.hash = hash;
    }
  },
  reload() {
    mount(parseHash(location.hash), true);
  },
};

function mount(r, force = false) {
  if (!force && view && viewName === r.view && view.update(r)) return;
  view?.destroy();
  view = null;
  viewName = r.view;
  window.scrollTo(0, 0);
  switch (r.view) {
    case 'runs': view = mountRuns(root, r, ctx); break;
    case 'run': view = mountRun(root, r, ctx); break;
    case 'compare': view = mountCompare(root, r, ctx); break;
    default:
      clear(root);
      root.append(h('section', { class: 'view', dataset: { view: 'notfound', state: 'error' } },
        messageBox('error', 'No such page', h('p', null, 'Go to the ', h('a', { href: '#/runs' }, 'runs list'), '.'))));
  }
  const titles = { runs: 'Runs', run: `Run ${(r.id || '').slice(0, 8)}`, compare: 'Compare runs' };
  document.title = titles[r.view] ? `${titles[r.view]} · Canopy Store` : 'Canopy Store';
  for (const a of document.querySelectorAll('.site-nav a')) {
    a.setAttribute('aria-current', a.dataset.nav === r.view ? 'page' : 'false');
  }
}

function route() {
  mount(parseHash(location.hash));
}

window.addEventListener('hashchange', route);

onConnectivity((down) => {
  banner.hidden = !down;
  document.body.dataset.server = down ? 'down' : 'up';
});

// Light or dark follows the system; charts take their colours at creation.
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => mount(parseHash(location.hash), true));

document.addEventListener('keydown', (e) => {
  const t = e.target;
  const typing = t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName));
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === '/' && viewName === 'runs' && view?.focusSearch) {
    e.preventDefault();
    view.focusSearch();
  } else if (e.key === 'g') {
    location.hash = '#/runs';
  }
});

route();
