"""Set-based re-qualification of everyone at a set of accounts, from the stored state.

The statements behind ``services/requalify.py``: what the lead engine's
incremental path (``services/scoring.evaluate``) does per contact in Python,
done for all the people at the given accounts at once, without reading the
event log.  Each contact's score is its stored decayed sums seen from ``now``
(Σ value · 2^((valid − now)/half-life)), the account roll-up is recomputed
from those scores and the account's own stored sums, the grade is the stored
one (graded from the profile when it was stored under another model or not at
all), and the readiness conditions are the ones the full recompute uses
(``storage/readiness_sql.qualification_case``).  Three temporary tables:
the accounts, their people with their facts, and the facts with the account
roll-up and the qualification they come to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    distinct,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    table,
    update,
)

from silverplatter.domain.engagement import DAY
from silverplatter.domain.grades import GRADE_LETTERS, threshold_level
from silverplatter.domain.scoring_model import ScoringModel
from silverplatter.storage.engagement import half_life_key
from silverplatter.storage.engagement_schema import account_scores, contact_scores
from silverplatter.storage.readiness_sql import qualification_case
from silverplatter.storage.recompute_sql import create_temp_as
from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import accounts, contacts
from silverplatter.storage.scoring_sql import grade_level, power2

ACCOUNTS_TABLE: Final = "sp_requalify_accounts"
PEOPLE_TABLE: Final = "sp_requalify_people"
FACTS_TABLE: Final = "sp_requalify_facts"
_PEOPLE_COLUMNS: Final = (
    "contact_id",
    "account_id",
    "seniority",
    "decision_role",
    "tier",
    "grade_level",
    "score",
    "flags",
    "engaged",
    "touches",
    "scored",
)
_FACTS_COLUMNS: Final = (
    *_PEOPLE_COLUMNS,
    "account_engaged",
    "roles_covered",
    "account_score",
    "bant_complete",
    "qualification",
    "needs",
)
_chosen = table(ACCOUNTS_TABLE, column("account_id", Integer))
_people = table(PEOPLE_TABLE, *(column(name) for name in _PEOPLE_COLUMNS))
facts = table(FACTS_TABLE, *(column(name) for name in _FACTS_COLUMNS))


def _summed(document: Any, key: str, index: int, dialect: str) -> Any:
    """Element ``index`` of the ``[value, micros]`` pair under ``key`` of a sums document."""
    if dialect == "postgresql":
        pair = document.op("->")(literal(key, String))
        return cast(pair.op("->>")(literal_column(str(index))), Float(precision=53))
    return cast(func.json_extract(document, f'$."{key}"[{index}]'), Float)


def decayed_score(document: Any, half_lives: Sequence[float], at: float, dialect: str) -> Any:
    """The score a stored sums document comes to at ``at`` (0 without a document)."""
    total: Any = literal(0.0, Float)
    for half_life in half_lives:
        key = half_life_key(half_life)
        value = _summed(document, key, 0, dialect)
        valid = _summed(document, key, 1, dialect) / 1_000_000.0
        total = total + case(
            (value.is_(None), 0.0),
            (value == 0.0, 0.0),
            else_=value * power2((valid - at) / (half_life * DAY)),
        )
    return total


def _empty_object(dialect: str) -> Any:
    return func.jsonb_build_object() if dialect == "postgresql" else func.json_object()


def _empty_array(dialect: str) -> Any:
    return func.jsonb_build_array() if dialect == "postgresql" else func.json_array()


def _profile() -> dict[str, Any]:
    return {
        "account.industry": accounts.c.industry,
        "account.country": accounts.c.country,
        "account.employees": accounts.c.employees,
        "account.annual_revenue": accounts.c.annual_revenue,
        "account.value_tier": accounts.c.value_tier,
        "account.needs_segment": accounts.c.needs_segment,
        "account.status": accounts.c.status,
        "account.custom": accounts.c.custom,
        "contact.seniority": contacts.c.seniority,
        "contact.department": contacts.c.department,
        "contact.decision_role": contacts.c.decision_role,
        "contact.country": contacts.c.country,
        "contact.title": contacts.c.title,
        "contact.custom": contacts.c.custom,
    }


def letter(level: Any) -> Any:
    return case(*((level == number, grade) for number, grade in enumerate(GRADE_LETTERS)))


def stage_accounts(connection: Connection, account_ids: Sequence[int]) -> None:
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {ACCOUNTS_TABLE}")
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {ACCOUNTS_TABLE} (account_id INTEGER PRIMARY KEY)"
    )
    for start in range(0, len(account_ids), IN_CHUNK):
        chunk = account_ids[start : start + IN_CHUNK]
        connection.execute(insert(_chosen), [{"account_id": account_id} for account_id in chunk])


def stage_facts(
    connection: Connection,
    model: ScoringModel,
    model_version: int,
    half_lives: Sequence[float],
    bant: Any,
    *,
    now: datetime,
) -> int:
    """The people at the staged accounts with everything their readiness reads; how many.

    ``bant`` is a selectable of the ``contact_id`` whose BANT is complete.
    """
    dialect = connection.dialect.name
    at = now.timestamp()
    cs = contact_scores.c
    graded = case(
        (and_(cs.model_version == model_version, cs.grade_level.is_not(None)), cs.grade_level),
        else_=grade_level(model.grading, _profile(), dialect),
    )
    people = select(
        contacts.c.id.label("contact_id"),
        contacts.c.account_id.label("account_id"),
        contacts.c.seniority.label("seniority"),
        contacts.c.decision_role.label("decision_role"),
        accounts.c.value_tier.label("tier"),
        graded.label("grade_level"),
        decayed_score(cs.sums, half_lives, at, dialect).label("score"),
        func.coalesce(cs.flags, _empty_object(dialect)).label("flags"),
        func.coalesce(cs.engaged, false()).label("engaged"),
        func.coalesce(cs.touches, 0).label("touches"),
        cs.contact_id.is_not(None).label("scored"),
    ).select_from(
        contacts.join(_chosen, _chosen.c.account_id == contacts.c.account_id)
        .join(accounts, accounts.c.id == contacts.c.account_id)
        .outerjoin(contact_scores, cs.contact_id == contacts.c.id)
    )
    create_temp_as(connection, PEOPLE_TABLE, people)
    p = _people.c
    engaged = p.score >= model.account.engaged_contact_score
    wanted = and_(engaged, p.decision_role.in_(model.account.roles or ["-"]))
    rollup = (
        select(
            p.account_id.label("account_id"),
            func.sum(p.score).label("total"),
            func.count(case((engaged, 1))).label("engaged"),
            func.count(distinct(case((wanted, p.decision_role)))).label("roles"),
        )
        .group_by(p.account_id)
        .subquery("rollup")
    )
    own = decayed_score(account_scores.c.sums, half_lives, at, dialect)
    with_rollup = select(
        *(p[name] for name in _PEOPLE_COLUMNS),
        func.coalesce(rollup.c.engaged, 0).label("account_engaged"),
        func.coalesce(rollup.c.roles, 0).label("roles_covered"),
        (own + func.coalesce(rollup.c.total, 0.0)).label("account_score"),
        (bant.c.contact_id.is_not(None)).label("bant_complete"),
    ).select_from(
        _people.join(rollup, rollup.c.account_id == p.account_id)
        .outerjoin(account_scores, account_scores.c.account_id == p.account_id)
        .outerjoin(bant, bant.c.contact_id == p.contact_id)
    )
    staged = "sp_requalify_base"
    create_temp_as(connection, staged, with_rollup)
    base = table(staged, *(column(name) for name in _FACTS_COLUMNS[:-2]))
    qualification, needs = qualification_case(model, base, dialect, at)
    create_temp_as(
        connection,
        FACTS_TABLE,
        select(*base.c, qualification.label("qualification"), needs.label("needs")),
    )
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {staged}")
    return int(connection.execute(select(func.count()).select_from(facts)).scalar_one())


def save_qualifications(
    connection: Connection, model: ScoringModel, model_version: int, *, now: datetime
) -> None:
    """Write the staged qualifications: update the stored states that change, add the
    missing ones."""
    dialect = connection.dialect.name
    f = facts.c
    cs = contact_scores.c
    connection.execute(
        update(contact_scores)
        .where(
            cs.contact_id == f.contact_id,
            or_(
                cs.qualification.is_distinct_from(f.qualification),
                cs.needs_qualification.is_distinct_from(f.needs),
                cs.grade_level.is_distinct_from(f.grade_level),
                cs.model_version != model_version,
            ),
        )
        .values(
            qualification=f.qualification,
            needs_qualification=f.needs,
            grade_level=f.grade_level,
            grade=letter(f.grade_level),
            model_version=model_version,
        )
    )
    silence = model.silence
    silent: Any = literal(False)
    if silence is not None and silence.touches_at_least <= 0:
        silent = f.grade_level >= threshold_level(silence.min_grade)
    missing = select(
        f.contact_id,
        literal(model_version),
        f.grade_level,
        letter(f.grade_level),
        literal(0.0, Float),
        literal(now, contact_scores.c.evaluated_at.type),
        _empty_object(dialect),
        _empty_object(dialect),
        literal(False),
        literal(None, Float),
        literal(0),
        _empty_array(dialect),
        silent,
        f.qualification,
        f.needs,
    ).where(f.scored == false())
    connection.execute(
        insert(contact_scores).from_select(
            [
                "contact_id",
                "model_version",
                "grade_level",
                "grade",
                "score",
                "evaluated_at",
                "sums",
                "flags",
                "engaged",
                "last_engaged_ts",
                "touches",
                "recent_touches",
                "silent",
                "qualification",
                "needs_qualification",
            ],
            missing,
        )
    )


def staged_contacts() -> Any:
    """``SELECT contact_id`` of the staged people (for the stage moves)."""
    return select(facts.c.contact_id)


def drop_staged(connection: Connection) -> None:
    for name in (FACTS_TABLE, "sp_requalify_base", PEOPLE_TABLE, ACCOUNTS_TABLE):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


__all__ = [
    "decayed_score",
    "drop_staged",
    "facts",
    "save_qualifications",
    "stage_accounts",
    "stage_facts",
    "staged_contacts",
]
