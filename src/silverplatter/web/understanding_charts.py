"""Pictures of the needs grid and Kano studies as server-side SVG, in the style of ``charts.py``.

* ``heatmap``: a table of cells coloured by value — sequential (low to high)
  or diverging around 0 (for internal minus customers) — each with its value
  written in it and a tooltip; an empty cell is hatched grey.
* ``kano_scatter``: each feature at (|Worse|, Better) with the four quadrants
  (attractive, performance, must-be, indifferent) split at 0.5.
* ``kano_shares``: one 100 % stacked bar per feature, a segment per category.

One ``<svg>`` as :class:`markupsafe.Markup`; every text escaped; ``role="img"``
with a ``<title>`` and a ``<desc>`` giving the figures in words; colours from
CSS classes in ``static/understanding.css`` (``sp-heat-0`` … ``sp-heat-9``,
``sp-div-n5`` … ``sp-div-p5``, ``sp-kano-A`` …).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup

from silverplatter.web.charts import (
    CHAR_W,
    PAD,
    _chart_id,
    _close,
    _cut_label,
    _empty,
    _full,
    _label,
    _n,
    _open,
    _t,
)

__all__ = ["KanoPoint", "heatmap", "kano_scatter", "kano_shares"]

CELL_W: Final = 84.0
CELL_H: Final = 30.0
HEAD_H: Final = 30.0
STEPS: Final = 10
KANO_ORDER: Final = ("M", "O", "A", "I", "R", "Q")
KANO_NAMES: Final = {
    "M": "Must-be",
    "O": "Performance",
    "A": "Attractive",
    "I": "Indifferent",
    "R": "Reverse",
    "Q": "Questionable",
}


def _number(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals; a value that rounds to zero has no sign."""
    if round(value, decimals) == 0:
        value = 0.0
    return f"{value:,.{decimals}f}"


def _heat_class(value: float, low: float, high: float, diverging: bool) -> str:
    if diverging:
        reach = max(abs(low), abs(high)) or 1.0
        step = round(value / reach * 5)
        step = max(-5, min(5, step))
        return f"sp-div-{'n' if step < 0 else 'p'}{abs(step)}"
    span = (high - low) or 1.0
    step = math.floor((value - low) / span * STEPS)
    return f"sp-heat-{max(0, min(STEPS - 1, step))}"


def _dark(css: str) -> bool:
    """Whether a cell's colour is dark enough for light text."""
    if css.startswith("sp-heat-"):
        return int(css.rsplit("-", 1)[1]) >= 6
    return css[-1] in "45"


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Mapping[tuple[str, str], float],
    *,
    title: str,
    low: float,
    high: float,
    diverging: bool = False,
    decimals: int = 1,
    notes: Mapping[tuple[str, str], str] | None = None,
    chart_id: str | None = None,
) -> Markup:
    """Cells ``values[(row, column)]`` coloured on the scale ``low``…``high``.

    ``diverging`` colours negative values one way and positive the other,
    scaled by the larger of ``|low|`` and ``|high|``.  ``notes`` add a line
    to a cell's tooltip (e.g. the spread).
    """
    label_w = min(220.0, max([len(row) for row in rows] + [6]) * CHAR_W + 12)
    width = PAD * 2 + label_w + CELL_W * max(1, len(columns))
    height = PAD * 2 + HEAD_H + CELL_H * max(1, len(rows))
    if not rows or not columns or not values:
        return _empty("heatmap", title, width, max(height, 60), chart_id)
    described = "; ".join(
        f"{row} × {column}: "
        + (_number(values[(row, column)], decimals) if (row, column) in values else "no value")
        for row in rows
        for column in columns
    )
    cid = _chart_id(
        "heatmap", title, (tuple(rows), tuple(columns), sorted(values.items())), chart_id
    )
    out = _open("heatmap", cid, title, f"{title}. {described}.", width, height)
    left = PAD + label_w
    for index, column in enumerate(columns):
        x = left + (index + 0.5) * CELL_W
        out.append(
            _cut_label(x, PAD + HEAD_H / 2, column, CELL_W - 6, cls="sp-heat-head", anchor="middle")
        )
    for r, row in enumerate(rows):
        y = PAD + HEAD_H + r * CELL_H
        out.append(
            _cut_label(left - 8, y + CELL_H / 2, row, label_w - 10, cls="sp-heat-row", anchor="end")
        )
        for index, column in enumerate(columns):
            x = left + index * CELL_W
            value = values.get((row, column))
            box = (
                f'x="{_n(x + 1)}" y="{_n(y + 1)}" '
                f'width="{_n(CELL_W - 2)}" height="{_n(CELL_H - 2)}"'
            )
            if value is None:
                out.append(
                    f'<rect class="sp-heat-none" {box}><title>{_t(row)} · {_t(column)}: '
                    "no value</title></rect>"
                )
                continue
            css = _heat_class(value, low, high, diverging)
            shown = _number(value, decimals)
            if diverging and round(value, decimals) > 0:
                shown = f"+{shown}"
            tip = f"{row} · {column}: {shown}"
            if notes and (row, column) in notes:
                tip += f" ({notes[(row, column)]})"
            text_class = "sp-heat-value sp-heat-light" if _dark(css) else "sp-heat-value"
            out.append(
                f'<g class="sp-heat-cell"><rect class="{css}" {box}><title>{_t(tip)}</title></rect>'
                f"{_label(x + CELL_W / 2, y + CELL_H / 2, shown, cls=text_class)}</g>"
            )
    return _close(out)


