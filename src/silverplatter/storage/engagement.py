"""Statements for the engagement state: load what the engine needs, write what it computed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, or_, select
from sqlalchemy.dialects import sqlite

from silverplatter.domain.engagement import DecayedSum
from silverplatter.domain.engagement_state import SubjectState
from silverplatter.storage import json_rows
from silverplatter.storage.engagement_schema import account_scores, contact_scores, score_buckets
from silverplatter.storage.rows import one_of, rows_keyed_by
from silverplatter.storage.schema import accounts, contacts

#: Profile columns the grading criteria and readiness conditions read.
PROFILE_COLUMNS = (
    contacts.c.id,
    contacts.c.account_id,
    contacts.c.seniority,
    contacts.c.department,
    contacts.c.decision_role,
    contacts.c.country,
    contacts.c.title,
    contacts.c.custom,
    contacts.c.lifecycle_stage,
    accounts.c.industry.label("account_industry"),
    accounts.c.country.label("account_country"),
    accounts.c.employees.label("account_employees"),
    accounts.c.annual_revenue.label("account_annual_revenue"),
    accounts.c.value_tier.label("account_value_tier"),
    accounts.c.needs_segment.label("account_needs_segment"),
    accounts.c.status.label("account_status"),
    accounts.c.custom.label("account_custom"),
)


def profile_of(row: Row[Any]) -> dict[str, Any]:
    """A contact row with its account as the flat profile grading reads."""
    return {
        "contact.seniority": row.seniority,
        "contact.department": row.department,
        "contact.decision_role": row.decision_role,
        "contact.country": row.country,
        "contact.title": row.title,
        "contact.custom": row.custom or {},
        "account.industry": row.account_industry,
        "account.country": row.account_country,
        "account.employees": row.account_employees,
        "account.annual_revenue": row.account_annual_revenue,
        "account.value_tier": row.account_value_tier,
        "account.needs_segment": row.account_needs_segment,
        "account.status": row.account_status,
        "account.custom": row.account_custom or {},
    }


def contacts_for_scoring(
    connection: Connection, contact_ids: Iterable[int], account_ids: Iterable[int]
) -> list[Row[Any]]:
    """Profiles and stored scores of the given contacts and of every contact at the accounts."""
    wanted_contacts = sorted(set(contact_ids))
    wanted_accounts = sorted(set(account_ids))
    statement = select(*PROFILE_COLUMNS, *[c for c in contact_scores.c if c.name != "contact_id"])
    statement = statement.select_from(
        contacts.outerjoin(accounts, accounts.c.id == contacts.c.account_id).outerjoin(
            contact_scores, contact_scores.c.contact_id == contacts.c.id
        )
    )
    found: dict[int, Any] = {}
    for column, wanted in (
        (contacts.c.id, wanted_contacts),
        (contacts.c.account_id, wanted_accounts),
    ):
        if wanted:
            chosen = statement.where(one_of(connection, column))
            for row in connection.execute(chosen, {"keys": wanted}):
                found[row.id] = row
    return list(found.values())


def account_members(connection: Connection, account_ids: Iterable[int]) -> list[Row[Any]]:
    """Everyone at the accounts as the roll-up reads them: id, account, decision role, sums.

    The roll-up needs each member's score, not its profile or the rest of its
    state: reading only the stored sums decodes one JSON document a member
    instead of five (``contacts_for_scoring``), and a batch of events touches
    about ten members for each contact it is about.
    """
    wanted = sorted(set(account_ids))
    statement = select(
        contacts.c.id, contacts.c.account_id, contacts.c.decision_role, contact_scores.c.sums
    ).select_from(contacts.outerjoin(contact_scores, contact_scores.c.contact_id == contacts.c.id))
    if not wanted:
        return []
    statement = statement.where(one_of(connection, contacts.c.account_id))
    return list(connection.execute(statement, {"keys": wanted}))


def account_rows(connection: Connection, account_ids: Iterable[int]) -> dict[int, Row[Any]]:
    wanted = sorted(set(account_ids))
    if not wanted:
        return {}
    statement = (
        select(accounts.c.id, accounts.c.value_tier, *account_scores.c)
        .select_from(
            accounts.outerjoin(account_scores, account_scores.c.account_id == accounts.c.id)
        )
        .where(one_of(connection, accounts.c.id))
    )
    return {row.id: row for row in connection.execute(statement, {"keys": wanted})}


def micros(moment: float) -> int:
    """An engine time as whole microseconds, the form times take inside JSON documents.

    JSON numbers written by SQLite keep 15 significant digits, too few for a
    time in seconds; an integer count of microseconds round-trips exactly.
    """
    return round(moment * 1_000_000)


def seconds(count: int | float) -> float:
    return count / 1_000_000


def state_of(row: Row[Any] | None) -> SubjectState:
    """The stored state of a ``contact_scores`` or ``account_scores`` row (empty if none)."""
    if row is None or row.sums is None:
        return SubjectState()
    fields = row._mapping  # an account's row has no touches: .get, not a failing getattr
    touches = fields.get("recent_touches") or []
    return SubjectState(
        sums={
            float(key): DecayedSum(pair[0], seconds(pair[1]))
            for key, pair in row.sums.items()
            if pair is not None
        },
        flags={
            name: seconds(moment)
            for name, moment in (row.flags or {}).items()
            if moment is not None
        },
        engaged=bool(fields.get("engaged", False)),
        last_engaged_at=fields.get("last_engaged_ts"),
        touches=int(fields.get("touches", 0) or 0),
        recent_touches={seconds(moment): int(count) for moment, count in sorted(touches)},
    )


def score_from_sums(sums: Mapping[str, Any] | None, moment: float) -> float:
    """A stored ``sums`` document's score at ``moment``: exactly ``state_of(row).score_at``."""
    if not sums:
        return SubjectState().score_at(moment)
    return sum(
        DecayedSum(pair[0], seconds(pair[1])).at(moment, float(key))
        for key, pair in sums.items()
        if pair is not None
    )


