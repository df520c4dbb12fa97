"""Value tiers over the API: the policy (get, put), preview, apply, and the pyramid's counts.

Thin adapters over ``services/value_tiers.py`` and ``services/tier_matrix.py``;
needs segments, the offer matrix and care models are in ``api/tiers_matrix.py``.
A bad policy is a 422 problem whose ``errors`` name each field
(``bounds.silver``, ``metric``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.value_tiers import (
    ALL_TIERS,
    Number,
    PolicyInvalid,
    TierPolicy,
)
from silverplatter.services.sessions import Principal
from silverplatter.services.tier_matrix import pyramid
from silverplatter.services.value_tiers import (
    PolicyVersion,
    TierPreview,
    apply_policy,
    check_policy,
    current_policy,
    policy_history,
    preview_policy,
    save_policy,
)
from silverplatter.web.api import tiers_matrix
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(tags=["value tiers"])
router.include_router(tiers_matrix.router)

Reader = Annotated[Principal, Depends(requires("segmentation:read"))]
Writer = Annotated[Principal, Depends(requires("segmentation:write"))]
TierName = Literal["gold", "silver", "bronze", "unclassified"]
Bound = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=40)]


class BoundsIn(BaseModel):
    """Thresholds: each tier's lowest value; percentiles: each tier's share in %.
    A tier left out is empty."""

    model_config = ConfigDict(extra="forbid")

    gold: Bound | None = None
    silver: Bound | None = None
    bronze: Bound | None = None


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: str = Field(
        max_length=120,
        description="revenue_with_us, annual_revenue or custom:<number property of accounts>",
        examples=["revenue_with_us"],
    )
    method: Literal["thresholds", "percentiles"]
    bounds: BoundsIn = Field(examples=[{"gold": 500000, "silver": 100000, "bronze": 10000}])
    months: int | None = Field(
        None, ge=1, le=240, description="revenue_with_us only: months of won deals (24)"
    )

    def document(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "metric": self.metric,
            "method": self.method,
            "bounds": {
                tier: str(value)
                for tier, value in self.bounds.model_dump().items()
                if value is not None
            },
        }
        if self.months is not None:
            found["months"] = self.months
        return found


class PolicyOut(BaseModel):
    id: int
    metric: str
    method: Literal["thresholds", "percentiles"]
    bounds: dict[str, float]
    months: int | None = Field(description="for revenue_with_us; null otherwise")
    description: str
    saved_at: datetime
    saved_by: str | None
    applied_at: datetime | None

    @classmethod
    def of(cls, version: PolicyVersion) -> PolicyOut:
        policy = version.policy
        return cls(
            id=version.id,
            metric=policy.metric,
            method=policy.method,
            bounds={tier: float(value) for tier, value in policy.bounds.items()},
            months=policy.months if policy.metric == "revenue_with_us" else None,
            description=policy.describe(),
            saved_at=version.created_at,
            saved_by=version.created_by,
            applied_at=version.applied_at,
        )


class PolicyState(BaseModel):
    current: PolicyOut | None = Field(description="the policy in force; null before the first")
    history: list[PolicyOut] = Field(description="saved policies, newest first (up to 20)")


class MoveOut(BaseModel):
    before: TierName
    after: TierName
    accounts: int


class PreviewOut(BaseModel):
    description: str
    accounts: int
    with_value: int = Field(description="accounts that have a value under the metric")
    moving: int = Field(description="accounts that would change tier")
    cut_offs: dict[str, float] = Field(description="the lowest value of each non-empty tier")
    before: dict[str, int]
    after: dict[str, int]
    moves: list[MoveOut] = Field(description="accounts per (tier now, tier after)")

    @classmethod
    def of(cls, found: TierPreview) -> PreviewOut:
        return cls(
            description=found.policy.describe(),
            accounts=found.accounts,
            with_value=found.with_value,
            moving=found.moving,
            cut_offs={tier: _number(cut) for tier, cut in found.cut_offs.items()},
            before=found.before,
            after=found.after,
            moves=[
                MoveOut(before=m.before, after=m.after, accounts=m.accounts) for m in found.moves
            ],
        )


class AppliedOut(PreviewOut):
    policy_id: int
    contacts_requalified: int = Field(description="people at the accounts that moved")
    stage_changes: int = Field(description="of them, how many changed lifecycle stage")


class CellCount(BaseModel):
    needs_segment: str = Field(description="the needs segment's slug; '' for none")
    accounts: int
    contacts: int


class TierCount(BaseModel):
    tier: TierName
    accounts: int
    contacts: int
    cells: list[CellCount]


class ColumnOut(BaseModel):
    slug: str
    name: str


class PyramidOut(BaseModel):
    columns: list[ColumnOut] = Field(description="needs segments in order, then '' for none")
    tiers: list[TierCount] = Field(description="gold, silver, bronze, unclassified")
    contacts_without_account: int


def _number(value: Number) -> float:
    return float(value)


def policy_problem(invalid: PolicyInvalid) -> Problem:
    errors = [{"field": e.field, "message": e.message} for e in invalid.errors]
    return Problem(422, str(invalid), errors=errors)


@router.get("/api/v1/tiers/policy", response_model=PolicyState)
def get_policy(request: Request, _: Reader) -> PolicyState:
    """The value-tier policy in force and the ones saved before it."""
    with request.app.state.engine.connect() as connection:
        history = policy_history(connection)
    return PolicyState(
        current=PolicyOut.of(history[0]) if history else None,
        history=[PolicyOut.of(version) for version in history],
    )


@router.put(
    "/api/v1/tiers/policy",
    response_model=PolicyOut,
    responses={422: {"description": "a bad policy; `errors` names each field"}},
)
def put_policy(request: Request, principal: Writer, policy: PolicyIn) -> PolicyOut:
    """Save a new policy (audited); the accounts move only when it is applied."""
    try:
        with request.app.state.engine.begin() as connection:
            saved = save_policy(
                connection,
                policy.document(),
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except PolicyInvalid as invalid:
        raise policy_problem(invalid) from None
    return PolicyOut.of(saved)


@router.post(
    "/api/v1/tiers/preview",
    response_model=PreviewOut,
    responses={409: {"description": "no policy given and none saved"}},
)
def preview(
    request: Request,
    _: Writer,
    policy: Annotated[
        PolicyIn | None, Body(description="a policy to try; the saved one when left out")
    ] = None,
) -> PreviewOut:
    """How many accounts would move between tiers, before → after; changes nothing."""
    try:
        with request.app.state.engine.begin() as connection:
            chosen: TierPolicy
            if policy is None:
                current = current_policy(connection)
                if current is None:
                    raise Problem(409, "no value-tier policy has been saved yet; send one")
                chosen = current.policy
            else:
                chosen = check_policy(connection, policy.document())
            found = preview_policy(connection, chosen, now=clock(request))
    except PolicyInvalid as invalid:
        raise policy_problem(invalid) from None
    return PreviewOut.of(found)


@router.post(
    "/api/v1/tiers/apply",
    response_model=AppliedOut,
    responses={409: {"description": "no policy has been saved yet"}},
)
def apply(request: Request, principal: Writer) -> AppliedOut:
    """Put every account in its tier under the saved policy; re-qualify the people of the
    accounts that moved (their MQL/SQL thresholds depend on the tier).  Audited."""
    try:
        with request.app.state.engine.begin() as connection:
            done = apply_policy(connection, now=clock(request), actor=actor_of(request, principal))
    except LookupError as missing:
        raise Problem(409, str(missing)) from None
    found = PreviewOut.of(done.preview)
    return AppliedOut(
        **found.model_dump(),
        policy_id=done.policy_id,
        contacts_requalified=done.requalified.contacts,
        stage_changes=done.requalified.stage_changes,
    )


@router.get("/api/v1/tiers/pyramid", response_model=PyramidOut)
def get_pyramid(request: Request, _: Reader) -> PyramidOut:
    """Accounts and contacts per value tier and needs segment."""
    with request.app.state.engine.connect() as connection:
        found = pyramid(connection)
    tiers = []
    for tier in ALL_TIERS:
        total = found.tier_total(tier)
        cells = [
            CellCount(
                needs_segment=key,
                accounts=found.cell(tier, key).accounts,
                contacts=found.cell(tier, key).contacts,
            )
            for key, _label in found.columns
        ]
        tiers.append(
            TierCount(tier=tier, accounts=total.accounts, contacts=total.contacts, cells=cells)
        )
    return PyramidOut(
        columns=[ColumnOut(slug=key, name=label) for key, label in found.columns],
        tiers=tiers,
        contacts_without_account=found.contacts_without_account,
    )
