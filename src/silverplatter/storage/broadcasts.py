"""Statements for broadcasts: rows, the set-based expansion into the ledger, figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Row,
    Select,
    String,
    and_,
    cast,
    distinct,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from silverplatter.storage.nurture_schema import broadcasts, email_templates, mail_sends
from silverplatter.storage.schema import contacts, events, users
from silverplatter.storage.segment_schema import segments

b, m = broadcasts.c, mail_sends.c
author = users.alias("broadcast_author")


def _rows() -> Select[Any]:
    return (
        select(
            broadcasts,
            email_templates.c.name.label("template_name"),
            segments.c.name.label("segment_name"),
            author.c.name.label("author_name"),
        )
        .outerjoin(email_templates, email_templates.c.id == b.template_id)
        .outerjoin(segments, segments.c.id == b.segment_id)
        .outerjoin(author, author.c.id == b.created_by)
    )


def broadcast_row(connection: Connection, broadcast_id: int) -> Row[Any] | None:
    return connection.execute(_rows().where(b.id == broadcast_id)).first()


def broadcast_rows(connection: Connection, limit: int = 200) -> list[Row[Any]]:
    """Newest first."""
    return list(connection.execute(_rows().order_by(b.created_at.desc(), b.id.desc()).limit(limit)))


def due_ids(connection: Connection, now: datetime) -> list[int]:
    return [
        int(value)
        for value in connection.execute(
            select(b.id)
            .where(b.status == "scheduled", b.scheduled_at <= now)
            .order_by(b.scheduled_at, b.id)
        ).scalars()
    ]


def claim_start(connection: Connection, broadcast_id: int, now: datetime) -> bool:
    """``scheduled`` → ``sending`` for exactly one worker."""
    result = connection.execute(
        update(broadcasts)
        .where(b.id == broadcast_id, b.status == "scheduled")
        .values(status="sending", started_at=now, updated_at=now)
    )
    return bool(result.rowcount)


def _domain_of(connection: Connection) -> Any:
    email = contacts.c.email
    if connection.dialect.name == "postgresql":
        part = func.split_part(email, "@", 2)
    else:
        part = func.substr(email, func.instr(email, "@") + 1)
    return func.lower(part)


def expand(
    connection: Connection,
    broadcast_id: int,
    template_id: int,
    members: Select[Any],
    now: datetime,
) -> int:
    """One INSERT … SELECT of a send per member with an address; how many the broadcast has."""
    chosen = members.subquery()
    key = literal(f"broadcast:{broadcast_id}:", String) + cast(contacts.c.id, String)
    rows = select(
        key.label("dedupe_key"),
        literal(template_id, Integer).label("template_id"),
        literal(broadcast_id, Integer).label("broadcast_id"),
        contacts.c.id.label("contact_id"),
        _domain_of(connection).label("to_domain"),
        literal("queued", String).label("status"),
        literal(0, Integer).label("attempts"),
        literal(now, mail_sends.c.not_before.type).label("not_before"),
        literal(now, mail_sends.c.created_at.type).label("created_at"),
    ).where(
        contacts.c.id.in_(select(chosen.c[0])),
        contacts.c.email != "",
    )
    columns = [
        "dedupe_key",
        "template_id",
        "broadcast_id",
        "contact_id",
        "to_domain",
        "status",
        "attempts",
        "not_before",
        "created_at",
    ]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(mail_sends)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    connection.execute(statement)
    # rowcount of INSERT … SELECT … ON CONFLICT is not reported on every driver: count.
    return int(
        connection.execute(
            select(func.count()).select_from(mail_sends).where(m.broadcast_id == broadcast_id)
        ).scalar_one()
    )


def set_values(connection: Connection, broadcast_id: int, **values: Any) -> None:
    connection.execute(update(broadcasts).where(b.id == broadcast_id).values(**values))


def unfinished(connection: Connection, broadcast_id: int) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(mail_sends)
            .where(m.broadcast_id == broadcast_id, m.status.in_(("queued", "sending")))
        ).scalar_one()
    )


def sending_ids(connection: Connection) -> list[int]:
    return [int(v) for v in connection.execute(select(b.id).where(b.status == "sending")).scalars()]


def _event_sends(event_type: str, broadcast_id: int) -> Any:
    """Distinct sends of the broadcast with at least one event of ``event_type``."""
    send = events.c.properties["send_id"].as_integer()
    return (
        select(func.count(distinct(send)))
        .select_from(events)
        .join(mail_sends, and_(m.id == send, m.broadcast_id == broadcast_id))
        .where(events.c.type == event_type)
    )


def engagement(connection: Connection, broadcast_id: int) -> dict[str, int]:
    """How many of its messages were opened, clicked and unsubscribed from."""
    return {
        name: int(connection.execute(_event_sends(kind, broadcast_id)).scalar_one())
        for name, kind in (
            ("opens", "email_open"),
            ("clicks", "email_click"),
            ("unsubscribes", "email_unsubscribe"),
        )
    }


def _hour(connection: Connection) -> Any:
    if connection.dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", events.c.occurred_at))
    return func.strftime("%Y-%m-%dT%H:00:00", events.c.occurred_at)


def hourly(connection: Connection, broadcast_id: int) -> list[tuple[str, str, int]]:
    """(hour, event type, distinct sends) of opens and clicks, oldest hour first."""
    send = events.c.properties["send_id"].as_integer()
    hour = _hour(connection).label("hour")
    rows = connection.execute(
        select(hour, events.c.type, func.count(distinct(send)))
        .select_from(events)
        .join(mail_sends, and_(m.id == send, m.broadcast_id == broadcast_id))
        .where(events.c.type.in_(("email_open", "email_click")))
        .group_by(hour, events.c.type)
        .order_by(hour, events.c.type)
    )
    found: list[tuple[str, str, int]] = []
    for when, kind, count in rows:
        text = when.strftime("%Y-%m-%dT%H:00:00") if isinstance(when, datetime) else str(when)
        found.append((text, str(kind), int(count)))
    return found


__all__ = [
    "broadcast_row",
    "broadcast_rows",
    "claim_start",
    "due_ids",
    "engagement",
    "expand",
    "hourly",
    "sending_ids",
    "set_values",
    "unfinished",
]
