"""The list KPIs over the API: ``GET /api/v1/lists/kpis?months=12``.

A thin adapter over ``services/list_kpis.list_kpis``: months oldest first,
the current one (counted so far) last.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from silverplatter.domain.list_kpis import QUALITY_DAYS, KpiMonth, ListKpis, TrafficConversion
from silverplatter.services.list_kpis import MAX_MONTHS, list_kpis
from silverplatter.services.sessions import Principal
from silverplatter.web.security import clock, requires

router = APIRouter(tags=["lists"])
Reader = Annotated[Principal, Depends(requires("capture:read"))]
Months = Annotated[
    int, Query(ge=1, le=MAX_MONTHS, description="How many months, the current one last")
]


class LeaversOut(BaseModel):
    unsubscribed: int
    hard_bounce: int
    complaint: int
    manual: int
    erased: int
    total: int


class TrafficOut(BaseModel):
    views: int = Field(description="Page views of this kind of traffic")
    visitors: int = Field(description="Distinct visitors with such a page view")
    addresses: int = Field(description="New addresses whose first tracked visit was this kind")
    rate: float | None = Field(description="addresses ÷ visitors")


class MonthOut(BaseModel):
    month: str = Field(description="YYYY-MM (UTC)")
    new_addresses: int
    by_source: dict[str, int]
    by_form: dict[str, int] = Field(description="First form submissions per person, by form")
    by_lead_magnet: dict[str, int]
    leavers: LeaversOut
    net_growth: int = Field(description="new addresses − leavers")
    owned: TrafficOut
    bought: TrafficOut
    untracked: int = Field(description="New addresses with no tracked visit before")


class ListOut(BaseModel):
    contacts: int
    size: int = Field(description="Contacts with live e-mail consent, not suppressed")
    share_of_contacts: float | None
    engaged: int = Field(description="Of the list, engaged in the last quality_days days")
    quality: float | None
    quality_days: int


class ListKpisOut(BaseModel):
    as_of: datetime
    months: list[MonthOut]
    sources: list[str]
    forms: list[str]
    lead_magnets: list[str]
    # Last: from here on the class body's ``list`` is this field, not the builtin.
    list: ListOut


def _traffic(figures: TrafficConversion) -> TrafficOut:
    return TrafficOut(
        views=figures.views,
        visitors=figures.visitors,
        addresses=figures.addresses,
        rate=figures.rate,
    )


def _month(month: KpiMonth) -> MonthOut:
    leavers = month.leavers
    return MonthOut(
        month=month.month.label,
        new_addresses=month.new_addresses,
        by_source=month.by_source,
        by_form=month.by_form,
        by_lead_magnet=month.by_lead_magnet,
        leavers=LeaversOut(
            unsubscribed=leavers.unsubscribed,
            hard_bounce=leavers.hard_bounce,
            complaint=leavers.complaint,
            manual=leavers.manual,
            erased=leavers.erased,
            total=leavers.total,
        ),
        net_growth=month.net_growth,
        owned=_traffic(month.owned),
        bought=_traffic(month.bought),
        untracked=month.untracked,
    )


def kpis_out(kpis: ListKpis) -> ListKpisOut:
    state = kpis.list
    return ListKpisOut(
        as_of=kpis.as_of,
        list=ListOut(
            contacts=state.contacts,
            size=state.size,
            share_of_contacts=state.share_of_contacts,
            engaged=state.engaged,
            quality=state.quality,
            quality_days=QUALITY_DAYS,
        ),
        months=[_month(month) for month in kpis.months],
        sources=list(kpis.sources),
        forms=list(kpis.forms),
        lead_magnets=list(kpis.lead_magnets),
    )


@router.get("/api/v1/lists/kpis", response_model=ListKpisOut, summary="The list's KPIs")
def kpis(request: Request, principal: Reader, months: Months = 12) -> ListKpisOut:
    """New addresses per month by source, form and lead magnet; list size and quality;
    leavers; owned and bought traffic and the addresses each brought."""
    with request.app.state.engine.connect() as connection:
        return kpis_out(list_kpis(connection, now=clock(request), months=months))
