// A small element builder: h('a', {href: '#/'}, 'Runs').
// Attributes: class, dataset ({…}), on* handlers (onclick: fn), booleans
// (true sets the attribute, false or null leaves it out), else setAttribute.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

// Sets text only when it changed (keeps screen readers and selection calm).
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function statusBadge(status) {
  const s = status || 'unknown';
  return h('span', { class: `badge badge-${s}`, dataset: { status: s } }, s);
}

// A message in place of a view's content: an empty state or an error.
export function messageBox(kind, title, ...body) {
  return h('div', { class: `message message-${kind}`, role: kind === 'error' ? 'alert' : 'status',
    dataset: { state: kind } }, h('h2', null, title), ...body.map((b) => (typeof b === 'string' ? h('p', null, b) : b)));
}
