"""The planning page as a PDF (A4 portrait, ReportLab): the service level, the two
charts of actual MQLs and SQLs per month against it with this month's projection,
the projections of the month and quarter, the active plan's months with their
ranges, and the measured rates with their trials.

The charts are drawn with ReportLab's own shapes from the same figures the page's
SVG charts show, so the PDF needs no browser and no SVG converter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from typing import Final
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from silverplatter.domain.planning import NEED_LABELS, NEEDS, STEP_LABELS, STEPS
from silverplatter.services.planning_history import Measurement
from silverplatter.services.planning_sla import SlaDashboard
from silverplatter.web.drawing_formats import pdf_fonts

INK: Final = HexColor("#1d2433")
MUTED: Final = HexColor("#5b6478")
ACTUAL: Final = HexColor("#2f5d8a")
PROJECTED: Final = HexColor("#5b9bd5")
SLA: Final = HexColor("#d9822b")
LINE: Final = HexColor("#dde2ea")
CHART_W: Final = 500.0
CHART_H: Final = 150.0


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = pdf_fonts()[False], pdf_fonts()[True]
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, textColor=INK),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=11, leading=15, textColor=INK),
        "body": ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=11, textColor=INK),
        "note": ParagraphStyle(
            "note", fontName=regular, fontSize=7.5, leading=9.5, textColor=MUTED
        ),
    }


def _rect(
    x: float,
    y: float,
    w: float,
    h: float,
    *,
    fill: Color,
    stroke: Color | None,
    dashed: bool = False,
) -> Rect:
    shape = Rect(x, y, w, h)
    shape.fillColor = fill
    shape.strokeColor = stroke
    shape.strokeWidth = 0.75
    if dashed:
        shape.strokeDashArray = [3, 2]
    return shape


def _chart(
    labels: Sequence[str], actual: Sequence[int], sla: int | None, projected: int | None
) -> Drawing:
    """Bars of the actuals, the projection behind the last one, the SLA as a dashed line."""
    regular = pdf_fonts()[False]
    drawing = Drawing(CHART_W, CHART_H)
    left, bottom, top = 30.0, 18.0, CHART_H - 8
    top_value = max([*actual, sla or 0, projected or 0, 1])
    scale = (top - bottom) / top_value
    slot = (CHART_W - left) / max(len(labels), 1)
    bar = slot * 0.7
    drawing.add(Line(left, bottom, CHART_W, bottom, strokeColor=MUTED, strokeWidth=0.5))
    for tick in (0, top_value // 2, top_value):
        y = bottom + tick * scale
        drawing.add(Line(left, y, CHART_W, y, strokeColor=LINE, strokeWidth=0.5))
        drawing.add(
            String(
                left - 4,
                y - 3,
                f"{tick:,}",
                fontName=regular,
                fontSize=7,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    last = len(labels) - 1
    for i, (label, value) in enumerate(zip(labels, actual, strict=True)):
        x = left + i * slot + (slot - bar) / 2
        if i == last and projected is not None and projected > value:
            drawing.add(
                _rect(
                    x,
                    bottom,
                    bar,
                    projected * scale,
                    fill=Color(0.36, 0.61, 0.84, 0.3),
                    stroke=PROJECTED,
                    dashed=True,
                )
            )
            drawing.add(
                String(
                    x + bar / 2,
                    bottom + projected * scale + 2,
                    f"→ {projected:,}",
                    fontName=regular,
                    fontSize=7,
                    fillColor=INK,
                    textAnchor="middle",
                )
            )
        drawing.add(_rect(x, bottom, bar, value * scale, fill=ACTUAL, stroke=None))
        drawing.add(
            String(
                x + bar / 2,
                bottom + value * scale + 2,
                f"{value:,}",
                fontName=regular,
                fontSize=7,
                fillColor=INK,
                textAnchor="middle",
            )
        )
        drawing.add(
            String(
                x + bar / 2,
                5,
                label,
                fontName=regular,
                fontSize=7,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
    if sla is not None:
        y = bottom + sla * scale
        drawing.add(
            Line(left, y, CHART_W, y, strokeColor=SLA, strokeWidth=1.5, strokeDashArray=[5, 3])
        )
        drawing.add(
            String(
                CHART_W,
                y + 3 if y + 10 < CHART_H else y - 9,
                f"service level {sla:,}",
                fontName=regular,
                fontSize=7,
                fillColor=SLA,
                textAnchor="end",
            )
        )
    return drawing


def _table(rows: list[list[object]], widths: Sequence[float] | None = None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    regular, bold = pdf_fonts()[False], pdf_fonts()[True]
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("FONTNAME", (0, 0), (-1, 0), bold),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _range(cell: dict[str, int | None]) -> str:
    high = cell["high"]
    spread = f"{cell['low']:,}–{'∞' if high is None else f'{high:,}'}"
    return f"{cell['expected']:,} ({spread})" if cell["expected"] else "·"


def planning_pdf(
    board: SlaDashboard, measured: Measurement, *, workspace: str, now: datetime
) -> bytes:
    """The planning page on A4 pages, charts first."""
    styles = _styles()
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title="Planning and the service level",
        author=workspace,
        creator="Silverplatter",
        invariant=True,
    )
    plan = board.plan
    story: list[Flowable] = [
        Paragraph("Planning and marketing's service level", styles["title"]),
        Paragraph(escape(f"{workspace} · as of {now:%Y-%m-%d %H:%M} UTC"), styles["note"]),
        Spacer(1, 3 * mm),
    ]
    if plan is None:
        story.append(Paragraph("No plan is active: there is no service level yet.", styles["body"]))
    else:
        story.append(
            Paragraph(
                escape(
                    f"Active plan “{plan.name}”: {plan.sla_sqls_per_month:,} SQLs and "
                    f"{plan.sla_mqls_per_month:,} MQLs a month."
                ),
                styles["body"],
            )
        )
        for key, what in (("sqls", "SQLs"), ("mqls", "MQLs")):
            month, quarter = board.month_projection[key], board.quarter_projection[key]
            story.append(
                Paragraph(
                    escape(
                        f"{what}: this month {month.actual:,} so far, projected "
                        f"{month.projected:,} of {month.target:,} ({month.status}); "
                        f"this quarter {quarter.actual:,}, "
                        f"projected {quarter.projected:,} of {quarter.target:,} ({quarter.status})."
                    ),
                    styles["body"],
                )
            )
    labels = [m.month.strftime("%b %y") for m in board.months]
    for key, what in (("sqls", "SQLs"), ("mqls", "MQLs")):
        projection = board.month_projection.get(key)
        story += [
            Spacer(1, 3 * mm),
            Paragraph(f"{what} per month against the service level", styles["h2"]),
            _chart(
                labels,
                [getattr(m, key) for m in board.months],
                None if plan is None else getattr(plan, f"sla_{key}_per_month"),
                None if projection is None else projection.projected,
            ),
        ]
    if plan is not None:
        rows: list[list[object]] = [["Month", "Revenue", *[NEED_LABELS[n] for n in NEEDS]]]
        for row in plan.months:
            rows.append(
                [
                    row["month"][:7] + (" (lead-in)" if row["lead_in"] else ""),
                    f"{row['revenue']:,.0f}",
                    *[_range(row[need]) for need in NEEDS],
                ]
            )
        story += [
            Spacer(1, 4 * mm),
            Paragraph(escape(f"The plan “{plan.name}”: what must arrive each month"), styles["h2"]),
            Paragraph(
                "Expected, with the range the rates' 80 % interval gives in brackets.",
                styles["note"],
            ),
            _table(rows),
        ]
    rates: list[list[object]] = [["Step", "Converted", "Rate", "80 % interval", "Median days"]]
    for step in STEPS:
        found = measured.steps[step]
        rates.append(
            [
                STEP_LABELS[step] + (" (thin)" if found.thin else ""),
                f"{found.successes:,} of {found.trials:,}",
                "—" if found.rate is None else f"{found.rate:.1%}",
                f"{found.low:.1%}–{found.high:.1%}",
                "—" if found.median_days is None else f"{found.median_days:.1f}",
            ]
        )
    story += [
        Spacer(1, 4 * mm),
        Paragraph("The funnel as the history measures it", styles["h2"]),
        Paragraph(
            escape(f"From {measured.since:%Y-%m-%d} to {measured.until:%Y-%m-%d}."), styles["note"]
        ),
        _table(rates),
    ]
    document.build(story)
    return out.getvalue()


__all__ = ["planning_pdf"]
