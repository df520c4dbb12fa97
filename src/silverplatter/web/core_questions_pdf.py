"""The strategic core questions on one printable page (A4 landscape PDF, ReportLab).

Three columns, one per question; under each question its *Why?* box and its
*How?* box with their bullets.  The content is shrunk to fit when the bullets
are long, so it is always exactly one page.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any, Final
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepInFrame,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from silverplatter.domain.strategy import CoreQuestions
from silverplatter.web.drawing_formats import pdf_fonts

INK: Final = HexColor("#1d2433")
MUTED: Final = HexColor("#5b6478")
WHY: Final = HexColor("#fff6d6")
HOW: Final = HexColor("#e1f1e6")
LINE: Final = HexColor("#dde2ea")


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = pdf_fonts()[False], pdf_fonts()[True]
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, textColor=INK),
        "note": ParagraphStyle("note", fontName=regular, fontSize=8, leading=10, textColor=MUTED),
        "question": ParagraphStyle(
            "question", fontName=bold, fontSize=11, leading=14, textColor=INK
        ),
        "box": ParagraphStyle("box", fontName=bold, fontSize=9, leading=12, textColor=INK),
        "bullet": ParagraphStyle(
            "bullet", fontName=regular, fontSize=8.5, leading=10.5, textColor=INK
        ),
    }


def _box(heading: str, bullets: list[str], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    items: list[Any] = [
        ListItem(Paragraph(escape(b), styles["bullet"]), leftIndent=10) for b in bullets
    ]
    return [
        Paragraph(heading, styles["box"]),
        ListFlowable(items, bulletType="bullet", start="•", leftIndent=10, bulletFontSize=8),
    ]


def core_questions_pdf(body: CoreQuestions, *, workspace: str, version: int) -> bytes:
    """One A4 landscape page with the three questions and their boxes."""
    styles = _styles()
    out = BytesIO()
    page = landscape(A4)
    document = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title="Strategic core questions",
        author=workspace,
        creator="Silverplatter",
        invariant=True,
    )
    width = page[0] - 24 * mm
    column = width / 3
    questions = body.questions
    rows: list[list[object]] = [
        [Paragraph(escape(q.question), styles["question"]) for q in questions],
        [_box("Why?", q.why, styles) for q in questions],
        [_box("How?", q.how, styles) for q in questions],
    ]
    table = Table(rows, colWidths=[column] * len(questions))
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 1), (-1, 1), WHY),
                ("BACKGROUND", (0, 2), (-1, 2), HOW),
                ("GRID", (0, 0), (-1, -1), 0.75, LINE),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    heading = [
        Paragraph("The customers' strategic core questions to us", styles["title"]),
        Paragraph(
            escape(
                f"{workspace} · version {version} · Why? the pressure behind each question; "
                "How? how we answer it"
            ),
            styles["note"],
        ),
        Spacer(1, 4 * mm),
    ]
    available = page[1] - 20 * mm - 16 * mm
    document.build([*heading, KeepInFrame(width, available, [table], mode="shrink")])
    return out.getvalue()


__all__ = ["core_questions_pdf"]