@dataclass(frozen=True, slots=True)
class KanoPoint:
    feature: str
    better: float
    worse: float  # the size of Worse, 0 … 1
    category: str | None


def _worse(size: float) -> str:
    """Worse from its size: −0.75, or 0 (not −0)."""
    shown = _full(round(size, 2))
    return "0" if shown == "0" else f"−{shown}"


def kano_scatter(
    points: Sequence[KanoPoint],
    *,
    title: str,
    width: float = 560,
    height: float = 440,
    chart_id: str | None = None,
) -> Markup:
    """Better (up) against |Worse| (right) with the quadrants split at 0.5."""
    if not points:
        return _empty("kano", title, width, height, chart_id)
    left, top = PAD + 40.0, PAD + 12.0
    right, bottom = width - PAD - 12.0, height - PAD - 36.0
    size_x, size_y = right - left, bottom - top

    def at(worse: float, better: float) -> tuple[float, float]:
        return left + worse * size_x, bottom - better * size_y

    described = "; ".join(
        f"{p.feature}: Better {_full(round(p.better, 2))}, Worse {_worse(p.worse)}" for p in points
    )
    cid = _chart_id("kano", title, tuple(points), chart_id)
    out = _open("kano", cid, title, f"{title}. {described}.", width, height)
    mx, my = at(0.5, 0.5)
    quadrants = (
        ("sp-kano-zone-A", left, top, mx, my, "Attractive"),
        ("sp-kano-zone-O", mx, top, right, my, "Performance"),
        ("sp-kano-zone-I", left, my, mx, bottom, "Indifferent"),
        ("sp-kano-zone-M", mx, my, right, bottom, "Must-be"),
    )
    for css, x0, y0, x1, y1, name in quadrants:
        out.append(
            f'<rect class="{css}" x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" '
            f'height="{_n(y1 - y0)}"/>'
        )
        # Each zone's name in its outer corner, away from the middle where points crowd.
        outer_x, anchor = (x0 + 8, "start") if x0 == left else (x1 - 8, "end")
        outer_y = y0 + 14 if y0 == top else y1 - 10
        out.append(_label(outer_x, outer_y, name, cls="sp-kano-zone-name", anchor=anchor))
    for tick in (0.0, 0.5, 1.0):
        x, _y = at(tick, 0)
        _x, y = at(0, tick)
        out.append(_label(x, bottom + 12, _full(tick), cls="sp-tick"))
        out.append(_label(left - 6, y, _full(tick), cls="sp-tick", anchor="end"))
    out.append(
        f'<line class="sp-axis" x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(right)}" '
        f'y2="{_n(bottom)}" stroke="currentColor"/>'
        f'<line class="sp-axis" x1="{_n(left)}" y1="{_n(top)}" x2="{_n(left)}" '
        f'y2="{_n(bottom)}" stroke="currentColor"/>'
    )
    out.append(_label((left + right) / 2, bottom + 28, "|Worse|: dissatisfaction when missing"))
    y_mid = (top + bottom) / 2
    out.append(
        f'<text class="sp-label" x="{_n(PAD + 8)}" y="{_n(y_mid)}" text-anchor="middle" '
        f'dominant-baseline="middle" transform="rotate(-90 {_n(PAD + 8)} {_n(y_mid)})">'
        "Better: satisfaction when present</text>"
    )
    placed: list[tuple[float, float, float]] = []  # (left, right, y) of labels drawn
    for point in points:
        x, y = at(min(1.0, max(0.0, point.worse)), min(1.0, max(0.0, point.better)))
        css = f"sp-kano-{point.category}" if point.category else "sp-kano-none"
        tip = (
            f"{point.feature}: Better {_full(round(point.better, 2))}, Worse {_worse(point.worse)}"
        )
        out.append(
            f'<g class="sp-kano-point {css}"><circle cx="{_n(x)}" cy="{_n(y)}" r="6" '
            f'fill="currentColor"><title>{_t(tip)}</title></circle>'
        )
        name = point.feature[:40]
        anchor = "end" if x > right - len(name) * CHAR_W - 12 else "start"
        dx = -9 if anchor == "end" else 9
        start = x + dx - (len(name) * CHAR_W if anchor == "end" else 0)
        end, label_y = start + len(name) * CHAR_W, y
        # A label that would overlap one already drawn moves down a line, clear of it.
        while any(
            abs(label_y - other_y) < 13 and start < other_end and other_start < end
            for other_start, other_end, other_y in placed
        ):
            label_y += 13
        placed.append((start, end, label_y))
        out.append(_label(x + dx, label_y, name, cls="sp-kano-label", anchor=anchor))
        out.append("</g>")
    return _close(out)


