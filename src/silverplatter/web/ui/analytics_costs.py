"""The channel costs page (``/analytics/costs``): enter what each channel cost per
month, and see cost per MQL and per SQL by first-touch channel and month.

Seeing needs ``planning:read``; entering, changing and deleting costs
``planning:write`` (audited).  The attribution is said on the page: an MQL or
SQL counts for the channel of the contact's first touch.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from silverplatter.domain.channel_costs import CostError
from silverplatter.domain.vocabulary import CHANNELS
from silverplatter.services.channel_costs import (
    CostReport,
    cost_report,
    delete_channel_cost,
    save_channel_cost,
)
from silverplatter.services.funnel import Period
from silverplatter.services.sessions import Principal
from silverplatter.web import analytics_tables as tables
from silverplatter.web.charts import Series, grouped_bar_chart
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render
from silverplatter.web.ui.analytics import Day, parse_period, who

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("planning:read"))]
Writer = Annotated[Principal, Depends(requires("planning:write"))]
Text = Annotated[str, Form(max_length=300)]
DONE: Final = {"saved": "The cost was saved.", "deleted": "The cost was deleted."}


def cost_chart(report: CostReport) -> Markup:
    # Only channels with a figure: a bar of 0 would say "free" where it is "unknown".
    channels = [r for r in report.channels if r.per_mql is not None or r.per_sql is not None]
    return grouped_bar_chart(
        [r.channel for r in channels],
        [
            Series("Cost per MQL", [float(r.per_mql or 0) for r in channels]),
            Series("Cost per SQL", [float(r.per_sql or 0) for r in channels]),
        ],
        title=f"Cost per MQL and SQL by first-touch channel ({report.currency})",
        y_label=report.currency,
        chart_id="analytics-costs",
    )


def _page(
    request: Request,
    principal: Principal,
    period: Period,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        report = cost_report(connection, period=period, **who(principal))
    query = "&".join(
        [f"from={period.start}"] * bool(period.start) + [f"to={period.end}"] * bool(period.end)
    )
    context: dict[str, Any] = {
        "report": report,
        "chart": cost_chart(report),
        "by_channel": tables.cost_table(report, by_month=False),
        "by_month": tables.cost_table(report),
        "money": tables.money,
        "channels": CHANNELS,
        "period": period,
        "query": query,
        "may_write": principal.may("planning:write"),
        "done": DONE.get(done or ""),
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "analytics_costs.html", context, status_code=status_code)


@router.get("/analytics/costs", response_class=HTMLResponse)
def costs_page(
    request: Request,
    principal: Reader,
    start: Annotated[Day, Query(alias="from")] = None,
    end: Annotated[Day, Query(alias="to")] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """Cost per MQL and SQL, the entered costs and, for planners, the entry form."""
    return _page(request, principal, parse_period(start, end), done=done)


@router.get("/analytics/costs.csv")
def costs_csv(
    request: Request,
    principal: Reader,
    start: Annotated[Day, Query(alias="from")] = None,
    end: Annotated[Day, Query(alias="to")] = None,
    by: Annotated[str, Query(pattern="^(month|channel|entered)$")] = "month",
) -> Response:
    """Cost per MQL/SQL by channel and month (``by=month``), by channel over the
    period (``by=channel``), or the costs entered (``by=entered``)."""
    with request.app.state.engine.connect() as connection:
        report = cost_report(connection, period=parse_period(start, end), **who(principal))
    if by == "entered":
        return tables.csv_response("channel-costs.csv", tables.entered_table(report))
    table = tables.cost_table(report, by_month=by == "month")
    return tables.csv_response(f"cost-per-mql-sql-by-{by}.csv", table)


@router.post("/analytics/costs", response_model=None)
def save_cost(
    request: Request,
    principal: Writer,
    channel: Text = "",
    month: Text = "",
    amount: Text = "",
    note: Text = "",
) -> Response:
    """Enter or replace what a channel cost in a month."""
    try:
        with request.app.state.engine.begin() as connection:
            save_channel_cost(
                connection,
                channel=channel,
                month=month,
                amount=amount,
                note=note,
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except CostError as error:
        values = {"channel": channel, "month": month, "amount": amount, "note": note}
        return _page(
            request,
            principal,
            Period(),
            errors={error.field: error.message},
            values=values,
            status_code=422,
        )
    return RedirectResponse("/analytics/costs?done=saved", status_code=303)


@router.post("/analytics/costs/{cost_id}/delete", response_model=None)
def delete_cost(request: Request, principal: Writer, cost_id: int) -> Response:
    """Delete an entered cost."""
    try:
        with request.app.state.engine.begin() as connection:
            delete_channel_cost(
                connection, cost_id, actor=actor_of(request, principal), now=clock(request)
            )
    except CostError as error:
        return _page(
            request, principal, Period(), errors={"delete": error.message}, status_code=404
        )
    return RedirectResponse("/analytics/costs?done=deleted", status_code=303)
