"""Statements for programmes, their versions, enrolments and enrolment history.

Hot paths are set-based: enrolling a segment is one INSERT … SELECT of the
members not enrolled yet; the tick reads one batch of due enrolments through
the partial index on ``due_at`` (active rows only), writes their history
with one executemany and moves them on with another.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Row,
    Select,
    and_,
    func,
    insert,
    literal,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from silverplatter.storage import writer_locks
from silverplatter.storage.nurture_schema import (
    email_templates,
    enrolment_steps,
    enrolments,
    programme_versions,
    programmes,
)
from silverplatter.storage.rows import insert_returning_ids, one_of
from silverplatter.storage.schema import contacts, users
from silverplatter.storage.types import UtcDateTime

#: Any constant: the PostgreSQL advisory lock one programme writer holds at a time.
PROGRAMME_LOCK: Final = 0x9206E
LIVE: Final = ("active", "paused")
p = programmes.c
e = enrolments.c
h = enrolment_steps.c
#: ``status = 'active'`` written out, so both planners use the partial index on ``due_at``.
ACTIVE: Final = literal_column("enrolments.status") == literal_column("'active'")


def lock(connection: Connection, *, wait: bool = True) -> bool:
    """Take the programmes' writer lock for this transaction; False if busy (``wait=False``).

    On PostgreSQL an advisory lock; on SQLite the database's write lock,
    taken by a write that changes nothing.
    """
    return writer_locks.take(connection, PROGRAMME_LOCK, programmes, wait=wait)


# ---------------------------------------------------------------- programmes


def _programme_columns() -> Select[Any]:
    return select(
        p.id,
        p.slug,
        p.name,
        p.description,
        p.status,
        p.template,
        p.definition,
        p.version,
        p.created_at,
        p.updated_at,
        users.c.name.label("author_name"),
    ).outerjoin(users, users.c.id == p.created_by)


def programme_rows(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(_programme_columns().order_by(p.name, p.id)))


def programme_row(connection: Connection, programme_id: int) -> Row[Any] | None:
    return connection.execute(_programme_columns().where(p.id == programme_id)).first()


def programme_by_slug(connection: Connection, slug: str) -> Row[Any] | None:
    return connection.execute(_programme_columns().where(p.slug == slug)).first()


def slug_taken(connection: Connection, slug: str) -> bool:
    return connection.execute(select(p.id).where(p.slug == slug)).first() is not None


def insert_programme(connection: Connection, values: Mapping[str, Any]) -> int:
    return insert_returning_ids(connection, programmes, [values])[0]


def update_programme(connection: Connection, programme_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(update(programmes).where(p.id == programme_id).values(**values))


def live_rows(connection: Connection, *, statuses: Sequence[str] = ("active",)) -> list[Row[Any]]:
    """Programmes of these statuses with their definitions."""
    query = select(p.id, p.slug, p.name, p.status, p.definition, p.version).where(
        p.status.in_(list(statuses))
    )
    return list(connection.execute(query.order_by(p.id)))


def definitions_of(connection: Connection, programme_ids: Iterable[int]) -> dict[int, Row[Any]]:
    wanted = sorted(set(programme_ids))
    if not wanted:
        return {}
    query: Select[Any] = select(p.id, p.slug, p.name, p.status, p.definition, p.version)
    query = query.where(p.id.in_(wanted))
    return {row.id: row for row in connection.execute(query)}


def insert_version(
    connection: Connection,
    programme_id: int,
    version: int,
    definition: Mapping[str, Any],
    *,
    user_id: int | None,
    now: datetime,
) -> None:
    connection.execute(
        insert(programme_versions).values(
            programme_id=programme_id,
            version=version,
            definition=dict(definition),
            created_by=user_id,
            created_at=now,
        )
    )


def version_rows(connection: Connection, programme_id: int) -> list[Row[Any]]:
    v = programme_versions.c
    query = (
        select(v.version, v.definition, v.created_at, users.c.name.label("author_name"))
        .outerjoin(users, users.c.id == v.created_by)
        .where(v.programme_id == programme_id)
        .order_by(v.version.desc())
    )
    return list(connection.execute(query))


def enrolment_counts(connection: Connection) -> dict[int, dict[str, int]]:
    """programme id → enrolments per status."""
    found: dict[int, dict[str, int]] = {}
    query = select(e.programme_id, e.status, func.count()).group_by(e.programme_id, e.status)
    for programme_id, status, count in connection.execute(query):
        found.setdefault(int(programme_id), {})[str(status)] = int(count)
    return found


def step_counts(connection: Connection, programme_id: int) -> dict[str, int]:
    """step id → how many live enrolments are due to run it next."""
    query = (
        select(e.step, func.count())
        .where(e.programme_id == programme_id, e.status.in_(LIVE), e.step.is_not(None))
        .group_by(e.step)
    )
    return {str(step): int(count) for step, count in connection.execute(query)}


# ---------------------------------------------------------------- enrolling


def enrol(
    connection: Connection,
    *,
    programme_id: int,
    version: int,
    first_step: str,
    members: Select[Any],
    now: datetime,
    parameters: Mapping[str, Any] | None = None,
) -> int:
    """Enrol every contact ``members`` selects that has never been in the programme.

    The unique (programme, contact) index skips those enrolled before (``ON
    CONFLICT DO NOTHING``).  An anti-join to ``enrolments`` itself would be
    planned as a scan of the table the statement is filling on PostgreSQL
    (quadratic: 212 s for 100,000 contacts).  ``WHERE true`` keeps SQLite
    from reading ``ON CONFLICT`` as part of the SELECT.
    """
    chosen = members.subquery()
    contact_id = next(iter(chosen.c))
    rows = select(
        literal(programme_id).label("programme_id"),
        contact_id,
        literal("active").label("status"),
        literal(first_step).label("step"),
        literal(now, UtcDateTime).label("due_at"),
        literal(version).label("programme_version"),
        literal(now, UtcDateTime).label("entered_at"),
    ).where(true())
    columns = [
        "programme_id",
        "contact_id",
        "status",
        "step",
        "due_at",
        "programme_version",
        "entered_at",
    ]
    build: Any = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = (
        build(enrolments)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["programme_id", "contact_id"])
    )
    # An INSERT's rowcount is kept only when asked for.
    result = connection.execute(
        statement.execution_options(preserve_rowcount=True), dict(parameters or {})
    )
    return int(result.rowcount or 0)


def contacts_among(connection: Connection, contact_ids: Sequence[int]) -> Select[Any]:
    """A members SELECT of the given contact ids (bind them as ``keys``)."""
    return select(contacts.c.id).where(one_of(connection, contacts.c.id))


# ---------------------------------------------------------------- the tick


def due_batch(connection: Connection, now: datetime, limit: int) -> list[Row[Any]]:
    """The active enrolments due by ``now``, the longest overdue first."""
    query = (
        select(e.id, e.programme_id, e.contact_id, e.step, e.due_at)
        .where(ACTIVE, e.due_at <= now)
        # The index's own order: a tie-breaking column would make PostgreSQL sort every
        # enrolment due at the same moment (a whole programme activated at once).
        .order_by(e.due_at)
        .limit(limit)
    )
    return list(connection.execute(query))


def due_count(connection: Connection, now: datetime) -> int:
    query = select(func.count()).select_from(enrolments).where(ACTIVE, e.due_at <= now)
    return int(connection.execute(query).scalar_one())


class _Instants:
    """Instants as the driver takes them, each distinct one converted once.

    The tick writes thousands of rows per batch that share a handful of
    instants; converting them once (and the rows' JSON once) and handing the
    rows to the driver's executemany is several times faster than letting
    every parameter of every row pass through its column type.
    """

    def __init__(self, connection: Connection) -> None:
        processor: Any = enrolments.c.due_at.type.bind_processor(connection.dialect)
        self._convert: Any = processor or (lambda value: value)
        self._seen: dict[datetime, Any] = {}

    def __call__(self, value: datetime | None) -> Any:
        if value is None:
            return None
        found = self._seen.get(value)
        if found is None:
            found = self._seen[value] = self._convert(value)
        return found


#: The tick's two hot statements: on SQLite (in this process) one executemany of
#: single-row statements; on PostgreSQL one statement over arrays, a round trip each.
_MOVE: Final = {
    "sqlite": "UPDATE enrolments SET status = ?, step = ?, due_at = ?, left_at = ?, "
    "exit_reason = ? WHERE id = ?",
    "postgresql": "UPDATE enrolments SET status = v.status, step = v.step, due_at = v.due_at, "
    "left_at = v.left_at, exit_reason = v.exit_reason "
    "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[], %s::timestamptz[], "
    "%s::text[]) AS v(id, status, step, due_at, left_at, exit_reason) "
    "WHERE enrolments.id = v.id",
}
_HISTORY: Final = {
    "sqlite": "INSERT INTO enrolment_steps (enrolment_id, step, action, at, detail) "
    "VALUES (?, ?, ?, ?, ?)",
    "postgresql": "INSERT INTO enrolment_steps (enrolment_id, step, action, at, detail) "
    "SELECT v.enrolment_id, v.step, v.action, v.at, v.detail::jsonb "
    "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[], %s::text[]) "
    "AS v(enrolment_id, step, action, at, detail)",
}


def _run_many(
    connection: Connection, statements: Mapping[str, str], rows: list[tuple[Any, ...]]
) -> None:
    """``rows`` through the dialect's statement: executemany, or columns as arrays."""
    name = connection.dialect.name
    if name == "postgresql":
        columns = [list(column) for column in zip(*rows, strict=True)]
        connection.exec_driver_sql(statements[name], tuple(columns))
    else:
        connection.exec_driver_sql(statements[name], rows)


Move = tuple[int, str, str | None, datetime | None, datetime | None, str | None]


def move_enrolments(connection: Connection, moves: Sequence[Move]) -> None:
    """``(id, status, step, due_at, left_at, exit_reason)`` of each enrolment: one executemany."""
    if not moves:
        return
    instant = _Instants(connection)
    rows: list[tuple[Any, ...]]
    if connection.dialect.name == "postgresql":
        rows = [
            (row_id, status, step, due, left, reason)
            for row_id, status, step, due, left, reason in moves
        ]
    else:
        rows = [
            (status, step, instant(due), instant(left), reason, row_id)
            for row_id, status, step, due, left, reason in moves
        ]
    _run_many(connection, _MOVE, rows)


def add_history(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """History rows (``enrolment_id``, ``step``, ``action``, ``at``, ``detail``), at once."""
    if not rows:
        return
    instant = _Instants(connection)
    documents: dict[Any, str] = {}

    def document(detail: Mapping[str, Any]) -> str:
        # Many rows of a batch carry the same detail (the arm taken, the template sent).
        try:
            key: Any = tuple(sorted(detail.items()))
            hash(key)
        except TypeError:
            return json.dumps(detail)
        found = documents.get(key)
        if found is None:
            found = documents[key] = json.dumps(detail)
        return found

    _run_many(
        connection,
        _HISTORY,
        [
            (
                row["enrolment_id"],
                row["step"],
                row["action"],
                instant(row["at"]),
                document(row["detail"]),
            )
            for row in rows
        ],
    )


def template_ids(connection: Connection, slugs: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(slugs))
    if not wanted:
        return {}
    t = email_templates.c
    query = select(t.slug, t.id).where(t.slug.in_(wanted))
    return {str(slug): int(template_id) for slug, template_id in connection.execute(query)}


# ---------------------------------------------------------------- status and edits


def set_status(
    connection: Connection,
    programme_id: int,
    *,
    from_statuses: Sequence[str],
    to: str,
    now: datetime,
    reason: str | None = None,
) -> int:
    """Move the programme's enrolments of ``from_statuses`` to ``to`` (an exit when it ends)."""
    values: dict[str, Any] = {"status": to}
    if to in ("exited", "completed"):
        values.update(left_at=now, exit_reason=reason, due_at=None)
    result = connection.execute(
        update(enrolments)
        .where(e.programme_id == programme_id, e.status.in_(list(from_statuses)))
        .values(**values)
    )
    return int(result.rowcount or 0)


def live_steps(connection: Connection, programme_id: int) -> list[str]:
    """The distinct next steps live enrolments of a programme point at."""
    query = (
        select(e.step)
        .where(e.programme_id == programme_id, e.status.in_(LIVE), e.step.is_not(None))
        .distinct()
    )
    return [str(step) for step in connection.execute(query).scalars()]


def history_from(
    connection: Connection,
    where: Any,
    *,
    step: Any,
    action: str,
    detail: Mapping[str, Any],
    now: datetime,
) -> None:
    """One history row for each enrolment ``where`` selects (before it is changed)."""
    rows = select(
        e.id,
        step,
        literal(action).label("action"),
        literal(now, UtcDateTime).label("at"),
        literal(dict(detail), enrolment_steps.c.detail.type).label("detail"),
    ).where(where)
    connection.execute(
        insert(enrolment_steps).from_select(
            ["enrolment_id", "step", "action", "at", "detail"], rows
        )
    )


def restep(
    connection: Connection,
    programme_id: int,
    moves: Mapping[str, str | None],
    *,
    version: int,
    now: datetime,
) -> dict[str, int]:
    """Live enrolments at a removed step move on: ``moves`` maps it to its new step (or None).

    Those with somewhere to go keep their due time; the others complete
    (reason ``edited: no later step``).  Every live enrolment takes the new
    version.  Returns how many moved and how many completed.
    """
    moved = finished = 0
    live = and_(e.programme_id == programme_id, e.status.in_(LIVE))
    for old, new in sorted(moves.items()):
        at = and_(live, e.step == old)
        detail = {"from": old, "to": new, "version": version}
        history_from(
            connection,
            at,
            step=literal(old),
            action="moved" if new else "completed",
            detail=detail,
            now=now,
        )
        if new is None:
            values: dict[str, Any] = {
                "status": "completed",
                "step": None,
                "due_at": None,
                "left_at": now,
                "exit_reason": "edited: no later step",
            }
            finished += int(
                connection.execute(update(enrolments).where(at).values(**values)).rowcount or 0
            )
        else:
            moved += int(
                connection.execute(update(enrolments).where(at).values(step=new)).rowcount or 0
            )
    connection.execute(update(enrolments).where(live).values(programme_version=version))
    return {"moved": moved, "completed": finished}


# ---------------------------------------------------------------- exits


def exit_contacts(
    connection: Connection,
    contact_ids: Sequence[int],
    *,
    reason: str,
    now: datetime,
    programme_ids: Sequence[int] | None = None,
) -> int:
    """End the live enrolments of these contacts (in every programme, or the given ones)."""
    if not contact_ids:
        return 0
    where = and_(e.status.in_(LIVE), one_of(connection, e.contact_id))
    if programme_ids is not None:
        where = and_(where, e.programme_id.in_(list(programme_ids)))
    keys = {"keys": sorted(set(contact_ids))}
    rows = select(
        e.id,
        func.coalesce(e.step, ""),
        literal("exited"),
        literal(now, UtcDateTime),
        literal({"reason": reason}, enrolment_steps.c.detail.type),
    ).where(where)
    connection.execute(
        insert(enrolment_steps).from_select(
            ["enrolment_id", "step", "action", "at", "detail"], rows
        ),
        keys,
    )
    values = {"status": "exited", "due_at": None, "left_at": now, "exit_reason": reason}
    result = connection.execute(update(enrolments).where(where).values(**values), keys)
    return int(result.rowcount or 0)


__all__ = [
    "ACTIVE",
    "LIVE",
    "add_history",
    "contacts_among",
    "definitions_of",
    "due_batch",
    "due_count",
    "enrol",
    "enrolment_counts",
    "exit_contacts",
    "insert_programme",
    "insert_version",
    "live_rows",
    "live_steps",
    "lock",
    "move_enrolments",
    "programme_by_slug",
    "programme_row",
    "programme_rows",
    "restep",
    "set_status",
    "slug_taken",
    "step_counts",
    "template_ids",
    "update_programme",
    "version_rows",
]
