"""The analytics pages as one PDF (A4 landscape, ReportLab): the funnel with its
chart and tables, the journeys' flow chart and top paths, cost per MQL and SQL.

Charts are drawn with ReportLab's own graphics from the same figures and,
for the flow chart, the same layout as the page's SVG (``web/journey_chart.py``),
so the PDF needs no browser and no SVG renderer.  Tables are those of the CSV
downloads (``web/analytics_tables.py``).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Path, Rect, String
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from silverplatter.domain.funnel import GROUPINGS
from silverplatter.services.channel_costs import CostReport
from silverplatter.services.funnel import FunnelReport, JourneyReport
from silverplatter.web import analytics_tables as tables
from silverplatter.web.drawing_formats import pdf_fonts
from silverplatter.web.journey_chart import BOX_W, STAGE_COLOURS, layout

INK: Final = HexColor("#1d2433")
MUTED: Final = HexColor("#5b6478")
LINE: Final = HexColor("#dde2ea")
BAR: Final = HexColor("#4c78a8")
PAGE: Final = landscape(A4)
WIDTH: Final = PAGE[0] - 24 * mm
#: Table rows shown per table; the CSV downloads have them all.
MAX_ROWS: Final = 40


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = pdf_fonts()[False], pdf_fonts()[True]
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, textColor=INK),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=12, leading=16, textColor=INK),
        "note": ParagraphStyle("note", fontName=regular, fontSize=8, leading=10, textColor=MUTED),
    }


def _box(x: float, y: float, w: float, h: float, colour: Color) -> Rect:
    """A filled rectangle without an outline."""
    shape = Rect(x, y, w, h)
    shape.fillColor = colour
    shape.strokeColor = None
    return shape


def funnel_drawing(report: FunnelReport, width: float = 520, row: float = 20) -> Drawing:
    """One bar per stage, scaled to the largest, with the count and the step's rate."""
    steps = report.total.steps
    regular = pdf_fonts()[False]
    height = row * len(steps) + 4
    drawing = Drawing(width, height)
    largest = max((step.reached for step in steps), default=0) or 1
    left, room = 110.0, width - 110 - 90
    for n, step in enumerate(steps):
        y = height - (n + 1) * row
        bar = step.reached / largest * room
        drawing.add(String(left - 6, y + 6, step.label, fontName=regular, fontSize=8,
                           textAnchor="end", fillColor=INK))  # fmt: skip
        drawing.add(_box(left, y + 2, max(bar, 0.5), row - 6, BAR))
        rate = f" ({tables.share(steps[n - 1].rate)} of the stage before)" if n else ""
        drawing.add(String(left + bar + 4, y + 6, f"{step.reached:,}{rate}", fontName=regular,
                           fontSize=8, fillColor=INK))  # fmt: skip
    return drawing


def journey_drawing(report: JourneyReport, width: float = 760, height: float = 300) -> Drawing:
    """The flow chart of the journeys page, drawn with ReportLab shapes."""
    regular = pdf_fonts()[False]
    boxes, bands = layout(report.journeys.flows, width, height)
    drawing = Drawing(width, height)

    def flip(y: float) -> float:
        return height - y

    for band in bands:
        x0, x1 = band.source.x + BOX_W, band.target.x
        middle = (x0 + x1) / 2
        top0, top1 = band.y0, band.y1
        bottom0, bottom1 = top0 + band.thickness, top1 + band.thickness
        solid = HexColor(STAGE_COLOURS.get(band.target.stage, "#999999"))
        path = Path(fillColor=Color(solid.red, solid.green, solid.blue, 0.35), strokeColor=None)
        path.moveTo(x0, flip(top0))
        path.curveTo(middle, flip(top0), middle, flip(top1), x1, flip(top1))
        path.lineTo(x1, flip(bottom1))
        path.curveTo(middle, flip(bottom1), middle, flip(bottom0), x0, flip(bottom0))
        path.closePath()
        drawing.add(path)
    for box in boxes:
        colour = HexColor(STAGE_COLOURS.get(box.stage, "#999999"))
        drawing.add(_box(box.x, flip(box.y + box.h), BOX_W, box.h, colour))
        drawing.add(String(box.x + BOX_W + 3, flip(box.y + min(box.h, 20) / 2) - 3,
                           f"{box.label} {box.contacts:,}", fontName=regular, fontSize=7,
                           fillColor=INK))  # fmt: skip
    if not boxes:
        drawing.add(String(width / 2, height / 2, "No moves yet", fontName=regular,
                           fontSize=9, textAnchor="middle", fillColor=MUTED))  # fmt: skip
    return drawing