def sums_document(state: SubjectState) -> dict[str, list[float]]:
    return {
        half_life_key(half_life): [total.value, micros(total.valid_at)]
        for half_life, total in sorted(state.sums.items())
        if total.valid_at is not None
    }


def half_life_key(half_life: float) -> str:
    """The JSON key of a half-life: ``45.0`` → ``"45"``, ``0.5`` → ``"0.5"``."""
    return f"{half_life:g}"


def load_buckets(
    connection: Connection, subject: str, keys: Iterable[tuple[int, int, float]]
) -> dict[tuple[int, int, float], float]:
    """Stored raw points of ``(subject id, rule, bucket start)`` buckets."""
    wanted = sorted(set(keys))
    found: dict[tuple[int, int, float], float] = {}
    columns = (score_buckets.c.subject_id, score_buckets.c.rule, score_buckets.c.bucket_ts)
    if connection.dialect.name == "postgresql" and wanted:
        return json_rows.matching(
            connection, score_buckets, {"subject": subject}, columns, wanted, "points"
        )
    # Each key looked up on its own in the primary key (``rows_keyed_by``: SQLite
    # tested every stored bucket against a row-value IN list).
    for row in rows_keyed_by(
        connection,
        score_buckets,
        columns,
        wanted,
        where=score_buckets.c.subject == subject,
        selected=[*columns, score_buckets.c.points],
    ):
        found[(row.subject_id, row.rule, row.bucket_ts)] = row.points
    return found


def _upsert(
    connection: Connection, table: Any, rows: Sequence[Mapping[str, Any]], keys: list[str]
) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        json_rows.upsert(connection, table, rows, keys)
        return
    statement = sqlite.insert(table)
    updates = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    connection.execute(
        statement.on_conflict_do_update(index_elements=keys, set_=updates), list(rows)
    )


def save_buckets(
    connection: Connection, subject: str, buckets: Mapping[tuple[int, int, float], float]
) -> None:
    rows = [
        {"subject": subject, "subject_id": sid, "rule": rule, "bucket_ts": ts, "points": points}
        for (sid, rule, ts), points in buckets.items()
    ]
    _upsert(connection, score_buckets, rows, ["subject", "subject_id", "rule", "bucket_ts"])


def save_contact_scores(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    _upsert(connection, contact_scores, rows, ["contact_id"])


def save_account_scores(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    _upsert(connection, account_scores, rows, ["account_id"])


def contact_score_row(connection: Connection, contact_id: int) -> Row[Any] | None:
    return connection.execute(
        select(contact_scores).where(contact_scores.c.contact_id == contact_id)
    ).first()


def scored_contacts(
    connection: Connection, contact_ids: Iterable[int] | None = None
) -> list[Row[Any]]:
    statement = select(contact_scores, contacts.c.lifecycle_stage).join(
        contacts, contacts.c.id == contact_scores.c.contact_id
    )
    if contact_ids is not None:
        statement = statement.where(or_(contact_scores.c.contact_id.in_(sorted(set(contact_ids)))))
    return list(connection.execute(statement.order_by(contact_scores.c.contact_id)))
