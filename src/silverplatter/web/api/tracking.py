"""REST API for web tracking: the tracking page's figures, ``GET /api/v1/tracking/summary``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from silverplatter.services.sessions import Principal
from silverplatter.services.tracking_summary import tracking_summary
from silverplatter.web.capture.tracking import tracking_of
from silverplatter.web.security import clock, requires

router = APIRouter(prefix="/api/v1", tags=["tracking"])

Reader = Annotated[Principal, Depends(requires("capture:read"))]


class DayOut(BaseModel):
    day: date
    views: int


class ChannelOut(BaseModel):
    channel: str
    views: int
    owned: int
    bought: int


class DroppedOut(BaseModel):
    since: datetime = Field(description="when this server started counting")
    bots: int
    declined: int = Field(description="Do-Not-Track or Global Privacy Control")
    limited: int = Field(description="over the per-address rate limit")


class TrackingSummaryOut(BaseModel):
    today: int = Field(description="page views since midnight UTC")
    views: int = Field(description="page views in the last 30 UTC days, today included")
    days: list[DayOut]
    owned: int
    bought: int
    untagged: int
    owned_share: float | None = Field(description="owned ÷ (owned + bought); null without any")
    bought_share: float | None
    identified_views: int = Field(description="page views that belong to a known contact")
    channels: list[ChannelOut] = Field(description="the channels with the most views, at most 8")
    visitors: int = Field(description="visitors seen in the 30 days")
    identified_visitors: int = Field(description="of them, those known to be a contact")
    identified_visitor_share: float | None
    dropped: DroppedOut = Field(description="views this server did not record, since it started")


@router.get("/tracking/summary", response_model=TrackingSummaryOut)
def summary(request: Request, _principal: Reader) -> TrackingSummaryOut:
    """Page views today and over 30 days, owned vs bought, top channels, known visitors."""
    with request.app.state.engine.connect() as connection:
        found = tracking_summary(connection, now=clock(request))
    dropped = tracking_of(request.app).dropped
    return TrackingSummaryOut(
        today=found.today,
        views=found.views,
        days=[DayOut(day=d.day, views=d.views) for d in found.days],
        owned=found.owned,
        bought=found.bought,
        untagged=found.untagged,
        owned_share=found.owned_share,
        bought_share=found.bought_share,
        identified_views=found.identified_views,
        channels=[
            ChannelOut(channel=c.channel, views=c.events, owned=c.owned, bought=c.bought)
            for c in found.channels
        ],
        visitors=found.visitors,
        identified_visitors=found.identified_visitors,
        identified_visitor_share=found.identified_visitor_share,
        dropped=DroppedOut(
            since=dropped.since,
            bots=dropped.bots,
            declined=dropped.declined,
            limited=dropped.limited,
        ),
    )
