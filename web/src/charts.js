// uPlot charts, themed from the page's CSS custom properties (light or
// dark, prefers-color-scheme) and sized to their container.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.js';

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function palette() {
  return {
    fg: cssVar('--fg-muted') || '#555',
    grid: cssVar('--grid') || '#ddd',
    colors: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => cssVar(`--c${i}`) || '#1f77b4'),
    marker: cssVar('--marker') || '#d62728',
  };
}

const HEIGHT = 240;

// A figure with a caption that holds one uPlot chart.
//   spec: {title, xLabel, fmt (value → text), series: [{label, color, kind:
//   'line'|'step'|'markers'}], onZoom(x0, x1), onReset()}
// Returns {figure, budget (its width in pixels: the points to ask for),
// setData(table, points), destroy()}.
export function createChart(parent, spec) {
  const holder = h('div', { class: 'chart', role: 'img', 'aria-label': spec.title });
  const note = h('span', { class: 'chart-note', hidden: true }, ' — nothing recorded');
  const figure = h('figure', { class: 'chart-figure', dataset: { chart: spec.id, points: '0' } },
    h('figcaption', null, spec.title, note), holder);
  parent.append(figure);
  const pal = palette();
  const width = Math.max(200, Math.floor(holder.clientWidth || parent.clientWidth || 600));
  figure.dataset.budget = String(width);
  const axis = { stroke: pal.fg, grid: { stroke: pal.grid, width: 1 }, ticks: { stroke: pal.grid, width: 1 } };
  const fmt = spec.fmt || ((v) => String(v));
  const series = [{ label: spec.xLabel, value: (u, v) => (v === null || v === undefined ? '—' : String(v)) }];
  spec.series.forEach((s, i) => {
    const color = s.color || pal.colors[i % pal.colors.length];
    const base = { label: s.label, stroke: color, width: 1.5, spanGaps: true,
      value: (u, v) => (v === null || v === undefined ? '—' : fmt(v)) };
    if (s.kind === 'step') {
      series.push({ ...base, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } });
    } else if (s.kind === 'markers') {
      series.push({ ...base, stroke: pal.marker, width: 0, paths: () => null,
        points: { show: true, size: 9, width: 2, stroke: pal.marker, fill: pal.marker } });
    } else {
      series.push(base);
    }
  });
  const opts = {
    width,
    height: HEIGHT,
    scales: { x: { time: false } },
    axes: [
      { ...axis, label: spec.xLabel, labelSize: 20 },
      { ...axis, size: 64, values: (u, vals) => vals.map((v) => fmt(v)),
        // whole-number fields (hidden units) get whole-number ticks
        incrs: spec.integer ? [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] : undefined },
    ],
    series,
    legend: { live: true },
    cursor: { drag: { x: true, y: false, setScale: false }, sync: spec.syncKey ? { key: spec.syncKey } : undefined },
    hooks: {
      setSelect: [(u) => {
        const { left, width: w } = u.select;
        if (w > 3 && spec.onZoom) spec.onZoom(u.posToVal(left, 'x'), u.posToVal(left + w, 'x'));
        u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
      }],
    },
  };
  const plot = new uPlot(opts, [[], ...spec.series.map(() => [])], holder);
  if (spec.onReset) plot.over.addEventListener('dblclick', () => spec.onReset());
  if (spec.onZoom) {
    // From the keyboard: + zooms into the middle half of what is shown
    // (Esc, handled by the view, zooms out).
    holder.tabIndex = 0;
    holder.setAttribute('aria-keyshortcuts', '+ Escape');
    holder.setAttribute('aria-label', `${spec.title}: press + to zoom in, Esc to zoom out`);
    holder.addEventListener('keydown', (e) => {
      if ((e.key === '+' || e.key === '=') && !e.ctrlKey && !e.metaKey) {
        const { min, max } = plot.scales.x;
        if (min == null || max == null || !(max > min)) return;
        e.preventDefault();
        spec.onZoom(min + (max - min) / 4, max - (max - min) / 4);
      }
    });
  }
  const ro = new ResizeObserver(() => {
    const w = Math.floor(holder.clientWidth);
    if (w > 0 && Math.abs(w - plot.width) > 1) plot.setSize({ width: w, height: HEIGHT });
  });
  ro.observe(holder);
  return {
    figure,
    budget: width,
    setData(table, points) {
      plot.setData(table, true);
      figure.dataset.points = String(points);
      note.hidden = table.slice(1).some((col) => col.some((v) => v !== null && v !== undefined));
    },
    destroy() {
      ro.disconnect();
      plot.destroy();
    },
  };
}
