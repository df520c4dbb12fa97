"""Readiness conditions compiled to SQL, mirroring ``domain/readiness.py``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, false, literal, or_, true

from silverplatter.domain.engagement import DAY
from silverplatter.domain.grades import threshold_level
from silverplatter.domain.scoring_model import Condition, ScoringModel
from silverplatter.domain.vocabulary import VALUE_TIERS
from silverplatter.storage.scoring_sql import json_number


def _flag_active(facts: Any, name: str, model: ScoringModel, dialect: str, at: float) -> Any:
    raised = json_number(facts.c.flags, name, dialect) / 1_000_000.0
    earliest = at - model.engagement.flag_days * DAY
    return and_(raised.is_not(None), raised <= at, raised >= earliest)


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def condition_sql(
    condition: Condition, facts: Any, model: ScoringModel, dialect: str, at: float
) -> Any:
    parts: list[Any] = []
    if condition.score is not None:
        parts.append(facts.c.score >= condition.score)
    if condition.grade is not None:
        parts.append(facts.c.grade_level >= threshold_level(condition.grade))
    if condition.flag is not None:
        parts.append(_flag_active(facts, condition.flag, model, dialect, at))
    if condition.engaged is not None:
        parts.append(facts.c.engaged == condition.engaged)
    if condition.touches is not None:
        parts.append(facts.c.touches >= condition.touches)
    if condition.contact_seniority is not None:
        parts.append(facts.c.seniority.in_(_as_list(condition.contact_seniority)))
    if condition.contact_decision_role is not None:
        parts.append(facts.c.decision_role.in_(_as_list(condition.contact_decision_role)))
    if condition.engaged_contacts_at_account is not None:
        parts.append(facts.c.account_engaged >= condition.engaged_contacts_at_account)
    if condition.roles_covered_at_account is not None:
        parts.append(facts.c.roles_covered >= condition.roles_covered_at_account)
    if condition.account_score is not None:
        parts.append(facts.c.account_score >= condition.account_score)
    if condition.bant is not None:
        parts.append(facts.c.bant_complete == true())
    if condition.all is not None:
        parts.extend(condition_sql(part, facts, model, dialect, at) for part in condition.all)
    if condition.any is not None:
        parts.append(
            or_(*(condition_sql(part, facts, model, dialect, at) for part in condition.any))
        )
    return and_(true(), *parts)


def qualification_case(model: ScoringModel, facts: Any, dialect: str, at: float) -> tuple[Any, Any]:
    """(qualification, needs re-qualification) for each row of ``facts``."""
    hard = _flag_active(facts, model.lifecycle.hard_cta_flag, model, dialect, at)
    bant = facts.c.bant_complete == true()
    stage_whens = []
    needs_whens = []
    for tier in VALUE_TIERS:
        thresholds = model.thresholds.for_tier(tier)
        sql = condition_sql(thresholds.sql, facts, model, dialect, at)
        mql = condition_sql(thresholds.mql, facts, model, dialect, at)
        lead = condition_sql(thresholds.lead, facts, model, dialect, at)
        in_tier = facts.c.tier == tier
        stage_whens.append(
            (
                in_tier,
                case(
                    (and_(sql, or_(hard, bant)), literal("sql")),
                    (or_(sql, mql), literal("mql")),
                    (lead, literal("lead")),
                    else_=literal("subscriber"),
                ),
            )
        )
        needs_whens.append((in_tier, case((and_(sql, ~or_(hard, bant)), true()), else_=false())))
    return (
        case(*stage_whens, else_=literal("subscriber")),
        case(*needs_whens, else_=false()),
    )
