"""The list KPIs page (``/lists``): the e-mail list as the company's capital (domain §2).

Every figure comes from ``services.list_kpis.list_kpis`` (from the latest
snapshot on a big workspace: ``services/figure_snapshots.py``); this
module turns it into words, shares and server-side SVG charts
(``web/charts.py``).  ``?months=`` picks how many months (3 to 36) it covers.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from silverplatter.domain.list_kpis import LEAVER_REASONS, ListKpis, top_with_other
from silverplatter.services.figure_snapshots import list_kpis_kind, serve
from silverplatter.services.list_kpis import MAX_MONTHS
from silverplatter.services.sessions import Principal
from silverplatter.web.charts import Series, grouped_bar_chart
from silverplatter.web.figure_refresh import figure_refresh
from silverplatter.web.security import clock, requires
from silverplatter.web.templating import render
from silverplatter.web.ui.dashboard import MAX_AGE_MINUTES

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("capture:read"))]
#: Sources drawn as their own series; the rest are summed as "other".
TOP_SOURCES: Final = 4
REASON_WORDS: Final = {
    "unsubscribed": "Unsubscribed",
    "hard_bounce": "Hard bounce",
    "complaint": "Complaint",
    "manual": "Blocked by hand",
    "erased": "Erased",
}


def share_text(value: float | None) -> str:
    """A share (0–1) as a percentage, ``—`` when there is nothing to share."""
    return "—" if value is None else f"{value:.0%}"


def charts(kpis: ListKpis) -> dict[str, Markup]:
    """The page's charts as SVG markup."""
    labels = [month.month.label for month in kpis.months]
    shown = [top_with_other(month.by_source, kpis.sources, TOP_SOURCES) for month in kpis.months]
    names = list(shown[-1]) if shown else []
    reasons = [
        reason
        for reason in LEAVER_REASONS
        if any(getattr(month.leavers, reason) for month in kpis.months)
    ]
    return {
        "sources": grouped_bar_chart(
            labels,
            [Series(name, [counts.get(name, 0) for counts in shown]) for name in names],
            title="New addresses per month by source",
            y_label="addresses",
            chart_id="list-sources",
        ),
        "leavers": grouped_bar_chart(
            labels,
            [
                Series(REASON_WORDS[reason], [getattr(m.leavers, reason) for m in kpis.months])
                for reason in reasons
            ],
            title="Leavers per month by reason",
            y_label="people",
            chart_id="list-leavers",
        ),
        "visitors": grouped_bar_chart(
            labels,
            [
                Series("Owned", [m.owned.visitors for m in kpis.months]),
                Series("Bought", [m.bought.visitors for m in kpis.months]),
            ],
            title="Visitors per month, owned and bought traffic",
            y_label="visitors",
            chart_id="list-visitors",
        ),
        "touches": grouped_bar_chart(
            labels,
            [
                Series("First visit owned", [m.owned.addresses for m in kpis.months]),
                Series("First visit bought", [m.bought.addresses for m in kpis.months]),
                Series("No tracked visit", [m.untracked for m in kpis.months]),
            ],
            title="New addresses per month by their first visit",
            y_label="addresses",
            chart_id="list-touches",
        ),
    }


def breakdown(kpis: ListKpis, keys: tuple[str, ...], field: str) -> list[tuple[str, int, int]]:
    """``(key, this month, all months)`` for each key of a monthly breakdown."""
    months = [getattr(month, field) for month in kpis.months]
    return [
        (key, months[-1].get(key, 0), sum(counts.get(key, 0) for counts in months)) for key in keys
    ]


@router.get("/lists", response_class=HTMLResponse)
def lists_page(
    request: Request,
    principal: Reader,
    months: Annotated[int, Query(ge=3, le=MAX_MONTHS)] = 12,
) -> HTMLResponse:
    """New addresses, list size, leavers, list quality, owned against bought traffic."""
    kind = list_kpis_kind(months)
    live_up_to = request.app.state.settings.live_figures_up_to
    with request.app.state.engine.connect() as connection:
        served = serve(connection, kind, now=clock(request), live_up_to=live_up_to)
    if served.stale:
        figure_refresh(request).request(kind)
    kpis = served.figures
    if kpis is None:
        return render(request, "figures_counting.html", {"what": "The list KPIs"})
    context = {
        "snapshot": None if served.live else served,
        "max_age_minutes": MAX_AGE_MINUTES,
        "kpis": kpis,
        "charts": charts(kpis),
        "share": share_text,
        "months_shown": months,
        "breakdowns": {
            "forms": breakdown(kpis, kpis.forms, "by_form"),
            "lead_magnets": breakdown(kpis, kpis.lead_magnets, "by_lead_magnet"),
        },
    }
    return render(request, "lists.html", context)
