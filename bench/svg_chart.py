"""A small SVG line chart for bench/compare (matplotlib is not a dependency)."""
import math
from xml.sax.saxutils import escape

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def _ticks(lo, hi, log):
    if log:
        return [10 ** e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)]
    step = 10 ** math.floor(math.log10(max(hi - lo, 1e-12)))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (step * m) <= 6:
            step *= m
            break
    return [lo + i * step for i in range(int((hi - lo) / step) + 2)]


def line_chart(path, title, xlabel, ylabel, series, log_x=False, y_from_zero=True):
    """series: [(name, [(x, y), ...]), ...]; writes an SVG file to path."""
    w, h, left, right, top, bottom = 720, 420, 80, 200, 40, 50
    pts = [p for _, ps in series for p in ps]
    if not pts:
        return
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1 = min(xs), max(xs)
    y0, y1 = (0 if y_from_zero else min(ys)), max(ys) * 1.05 or 1
    if x1 == x0:
        x1 = x0 + 1

    def fx(x):
        if log_x:
            return left + (math.log10(x) - math.log10(x0)) / (math.log10(x1) - math.log10(x0) or 1) * (w - left - right)
        return left + (x - x0) / (x1 - x0) * (w - left - right)

    def fy(y):
        return h - bottom - (y - y0) / ((y1 - y0) or 1) * (h - top - bottom)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>',
           f'<text x="{(left + w - right) / 2}" y="{h - 10}" text-anchor="middle">{escape(xlabel)}</text>',
           f'<text transform="translate(16 {(top + h - bottom) / 2}) rotate(-90)" text-anchor="middle">{escape(ylabel)}</text>']
    for t in _ticks(x0, x1, log_x):
        if x0 <= t <= x1:
            out.append(f'<line x1="{fx(t):.1f}" x2="{fx(t):.1f}" y1="{top}" y2="{h - bottom}" stroke="#ddd"/>'
                       f'<text x="{fx(t):.1f}" y="{h - bottom + 16}" text-anchor="middle">{t:g}</text>')
    for t in _ticks(y0, y1, False):
        if y0 <= t <= y1:
            out.append(f'<line x1="{left}" x2="{w - right}" y1="{fy(t):.1f}" y2="{fy(t):.1f}" stroke="#ddd"/>'
                       f'<text x="{left - 6}" y="{fy(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{w - left - right}" height="{h - top - bottom}" fill="none" stroke="#333"/>')
    for k, (name, ps) in enumerate(series):
        c = COLORS[k % len(COLORS)]
        d = " ".join(f"{fx(x):.1f},{fy(y):.1f}" for x, y in sorted(ps))
        out.append(f'<polyline points="{d}" fill="none" stroke="{c}" stroke-width="2"/>')
        ly = top + 14 + 18 * k
        out.append(f'<line x1="{w - right + 10}" x2="{w - right + 30}" y1="{ly - 4}" y2="{ly - 4}" stroke="{c}" stroke-width="2"/>'
                   f'<text x="{w - right + 35}" y="{ly}">{escape(name)}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
