"""REST API for planning (``/api/v1/planning``): the measured funnel, marketing plans
(list, create, get, recompute, activate, delete) and the service-level dashboard's figures.

A plan is created from its target and any overrides; a bad field is answered with
a problem whose ``errors`` name it (``rates.mql_to_sql``, ``average_deal_size``).
``planning:read`` reads, ``planning:write`` creates, activates and deletes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.planning import PlanInvalid, Projection
from silverplatter.services.planning import (
    PlanRecord,
    activate_plan,
    create_plan,
    delete_plan,
    get_plan,
    list_plans,
    update_plan,
)
from silverplatter.services.planning_history import Measurement, measure
from silverplatter.services.planning_sla import sla_dashboard
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1/planning", tags=["planning"])

Read = Annotated[Principal, Depends(requires("planning:read"))]
Write = Annotated[Principal, Depends(requires("planning:write"))]
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Step = Literal["address_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_won"]


def _invalid(invalid: PlanInvalid) -> Problem:
    errors = [{"field": error.field, "message": error.message} for error in invalid.errors]
    return Problem(422, str(invalid), errors=errors)


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, examples=["H2 growth"])
    starts_on: str = Field(
        max_length=10, description="the first month, YYYY-MM", examples=["2026-07"]
    )
    period: Literal["month", "quarter"] = "month"
    periods: int = Field(ge=1, le=36, description="how many months or quarters")
    target: float = Field(gt=0, le=10**12, description="revenue to close per period")
    average_deal_size: float | None = Field(
        None, gt=0, le=10**12, description="by default the average won deal of the lookback"
    )
    currency: str = Field("EUR", min_length=3, max_length=3)
    lookback_months: int = Field(12, ge=1, le=60)
    rates: dict[Step, float] = Field(
        default_factory=dict, description="overrides, in percent (0 < rate ≤ 100)"
    )
    durations: dict[Step, float] = Field(
        default_factory=dict, description="overrides, median days (0 … 3650)"
    )

    def as_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = self.model_dump(exclude={"rates", "durations"})
        fields.update({f"rates.{step}": value for step, value in self.rates.items()})
        fields.update({f"durations.{step}": value for step, value in self.durations.items()})
        return fields


class PlanOut(BaseModel):
    id: int
    name: str
    starts_on: date
    months_count: int
    revenue_target: float
    average_deal_size: float
    currency: str
    sla_sqls_per_month: int
    sla_mqls_per_month: int
    active: bool
    inputs: dict[str, Any] = Field(description="what was measured, overridden and used")
    months: list[dict[str, Any]] = Field(
        description="per month: revenue and each need's expected, low and high arrivals"
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, found: PlanRecord) -> PlanOut:
        return cls(
            id=found.id,
            name=found.name,
            starts_on=found.starts_on,
            months_count=found.months_count,
            revenue_target=float(found.revenue_target),
            average_deal_size=float(found.average_deal_size),
            currency=found.currency,
            sla_sqls_per_month=found.sla_sqls_per_month,
            sla_mqls_per_month=found.sla_mqls_per_month,
            active=found.active,
            inputs=found.inputs,
            months=found.months,
            created_at=found.created_at,
            updated_at=found.updated_at,
        )


class StepOut(BaseModel):
    successes: int
    trials: int
    rate: float | None
    low: float = Field(description="the interval's lower bound")
    high: float
    median_days: float | None
    thin: bool = Field(description="fewer than 20 trials")


class MeasurementOut(BaseModel):
    since: datetime
    until: datetime
    confidence: float
    won_deals: int
    average_won_amount: float | None
    steps: dict[str, StepOut]

    @classmethod
    def of(cls, found: Measurement) -> MeasurementOut:
        return cls(
            since=found.since,
            until=found.until,
            confidence=found.confidence,
            won_deals=found.won_deals,
            average_won_amount=found.average_won_amount,
            steps={
                step: StepOut(
                    successes=m.successes,
                    trials=m.trials,
                    rate=m.rate,
                    low=m.low,
                    high=m.high,
                    median_days=m.median_days,
                    thin=m.thin,
                )
                for step, m in found.steps.items()
            },
        )


class ProjectionOut(BaseModel):
    period_start: date
    period_end: date = Field(description="exclusive")
    actual: int
    projected: int
    target: int
    status: str = Field(description="behind, on track or ahead")

    @classmethod
    def of(cls, found: Projection) -> ProjectionOut:
        return cls(
            period_start=found.period_start,
            period_end=found.period_end,
            actual=found.actual,
            projected=found.projected,
            target=found.target,
            status=found.status,
        )


class MonthOut(BaseModel):
    month: date
    mqls: int
    sqls: int
    current: bool


class DashboardOut(BaseModel):
    plan_id: int | None
    sla_sqls_per_month: int | None
    sla_mqls_per_month: int | None
    months: list[MonthOut]
    month_projection: dict[str, ProjectionOut]
    quarter_projection: dict[str, ProjectionOut]


@router.get("/measured", response_model=MeasurementOut, summary="The funnel the history shows")
def measured(
    request: Request,
    principal: Read,
    lookback_months: Annotated[int, Query(ge=1, le=60)] = 12,
) -> MeasurementOut:
    with request.app.state.engine.connect() as connection:
        found = measure(connection, now=clock(request), lookback_months=lookback_months)
    return MeasurementOut.of(found)


@router.get("/plans", response_model=list[PlanOut], summary="Every plan, the active one first")
def plans(request: Request, principal: Read) -> list[PlanOut]:
    with request.app.state.engine.connect() as connection:
        return [PlanOut.of(found) for found in list_plans(connection)]


@router.post("/plans", response_model=PlanOut, status_code=201, summary="Compute and save a plan")
def create(request: Request, principal: Write, body: PlanIn) -> PlanOut:
    try:
        with request.app.state.engine.begin() as connection:
            made = create_plan(
                connection, body.as_fields(), actor=actor_of(request, principal), now=clock(request)
            )
    except PlanInvalid as invalid:
        raise _invalid(invalid) from None
    return PlanOut.of(made)


@router.get("/plans/{plan_id}", response_model=PlanOut, summary="One plan")
def plan(request: Request, principal: Read, plan_id: PlanId) -> PlanOut:
    with request.app.state.engine.connect() as connection:
        try:
            return PlanOut.of(get_plan(connection, plan_id))
        except LookupError as error:
            raise Problem(404, str(error).strip("'\"")) from None


@router.put(
    "/plans/{plan_id}",
    response_model=PlanOut,
    summary="Recompute a plan from new inputs and today's history",
)
def change(request: Request, principal: Write, plan_id: PlanId, body: PlanIn) -> PlanOut:
    try:
        with request.app.state.engine.begin() as connection:
            changed = update_plan(
                connection,
                plan_id,
                body.as_fields(),
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except LookupError as error:
        raise Problem(404, str(error).strip("'\"")) from None
    except PlanInvalid as invalid:
        raise _invalid(invalid) from None
    return PlanOut.of(changed)


@router.post(
    "/plans/{plan_id}/activate",
    response_model=PlanOut,
    summary="Make the plan marketing's service level",
)
def activate(request: Request, principal: Write, plan_id: PlanId) -> PlanOut:
    try:
        with request.app.state.engine.begin() as connection:
            found = activate_plan(
                connection, plan_id, actor=actor_of(request, principal), now=clock(request)
            )
    except LookupError as error:
        raise Problem(404, str(error).strip("'\"")) from None
    return PlanOut.of(found)


@router.delete(
    "/plans/{plan_id}", status_code=204, response_class=Response, summary="Delete a plan"
)
def delete(request: Request, principal: Write, plan_id: PlanId) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_plan(connection, plan_id, actor=actor_of(request, principal), now=clock(request))
    except LookupError as error:
        raise Problem(404, str(error).strip("'\"")) from None
    return Response(status_code=204)


@router.get(
    "/dashboard",
    response_model=DashboardOut,
    summary="Actual MQLs and SQLs per month against the service level, with projections",
)
def dashboard(request: Request, principal: Read) -> DashboardOut:
    with request.app.state.engine.connect() as connection:
        board = sla_dashboard(connection, now=clock(request))
    plan = board.plan
    return DashboardOut(
        plan_id=None if plan is None else plan.id,
        sla_sqls_per_month=None if plan is None else plan.sla_sqls_per_month,
        sla_mqls_per_month=None if plan is None else plan.sla_mqls_per_month,
        months=[
            MonthOut(month=m.month, mqls=m.mqls, sqls=m.sqls, current=m.current)
            for m in board.months
        ],
        month_projection={k: ProjectionOut.of(p) for k, p in board.month_projection.items()},
        quarter_projection={k: ProjectionOut.of(p) for k, p in board.quarter_projection.items()},
    )
