"""The tracking page (``/tracking``): the snippet to paste, and what tracking has seen.

Figures come from ``services.tracking_summary`` (the database) and from the
tracking endpoint's counters of what it dropped (bots, Do-Not-Track, over
the rate limit), which this web process keeps since it started.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from silverplatter.services.sessions import Principal
from silverplatter.services.tracking_summary import TrackingSummary, tracking_summary
from silverplatter.settings import Settings
from silverplatter.web.capture.tracking import tracking_of
from silverplatter.web.charts import Series, bar_chart, donut_or_split_bar, line_chart
from silverplatter.web.security import clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

WIDE = 640
NARROW = 360


def channel_label(channel: str) -> str:
    """``paid_search`` → ``Paid search``."""
    return channel.replace("_", " ").capitalize()


def share_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def snippet_tags(public_url: str) -> dict[str, str]:
    """The tags to paste: consent given by the page, or given later by a consent banner."""
    source = f"{public_url.rstrip('/')}/capture/track.js"
    return {
        "granted": f'<script async src="{source}" data-consent="granted"></script>',
        "banner": (
            "<script>window.silverplatter=window.silverplatter||function(){"
            "(silverplatter.q=silverplatter.q||[]).push(arguments)};</script>\n"
            f'<script async src="{source}"></script>'
        ),
    }


def charts(summary: TrackingSummary) -> dict[str, Markup]:
    days = [day.day.strftime("%d %b") for day in summary.days]
    return {
        "daily": line_chart(
            [Series("Page views", [day.views for day in summary.days])],
            title="Page views per day, last 30 days",
            x_labels=days,
            width=WIDE,
            y_label="views",
            chart_id="tracking-daily",
        ),
        "split": donut_or_split_bar(
            [("Owned", summary.owned), ("Bought", summary.bought)],
            title="Owned against bought page views, last 30 days",
            width=NARROW,
            chart_id="tracking-split",
        ),
        "channels": bar_chart(
            [(channel_label(c.channel), c.events) for c in summary.channels],
            title="Page views by channel, last 30 days",
            width=WIDE,
            y_label="views",
            chart_id="tracking-channels",
        ),
    }


def page_context(request: Request) -> dict[str, Any]:
    with request.app.state.engine.connect() as connection:
        summary = tracking_summary(connection, now=clock(request))
    settings: Settings = request.app.state.settings
    return {
        "summary": summary,
        "charts": charts(summary),
        "dropped": tracking_of(request.app).dropped,
        "tags": snippet_tags(settings.public_url),
        "share": share_text,
        "channel_label": channel_label,
    }


@router.get("/tracking", response_class=HTMLResponse)
def tracking_page(
    request: Request, _principal: Annotated[Principal, Depends(requires("capture:read"))]
) -> HTMLResponse:
    return render(request, "tracking.html", page_context(request))
