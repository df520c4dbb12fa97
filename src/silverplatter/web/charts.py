"""Server-side SVG charts for the web UI: no JavaScript, no third-party chart library.

Every chart function returns one ``<svg>`` element as :class:`markupsafe.Markup`, so a
template drops it in with ``{{ chart }}``. All text that comes from data (titles, labels,
series names) is escaped here; nothing passed in can inject markup.

Colours come from CSS classes, styled at the end of ``static/silverplatter.css``:
``sp-series-0`` … ``sp-series-7`` set ``color`` and the shapes paint with
``currentColor``; ``sp-axis``, ``sp-grid`` and ``sp-label`` style the frame and text.
A series can bring its own class (``Series(css_class=...)``) to keep one colour per
metric across charts.

Accessibility: each ``<svg>`` has ``role="img"`` and ``aria-labelledby`` naming its
``<title>`` (the chart's title, not drawn: the page heading shows it) and its ``<desc>``
(the data in words). Every point, bar and segment has its own ``<title>`` as a tooltip.
Empty data draws a frame with the text "No data yet" instead of failing.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = [
    "EMPTY_TEXT",
    "Series",
    "bar_chart",
    "donut_or_split_bar",
    "funnel_chart",
    "grouped_bar_chart",
    "line_chart",
    "nice_ticks",
]

EMPTY_TEXT = "No data yet"
PALETTE_SIZE = 8
FONT_SIZE = 11
CHAR_W = 6.6  # average glyph width at FONT_SIZE: layout estimates only
PAD = 4.0
TICK_GAP = 6.0
X_LABEL_H = 18.0
LEGEND_ROW_H = 16.0
SWATCH = 10.0
Y_LABEL_W = 16.0
BAR_FILL = 0.7  # share of a slot a single bar takes
GROUP_FILL = 0.8  # share of a slot a group of bars takes
CUT_AT = 8  # category labels are cut to fit rather than thinned out, down to this length
ROW_H = 32.0  # funnel row height when the height is automatic
SPLIT_BAR_H = 28.0

_CLASS_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*( [A-Za-z_][A-Za-z0-9_-]*)*")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ID_RE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Series:
    """One named run of numbers; ``css_class`` replaces the palette class when given."""

    name: str
    values: Sequence[float]
    css_class: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _finite(self.values, self.name))
        if self.css_class is not None and not _CLASS_RE.fullmatch(self.css_class):
            raise ValueError(f"css_class {self.css_class!r} is not a list of CSS class names")


# --- numbers -------------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Round tick values covering ``low``..``high`` in about ``count`` steps of 1, 2 or 5 x 10^n.

    The first tick is at or below ``low`` and the last at or above ``high``. With
    ``integer`` the step is at least 1 (for counts, so no half leads on an axis).
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("nice_ticks needs finite bounds")
    low, high = float(min(low, high)), float(max(low, high))
    if high == low:
        high = low + (abs(low) or 1.0)
    rough = (high - low) / max(1, count)
    magnitude = 10.0 ** math.floor(math.log10(rough))
    residual = rough / magnitude
    nice = 1.0 if residual <= 1 else 2.0 if residual <= 2 else 5.0 if residual <= 5 else 10.0
    step = nice * magnitude
    if integer:
        step = max(1.0, step)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    steps = max(1, round((end - start) / step))
    decimals = max(0, 1 - math.floor(math.log10(step)))
    return [round(start + i * step, decimals) + 0.0 for i in range(steps + 1)]


def _finite(values: Sequence[float], what: str) -> tuple[float, ...]:
    out = tuple(float(v) for v in values)
    if not all(math.isfinite(v) for v in out):
        raise ValueError(f"{what!r}: chart values must be finite numbers")
    return out


def _full(value: float) -> str:
    """A number for tooltips and descriptions: thousands separators, at most 2 decimals."""
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _compact(value: float) -> str:
    """A number for axes and bar labels: 950, 1,200, 12.5k, 3.4M."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.1f}".rstrip("0").rstrip(".") + "M"
    if size >= 1e4:
        return f"{value / 1e3:.1f}".rstrip("0").rstrip(".") + "k"
    return _full(value)


def _pct(share: float) -> str:
    """A percentage: whole from 10 up, one decimal below ("4.5%"), "<0.1%" for a sliver."""
    if 0 < share < 0.1:
        return "<0.1%"
    if share >= 10 or float(round(share, 1)).is_integer():
        return f"{share:.0f}%"
    return f"{share:.1f}%"


