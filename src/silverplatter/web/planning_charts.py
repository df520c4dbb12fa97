"""The service-level chart: actual arrivals per month as bars, the service level as a
line across them, and the current month's run-rate projection as an open bar on top
of its actual one — so "are we on track this month?" is one glance.

Drawn like ``web/charts.py`` (server-side SVG, escaped text, a tooltip per shape,
the data in words in ``<desc>``), with its frame and legend helpers.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from silverplatter.web.charts import (
    BAR_FILL,
    CUT_AT,
    PAD,
    X_LABEL_H,
    _chart_id,
    _close,
    _compact,
    _empty,
    _frame,
    _full,
    _label,
    _legend,
    _legend_layout,
    _n,
    _open,
    _t,
    _x_labels,
    _y_axis,
)

__all__ = ["sla_chart"]


def sla_chart(
    labels: Sequence[str],
    actual: Sequence[int],
    *,
    sla: int | None,
    projected: int | None,
    title: str,
    what: str,
    width: float = 640,
    height: float = 240,
    chart_id: str | None = None,
) -> Markup:
    """Bars of ``actual`` per label; the last label is the current month, projected to
    ``projected``; ``sla`` (None: no active plan) is drawn as a dashed line."""
    if not labels:
        return _empty("sla", title, width, height, chart_id)
    values = [float(v) for v in actual]
    line = None if sla is None else float(sla)
    projected_f = None if projected is None else float(projected)
    scale = [*values, float(sla or 0), float(projected or 0)]
    items = [("sp-series-0", f"Actual {what}")]
    if projected is not None:
        items.append(("sp-series-5 sp-projection", "Projected this month"))
    if sla is not None:
        items.append(("sp-series-1", f"Service level {sla} a month"))
    placed, legend_h = _legend_layout(items, width - 2 * PAD)
    bottom = height - PAD - legend_h - X_LABEL_H
    frame = _frame(scale, width, top=16, bottom=bottom, y_label="")

    desc = [f"Actual {what} per month: "]
    desc.append(", ".join(f"{k} {_full(v)}" for k, v in zip(labels, values, strict=True)) + ".")
    if projected is not None:
        desc.append(f" This month projected to {_full(projected_f or 0.0)}.")
    if line is not None:
        desc.append(f" Service level {_full(line)} a month.")
    cid = _chart_id("sla", title, (list(labels), values, sla, projected), chart_id)
    parts = _open("sla", cid, title, "".join(desc), width, height)
    parts += _y_axis(frame, "")
    parts += _x_labels(frame, list(labels), width, cut_at=CUT_AT)

    slot = frame.width / len(labels)
    bar_w = slot * BAR_FILL
    zero = frame.y(0.0)
    last = len(labels) - 1
    if projected is not None and projected > values[last]:
        x = frame.left + last * slot + (slot - bar_w) / 2
        top = frame.y(projected)
        parts.append(
            f'<g class="sp-series sp-series-5 sp-projection"><rect class="sp-bar" '
            f'x="{_n(x)}" y="{_n(top)}" width="{_n(bar_w)}" height="{_n(zero - top)}" '
            'fill="currentColor" fill-opacity="0.25" stroke="currentColor" '
            f'stroke-dasharray="4 3"><title>{_t(labels[last])} projected: {_full(float(projected))}'
            "</title></rect></g>"
        )
    parts.append('<g class="sp-series sp-series-0">')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = frame.left + i * slot + (slot - bar_w) / 2
        top = frame.y(value)
        parts.append(
            f'<rect class="sp-bar" x="{_n(x)}" y="{_n(top)}" width="{_n(bar_w)}" '
            f'height="{_n(zero - top)}" fill="currentColor"><title>{_t(label)}: '
            f"{_full(value)} {_t(what)}</title></rect>"
        )
        text = _compact(value)
        if i != last or projected is None or projected <= value:
            parts.append(_label(x + bar_w / 2, top - 7, text, cls="sp-value"))
        else:
            shown = f"{text} → {_compact(float(projected))}"
            parts.append(_label(x + bar_w / 2, frame.y(projected) - 7, shown, cls="sp-value"))
    parts.append("</g>")
    if line is not None:
        y = _n(frame.y(line))
        parts.append(
            f'<g class="sp-series sp-series-1"><line class="sp-line" x1="{_n(frame.left)}" '
            f'y1="{y}" x2="{_n(frame.right)}" y2="{y}" stroke="currentColor" stroke-width="2" '
            f'stroke-dasharray="6 4"><title>Service level: {_full(line)} {_t(what)} a month'
            "</title></line></g>"
        )
    parts += _legend(placed, PAD, height - PAD - legend_h)
    return _close(parts)
