"""The value pyramid as a server-side SVG: tiers as bands, needs segments as cells (domain §8).

Gold is the narrow band at the top, Bronze the wide one at the bottom; each
band is split into one cell per needs segment, in order (the lines between
them run from the apex to the base, as in the seller's own drawing), and each
cell shows its number of accounts and, under it, the people at them.
Unclassified accounts stand in a box beside the base.  In the style of
``web/charts.py``: one ``<svg>`` as :class:`markupsafe.Markup`, every text
escaped, ``role="img"`` with a ``<title>`` and a ``<desc>`` giving every count
in words, a ``<title>`` tooltip per cell, colours from CSS classes
(``sp-pyr-gold`` …, in ``static/tiers.css``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup

from silverplatter.web.charts import (
    CHAR_W,
    PAD,
    _chart_id,
    _close,
    _compact,
    _cut_label,
    _fit,
    _full,
    _label,
    _n,
    _open,
    _t,
)

__all__ = ["PyramidBand", "pyramid_chart"]

BAND_H: Final = 78.0
LABEL_W: Final = 96.0
BESIDE_W: Final = 150.0
GAP: Final = 16.0
COLUMN_LABEL_H: Final = 22.0
#: The top of the pyramid is cut off at this share of the base's width.
APEX_SHARE: Final = 0.3


@dataclass(frozen=True)
class PyramidBand:
    """One tier: its name, CSS modifier and ``(accounts, contacts)`` per column."""

    name: str
    css: str
    cells: Sequence[tuple[int, int]]

    @property
    def accounts(self) -> int:
        return sum(accounts for accounts, _people in self.cells)

    @property
    def contacts(self) -> int:
        return sum(people for _accounts, people in self.cells)


def _people(count: int) -> str:
    return f"{_full(float(count))} {'person' if count == 1 else 'people'}"


def _accounts(count: int) -> str:
    return f"{_full(float(count))} {'account' if count == 1 else 'accounts'}"


def _fitting(width: float, *choices: str) -> str | None:
    """The first text that fits ``width`` pixels, else None."""
    for text in choices:
        if len(text) * CHAR_W <= width - 6:
            return text
    return None


def _describe(bands: Sequence[PyramidBand], columns: Sequence[str], beside: PyramidBand) -> str:
    parts = ["Value pyramid, top to bottom."]
    for band in bands:
        cells = "; ".join(
            f"{column} {_accounts(accounts)}, {_people(people)}"
            for column, (accounts, people) in zip(columns, band.cells, strict=True)
        )
        parts.append(
            f"{band.name}: {_accounts(band.accounts)}, {_people(band.contacts)} ({cells})."
        )
    parts.append(
        f"{beside.name}, beside: {_accounts(beside.accounts)}, {_people(beside.contacts)}."
    )
    return " ".join(parts)


def pyramid_chart(
    bands: Sequence[PyramidBand],
    columns: Sequence[str],
    beside: PyramidBand,
    *,
    title: str,
    width: float = 760,
    chart_id: str | None = None,
) -> Markup:
    """Draw ``bands`` (best tier first) split into ``columns``; ``beside`` in a box.

    Each band has one ``(accounts, contacts)`` pair per column; ``beside`` is
    one band whose pairs are added up.
    """
    if not columns:
        raise ValueError("a pyramid needs at least one column")
    for band in bands:
        if len(band.cells) != len(columns):
            raise ValueError(
                f"band {band.name!r} has {len(band.cells)} cells for {len(columns)} columns"
            )
    rows = max(1, len(bands))
    height = PAD + rows * BAND_H + COLUMN_LABEL_H + PAD
    base = max(120.0, width - LABEL_W - BESIDE_W - 2 * GAP - 2 * PAD)
    left = PAD + LABEL_W + GAP
    middle = left + base / 2
    apex = base * APEX_SHARE
    top, bottom = PAD, PAD + rows * BAND_H

    def half(y: float) -> float:
        return (apex + (base - apex) * (y - top) / (bottom - top)) / 2

    def edge(y: float, share: float) -> float:
        """The x of a dividing line at height ``y``: lines run apex to base."""
        return middle - half(y) + 2 * half(y) * share

    cid = _chart_id("pyramid", title, (tuple(columns), tuple(bands), beside), chart_id)
    out = _open("pyramid", cid, title, _describe(bands, columns, beside), width, height)
    count = len(columns)
    for row, band in enumerate(bands):
        y0, y1 = top + row * BAND_H, top + (row + 1) * BAND_H
        ym = (y0 + y1) / 2
        out.append(f'<g class="sp-pyr-band sp-pyr-{_t(band.css)}">')
        for index, (column, (accounts, people)) in enumerate(zip(columns, band.cells, strict=True)):
            a, b = index / count, (index + 1) / count
            corners = [(edge(y0, a), y0), (edge(y0, b), y0), (edge(y1, b), y1), (edge(y1, a), y1)]
            points = " ".join(f"{_n(x)},{_n(y)}" for x, y in corners)
            empty = " sp-pyr-empty" if accounts == 0 else ""
            tip = f"{band.name} · {column}: {_accounts(accounts)}, {_people(people)}"
            out.append(
                f'<g class="sp-pyr-cell{empty}"><polygon class="sp-pyr-shape" points="{points}">'
                f"<title>{_t(tip)}</title></polygon>"
            )
            room = edge(ym, b) - edge(ym, a)
            cx = (edge(ym, a) + edge(ym, b)) / 2
            shown = _fitting(room, _full(float(accounts)), _compact(float(accounts)))
            if shown is not None:
                out.append(_label(cx, ym - 8, shown, cls="sp-pyr-accounts"))
                who = _fitting(room, _people(people), _compact(float(people)))
                if who is not None:
                    out.append(_label(cx, ym + 10, who, cls="sp-pyr-people"))
            out.append("</g>")
        out.append("</g>")
        out.append(_label(PAD + LABEL_W, ym - 8, band.name, cls="sp-pyr-tier", anchor="end"))
        out.append(
            _label(
                PAD + LABEL_W, ym + 10, _accounts(band.accounts), cls="sp-pyr-total", anchor="end"
            )
        )
    for index, column in enumerate(columns):
        a, b = index / count, (index + 1) / count
        room = edge(bottom, b) - edge(bottom, a)
        x = (edge(bottom, a) + edge(bottom, b)) / 2
        out.append(
            _cut_label(
                x,
                bottom + COLUMN_LABEL_H / 2 + 2,
                column,
                room - 4,
                cls="sp-pyr-column",
                anchor="middle",
            )
        )
    box_x = left + base + GAP
    box_y = bottom - BAND_H
    tip = f"{beside.name}: {_accounts(beside.accounts)}, {_people(beside.contacts)}"
    out.append(
        f'<g class="sp-pyr-beside"><rect class="sp-pyr-box" x="{_n(box_x)}" y="{_n(box_y)}" '
        f'width="{_n(BESIDE_W)}" height="{_n(BAND_H)}" rx="4"><title>{_t(tip)}</title></rect>'
    )
    cx = box_x + BESIDE_W / 2
    out.append(_label(cx, box_y + 18, _fit(beside.name, BESIDE_W - 8), cls="sp-pyr-tier"))
    out.append(_label(cx, box_y + 40, _accounts(beside.accounts), cls="sp-pyr-accounts"))
    out.append(_label(cx, box_y + 58, _people(beside.contacts), cls="sp-pyr-people"))
    out.append("</g>")
    return _close(out)
