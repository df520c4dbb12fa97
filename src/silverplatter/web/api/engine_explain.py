"""``GET /api/v1/contacts/{id}/explanation``: "why is this 72/B, and what now?" as JSON.

The whole of :func:`~silverplatter.services.explain.explain_contact`: the
grade criterion by criterion, the score rule by rule (faded to now, capped
buckets shown), the thresholds of the account's tier met and missing, flags,
silence, the lifecycle, the latest BANT, the buying window, why now and the
next step; with the reality check for a sales-ready lead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from silverplatter.domain.explanation import CappedBucket, Contribution
from silverplatter.domain.readiness import Check
from silverplatter.services.explain import Explanation, explain_contact, why_now_text
from silverplatter.services.reality_check import RealityCheck
from silverplatter.services.sessions import Principal
from silverplatter.web.api.engine_lifecycle import (
    QualificationOut,
    StageMove,
    qualification_out,
    stage_move,
)
from silverplatter.web.api.engine_queue import WindowOut, window_out
from silverplatter.web.api.engine_scope import ContactId, check_contact, database, no_contact
from silverplatter.web.security import clock, requires

router = APIRouter(tags=["explanations"])

Value = str | int | float | bool | None


class PersonOut(BaseModel):
    id: int
    email: str
    name: str | None
    title: str | None
    seniority: str | None
    department: str | None
    decision_role: str | None


class AccountOut(BaseModel):
    id: int
    name: str
    domain: str | None
    tier: str
    owner: str | None
    score: float
    engaged_contacts: int


class GradeLineOut(BaseModel):
    label: str
    field: str
    value: Value
    #: match, mismatch or unknown.
    outcome: str
    #: The step this criterion moves the grade, such as ``+2/3``.
    step: str


class GradeOut(BaseModel):
    letter: str
    start: str
    lines: list[GradeLineOut]


class BucketOut(BaseModel):
    period: str
    starts_at: datetime
    events: int
    raw: float
    counted: float
    value: float
    capped: bool


class ContributionOut(BaseModel):
    rule: str
    events: int
    #: Points counted before fading (capped rules: after the cap).
    points: float
    #: Points left now.
    value: float
    half_life_days: float
    buying_stage: str | None
    last_event_at: datetime
    buckets: list[BucketOut]


class ScoreOut(BaseModel):
    #: Re-derived from the events: the sum of the contributions.
    value: float
    #: What the engine's stored state gives now.
    engine_value: float
    contributions: list[ContributionOut]


class CheckOut(BaseModel):
    text: str
    met: bool


class ThresholdsOut(BaseModel):
    tier: str
    #: What the engine qualifies the contact as now: subscriber, lead, mql or sql.
    qualification: str
    needs_qualification: bool
    mql: list[CheckOut]
    sql: list[CheckOut]
    missing_for_mql: list[str]
    missing_for_sql: list[str]


class SimilarOut(BaseModel):
    grade_band: str
    score_band: str
    sample: int
    converted: int
    share: float | None
    words: str


class RealityCheckOut(BaseModel):
    buying_stage: str | None
    buying_stage_words: str
    stage_shares: dict[str, float]
    first_touch_at: datetime | None
    sql_at: datetime | None
    measured_to: datetime
    days_to_sql: float | None
    touches_before_sql: int
    law_of_29: str
    cost: float
    currency: str
    costed_events: int
    uncosted_types: list[str]
    similar: SimilarOut


class ExplanationOut(BaseModel):
    at: datetime
    model_version: int
    contact: PersonOut
    account: AccountOut | None
    grade: GradeOut
    score: ScoreOut
    thresholds: ThresholdsOut
    flags: list[str]
    silent: bool
    silence_reason: str
    stage: str
    stage_history: list[StageMove]
    bant: QualificationOut | None
    bant_missing: list[str]
    buying_window: WindowOut | None
    #: The latest behaviour that scored and the SQL conditions met; for sales-ready leads.
    why_now: str | None
    next_step: str
    reality_check: RealityCheckOut | None


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _value(value: object) -> Value:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _bucket(bucket: CappedBucket) -> BucketOut:
    return BucketOut(
        period=bucket.period,
        starts_at=_moment(bucket.starts_at),
        events=bucket.events,
        raw=bucket.raw,
        counted=bucket.counted,
        value=bucket.value,
        capped=bucket.capped,
    )


def _contribution(found: Contribution) -> ContributionOut:
    return ContributionOut(
        rule=found.rule,
        events=found.events,
        points=found.points,
        value=found.value,
        half_life_days=found.half_life_days,
        buying_stage=found.buying_stage,
        last_event_at=_moment(found.last_event_at),
        buckets=[_bucket(bucket) for bucket in found.buckets],
    )


def _checks(checks: tuple[Check, ...]) -> list[CheckOut]:
    return [CheckOut(text=check.text, met=check.met) for check in checks]


def _reality(check: RealityCheck | None) -> RealityCheckOut | None:
    if check is None:
        return None
    similar = check.similar
    return RealityCheckOut(
        buying_stage=check.buying_stage,
        buying_stage_words=check.buying_stage_words,
        stage_shares=dict(check.stage_shares),
        first_touch_at=check.first_touch_at,
        sql_at=check.sql_at,
        measured_to=check.measured_to,
        days_to_sql=check.days_to_sql,
        touches_before_sql=check.touches_before_sql,
        law_of_29=check.law_of_29,
        cost=check.cost,
        currency=check.currency,
        costed_events=check.costed_events,
        uncosted_types=list(check.uncosted_types),
        similar=SimilarOut(
            grade_band=similar.grade_band,
            score_band=similar.score_band,
            sample=similar.sample,
            converted=similar.converted,
            share=similar.share,
            words=similar.words,
        ),
    )


def explanation_out(found: Explanation) -> ExplanationOut:
    person, account = found.contact, found.account
    missing = found.thresholds_missing
    ready = "sql" in (found.stage, found.qualification) or found.stage == "sal"
    return ExplanationOut(
        at=found.at,
        model_version=found.model_version,
        contact=PersonOut(
            id=person.id,
            email=person.email,
            name=person.name,
            title=person.title,
            seniority=person.seniority,
            department=person.department,
            decision_role=person.decision_role,
        ),
        account=None
        if account is None
        else AccountOut(
            id=account.id,
            name=account.name,
            domain=account.domain,
            tier=account.tier,
            owner=account.owner,
            score=account.score,
            engaged_contacts=account.engaged_contacts,
        ),
        grade=GradeOut(
            letter=found.grade,
            start=found.grade_start,
            lines=[
                GradeLineOut(
                    label=line.label,
                    field=line.field,
                    value=_value(line.value),
                    outcome=line.outcome,
                    step=line.step,
                )
                for line in found.grade_lines
            ],
        ),
        score=ScoreOut(
            value=found.score,
            engine_value=found.engine_score,
            contributions=[_contribution(item) for item in found.contributions],
        ),
        thresholds=ThresholdsOut(
            tier=found.tier,
            qualification=found.qualification,
            needs_qualification=found.needs_qualification,
            mql=_checks(found.mql),
            sql=_checks(found.sql),
            missing_for_mql=list(missing["mql"]),
            missing_for_sql=list(missing["sql"]),
        ),
        flags=list(found.flags),
        silent=found.silent,
        silence_reason=found.silence_reason,
        stage=found.stage,
        stage_history=[stage_move(record) for record in found.stage_history],
        bant=qualification_out(found.bant) if found.bant is not None else None,
        bant_missing=list(found.bant_missing),
        buying_window=window_out(found.buying_window, found.at.date()),
        why_now=why_now_text(found.contributions, found.sql, found.at.timestamp())
        if ready
        else None,
        next_step=found.next_step,
        reality_check=_reality(found.reality_check),
    )


@router.get(
    "/api/v1/contacts/{contact_id}/explanation",
    response_model=ExplanationOut,
    summary="Why this grade, this score, this stage, and what now",
)
def get_explanation(
    request: Request,
    contact_id: ContactId,
    principal: Annotated[Principal, Depends(requires("queue:read"))],
) -> ExplanationOut:
    with database(request).begin() as connection:
        check_contact(connection, principal, contact_id)
        try:
            found = explain_contact(connection, contact_id, now=clock(request))
        except LookupError:
            raise no_contact(contact_id) from None
    return explanation_out(found)


__all__ = ["ExplanationOut", "explanation_out", "router"]
