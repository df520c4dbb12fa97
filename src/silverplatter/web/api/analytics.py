"""Funnel and journey analytics and channel costs over the API (issue 8).

* ``GET /api/v1/analytics/funnel?group=cohort&from=&to=``: reach, conversion,
  exits and time in stage per group and for everyone;
* ``GET /api/v1/analytics/journeys?from=&to=&top=10``: top paths, edges, flows;
* ``GET/POST /api/v1/analytics/costs``, ``DELETE /api/v1/analytics/costs/{id}``:
  what each channel cost per month (writing needs ``planning:write``);
* ``GET /api/v1/analytics/cost-per-lead?from=&to=``: cost per MQL and SQL by
  first-touch channel and month.

Thin adapters over ``services/funnel.py`` and ``services/channel_costs.py``;
a salesperson's figures cover their own records only.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.channel_costs import ChannelCost, CostError, CostPerLead
from silverplatter.domain.funnel import FunnelError, FunnelRow
from silverplatter.services.channel_costs import (
    cost_report,
    delete_channel_cost,
    list_channel_costs,
    save_channel_cost,
)
from silverplatter.services.funnel import Period, funnel_report, journey_report, period_of
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])
Reader = Annotated[Principal, Depends(requires("planning:read"))]
Writer = Annotated[Principal, Depends(requires("planning:write"))]
From = Annotated[date | None, Query(alias="from", description="First day (YYYY-MM-DD)")]
To = Annotated[date | None, Query(alias="to", description="Last day, included")]


class StepOut(BaseModel):
    stage: str
    reached: int = Field(description="Contacts that moved into this stage or a later one")
    advanced: int = Field(description="Of those, contacts that reached the next stage")
    rate: float | None = Field(description="advanced ÷ reached; null at the last stage")
    recycled: int = Field(description="Contacts recycled from this stage")
    disqualified: int = Field(description="Contacts disqualified from this stage")
    stays: int = Field(description="Completed stays in this stage")
    median_days: int | None
    p75_days: int | None


class GroupOut(BaseModel):
    key: str
    contacts: int
    steps: list[StepOut]


class FunnelOut(BaseModel):
    grouping: str
    period_from: date | None
    period_to: date | None
    groups: list[GroupOut]
    total: GroupOut


class PathOut(BaseModel):
    stages: list[str]
    contacts: int
    share: float


class EdgeOut(BaseModel):
    from_stage: str
    to_stage: str
    moves: int
    contacts: int


class FlowOut(BaseModel):
    step: int = Field(description="0 = the move out of the stage the path started in")
    from_stage: str
    to_stage: str
    contacts: int


class JourneysOut(BaseModel):
    contacts: int = Field(description="Contacts that moved at least once")
    never_moved: int
    distinct_paths: int
    top: list[PathOut]
    edges: list[EdgeOut]
    flows: list[FlowOut]


class CostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(max_length=60)
    month: str = Field(max_length=7, description="YYYY-MM", examples=["2026-03"])
    amount: Decimal = Field(ge=0, max_digits=18, decimal_places=2)
    currency: str = Field("EUR", min_length=3, max_length=3)
    note: str | None = Field(None, max_length=300)


class CostOut(BaseModel):
    id: int
    channel: str
    month: str
    amount: Decimal
    currency: str
    note: str | None


class CostPerLeadOut(BaseModel):
    channel: str
    month: str | None = Field(description="YYYY-MM; null on the per-channel totals")
    cost: Decimal | None = Field(description="null when no cost was entered")
    mqls: int
    sqls: int
    cost_per_mql: Decimal | None
    cost_per_sql: Decimal | None


class CostReportOut(BaseModel):
    attribution: str
    currency: str
    months: list[CostPerLeadOut]
    channels: list[CostPerLeadOut]


def _period(start: date | None, end: date | None) -> Period:
    try:
        return period_of(start, end)
    except FunnelError as error:
        raise field_problem(error.field, error.message) from None


def _group(row: FunnelRow) -> GroupOut:
    return GroupOut(
        key=row.key,
        contacts=row.contacts,
        steps=[
            StepOut(
                stage=s.stage,
                reached=s.reached,
                advanced=s.advanced,
                rate=s.rate,
                recycled=s.recycled,
                disqualified=s.disqualified,
                stays=s.stays,
                median_days=s.median_days,
                p75_days=s.p75_days,
            )
            for s in row.steps
        ],
    )


@router.get("/funnel", response_model=FunnelOut, summary="The funnel by a grouping")
def funnel(
    request: Request,
    principal: Reader,
    group: Annotated[
        str, Query(max_length=20, description="cohort, source, channel, tier, segment or form")
    ] = "cohort",
    start: From = None,
    end: To = None,
) -> FunnelOut:
    """Reach, conversion, exits and time in stage of the contacts created in the period."""
    period = _period(start, end)
    try:
        with request.app.state.engine.connect() as connection:
            report = funnel_report(
                connection, group, period=period, role=principal.role, user_id=principal.user_id
            )
    except FunnelError as error:
        raise field_problem(error.field, error.message) from None
    return FunnelOut(
        grouping=report.grouping,
        period_from=period.start,
        period_to=period.end,
        groups=[_group(row) for row in report.rows],
        total=_group(report.total),
    )


@router.get("/journeys", response_model=JourneysOut, summary="The paths contacts take")
def journeys(
    request: Request,
    principal: Reader,
    start: From = None,
    end: To = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> JourneysOut:
    """The most common stage paths, every from → to edge and the flow chart's flows."""
    period = _period(start, end)
    with request.app.state.engine.connect() as connection:
        found = journey_report(
            connection, period=period, role=principal.role, user_id=principal.user_id, top=top
        ).journeys
    return JourneysOut(
        contacts=found.contacts,
        never_moved=found.never_moved,
        distinct_paths=found.distinct_paths,
        top=[PathOut(stages=list(p.stages), contacts=p.contacts, share=p.share) for p in found.top],
        edges=[
            EdgeOut(
                from_stage=e.from_stage, to_stage=e.to_stage, moves=e.moves, contacts=e.contacts
            )
            for e in found.edges
        ],
        flows=[
            FlowOut(step=f.step, from_stage=f.from_stage, to_stage=f.to_stage, contacts=f.contacts)
            for f in found.flows
        ],
    )


