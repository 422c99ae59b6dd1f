"""Charts as SVG drawn on the server, in Python: the web pages' and the report's.

Why hand-written SVG rather than a JavaScript charting library: the few charts a
dashboard needs (lines over days, horizontal bars, one stacked bar) are a page of
arithmetic, while a JS library would have to be vendored, kept up to date and
trusted with our data. Server-side SVG works with JavaScript off, renders offline,
prints, and is accessible: each chart is ``role="img"`` with a ``<title>`` and a
``<desc>`` that say what it shows, every point and bar carries its own ``<title>``
(the browser's tooltip), and the page puts a data table beside it for screen
readers and for copying figures.

All text goes through :func:`markupsafe.escape`; the functions return
:class:`markupsafe.Markup` so templates insert them as they are. Colours are the
Okabe-Ito palette, told apart by people with the common colour-vision
deficiencies, and every series also has a text label.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = [
    "HEAT",
    "PALETTE",
    "SENTIMENT_COLORS",
    "Bar",
    "Line",
    "bar_chart",
    "column_chart",
    "heatmap",
    "line_chart",
    "nice_ticks",
    "percent",
    "stacked_bar",
]

#: Okabe-Ito, without its yellow (too light on white)
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
)
SENTIMENT_COLORS: dict[str, str] = {
    "positive": "#009E73",
    "neutral": "#7A7A7A",
    "negative": "#D55E00",
}

_FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    values: Sequence[int]
    color: str


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    color: str
    text: str = ""  # shown at the bar's end; defaults to the value


def _f(x: float) -> str:
    """A coordinate with at most one decimal, for compact markup."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def nice_ticks(maximum: float, most: int = 5) -> list[float]:
    """Round ticks from 0 to at least ``maximum``: the smallest step of 1, 2, 2.5 or 5
    x 10^k that needs at most ``most`` intervals (whole steps once ``maximum >= 1``)."""
    if maximum <= 0:
        return [0.0, 1.0]
    magnitude = 10 ** math.floor(math.log10(maximum / most))
    for factor in (1, 2, 2.5, 5, 10, 20):
        step = factor * magnitude
        if maximum >= 1 and not float(step).is_integer():
            continue
        intervals = math.ceil(maximum / step - 1e-9)
        if intervals <= most:
            return [round(i * step, 10) for i in range(intervals + 1)]
    raise AssertionError("unreachable: a step of 20 x 10^k always fits")  # pragma: no cover


def percent(share: float) -> str:
    """A share (0..1) as a whole percentage, or one decimal below 10%."""
    value = share * 100
    if 0 < value < 10:
        return f"{value:.1f}%"
    return f"{value:.0f}%"


