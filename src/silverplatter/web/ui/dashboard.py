"""The dashboard (``/``): the list as capital, qualification, conversion, traffic.

The central KPI, new email addresses this month against the previous one,
comes first and biggest (domain §2).  Every figure comes from
``services.dashboard.dashboard_figures`` — counted live on a small workspace,
read from the latest snapshot on a big one (``services/figure_snapshots.py``);
this module only turns the figures into words, percentages and server-side SVG
charts.  A small "what needs you" panel says what the signed-in user should act
on: a salesperson's overdue handovers, or the MQLs marketing produced this month.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.domain.dashboard import DashboardFigures
from silverplatter.domain.lifecycle import STAGES_BY_NAME
from silverplatter.services.figure_snapshots import DASHBOARD, LIST_SUMMARY, MAX_AGE, serve
from silverplatter.services.handover import quasi_leads
from silverplatter.services.sessions import Principal
from silverplatter.web.charts import (
    Series,
    bar_chart,
    donut_or_split_bar,
    funnel_chart,
    grouped_bar_chart,
)
from silverplatter.web.figure_refresh import figure_refresh
from silverplatter.web.security import clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

#: How long a snapshot of a big workspace's figures is kept, in words.
MAX_AGE_MINUTES = int(MAX_AGE.total_seconds() // 60)
#: Months the charts cover, the current one (counted so far) last.
MONTHS = 12
#: Chart widths: a card spanning two grid columns, and a card of one column.
WIDE = 640
NARROW = 360


@dataclass(frozen=True, slots=True)
class Attention:
    """One line of the "what needs you" panel: a count, what it counts, where to act."""

    count: int
    text: str
    link: str
    link_text: str
    urgent: bool


def change_text(percent: float | None) -> str:
    """``+50%``, ``-100%``, ``±0%``; ``no earlier month to compare`` without a base."""
    if percent is None:
        return "no earlier month to compare"
    if round(percent) == 0:
        return "±0%"
    return f"{percent:+.0f}%"


def share_text(value: float | None) -> str:
    """A share (0–1) as a whole percentage, ``—`` when there is nothing to share."""
    return "—" if value is None else f"{value:.0%}"


def _stage(name: str) -> str:
    return STAGES_BY_NAME[name].label


def charts(figures: DashboardFigures) -> dict[str, Markup]:
    """Every chart of the page, as SVG markup."""
    labels = [month.label for month in figures.months]
    new = figures.new_addresses.by_month
    qualified = figures.qualified_by_month
    steps = figures.conversions
    funnel = [(_stage(step.stage), step.reached) for step in steps]
    if steps:
        funnel.append((_stage(steps[-1].next_stage), steps[-1].advanced))
    traffic = figures.traffic
    return {
        "new_addresses": bar_chart(
            [(point.month.label, point.count) for point in new],
            title="New email addresses per month",
            y_label="addresses",
            highlight=labels[-1],
            chart_id="new-addresses",
        ),
        "qualified": grouped_bar_chart(
            labels,
            [
                Series("MQL", [q.mql for q in qualified]),
                Series("SQL", [q.sql for q in qualified]),
            ],
            title="MQLs and SQLs per month",
            y_label="contacts",
            chart_id="qualified",
        ),
        "funnel": funnel_chart(
            funnel, title="Contacts that reached each stage", width=NARROW, chart_id="funnel"
        ),
        "traffic_split": donut_or_split_bar(
            [("Owned", traffic.recent.owned), ("Bought", traffic.recent.bought)],
            title="Owned against bought traffic, last 30 days",
            width=NARROW,
            chart_id="traffic-split",
        ),
        "traffic_months": grouped_bar_chart(
            labels,
            [
                Series("Owned", [m.owned for m in traffic.by_month]),
                Series("Bought", [m.bought for m in traffic.by_month]),
            ],
            title="Owned and bought traffic per month",
            width=NARROW,
            height=200,
            y_label="events",
            chart_id="traffic-months",
        ),
    }


def attention(request: Request, principal: Principal, figures: DashboardFigures) -> list[Attention]:
    """What the signed-in user should act on first."""
    if principal.role in OWN_RECORDS_ONLY:
        with request.app.state.engine.connect() as connection:
            late = quasi_leads(connection, now=clock(request))
        mine = sum(1 for lead in late if lead.owner_id == principal.user_id)
        noun = "lead" if mine == 1 else "leads"
        return [
            Attention(
                mine,
                f"overdue {noun} in your queue",
                "/queue",
                "Open your queue",
                urgent=mine > 0,
            )
        ]
    mqls = figures.qualified_by_month[-1].mql
    lines = [
        Attention(
            mqls,
            "MQL this month" if mqls == 1 else "MQLs this month",
            "/contacts",
            "See the contacts",
            urgent=False,
        )
    ]
    if principal.may("queue:act"):
        with request.app.state.engine.connect() as connection:
            late = quasi_leads(connection, now=clock(request))
        lines.append(
            Attention(
                len(late),
                "overdue lead in the team's queue"
                if len(late) == 1
                else "overdue leads in the team's queue",
                "/queue",
                "Open the queue",
                urgent=bool(late),
            )
        )
    return lines


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request, principal: Annotated[Principal, Depends(requires("dashboard:read"))]
) -> HTMLResponse:
    now = clock(request)
    live_up_to = request.app.state.settings.live_figures_up_to
    with request.app.state.engine.connect() as connection:
        served = serve(connection, DASHBOARD, now=now, live_up_to=live_up_to)
        served_list = serve(connection, LIST_SUMMARY, now=now, live_up_to=live_up_to)
    for kind, found in ((DASHBOARD, served), (LIST_SUMMARY, served_list)):
        if found.stale:
            figure_refresh(request).request(kind)
    figures, the_list = served.figures, served_list.figures
    if figures is None or the_list is None:
        return render(request, "figures_counting.html", {"what": "The dashboard"})
    new = figures.new_addresses
    context = {
        "figures": figures,
        "the_list": the_list,
        "charts": charts(figures),
        "attention": attention(request, principal, figures),
        "this_month": figures.months[-1],
        "previous_month": new.by_month[-2].month if len(new.by_month) > 1 else None,
        "change": change_text(new.change_percent),
        "change_direction": (
            "flat"
            if new.change_percent is None or round(new.change_percent) == 0
            else ("up" if new.change_percent > 0 else "down")
        ),
        "share": share_text,
        "stage": _stage,
        "snapshot": None if served.live else served,
        "max_age_minutes": MAX_AGE_MINUTES,
    }
    return render(request, "dashboard.html", context)
