"""The analytics pages (issue 8): the funnel by a chosen grouping, the journeys as a
flow chart, their CSV downloads and one PDF of everything with its charts.

``?group=`` picks the grouping (cohort, source, channel, tier, segment, form),
``?from=`` and ``?to=`` (YYYY-MM-DD) the period of the contacts' creation.
Reading needs ``planning:read``; a salesperson sees their own records only.
Every figure comes from ``services/funnel.py`` and ``services/channel_costs.py``.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from silverplatter.domain.funnel import FUNNEL, GROUPINGS, STAGE_LABELS, FunnelError
from silverplatter.domain.journeys import path_text
from silverplatter.services.channel_costs import cost_report
from silverplatter.services.funnel import (
    FunnelReport,
    Period,
    funnel_report,
    journey_report,
    period_of,
)
from silverplatter.services.sessions import Principal
from silverplatter.web import analytics_tables as tables
from silverplatter.web.analytics_pdf import analytics_pdf
from silverplatter.web.charts import Series, bar_chart, funnel_chart, grouped_bar_chart
from silverplatter.web.journey_chart import journey_svg
from silverplatter.web.problems import field_problem
from silverplatter.web.security import requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("planning:read"))]
Group = Annotated[str, Query(max_length=20)]
Day = Annotated[str | None, Query(max_length=10)]
#: Groups drawn in the conversion chart; the table has them all.
CHART_GROUPS: Final = 8


def parse_period(start: str | None, end: str | None) -> Period:
    """``from``/``to`` query values as a period; 422 naming the field when malformed."""
    days: dict[str, date | None] = {}
    for field, text in (("from", start), ("to", end)):
        try:
            days[field] = date.fromisoformat(text) if text else None
        except ValueError:
            raise field_problem(field, f"expected a date as YYYY-MM-DD, got {text!r}") from None
    try:
        return period_of(days["from"], days["to"])
    except FunnelError as error:
        raise field_problem(error.field, error.message) from None


def who(principal: Principal) -> dict[str, Any]:
    return {"role": principal.role, "user_id": principal.user_id}


def the_funnel(request: Request, principal: Principal, group: str, period: Period) -> FunnelReport:
    try:
        with request.app.state.engine.connect() as connection:
            return funnel_report(connection, group, period=period, **who(principal))
    except FunnelError as error:
        raise field_problem(error.field, error.message) from None


def funnel_charts(report: FunnelReport) -> dict[str, Markup]:
    total = report.total
    # The largest groups; for cohorts the latest months.
    cohorts = report.grouping == "cohort"
    shown = report.rows[-CHART_GROUPS:] if cohorts else report.rows[:CHART_GROUPS]
    steps = list(pairwise(FUNNEL))  # lead → MQL … opportunity → customer
    return {
        "funnel": funnel_chart(
            [(step.label, step.reached) for step in total.steps],
            title="Contacts that reached each stage",
            chart_id="analytics-funnel",
        ),
        "rates": grouped_bar_chart(
            [row.key for row in shown],
            [
                Series(
                    f"{STAGE_LABELS[a]} → {STAGE_LABELS[b]}",
                    [round((row.step(a).rate or 0) * 100, 1) for row in shown],
                )
                for a, b in steps
            ],
            title=f"Conversion by {GROUPINGS[report.grouping].lower()}",
            y_label="%",
            chart_id="analytics-rates",
        ),
        "times": bar_chart(
            [(step.label, float(step.median_days or 0)) for step in total.steps if step.stays],
            title="Median days in stage",
            y_label="days",
            chart_id="analytics-times",
        ),
    }


def _query(group: str | None, period: Period) -> str:
    parts = [f"group={group}"] if group else []
    parts += [f"from={period.start}"] if period.start else []
    parts += [f"to={period.end}"] if period.end else []
    return "&".join(parts)


def _context(group: str | None, period: Period) -> dict[str, Any]:
    return {
        "groupings": GROUPINGS,
        "group": group,
        "period": period,
        "query": _query(group, period),
        "share": tables.share,
        "days": tables.days,
    }


@router.get("/analytics", response_class=HTMLResponse)
def analytics_page(
    request: Request,
    principal: Reader,
    group: Group = "cohort",
    start: Annotated[Day, Query(alias="from")] = None,
    end: Annotated[Day, Query(alias="to")] = None,
) -> HTMLResponse:
    """The funnel chart, conversion by the chosen grouping, and time in stage."""
    period = parse_period(start, end)
    report = the_funnel(request, principal, group, period)
    context = _context(group, period) | {
        "report": report,
        "charts": funnel_charts(report),
        "conversion": tables.conversion_table(report),
        "own_only": principal.role == "sales",
    }
    return render(request, "analytics.html", context)


@router.get("/analytics/conversion.csv")
def conversion_csv(
    request: Request,
    principal: Reader,
    group: Group = "cohort",
    start: Annotated[Day, Query(alias="from")] = None,
    end: Annotated[Day, Query(alias="to")] = None,
) -> Response:
    report = the_funnel(request, principal, group, parse_period(start, end))
    return tables.csv_response(f"conversion-by-{group}.csv", tables.conversion_table(report))


@router.get("/analytics/time-in-stage.csv")
def time_csv(
    request: Request,
    principal: Reader,
    group: Group = "cohort",
    start: Annotated[Day, Query(alias="from")] = None,
    end: Annotated[Day, Query(alias="to")] = None,
) -> Response:
    report = the_funnel(request, principal, group, parse_period(start, end))
    return tables.csv_response(f"time-in-stage-by-{group}.csv", tables.time_table(report))


def _journeys(request: Request, principal: Principal, period: Period) -> Any:
    with request.app.state.engine.connect() as connection:
        return journey_report(connection, period=period, **who(principal))


@router.get("/analytics/journeys", response_class=HTMLResponse)
def journeys_page(
    request: Request,
    principal: Reader,
    start: Annotated[Day, Query(alias="from")] = None,
    end: Annotated[Day, Query(alias="to")] = None,
) -> HTMLResponse:
    """The flow chart of stage-to-stage moves and the most common paths."""
    period = parse_period(start, end)
    report = _journeys(request, principal, period)
    context = _context(None, period) | {
        "journeys": report.journeys,
        "chart": journey_svg(report.journeys.flows, title="How contacts move between stages"),
        "path_text": lambda stages: path_text(stages, STAGE_LABELS),
        "labels": STAGE_LABELS,
        "own_only": principal.role == "sales",
    }
    return render(request, "analytics_journeys.html", context)


@router.get("/analytics/journeys/paths.csv")
def paths_csv(
    request: Request,
    principal: Reader,
    start: Annotated[Day, Query(alias="from")] = None,
    end: Annotated[Day, Query(alias="to")] = None,
) -> Response:
    report = _journeys(request, principal, parse_period(start, end))
    return tables.csv_response("journey-paths.csv", tables.paths_table(report))


@router.get("/analytics/journeys/edges.csv")
def edges_csv(
    request: Request,
    principal: Reader,
    start: Annotated[Day, Query(alias="from")] = None,
    end: Annotated[Day, Query(alias="to")] = None,
) -> Response:
    report = _journeys(request, principal, parse_period(start, end))
    return tables.csv_response("journey-moves.csv", tables.edges_table(report))


@router.get("/analytics/report.pdf")
def analytics_report_pdf(
    request: Request,
    principal: Reader,
    group: Group = "cohort",
    start: Annotated[Day, Query(alias="from")] = None,
    end: Annotated[Day, Query(alias="to")] = None,
) -> Response:
    """The funnel, journeys and cost pages as one PDF, charts included."""
    period = parse_period(start, end)
    funnel = the_funnel(request, principal, group, period)
    journeys = _journeys(request, principal, period)
    with request.app.state.engine.connect() as connection:
        costs = cost_report(connection, period=period, **who(principal))
    body = analytics_pdf(
        funnel, journeys, costs, workspace=getattr(request.app.state, "workspace_name", None)
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="analytics.pdf"'},
    )
