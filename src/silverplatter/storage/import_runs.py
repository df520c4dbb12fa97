"""Read statements for import runs, and who started each (from the audit log).

The import service writes ``import_runs``; the web runner reads it back here.
Who started a run is not a column of the run: it is the ``import.run`` audit
entry whose subject is :func:`audit_subject` of the run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, String, cast, func, literal, select

from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.schema import import_runs, users

AUDIT_ACTION = "import.run"
_SUBJECT_PREFIX = "import run "


def audit_subject(run_id: int) -> str:
    return f"{_SUBJECT_PREFIX}{run_id}"


def _with_starter() -> Any:
    starter = (
        select(users.c.name)
        .select_from(audit_log.join(users, users.c.id == audit_log.c.user_id))
        .where(
            audit_log.c.action == AUDIT_ACTION,
            audit_log.c.subject == literal(_SUBJECT_PREFIX) + cast(import_runs.c.id, String),
        )
        .order_by(audit_log.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return select(import_runs, starter.label("started_by"))


def latest_run_id(connection: Connection) -> int:
    """The highest run id so far, 0 when there is none."""
    return int(
        connection.execute(select(func.coalesce(func.max(import_runs.c.id), 0))).scalar_one()
    )


def run_started_after(
    connection: Connection, *, after_id: int, source_name: str, object_type: str
) -> int | None:
    """The first run after ``after_id`` of this file name and object type, if it exists yet."""
    found = connection.execute(
        select(import_runs.c.id)
        .where(
            import_runs.c.id > after_id,
            import_runs.c.source_name == source_name,
            import_runs.c.object_type == object_type,
        )
        .order_by(import_runs.c.id)
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def run_by_id(connection: Connection, run_id: int) -> Row[Any] | None:
    return connection.execute(_with_starter().where(import_runs.c.id == run_id)).first()


def runs_page(connection: Connection, *, before_id: int | None, limit: int) -> list[Row[Any]]:
    """Runs newest first, keyset-paginated by id."""
    query = _with_starter().order_by(import_runs.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(import_runs.c.id < before_id)
    return list(connection.execute(query))
