"""Readiness: which stage the thresholds of a contact's account tier put it at.

The outcome is the *qualification* the engine computes — ``subscriber``,
``lead``, ``mql`` or ``sql`` — a pure function of the facts at one moment.
SQL needs one more thing than its thresholds (domain §5): a hard CTA, or a
complete BANT record; without either the contact stays MQL and is marked as
needing re-qualification.  Each condition also explains itself, met or not.
"""

from __future__ import annotations

from dataclasses import dataclass

from silverplatter.domain.grades import letter_of, threshold_level
from silverplatter.domain.scoring_model import Condition, ScoringModel, TierThresholds


@dataclass(frozen=True, slots=True)
class ReadinessFacts:
    tier: str
    grade_level: int
    score: float
    flags: frozenset[str]
    engaged: bool
    touches: int
    seniority: str | None
    decision_role: str | None
    engaged_contacts_at_account: int
    roles_covered_at_account: int
    account_score: float
    bant_complete: bool


@dataclass(frozen=True, slots=True)
class Check:
    """One leaf condition with whether it held: "score 36.2 ≥ 35"."""

    text: str
    met: bool


@dataclass(frozen=True, slots=True)
class Readiness:
    """The qualification; the checks behind it are worded only when asked for."""

    qualification: str
    needs_qualification: bool
    thresholds: TierThresholds
    facts: ReadinessFacts

    @property
    def mql(self) -> tuple[Check, ...]:
        return explain(self.thresholds.mql, self.facts)

    @property
    def sql(self) -> tuple[Check, ...]:
        return explain(self.thresholds.sql, self.facts)


def _listed(values: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(values))


def _as_set(value: str | list[str]) -> set[str]:
    return {value} if isinstance(value, str) else set(value)


def _leaves(condition: Condition, facts: ReadinessFacts) -> list[Check]:
    checks: list[Check] = []
    if condition.score is not None:
        checks.append(
            Check(f"score {facts.score:.1f} ≥ {condition.score:g}", facts.score >= condition.score)
        )
    if condition.grade is not None:
        met = facts.grade_level >= threshold_level(condition.grade)
        checks.append(Check(f"grade {letter_of(facts.grade_level)} ≥ {condition.grade}", met))
    if condition.flag is not None:
        checks.append(Check(f"flag {condition.flag}", condition.flag in facts.flags))
    if condition.engaged is not None:
        checks.append(Check("has engaged", facts.engaged == condition.engaged))
    if condition.touches is not None:
        met = facts.touches >= condition.touches
        checks.append(Check(f"touches {facts.touches} ≥ {condition.touches}", met))
    if condition.contact_seniority is not None:
        wanted = _as_set(condition.contact_seniority)
        met = facts.seniority in wanted
        text = f"seniority {facts.seniority or '—'} is one of {_listed(wanted)}"
        checks.append(Check(text, met))
    if condition.contact_decision_role is not None:
        wanted = _as_set(condition.contact_decision_role)
        met = facts.decision_role in wanted
        text = f"decision role {facts.decision_role or '—'} is one of {_listed(wanted)}"
        checks.append(Check(text, met))
    if condition.engaged_contacts_at_account is not None:
        count, needed = facts.engaged_contacts_at_account, condition.engaged_contacts_at_account
        checks.append(Check(f"engaged contacts at account {count} ≥ {needed}", count >= needed))
    if condition.roles_covered_at_account is not None:
        count, needed = facts.roles_covered_at_account, condition.roles_covered_at_account
        checks.append(Check(f"decision roles covered {count} ≥ {needed}", count >= needed))
    if condition.account_score is not None:
        met = facts.account_score >= condition.account_score
        text = f"account score {facts.account_score:.1f} ≥ {condition.account_score:g}"
        checks.append(Check(text, met))
    if condition.bant is not None:
        checks.append(Check("BANT complete", facts.bant_complete))
    return checks


def _leaves_hold(condition: Condition, facts: ReadinessFacts) -> bool:
    """Whether every leaf of ``condition`` holds; the same tests as :func:`_leaves`, no words."""
    c = condition
    return (
        (c.score is None or facts.score >= c.score)
        and (c.grade is None or facts.grade_level >= threshold_level(c.grade))
        and (c.flag is None or c.flag in facts.flags)
        and (c.engaged is None or facts.engaged == c.engaged)
        and (c.touches is None or facts.touches >= c.touches)
        and (c.contact_seniority is None or facts.seniority in _as_set(c.contact_seniority))
        and (
            c.contact_decision_role is None
            or facts.decision_role in _as_set(c.contact_decision_role)
        )
        and (
            c.engaged_contacts_at_account is None
            or facts.engaged_contacts_at_account >= c.engaged_contacts_at_account
        )
        and (
            c.roles_covered_at_account is None
            or facts.roles_covered_at_account >= c.roles_covered_at_account
        )
        and (c.account_score is None or facts.account_score >= c.account_score)
        and (c.bant is None or facts.bant_complete)
    )


def holds(condition: Condition, facts: ReadinessFacts) -> bool:
    if not _leaves_hold(condition, facts):
        return False
    if condition.all is not None and not all(holds(part, facts) for part in condition.all):
        return False
    return condition.any is None or any(holds(part, facts) for part in condition.any)


def explain(condition: Condition, facts: ReadinessFacts) -> tuple[Check, ...]:
    """Every leaf of the condition, in file order, with whether it held."""
    checks = _leaves(condition, facts)
    for part in (condition.all or []) + (condition.any or []):
        checks.extend(explain(part, facts))
    return tuple(checks)


def qualify(model: ScoringModel, facts: ReadinessFacts) -> Readiness:
    tier = model.thresholds.for_tier(facts.tier)
    hard_cta = model.lifecycle.hard_cta_flag in facts.flags
    if holds(tier.sql, facts):
        if hard_cta or facts.bant_complete:
            return Readiness("sql", False, tier, facts)
        return Readiness("mql", True, tier, facts)
    if holds(tier.mql, facts):
        return Readiness("mql", False, tier, facts)
    if holds(tier.lead, facts):
        return Readiness("lead", False, tier, facts)
    return Readiness("subscriber", False, tier, facts)


def is_silent(
    model: ScoringModel,
    grade_level: int,
    touches_in_window: int,
    last_engaged_at: float | None,
    now: float,
) -> bool:
    """Silence speaks (domain §4): a well-fitting contact touched again and again, no reaction."""
    silence = model.silence
    if silence is None or grade_level < threshold_level(silence.min_grade):
        return False
    if touches_in_window < silence.touches_at_least:
        return False
    return last_engaged_at is None or last_engaged_at <= now - silence.within_days * 86_400.0