def cost_drawing(report: CostReport, width: float = 520, row: float = 18) -> Drawing:
    """Cost per MQL by channel over the period, one bar per channel with a cost."""
    regular = pdf_fonts()[False]
    priced = [r for r in report.channels if r.per_mql is not None]
    height = row * max(1, len(priced)) + 4
    drawing = Drawing(width, height)
    largest = max((float(r.per_mql or 0) for r in priced), default=0) or 1
    left, room = 110.0, width - 110 - 90
    for n, r in enumerate(priced):
        y = height - (n + 1) * row
        bar = float(r.per_mql or 0) / largest * room
        drawing.add(String(left - 6, y + 5, r.channel, fontName=regular, fontSize=8,
                           textAnchor="end", fillColor=INK))  # fmt: skip
        drawing.add(_box(left, y + 2, max(bar, 0.5), row - 5, BAR))
        drawing.add(String(left + bar + 4, y + 5, f"{tables.money(r.per_mql)} {report.currency}",
                           fontName=regular, fontSize=8, fillColor=INK))  # fmt: skip
    if not priced:
        drawing.add(String(4, 6, "No channel with both a cost and MQLs in the period.",
                           fontName=regular, fontSize=8, fillColor=MUTED))  # fmt: skip
    return drawing


def _table(table: tables.Table, font_size: float = 7) -> Table:
    header, rows = table
    cut = rows[:MAX_ROWS]
    regular, bold = pdf_fonts()[False], pdf_fonts()[True]
    shown = Table([header, *cut], repeatRows=1, hAlign="LEFT")
    shown.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("FONTNAME", (0, 0), (-1, 0), bold),
                ("FONTSIZE", (0, 0), (-1, -1), font_size),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, LINE),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return shown


def analytics_pdf(
    funnel: FunnelReport,
    journeys: JourneyReport,
    costs: CostReport,
    *,
    workspace: str | None = None,
) -> bytes:
    """The three analytics pages with their charts as one PDF."""
    styles = _styles()
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title="Funnel and journey analytics",
        author=workspace or "Silverplatter",
        creator="Silverplatter",
        invariant=True,
    )
    about = f"{workspace + ' · ' if workspace else ''}contacts created {funnel.period.label}"
    grouping = GROUPINGS[funnel.grouping].lower()
    story: list[Flowable | Any] = [
        Paragraph("Funnel", styles["title"]),
        Paragraph(escape(f"{about} · grouped by {grouping}"), styles["note"]),
        Spacer(1, 3 * mm),
        funnel_drawing(funnel),
        Spacer(1, 3 * mm),
        Paragraph(escape(f"Conversion by {grouping}"), styles["h2"]),
        _table(tables.conversion_table(funnel), font_size=6.5),
        Spacer(1, 3 * mm),
        Paragraph("Time in stage (completed stays, whole days)", styles["h2"]),
        _table(tables.time_table(funnel)),
        PageBreak(),
        Paragraph("Journeys", styles["title"]),
        Paragraph(
            escape(
                f"{journeys.journeys.contacts:,} contacts moved at least once; "
                f"{journeys.journeys.never_moved:,} never moved; "
                f"{journeys.journeys.distinct_paths:,} distinct paths"
            ),
            styles["note"],
        ),
        Spacer(1, 3 * mm),
        journey_drawing(journeys),
        Spacer(1, 3 * mm),
        Paragraph("Most common paths", styles["h2"]),
        _table(tables.paths_table(journeys)),
        PageBreak(),
        Paragraph("Cost per MQL and SQL", styles["title"]),
        Paragraph(
            "MQLs and SQLs count for the channel of the contact's first touch (its earliest "
            "event with a channel), in the month the contact first reached the stage.",
            styles["note"],
        ),
        Spacer(1, 3 * mm),
        cost_drawing(costs),
        Spacer(1, 3 * mm),
        Paragraph("By channel", styles["h2"]),
        _table(tables.cost_table(costs, by_month=False)),
        Spacer(1, 3 * mm),
        Paragraph("By channel and month", styles["h2"]),
        _table(tables.cost_table(costs)),
    ]
    document.build(story)
    return out.getvalue()


__all__ = ["analytics_pdf", "cost_drawing", "funnel_drawing", "journey_drawing"]
