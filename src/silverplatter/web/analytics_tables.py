"""The analytics reports as plain tables (a header and rows of text), one shape for
the CSV downloads and the PDF, so the two always show the same figures."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from fastapi.responses import Response

from silverplatter.domain.funnel import FUNNEL, GROUPINGS, STAGE_LABELS
from silverplatter.domain.journeys import path_text
from silverplatter.domain.spreadsheet_cells import SpreadsheetWriter
from silverplatter.services.channel_costs import CostReport
from silverplatter.services.funnel import FunnelReport, JourneyReport
from silverplatter.web.downloads import csv_download

Table = tuple[list[str], list[list[str]]]


def share(value: float | None) -> str:
    """A rate as a percentage with one decimal; ``—`` when there is none."""
    return "—" if value is None else f"{value * 100:.1f}%"


def days(value: int | None) -> str:
    return "—" if value is None else str(value)


def money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def conversion_table(report: FunnelReport) -> Table:
    """One row per group (and one for everyone): reach per stage and each step's rate."""
    header = [GROUPINGS[report.grouping], "Contacts"]
    for position, stage in enumerate(FUNNEL):
        header.append(STAGE_LABELS[stage])
        if position + 1 < len(FUNNEL):
            header.append(f"{STAGE_LABELS[stage]} → {STAGE_LABELS[FUNNEL[position + 1]]}")
    header += ["Recycled", "Disqualified"]
    rows = []
    for row in (*report.rows, report.total):
        cells = [row.key, str(row.contacts)]
        for step in row.steps:
            cells.append(str(step.reached))
            if step.stage != FUNNEL[-1]:
                cells.append(share(step.rate))
        cells.append(str(sum(step.recycled for step in row.steps)))
        cells.append(str(sum(step.disqualified for step in row.steps)))
        rows.append(cells)
    return header, rows


def time_table(report: FunnelReport) -> Table:
    """Per group and stage: completed stays, median and 75th percentile in days."""
    header = [GROUPINGS[report.grouping], "Stage", "Completed stays", "Median days", "P75 days"]
    rows = [
        [row.key, step.label, str(step.stays), days(step.median_days), days(step.p75_days)]
        for row in (*report.rows, report.total)
        for step in row.steps
        if step.stays
    ]
    return header, rows


def paths_table(report: JourneyReport) -> Table:
    header = ["Path", "Moves", "Contacts", "Share"]
    rows = [
        [path_text(p.stages, STAGE_LABELS), str(p.moves), str(p.contacts), share(p.share)]
        for p in report.journeys.top
    ]
    return header, rows


def edges_table(report: JourneyReport) -> Table:
    header = ["From", "To", "Moves", "Contacts"]
    rows = [
        [
            STAGE_LABELS.get(e.from_stage, e.from_stage),
            STAGE_LABELS.get(e.to_stage, e.to_stage),
            str(e.moves),
            str(e.contacts),
        ]
        for e in report.journeys.edges
    ]
    return header, rows


def cost_table(report: CostReport, *, by_month: bool = True) -> Table:
    first = ["Month", "Channel"] if by_month else ["Channel"]
    header = [
        *first,
        f"Cost ({report.currency})",
        "MQLs",
        "SQLs",
        "Cost per MQL",
        "Cost per SQL",
    ]
    rows = [
        ([r.month or "", r.channel] if by_month else [r.channel])
        + [money(r.cost), str(r.mqls), str(r.sqls), money(r.per_mql), money(r.per_sql)]
        for r in (report.months if by_month else report.channels)
    ]
    return header, rows


def entered_table(report: CostReport) -> Table:
    """The costs entered for the period's months."""
    header = ["Month", "Channel", "Amount", "Currency", "Note"]
    rows = [
        [c.month_label, c.channel, f"{c.amount:.2f}", c.currency, c.note or ""]
        for c in report.costs
    ]
    return header, rows


def csv_response(name: str, table: Table) -> Response:
    """The table as a UTF-8 CSV download named ``name``."""
    out = io.StringIO()
    writer = SpreadsheetWriter(out)
    header, rows = table
    writer.writerow(header)
    writer.writerows(rows)
    return csv_download(out.getvalue().encode("utf-8"), name)


def cells(table: Table) -> Sequence[Sequence[str]]:
    header, rows = table
    return [header, *rows]