def _whole_percents(values: Sequence[float]) -> list[int]:
    """Whole percentages that add up to 100 (largest remainder), for a split of a total."""
    total = sum(values)
    exact = [v / total * 100 for v in values]
    whole = [math.floor(e) for e in exact]
    order = sorted(range(len(exact)), key=lambda i: (whole[i] - exact[i], i))
    for i in order[: 100 - sum(whole)]:
        whole[i] += 1
    return whole


def _n(x: float) -> str:
    """A coordinate: at most 2 decimals, no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- text ----------------------------------------------------------------------------


def _t(text: object) -> str:
    """Escaped text, without the control characters XML does not allow."""
    return str(escape(_CONTROL_RE.sub("", str(text))))


def _fit(text: str, width: float) -> str:
    """``text`` cut with an ellipsis to about ``width`` pixels."""
    if len(text) * CHAR_W <= width:
        return text
    keep = max(1, int(width / CHAR_W) - 1)
    return text[:keep].rstrip() + "…"


def _label(x: float, y: float, text: str, *, cls: str = "", anchor: str = "middle") -> str:
    """A ``sp-label`` text; a cut label keeps its full text as a tooltip."""
    classes = f"sp-label {cls}".strip()
    return (
        f'<text class="{classes}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" '
        f'dominant-baseline="middle">{_t(text)}</text>'
    )


def _cut_label(x: float, y: float, text: str, width: float, *, cls: str, anchor: str) -> str:
    shown = _fit(text, width)
    if shown == text:
        return _label(x, y, text, cls=cls, anchor=anchor)
    return (
        f'<text class="sp-label {cls}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" '
        f'dominant-baseline="middle"><title>{_t(text)}</title>{_t(shown)}</text>'
    )


# --- the frame -----------------------------------------------------------------------


def _chart_id(kind: str, title: str, payload: object, chart_id: str | None) -> str:
    if chart_id:
        cleaned = _ID_RE.sub("-", chart_id)
        return cleaned if cleaned[0].isalpha() else f"sp-{cleaned}"
    digest = hashlib.blake2b(repr((kind, title, payload)).encode(), digest_size=5).hexdigest()
    return f"sp-{kind}-{digest}"


def _open(kind: str, cid: str, title: str, desc: str, width: float, height: float) -> list[str]:
    w, h = _n(width), _n(height)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sp-chart sp-chart-{kind}" '
        f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-size="{FONT_SIZE}">',
        f'<title id="{cid}-title">{_t(title)}</title>',
        f'<desc id="{cid}-desc">{_t(desc)}</desc>',
    ]


def _close(parts: list[str]) -> Markup:
    parts.append("</svg>")
    return Markup("".join(parts))


def _empty(kind: str, title: str, width: float, height: float, chart_id: str | None) -> Markup:
    cid = _chart_id(kind, title, None, chart_id)
    parts = _open(kind, cid, title, f"{EMPTY_TEXT}.", width, height)
    parts.append(_label(width / 2, height / 2, EMPTY_TEXT, cls="sp-empty"))
    return _close(parts)


def _check_size(width: float, height: float) -> None:
    if width <= 0 or height <= 0:
        raise ValueError("chart width and height must be positive")


def _series_class(series: Series, index: int) -> str:
    return series.css_class or f"sp-series-{index % PALETTE_SIZE}"


@dataclass(frozen=True)
class _Frame:
    """The plot area and its y scale (ticks[0] at ``bottom``, ticks[-1] at ``top``)."""

    left: float
    top: float
    right: float
    bottom: float
    ticks: list[float]

    @property
    def width(self) -> float:
        return self.right - self.left

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.bottom - (value - low) / (high - low) * (self.bottom - self.top)


def _frame(
    values: Sequence[float], width: float, *, top: float, bottom: float, y_label: str
) -> _Frame:
    """A frame whose y axis covers ``values`` and zero, with ticks every 28px or more."""
    bottom = max(bottom, top + 1)
    count = max(2, min(5, int((bottom - top) // 28)))
    integer = all(v.is_integer() for v in values)
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values), count, integer=integer)
    tick_w = math.ceil(max(len(_compact(t)) for t in ticks) * CHAR_W)
    left = PAD + (Y_LABEL_W if y_label else 0.0) + tick_w + TICK_GAP
    right = max(width - PAD, left + 1)
    return _Frame(left=left, top=top, right=right, bottom=bottom, ticks=ticks)


def _y_axis(frame: _Frame, y_label: str) -> list[str]:
    parts: list[str] = []
    for tick in frame.ticks:
        y = _n(frame.y(tick))
        if tick != 0:
            parts.append(
                f'<line class="sp-grid" x1="{_n(frame.left)}" y1="{y}" x2="{_n(frame.right)}" '
                f'y2="{y}" stroke="currentColor"/>'
            )
        parts.append(
            _label(
                frame.left - TICK_GAP, frame.y(tick), _compact(tick), cls="sp-tick", anchor="end"
            )
        )
    zero = _n(frame.y(0.0))
    parts.append(
        f'<line class="sp-axis" x1="{_n(frame.left)}" y1="{_n(frame.top)}" '
        f'x2="{_n(frame.left)}" y2="{_n(frame.bottom)}" stroke="currentColor"/>'
    )
    parts.append(
        f'<line class="sp-axis" x1="{_n(frame.left)}" y1="{zero}" x2="{_n(frame.right)}" '
        f'y2="{zero}" stroke="currentColor"/>'
    )
    if y_label:
        x, y = _n(PAD + Y_LABEL_W / 2), _n((frame.top + frame.bottom) / 2)
        shown = _fit(y_label, frame.bottom - frame.top)
        parts.append(
            f'<text class="sp-label sp-axis-label" x="{x}" y="{y}" text-anchor="middle" '
            f'dominant-baseline="middle" transform="rotate(-90 {x} {y})">{_t(shown)}</text>'
        )
    return parts


def _x_labels(
    frame: _Frame, labels: Sequence[str], width: float, *, cut_at: int | None
) -> list[str]:
    """Labels centred under each slot, kept inside the chart's ``width``.

    When crowded only every k-th label is shown. Labels are cut (with an ellipsis and the
    full text as a tooltip) to fit their room, but thinning only counts ``cut_at``
    characters of them: categories keep a cut label per bar; ``cut_at=None`` never cuts.
    """
    count = len(labels)
    if count == 0:
        return []
    slot = frame.width / count
    longest = max(len(label) for label in labels)
    if cut_at is not None:
        longest = min(longest, cut_at)
    every = max(1, math.ceil((longest * CHAR_W + TICK_GAP) / slot))
    room = slot * every - TICK_GAP
    y = frame.bottom + X_LABEL_H / 2 + 2
    parts: list[str] = []
    taken = -math.inf  # right edge of the last label drawn
    for i, label in enumerate(labels):
        if i % every or not label:
            continue
        half = min(len(label) * CHAR_W, room) / 2
        x = min(max(frame.left + (i + 0.5) * slot, half), width - half)
        if x - half < taken:
            continue  # pushed in from the edge onto its neighbour
        taken = x + half
        parts.append(_cut_label(x, y, label, room, cls="sp-x-label", anchor="middle"))
    return parts


def _legend_layout(
    items: Sequence[tuple[str, str]], max_width: float
) -> tuple[list[tuple[float, float, str, str]], float]:
    """Where each (class, text) legend item goes, wrapping rows; and the height it takes."""
    placed: list[tuple[float, float, str, str]] = []
    x = y = 0.0
    for cls, text in items:
        shown = _fit(text, max_width - SWATCH - 4)
        item_w = SWATCH + 4 + len(shown) * CHAR_W + 14
        if x > 0 and x + item_w > max_width:
            x, y = 0.0, y + LEGEND_ROW_H
        placed.append((x, y, cls, shown))
        x += item_w
    return placed, (y + LEGEND_ROW_H if placed else 0.0)


def _legend(placed: Sequence[tuple[float, float, str, str]], x0: float, y0: float) -> list[str]:
    parts = ['<g class="sp-legend">']
    for dx, dy, cls, text in placed:
        x, y = x0 + dx, y0 + dy
        parts.append(
            f'<g class="sp-legend-item {_t(cls)}"><rect x="{_n(x)}" y="{_n(y + 1)}" '
            f'width="{_n(SWATCH)}" height="{_n(SWATCH)}" fill="currentColor"/>'
            f"{_label(x + SWATCH + 4, y + 1 + SWATCH / 2, text, anchor='start')}</g>"
        )
    parts.append("</g>")
    return parts


def _span(labels: Sequence[str]) -> str:
    named = [label for label in labels if label]
    if not named:
        return ""
    return f" ({named[0]} to {named[-1]})" if len(named) > 1 else f" ({named[0]})"


# --- charts --------------------------------------------------------------------------


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    x_labels: Sequence[str],
    width: float = 640,
    height: float = 240,
    y_label: str = "",
    chart_id: str | None = None,
) -> Markup:
    """One line per series over ``x_labels``, with y ticks, x labels, legend and tooltips.

    Points are placed at slot centres; a series shorter than the labels just stops.
    """
    _check_size(width, height)
    values = [v for s in series for v in s.values]
    if not values:
        return _empty("line", title, width, height, chart_id)
    count = max(len(x_labels), *(len(s.values) for s in series))
    labels = [str(x_labels[i]) if i < len(x_labels) else "" for i in range(count)]

    items = [(_series_class(s, i), s.name) for i, s in enumerate(series)]
    placed, legend_h = _legend_layout(items, width - 2 * PAD)
    bottom = height - PAD - legend_h - X_LABEL_H
    frame = _frame(values, width, top=10, bottom=bottom, y_label=y_label)

    desc = [f"Line chart of {len(series)} series over {count} points{_span(labels)}."]
    for s in series:
        if s.values:
            desc.append(
                f"{s.name}: from {_full(s.values[0])} to {_full(s.values[-1])}, "
                f"lowest {_full(min(s.values))}, highest {_full(max(s.values))}."
            )
    cid = _chart_id("line", title, (labels, series), chart_id)
    parts = _open("line", cid, title, " ".join(desc), width, height)
    parts += _y_axis(frame, y_label)
    parts += _x_labels(frame, labels, width, cut_at=None)

    slot = frame.width / count
    radius = 3 if slot >= 10 else 2
    for index, s in enumerate(series):
        points = [
            (frame.left + (i + 0.5) * slot, frame.y(v), labels[i], v)
            for i, v in enumerate(s.values[:count])
        ]
        parts.append(f'<g class="sp-series {_t(_series_class(s, index))}">')
        parts.append(
            '<polyline class="sp-line" fill="none" stroke="currentColor" stroke-width="2" '
            f'points="{" ".join(f"{_n(x)},{_n(y)}" for x, y, _, _ in points)}"/>'
        )
        for x, y, label, v in points:
            where = f" · {label}" if label else ""
            parts.append(
                f'<circle class="sp-point" cx="{_n(x)}" cy="{_n(y)}" r="{radius}" '
                f'fill="currentColor"><title>{_t(s.name)}{_t(where)}: {_full(v)}</title></circle>'
            )
        parts.append("</g>")
    parts += _legend(placed, PAD, height - PAD - legend_h)
    return _close(parts)


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    width: float = 640,
    height: float = 240,
    y_label: str = "",
    highlight: str | None = None,
    chart_id: str | None = None,
) -> Markup:
    """Vertical bars with their values on top; the bar labelled ``highlight`` stands out."""
    _check_size(width, height)
    if not bars:
        return _empty("bar", title, width, height, chart_id)
    labels = [str(label) for label, _ in bars]
    values = _finite([v for _, v in bars], title)
    frame = _frame(values, width, top=16, bottom=height - PAD - X_LABEL_H, y_label=y_label)

    desc = (
        "Bar chart: "
        + ", ".join(f"{k} {_full(v)}" for k, v in zip(labels, values, strict=True))
        + "."
    )
    cid = _chart_id("bar", title, (labels, values, highlight), chart_id)
    parts = _open("bar", cid, title, desc, width, height)
    parts += _y_axis(frame, y_label)
    parts += _x_labels(frame, labels, width, cut_at=CUT_AT)

    slot = frame.width / len(bars)
    bar_w = slot * BAR_FILL
    zero = frame.y(0.0)
    parts.append('<g class="sp-series sp-series-0">')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = frame.left + i * slot + (slot - bar_w) / 2
        top = min(frame.y(value), zero)
        bar_h = abs(frame.y(value) - zero)
        cls = "sp-bar sp-highlight" if highlight is not None and label == highlight else "sp-bar"
        parts.append(
            f'<rect class="{cls}" x="{_n(x)}" y="{_n(top)}" width="{_n(bar_w)}" '
            f'height="{_n(bar_h)}" fill="currentColor"><title>{_t(label)}: {_full(value)}'
            "</title></rect>"
        )
        text = _compact(value)
        if len(text) * CHAR_W <= slot:
            y = top - 7 if value >= 0 else top + bar_h + 7
            parts.append(_label(x + bar_w / 2, y, text, cls="sp-value"))
    parts.append("</g>")
    return _close(parts)


def grouped_bar_chart(
    groups: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: float = 640,
    height: float = 240,
    y_label: str = "",
    chart_id: str | None = None,
) -> Markup:
    """Side-by-side bars, one per series in each group (e.g. MQL and SQL per month).

    ``series[k].values[i]`` belongs to ``groups[i]``; a missing value draws no bar.
    """
    _check_size(width, height)
    labels = [str(g) for g in groups]
    values = [v for s in series for v in s.values[: len(labels)]]
    if not values:
        return _empty("grouped-bar", title, width, height, chart_id)

    items = [(_series_class(s, i), s.name) for i, s in enumerate(series)]
    placed, legend_h = _legend_layout(items, width - 2 * PAD)
    bottom = height - PAD - legend_h - X_LABEL_H
    frame = _frame(values, width, top=16, bottom=bottom, y_label=y_label)

    desc = [f"Grouped bar chart of {', '.join(s.name for s in series)}{_span(labels)}."]
    for i, group in enumerate(labels):
        cells = [f"{s.name} {_full(s.values[i])}" for s in series if i < len(s.values)]
        if cells:
            desc.append(f"{group}: {', '.join(cells)}.")
    cid = _chart_id("grouped-bar", title, (labels, series), chart_id)
    parts = _open("grouped-bar", cid, title, " ".join(desc), width, height)
    parts += _y_axis(frame, y_label)
    parts += _x_labels(frame, labels, width, cut_at=CUT_AT)

    slot = frame.width / len(labels)
    bar_w = slot * GROUP_FILL / len(series)
    gap = 1.0 if bar_w > 4 else 0.0
    zero = frame.y(0.0)
    for k, s in enumerate(series):
        parts.append(f'<g class="sp-series {_t(_series_class(s, k))}">')
        for i, value in enumerate(s.values[: len(labels)]):
            x = frame.left + i * slot + slot * (1 - GROUP_FILL) / 2 + k * bar_w
            top = min(frame.y(value), zero)
            bar_h = abs(frame.y(value) - zero)
            parts.append(
                f'<rect class="sp-bar" x="{_n(x)}" y="{_n(top)}" width="{_n(bar_w - gap)}" '
                f'height="{_n(bar_h)}" fill="currentColor"><title>{_t(s.name)} · '
                f"{_t(labels[i])}: {_full(value)}</title></rect>"
            )
            text = _compact(value)
            if len(text) * CHAR_W <= bar_w + 2:
                y = top - 7 if value >= 0 else top + bar_h + 7
                parts.append(_label(x + (bar_w - gap) / 2, y, text, cls="sp-value"))
        parts.append("</g>")
    parts += _legend(placed, PAD, height - PAD - legend_h)
    return _close(parts)


def funnel_chart(
    stages: Sequence[tuple[str, int]],
    *,
    title: str,
    width: float = 640,
    height: float | None = None,
    chart_id: str | None = None,
) -> Markup:
    """One horizontal bar per stage, scaled to the largest, with the count and, on the
    right, the conversion from the previous stage ("50%"; "–" after a stage of 0).

    ``height`` defaults to 32px per stage.
    """
    count = len(stages)
    height = height if height is not None else 2 * PAD + ROW_H * max(count, 2)
    _check_size(width, height)
    if not stages:
        return _empty("funnel", title, width, height, chart_id)
    labels = [str(label) for label, _ in stages]
    values = [max(0.0, v) for v in _finite([v for _, v in stages], title)]
    conversions = [""] + [
        _pct(values[i] / values[i - 1] * 100) if values[i - 1] > 0 else "–" for i in range(1, count)
    ]
    notes = [""] + [
        f"{conversions[i]} of {labels[i - 1]}" if values[i - 1] > 0 else f"{labels[i - 1]} is 0"
        for i in range(1, count)
    ]

    desc = ["Funnel:"]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        after = f" ({notes[i]})" if i else ""
        desc.append(f"{label} {_full(value)}{after}" + (";" if i < count - 1 else "."))
    cid = _chart_id("funnel", title, (labels, values), chart_id)
    parts = _open("funnel", cid, title, " ".join(desc), width, height)

    label_w = min(max(len(label) for label in labels) * CHAR_W, width * 0.3)
    conversion_w = 6 * CHAR_W
    value_w = 8 * CHAR_W
    bar_x = PAD + label_w + TICK_GAP
    bar_room = max(1.0, width - PAD - conversion_w - value_w - bar_x)
    row_h = (height - 2 * PAD) / count
    bar_h = row_h * BAR_FILL
    largest = max(values)

    parts.append('<g class="sp-series sp-series-0">')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        middle = PAD + (i + 0.5) * row_h
        bar_w = value / largest * bar_room if largest > 0 else 0.0
        tip = f"{label}: {_full(value)}" + (f" ({notes[i]})" if i else "")
        parts.append(
            _cut_label(PAD + label_w, middle, label, label_w, cls="sp-stage", anchor="end")
        )
        parts.append(
            f'<rect class="sp-bar" x="{_n(bar_x)}" y="{_n(middle - bar_h / 2)}" '
            f'width="{_n(bar_w)}" height="{_n(bar_h)}" fill="currentColor">'
            f"<title>{_t(tip)}</title></rect>"
        )
        parts.append(
            _label(
                bar_x + bar_w + TICK_GAP, middle, _compact(value), cls="sp-value", anchor="start"
            )
        )
        if i:
            parts.append(
                f'<text class="sp-label sp-conversion" x="{_n(width - PAD)}" y="{_n(middle)}" '
                f'text-anchor="end" dominant-baseline="middle"><title>{_t(notes[i])}</title>'
                f"{_t(conversions[i])}</text>"
            )
    parts.append("</g>")
    return _close(parts)


def donut_or_split_bar(
    parts: Sequence[tuple[str, float]],
    *,
    title: str,
    width: float = 640,
    chart_id: str | None = None,
) -> Markup:
    """A 100% stacked horizontal bar (e.g. owned vs bought traffic) with a legend of shares.

    Shares are whole percentages adding up to 100; negative parts are an error.
    """
    labels = [str(label) for label, _ in parts]
    values = _finite([v for _, v in parts], title)
    if any(v < 0 for v in values):
        raise ValueError(f"{title!r}: a split cannot have negative parts")
    total = sum(values)
    shares = _whole_percents(values) if total > 0 else [0] * len(values)
    items = [
        (f"sp-series-{i % PALETTE_SIZE}", f"{label} {share}%")
        for i, (label, share) in enumerate(zip(labels, shares, strict=True))
    ]
    placed, legend_h = _legend_layout(items, width - 2 * PAD)
    height = 2 * PAD + SPLIT_BAR_H + TICK_GAP + max(legend_h, LEGEND_ROW_H)
    _check_size(width, height)
    if total <= 0:
        return _empty("split", title, width, height, chart_id)

    desc = (
        "Split of "
        + _full(total)
        + ": "
        + ", ".join(
            f"{label} {share}% ({_full(value)})"
            for label, share, value in zip(labels, shares, values, strict=True)
        )
        + "."
    )
    cid = _chart_id("split", title, (labels, values), chart_id)
    out = _open("split", cid, title, desc, width, height)

    x = PAD
    room = width - 2 * PAD
    for i, (label, value, share) in enumerate(zip(labels, values, shares, strict=True)):
        segment = value / total * room
        if segment <= 0:
            continue
        cls = f"sp-series-{i % PALETTE_SIZE}"
        out.append(
            f'<g class="sp-series {cls}"><rect class="sp-segment" x="{_n(x)}" y="{_n(PAD)}" '
            f'width="{_n(segment)}" height="{_n(SPLIT_BAR_H)}" fill="currentColor">'
            f"<title>{_t(label)}: {_full(value)} ({share}%)</title></rect>"
        )
        text = f"{share}%"
        if len(text) * CHAR_W + 8 <= segment:
            out.append(_label(x + segment / 2, PAD + SPLIT_BAR_H / 2, text, cls="sp-on-bar"))
        out.append("</g>")
        x += segment
    out += _legend(placed, PAD, PAD + SPLIT_BAR_H + TICK_GAP)
    return _close(out)