def _cost(cost: ChannelCost) -> CostOut:
    return CostOut(
        id=cost.id,
        channel=cost.channel,
        month=cost.month_label,
        amount=cost.amount,
        currency=cost.currency,
        note=cost.note,
    )


def _per(row: CostPerLead) -> CostPerLeadOut:
    return CostPerLeadOut(
        channel=row.channel,
        month=row.month,
        cost=row.cost,
        mqls=row.mqls,
        sqls=row.sqls,
        cost_per_mql=row.per_mql,
        cost_per_sql=row.per_sql,
    )


@router.get("/costs", response_model=list[CostOut], summary="Channel costs entered")
def costs(request: Request, principal: Reader, start: From = None, end: To = None) -> list[CostOut]:
    """What each channel cost per month, oldest month first."""
    period = _period(start, end)
    with request.app.state.engine.connect() as connection:
        return [
            _cost(c) for c in list_channel_costs(connection, start=period.start, end=period.end)
        ]


@router.post("/costs", response_model=CostOut, summary="Enter or replace a channel's cost")
def save_cost(request: Request, principal: Writer, body: CostIn) -> CostOut:
    """Enter what a channel cost in a month; the same channel and month again replaces it."""
    try:
        with request.app.state.engine.begin() as connection:
            cost = save_channel_cost(
                connection,
                channel=body.channel,
                month=body.month,
                amount=body.amount,
                currency=body.currency,
                note=body.note,
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except CostError as error:
        raise field_problem(error.field, error.message) from None
    return _cost(cost)


@router.delete("/costs/{cost_id}", status_code=204, summary="Delete a channel cost")
def delete_cost(request: Request, principal: Writer, cost_id: int) -> None:
    """Delete an entered cost (audited); 404 when there is none."""
    try:
        with request.app.state.engine.begin() as connection:
            delete_channel_cost(
                connection, cost_id, actor=actor_of(request, principal), now=clock(request)
            )
    except CostError as error:
        raise Problem(404, error.message) from None


@router.get("/cost-per-lead", response_model=CostReportOut, summary="Cost per MQL and SQL")
def cost_per_lead(
    request: Request, principal: Reader, start: From = None, end: To = None
) -> CostReportOut:
    """Cost per MQL and per SQL by first-touch channel and month, and per channel."""
    period = _period(start, end)
    with request.app.state.engine.connect() as connection:
        report = cost_report(
            connection, period=period, role=principal.role, user_id=principal.user_id
        )
    return CostReportOut(
        attribution=(
            "first touch: each MQL and SQL counts for the channel of the contact's earliest "
            "event with a channel, in the month it first reached the stage"
        ),
        currency=report.currency,
        months=[_per(r) for r in report.months],
        channels=[_per(r) for r in report.channels],
    )
