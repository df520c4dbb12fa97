"""Explaining a contact: "why is this 72/B, and what now?" (domain §4, §5, §6).

:func:`explain_contact` gathers the grade with its criteria, the score rule
by rule from the contact's own events (points faded to the moment asked
about; capped rules per bucket), the thresholds of the account's tier met
and missing, flags, silence, the lifecycle, the latest BANT, the account's
buying window and the next step in words.  The score is re-derived from the
event log with the active model, counting events up to the moment asked
about; the engine's stored state gives the same number (``engine_score``)
whenever no later event is stored.

:func:`reality_check` (``services/reality_check.py``) adds the packet for a
sales-ready lead; the explanation carries it when the contact is SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from silverplatter.domain.account_rollup import Member, roll_up
from silverplatter.domain.buying_window import BuyingWindow
from silverplatter.domain.explanation import (
    Contribution,
    contributions,
    next_step,
    silence_reason,
)
from silverplatter.domain.grades import describe_step
from silverplatter.domain.grading import grade
from silverplatter.domain.qualification import Bant
from silverplatter.domain.readiness import Check, ReadinessFacts, is_silent, qualify
from silverplatter.services.buying_windows import buying_window_for
from silverplatter.services.lifecycle import StageRecord, stage_history
from silverplatter.services.qualification import bant_complete_contacts, latest_qualification
from silverplatter.services.reality_check import (
    RealityCheck,
    contact_events,
    reality_check,
    reality_check_of,
)
from silverplatter.services.scoring_models import ModelVersion, active_model
from silverplatter.storage import engagement as store
from silverplatter.storage.schema import accounts, contacts, users


@dataclass(frozen=True)
class ContactSummary:
    id: int
    email: str
    name: str | None
    title: str | None
    seniority: str | None
    department: str | None
    decision_role: str | None


@dataclass(frozen=True)
class AccountSummary:
    id: int
    name: str
    domain: str | None
    tier: str
    owner: str | None
    score: float
    engaged_contacts: int


@dataclass(frozen=True)
class GradeLine:
    """One grading criterion: the value seen, match/mismatch/unknown, the step ("+2/3")."""

    label: str
    field: str
    value: object
    outcome: str
    step: str


@dataclass(frozen=True)
class Explanation:
    at: datetime
    model_version: int
    contact: ContactSummary
    account: AccountSummary | None
    tier: str
    grade: str
    grade_start: str
    grade_lines: tuple[GradeLine, ...]
    #: The score re-derived from the events: the sum of ``contributions``.
    score: float
    #: The score the engine's stored state gives at ``at``.
    engine_score: float
    contributions: tuple[Contribution, ...]
    mql: tuple[Check, ...]
    sql: tuple[Check, ...]
    flags: tuple[str, ...]
    silent: bool
    silence_reason: str
    qualification: str
    needs_qualification: bool
    stage: str
    stage_history: tuple[StageRecord, ...]
    bant: Bant | None
    bant_missing: tuple[str, ...]
    buying_window: BuyingWindow | None
    next_step: str
    reality_check: RealityCheck | None

    @property
    def thresholds_missing(self) -> dict[str, tuple[str, ...]]:
        return {
            "mql": tuple(check.text for check in self.mql if not check.met),
            "sql": tuple(check.text for check in self.sql if not check.met),
        }


def find_contact(connection: Connection, email_or_id: str | int) -> int:
    """The id of the contact with this email (any case) or id; ``LookupError`` if none."""
    if isinstance(email_or_id, int) or email_or_id.isdigit():
        where = contacts.c.id == int(email_or_id)
    else:
        where = contacts.c.email_key == email_or_id.strip().lower()
    found = connection.execute(select(contacts.c.id).where(where)).scalar_one_or_none()
    if found is None:
        raise LookupError(f"no contact {email_or_id!r}")
    return int(found)


def _summaries(connection: Connection, contact_id: int) -> tuple[ContactSummary, Any]:
    person = connection.execute(select(contacts).where(contacts.c.id == contact_id)).one()
    name = " ".join(part for part in (person.first_name, person.last_name) if part) or None
    summary = ContactSummary(
        person.id,
        person.email,
        name,
        person.title,
        person.seniority,
        person.department,
        person.decision_role,
    )
    account: Any = None
    if person.account_id is not None:
        account = connection.execute(
            select(accounts.c.id, accounts.c.name, accounts.c.domain, users.c.name.label("owner"))
            .select_from(accounts.outerjoin(users, users.c.id == accounts.c.owner_id))
            .where(accounts.c.id == person.account_id)
        ).one()
    return summary, account


def explain_contact(
    connection: Connection, email_or_id: str | int, *, now: datetime
) -> Explanation:
    """Everything that explains one contact's grade, score, stage and next step at ``now``."""
    contact_id = find_contact(connection, email_or_id)
    version = active_model(connection, now=now)
    model = version.model
    at = now.timestamp()
    summary, account_row = _summaries(connection, contact_id)
    account_id = account_row.id if account_row is not None else None
    rows = {
        row.id: row
        for row in store.contacts_for_scoring(
            connection, [contact_id], [account_id] if account_id is not None else []
        )
    }
    row = rows[contact_id]
    states = {cid: store.state_of(other) for cid, other in rows.items()}
    state = states[contact_id]
    graded = grade(model.grading, store.profile_of(row))
    found = contributions(version.book, contact_events(connection, contact_id, now), at)
    engine_score = state.score_at(at)
    account = None
    facts_account = (0, 0, 0.0)
    tier = "unclassified"
    if account_row is not None:
        own = store.state_of(store.account_rows(connection, [account_row.id]).get(account_row.id))
        rollup = roll_up(
            model,
            own.score_at(at),
            [Member(states[cid].score_at(at), other.decision_role) for cid, other in rows.items()],
        )
        tier = row.account_value_tier or "unclassified"
        facts_account = (rollup.engaged_contacts, len(rollup.roles_covered), rollup.score)
        account = AccountSummary(
            account_row.id,
            account_row.name,
            account_row.domain,
            tier,
            account_row.owner,
            rollup.score,
            rollup.engaged_contacts,
        )
    flags = state.active_flags(at, model.engagement.flag_days)
    bant = latest_qualification(connection, contact_id)
    readiness = qualify(
        model,
        ReadinessFacts(
            tier=tier,
            grade_level=graded.level,
            score=engine_score,
            flags=flags,
            engaged=state.engaged,
            touches=state.touches,
            seniority=row.seniority,
            decision_role=row.decision_role,
            engaged_contacts_at_account=facts_account[0],
            roles_covered_at_account=facts_account[1],
            account_score=facts_account[2],
            bant_complete=bool(bant_complete_contacts(connection, [contact_id])),
        ),
    )
    window = model.silence.within_days if model.silence else 0.0
    touches_in_window = state.touches_within(at, window)
    silent = is_silent(model, graded.level, touches_in_window, state.last_engaged_at, at)
    bant_missing = tuple((bant or Bant()).missing())
    stage = row.lifecycle_stage or "subscriber"
    reality = None
    if "sql" in (stage, readiness.qualification):
        reality = reality_check_of(connection, version, contact_id, found, graded.letter, now=now)
    checks_for_next = readiness.sql if readiness.qualification == "mql" else readiness.mql
    return Explanation(
        at=now,
        model_version=version.version,
        contact=summary,
        account=account,
        tier=tier,
        grade=graded.letter,
        grade_start=model.grading.start,
        grade_lines=tuple(
            GradeLine(line.label, line.field, line.value, line.outcome, describe_step(line.thirds))
            for line in graded.breakdown
        ),
        score=sum((contribution.value for contribution in found), 0.0),
        engine_score=engine_score,
        contributions=found,
        mql=readiness.mql,
        sql=readiness.sql,
        flags=tuple(sorted(flags)),
        silent=silent,
        silence_reason=silence_reason(
            model, graded.level, touches_in_window, state.last_engaged_at, at
        ),
        qualification=readiness.qualification,
        needs_qualification=readiness.needs_qualification,
        stage=stage,
        stage_history=tuple(stage_history(connection, contact_id)),
        bant=bant,
        bant_missing=bant_missing,
        buying_window=buying_window_for(connection, account_id) if account_id else None,
        next_step=next_step(
            stage=stage,
            qualification=readiness.qualification,
            needs_qualification=readiness.needs_qualification,
            silent=silent,
            route_to=model.silence.route_to if model.silence else None,
            sla_working_days=_sla(version, tier),
            why_now=why_now_text(found, readiness.sql, at),
            bant_missing=bant_missing,
            missing_for_next=[check.text for check in checks_for_next if not check.met],
        ),
        reality_check=reality,
    )


def _sla(version: ModelVersion, tier: str) -> int:
    days = version.model.handover.sla_working_days
    return days.get(tier, max(days.values(), default=5))


def why_now_text(found: tuple[Contribution, ...], sql: tuple[Check, ...], at: float) -> str:
    """The latest behaviour that scored, and the SQL conditions it meets."""
    scored = [c for c in found if c.value > 0]
    reasons = []
    if scored:
        latest = max(scored, key=lambda c: (c.last_event_at, c.value))
        days = int((at - latest.last_event_at) // 86_400)
        ago = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
        reasons.append(f"{latest.rule} {ago}")
    met = [check.text for check in sql if check.met]
    if met:
        reasons.append("meets " + ", ".join(met))
    return "; ".join(reasons) or "the SQL thresholds are met"


__all__ = [
    "AccountSummary",
    "ContactSummary",
    "Explanation",
    "GradeLine",
    "RealityCheck",
    "explain_contact",
    "find_contact",
    "reality_check",
]
