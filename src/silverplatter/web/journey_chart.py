"""The journeys as a flow chart: a Sankey-style diagram of stage-to-stage flows.

Columns are the steps of the paths (the stage contacts started in, then their
first move, their second …); a box is a stage at a step, as tall as the
contacts that passed through it; a band joins two boxes, as thick as the
contacts that made that move at that step.  Paths with loops (MQL → lead →
MQL) read left to right because a stage seen again sits in a later column.

:func:`layout` places everything once; :func:`journey_svg` draws it for the
page (server-side SVG, text escaped, one ``<title>`` tooltip per band and
box) and ``web/analytics_pdf.py`` draws the same layout with ReportLab.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

from silverplatter.domain.funnel import STAGE_LABELS
from silverplatter.domain.journeys import Flow
from silverplatter.domain.lifecycle import STAGE_NAMES

#: One colour per stage, the same on the page and in the PDF.
STAGE_COLOURS: Final = {
    "subscriber": "#8a94a6",
    "lead": "#4c78a8",
    "mql": "#f58518",
    "sql": "#54a24b",
    "sal": "#2f8f83",
    "opportunity": "#b279a2",
    "customer": "#1d6b2f",
    "recycled": "#bab0ac",
    "disqualified": "#e45756",
}
BOX_W: Final = 14.0
GAP: Final = 10.0
TOP: Final = 18.0
LABEL_ROOM: Final = 120.0
EMPTY_TEXT: Final = "No moves yet"


@dataclass(frozen=True, slots=True)
class Box:
    step: int
    stage: str
    contacts: int
    x: float
    y: float
    h: float

    @property
    def label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)


@dataclass(frozen=True, slots=True)
class Band:
    """A flow from ``source`` to ``target``: its top at each end and its thickness."""

    source: Box
    target: Box
    contacts: int
    y0: float
    y1: float
    thickness: float


def _order(stage: str) -> int:
    return STAGE_NAMES.index(stage) if stage in STAGE_NAMES else len(STAGE_NAMES)


def layout(flows: Sequence[Flow], width: float, height: float) -> tuple[list[Box], list[Band]]:
    """Boxes and bands of ``flows`` fitted into ``width`` × ``height``."""
    if not flows:
        return [], []
    inflow: dict[tuple[int, str], int] = defaultdict(int)
    outflow: dict[tuple[int, str], int] = defaultdict(int)
    for flow in flows:
        outflow[(flow.step, flow.from_stage)] += flow.contacts
        inflow[(flow.step + 1, flow.to_stage)] += flow.contacts
    keys = sorted(set(inflow) | set(outflow), key=lambda key: (key[0], _order(key[1])))
    size = {key: max(inflow.get(key, 0), outflow.get(key, 0)) for key in keys}
    steps = max(step for step, _stage in keys) + 1
    columns: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for key in keys:
        columns[key[0]].append(key)
    room = height - TOP - 4
    scale = min(
        (room - GAP * (len(column) - 1)) / max(1, sum(size[k] for k in column))
        for column in columns.values()
    )
    span = (width - LABEL_ROOM - BOX_W) / max(1, steps - 1)
    boxes: dict[tuple[int, str], Box] = {}
    for step, column in columns.items():
        y = TOP
        for key in column:
            h = max(1.0, size[key] * scale)
            boxes[key] = Box(step, key[1], size[key], 4 + step * span, y, h)
            y += h + GAP
    out_at = {key: box.y for key, box in boxes.items()}
    in_at = {key: box.y for key, box in boxes.items()}
    bands = []
    ordered = sorted(flows, key=lambda f: (f.step, _order(f.from_stage), _order(f.to_stage)))
    for flow in ordered:
        source = boxes[(flow.step, flow.from_stage)]
        target = boxes[(flow.step + 1, flow.to_stage)]
        thickness = max(0.5, flow.contacts * scale)
        bands.append(
            Band(
                source,
                target,
                flow.contacts,
                out_at[(source.step, source.stage)],
                in_at[(target.step, target.stage)],
                thickness,
            )
        )
        out_at[(source.step, source.stage)] += thickness
        in_at[(target.step, target.stage)] += thickness
    return list(boxes.values()), bands


def _n(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def band_path(band: Band) -> str:
    """The band as an SVG path: two cubic curves joined by the boxes' edges."""
    x0 = band.source.x + BOX_W
    x1 = band.target.x
    middle = (x0 + x1) / 2
    top0, top1 = band.y0, band.y1
    bottom0, bottom1 = top0 + band.thickness, top1 + band.thickness
    return (
        f"M{_n(x0)},{_n(top0)} C{_n(middle)},{_n(top0)} {_n(middle)},{_n(top1)} "
        f"{_n(x1)},{_n(top1)} L{_n(x1)},{_n(bottom1)} C{_n(middle)},{_n(bottom1)} "
        f"{_n(middle)},{_n(bottom0)} {_n(x0)},{_n(bottom0)} Z"
    )


def journey_svg(
    flows: Sequence[Flow], *, title: str, width: float = 920, height: float = 380
) -> Markup:
    """The flow chart as one ``<svg>`` element."""
    boxes, bands = layout(flows, width, height)
    words = "; ".join(
        f"step {b.source.step + 1}: {b.source.label} to {b.target.label}, {b.contacts}"
        for b in bands
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sp-chart sp-journeys" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'role="img" aria-labelledby="journeys-title journeys-desc">',
        f'<title id="journeys-title">{escape(title)}</title>',
        f'<desc id="journeys-desc">{escape(words or EMPTY_TEXT)}</desc>',
    ]
    if not boxes:
        parts.append(
            f'<text class="sp-label" x="{_n(width / 2)}" y="{_n(height / 2)}" '
            f'text-anchor="middle">{EMPTY_TEXT}</text>'
        )
    steps = max((box.step for box in boxes), default=-1) + 1
    for step in range(steps):
        x = next(box.x for box in boxes if box.step == step)
        heading = "Start" if step == 0 else f"Move {step}"
        parts.append(f'<text class="sp-label" x="{_n(x)}" y="11">{heading}</text>')
    for band in bands:
        colour = STAGE_COLOURS.get(band.target.stage, "#999999")
        tip = f"{band.source.label} → {band.target.label}: {band.contacts:,} contacts"
        parts.append(
            f'<path class="sp-band" d="{band_path(band)}" fill="{colour}" fill-opacity="0.35">'
            f"<title>{escape(tip)}</title></path>"
        )
    for box in boxes:
        colour = STAGE_COLOURS.get(box.stage, "#999999")
        tip = f"{box.label} at step {box.step + 1}: {box.contacts:,} contacts"
        parts.append(
            f'<rect class="sp-node" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(BOX_W)}" '
            f'height="{_n(box.h)}" fill="{colour}"><title>{escape(tip)}</title></rect>'
        )
        label_y = box.y + min(box.h, 20) / 2
        parts.append(
            f'<text class="sp-label" x="{_n(box.x + BOX_W + 3)}" y="{_n(label_y)}" '
            f'dominant-baseline="middle">{escape(box.label)} {box.contacts:,}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


__all__ = ["STAGE_COLOURS", "Band", "Box", "band_path", "journey_svg", "layout"]
