"""Statements for the scoring model page: the before-picture of a preview, and who did what.

A preview copies every contact's stage and grade into a temporary table,
recomputes, and counts the differences set-based, so it costs one recompute
plus two grouped joins whatever the number of contacts.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Connection, String, column, func, select, table

from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.engagement_schema import contact_scores, scoring_models
from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.recompute_sql import create_temp_as
from silverplatter.storage.schema import contacts, users

SNAPSHOT: Final = "sp_model_preview_before"

_before = table(
    SNAPSHOT,
    column("contact_id"),
    column("stage", String),
    column("grade", String),
)


def take_snapshot(connection: Connection) -> None:
    """Copy every contact's current stage and grade into the snapshot table."""
    statement = select(
        contacts.c.id.label("contact_id"),
        contacts.c.lifecycle_stage.label("stage"),
        contact_scores.c.grade.label("grade"),
    ).select_from(contacts.outerjoin(contact_scores, contact_scores.c.contact_id == contacts.c.id))
    create_temp_as(connection, SNAPSHOT, statement)


def drop_snapshot(connection: Connection) -> None:
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {SNAPSHOT}")


def stage_moves(connection: Connection) -> list[tuple[str, str, int]]:
    """(stage before, stage now, contacts) for every pair that differs."""
    now = contacts.c.lifecycle_stage
    query = (
        select(_before.c.stage, now, func.count())
        .select_from(_before.join(contacts, contacts.c.id == _before.c.contact_id))
        .where(_before.c.stage.is_distinct_from(now))
        .group_by(_before.c.stage, now)
    )
    return [(row[0], row[1], int(row[2])) for row in connection.execute(query)]


def grade_moves(connection: Connection) -> list[tuple[str | None, str | None, int]]:
    """(grade before, grade now, contacts) for every pair that differs; None = not graded."""
    now = contact_scores.c.grade
    query = (
        select(_before.c.grade, now, func.count())
        .select_from(
            _before.outerjoin(contact_scores, contact_scores.c.contact_id == _before.c.contact_id)
        )
        .where(_before.c.grade.is_distinct_from(now))
        .group_by(_before.c.grade, now)
    )
    return [(row[0], row[1], int(row[2])) for row in connection.execute(query)]


def contact_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(contacts)).scalar_one())


def handover_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(handovers)).scalar_one())


def versions_with_authors(
    connection: Connection, *, before: int | None = None, limit: int | None = None
) -> list[Any]:
    """Model versions newest first (older than ``before``), with who saved each."""
    m = scoring_models.c
    query = (
        select(
            m.version,
            m.name,
            m.active,
            m.created_at,
            users.c.name.label("created_by"),
            m.activated_at,
            m.recomputed_at,
        )
        .select_from(scoring_models.outerjoin(users, users.c.id == m.created_by))
        .order_by(m.version.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(m.version < before)
    return list(connection.execute(query))


def activations(connection: Connection) -> list[Any]:
    """Audited model activations, newest first, with the acting user's name."""
    query = (
        select(
            audit_log.c.occurred_at,
            audit_log.c.details,
            users.c.name.label("user_name"),
        )
        .select_from(audit_log.outerjoin(users, users.c.id == audit_log.c.user_id))
        .where(audit_log.c.action == "model.activated")
        .order_by(audit_log.c.id.desc())
    )
    return list(connection.execute(query))