def _open(chart_id: str, width: int, height: int, title: str, desc: str, kind: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" data-chart="{kind}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _label(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def line_chart(
    x_labels: Sequence[str],
    lines: Sequence[Line],
    *,
    chart_id: str,
    title: str,
    desc: str,
    width: int = 480,
    height: int = 220,
    max_labels: int = 8,
    partial_last: bool = False,
) -> Markup:
    """Lines over a shared x axis (days), with a y axis of round ticks.

    ``partial_last`` marks the last point as incomplete (today, so far): the segment
    to it is dashed, so a dip there does not read as a fall.
    """
    left, right, top, bottom = 36.0, 8.0, 10.0, 26.0
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((max(line.values, default=0) for line in lines), default=0)
    ticks = nice_ticks(peak)
    y_max = ticks[-1] or 1.0
    n = len(x_labels)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    out = [_open(chart_id, width, height, title, desc, "line")]
    out.append(f'<g class="axis" {_FONT} font-size="11" fill="#444">')
    for t in ticks:
        out.append(
            f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(y(t))}" y2="{_f(y(t))}" '
            'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{_f(left - 4)}" y="{_f(y(t) + 4)}" text-anchor="end">{_label(t)}</text>'
        )
    if n:
        step = max(1, math.ceil(n / max_labels))
        shown = list(range(0, n, step))
        if n - 1 not in shown and n - 1 - shown[-1] >= step / 2:
            shown.append(n - 1)
        for i in shown:
            anchor = "start" if i == 0 and n > 1 else ("end" if i == n - 1 and n > 1 else "middle")
            out.append(
                f'<text x="{_f(x(i))}" y="{_f(height - 8)}" text-anchor="{anchor}">'
                f"{escape(x_labels[i])}</text>"
            )
    out.append("</g>")
    for line in lines:
        values = list(line.values)
        solid = values[:-1] if partial_last and len(values) > 1 else values
        points = " ".join(f"{_f(x(i))},{_f(y(v))}" for i, v in enumerate(solid))
        out.append(
            f'<g class="series" data-series="{escape(line.label)}" '
            f'data-values="{",".join(str(v) for v in values)}">'
        )
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{line.color}" '
            'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
        )
        if len(solid) < len(values):
            a, b = len(values) - 2, len(values) - 1
            out.append(
                f'<line class="partial" x1="{_f(x(a))}" y1="{_f(y(values[a]))}" '
                f'x2="{_f(x(b))}" y2="{_f(y(values[b]))}" stroke="{line.color}" '
                'stroke-width="2" stroke-dasharray="4 4"/>'
            )
        if n <= 31:
            for i, v in enumerate(values):
                out.append(
                    f'<circle cx="{_f(x(i))}" cy="{_f(y(v))}" r="2.5" fill="{line.color}">'
                    f"<title>{escape(line.label)}, {escape(x_labels[i])}: {v:,}</title></circle>"
                )
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    width: int = 480,
    row: int = 40,
) -> Markup:
    """Horizontal bars, one per row, each with its label above and its value after it."""
    top = 4.0
    height = int(top + row * max(len(bars), 1))
    peak = max((b.value for b in bars), default=0.0) or 1.0
    value_w = 110.0
    plot_w = width - value_w
    out = [_open(chart_id, width, height, title, desc, "bar")]
    out.append(f'<g {_FONT} font-size="12" fill="#222">')
    for i, bar in enumerate(bars):
        y0 = top + i * row
        w = plot_w * bar.value / peak
        text = bar.text or _label(bar.value)
        out.append(
            f'<g class="bar" data-label="{escape(bar.label)}" data-value="{bar.value:g}">'
            f"<title>{escape(bar.label)}: {escape(text)}</title>"
            f'<text x="0" y="{_f(y0 + 12)}">{escape(bar.label)}</text>'
            f'<rect x="0" y="{_f(y0 + 17)}" width="{_f(max(w, 1.5))}" height="16" rx="2" '
            f'fill="{bar.color}"/>'
            f'<text x="{_f(max(w, 1.5) + 6)}" y="{_f(y0 + 30)}">{escape(text)}</text></g>'
        )
    out.append("</g></svg>")
    return Markup("".join(out))


def stacked_bar(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    width: int = 480,
    height: int = 28,
) -> Markup:
    """One bar split into segments proportional to their values (a 100% bar)."""
    total = sum(b.value for b in bars)
    out = [_open(chart_id, width, height, title, desc, "stacked")]
    if total <= 0:
        out.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eee"/>')
    x0 = 0.0
    for bar in bars:
        if total <= 0 or bar.value <= 0:
            continue
        w = width * bar.value / total
        text = bar.text or _label(bar.value)
        out.append(
            f'<rect class="segment" data-label="{escape(bar.label)}" data-value="{bar.value:g}" '
            f'x="{_f(x0)}" y="0" width="{_f(w)}" height="{height}" fill="{bar.color}">'
            f"<title>{escape(bar.label)}: {escape(text)}</title></rect>"
        )
        x0 += w
    out.append("</svg>")
    return Markup("".join(out))