def kano_shares(
    features: Sequence[tuple[str, Mapping[str, int]]],
    *,
    title: str,
    width: float = 760,
    chart_id: str | None = None,
) -> Markup:
    """One 100 % bar per feature split by category, with a legend."""
    row_h, legend_h = 26.0, 22.0
    height = PAD * 2 + legend_h + row_h * max(1, len(features))
    totals = [sum(counts.values()) for _name, counts in features]
    if not features or not any(totals):
        return _empty("kano-shares", title, width, max(height, 60), chart_id)
    label_w = min(220.0, max(len(name) for name, _c in features) * CHAR_W + 12)
    left, room = PAD + label_w, width - PAD * 2 - label_w
    described = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{KANO_NAMES[c]} {round(counts.get(c, 0) / total * 100)}%"
            for c in KANO_ORDER
            if counts.get(c, 0)
        )
        for (name, counts), total in zip(features, totals, strict=True)
        if total
    )
    cid = _chart_id(
        "kano-shares", title, tuple((n, tuple(sorted(c.items()))) for n, c in features), chart_id
    )
    out = _open("kano-shares", cid, title, f"{title}. {described}.", width, height)
    x = left
    for category in KANO_ORDER:
        name = KANO_NAMES[category]
        out.append(
            f'<g class="sp-kano-{category}"><rect x="{_n(x)}" y="{_n(PAD + 4)}" width="10" '
            f'height="10" fill="currentColor"/></g>'
        )
        out.append(_label(x + 14, PAD + 9, name, anchor="start"))
        x += 14 + len(name) * CHAR_W + 14
    for index, ((name, counts), total) in enumerate(zip(features, totals, strict=True)):
        y = PAD + legend_h + index * row_h
        out.append(
            _cut_label(left - 8, y + row_h / 2, name, label_w - 10, cls="sp-heat-row", anchor="end")
        )
        if not total:
            out.append(
                _label(left + 4, y + row_h / 2, "no answers", cls="sp-empty", anchor="start")
            )
            continue
        x = left
        for category in KANO_ORDER:
            count = counts.get(category, 0)
            if not count:
                continue
            part = count / total * room
            share = count / total * 100
            tip = f"{name} · {KANO_NAMES[category]}: {count} of {total} ({share:.0f}%)"
            out.append(
                f'<g class="sp-kano-{category}"><rect x="{_n(x)}" y="{_n(y + 3)}" '
                f'width="{_n(part)}" height="{_n(row_h - 6)}" fill="currentColor">'
                f"<title>{_t(tip)}</title></rect></g>"
            )
            text = f"{share:.0f}%"
            if len(text) * CHAR_W + 6 <= part:
                out.append(_label(x + part / 2, y + row_h / 2, text, cls="sp-on-bar"))
            x += part
    return _close(out)