#: the heatmap's shades, light to dark (a sequential blue; level 0 is an empty cell)
HEAT: tuple[str, ...] = ("#f2f2f4", "#d6e6f4", "#a9cbe8", "#6aa6d6", "#2f7fc0", "#0b4f8a")


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    *,
    chart_id: str,
    title: str,
    desc: str,
    width: int = 720,
    label_every: int = 3,
) -> Markup:
    """A grid of counts (``counts[row][column]``), each cell shaded by its share of the
    busiest; every ``label_every``-th column is labelled. The shade alone is never the
    only clue: each cell carries its count in a ``<title>`` and ``data-count``."""
    left, top = 40.0, 16.0
    n_cols = max(len(columns), 1)
    cell = (width - left) / n_cols
    height = int(top + cell * len(rows) + 2)
    peak = max((max(r, default=0) for r in counts), default=0)
    out = [_open(chart_id, width, height, title, desc, "heatmap")]
    out.append(f'<g {_FONT} font-size="10" fill="#444">')
    for j, name in enumerate(columns):
        if j % label_every == 0:
            out.append(
                f'<text x="{_f(left + j * cell + cell / 2)}" y="{_f(top - 4)}" '
                f'text-anchor="middle">{escape(name)}</text>'
            )
    for i, name in enumerate(rows):
        y0 = top + i * cell
        out.append(
            f'<text x="{_f(left - 6)}" y="{_f(y0 + cell / 2 + 4)}" text-anchor="end">'
            f"{escape(name)}</text>"
        )
        for j, value in enumerate(counts[i]):
            level = 0 if value <= 0 or peak <= 0 else max(1, math.ceil(value * 5 / peak))
            out.append(
                f'<rect class="cell" data-count="{value}" x="{_f(left + j * cell + 1)}" '
                f'y="{_f(y0 + 1)}" width="{_f(cell - 2)}" height="{_f(cell - 2)}" rx="2" '
                f'fill="{HEAT[level]}"><title>{escape(name)} {escape(columns[j])}: '
                f"{value:,}</title></rect>"
            )
    out.append("</g></svg>")
    return Markup("".join(out))


def column_chart(
    x_labels: Sequence[str],
    values: Sequence[float | None],
    *,
    chart_id: str,
    title: str,
    desc: str,
    color: str = PALETTE[0],
    texts: Sequence[str] | None = None,
    width: int = 320,
    height: int = 140,
    max_labels: int = 6,
    partial_last: bool = False,
) -> Markup:
    """Vertical columns, one per x label (a goal's figure per day or week), with a y axis
    of round ticks.

    A ``None`` value is a gap (nothing to take a median of), drawn as a short dash on the
    axis rather than a zero column. ``texts`` are the values as people read them (each
    column's tooltip); ``partial_last`` draws the last column paler: today, so far.
    """
    left, right, top, bottom = 34.0, 6.0, 8.0, 22.0
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [v for v in values if v is not None]
    ticks = nice_ticks(max(known, default=0.0))
    y_max = ticks[-1] or 1.0
    n = max(len(values), 1)
    slot = plot_w / n
    bar = max(2.0, slot * 0.7)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    out = [_open(chart_id, width, height, title, desc, "column")]
    out.append(f'<g class="axis" {_FONT} font-size="11" fill="#444">')
    for t in ticks:
        out.append(
            f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(y(t))}" y2="{_f(y(t))}" '
            'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{_f(left - 4)}" y="{_f(y(t) + 4)}" text-anchor="end">{_label(t)}</text>'
        )
    step = max(1, math.ceil(len(x_labels) / max_labels))
    for i in range(0, len(x_labels), step):
        cx = left + slot * (i + 0.5)
        out.append(
            f'<text x="{_f(cx)}" y="{_f(height - 6)}" text-anchor="middle">'
            f"{escape(x_labels[i])}</text>"
        )
    out.append("</g>")
    for i, v in enumerate(values):
        x0 = left + slot * i + (slot - bar) / 2
        label = x_labels[i] if i < len(x_labels) else ""
        shown = (
            texts[i] if texts is not None and i < len(texts) else ("–" if v is None else _label(v))
        )
        faded = ' opacity="0.55"' if partial_last and i == len(values) - 1 else ""
        if v is None:
            out.append(
                f'<g class="column gap" data-value="">'
                f"<title>{escape(label)}: {escape(shown)}</title>"
                f'<line x1="{_f(x0)}" x2="{_f(x0 + bar)}" y1="{_f(y(0) - 1)}" y2="{_f(y(0) - 1)}" '
                'stroke="#999" stroke-width="2"/></g>'
            )
            continue
        h = max(plot_h * v / y_max, 1.0 if v > 0 else 0.0)
        out.append(
            f'<g class="column" data-value="{v:g}"><title>{escape(label)}: {escape(shown)}</title>'
            f'<rect x="{_f(x0)}" y="{_f(y(0) - h)}" width="{_f(bar)}" height="{_f(h)}" rx="1.5" '
            f'fill="{color}"{faded}/></g>'
        )
    out.append("</svg>")
    return Markup("".join(out))
