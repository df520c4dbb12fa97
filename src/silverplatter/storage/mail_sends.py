"""Statements of the send ledger (``mail_sends``): queue, claim, settle, count.

A row is one message to one contact, queued by a broadcast or a programme's
step and rendered only when it is sent (``services/sending.py``).  Claiming
is a conditional update (``queued`` → ``sending``), so any number of workers
may claim at once without two taking the same row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Select,
    bindparam,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.orm import aliased

from silverplatter.storage.commit_then import commit_then
from silverplatter.storage.nurture_schema import mail_sends
from silverplatter.storage.rows import insert_if_new
from silverplatter.storage.schema import accounts, contacts, users

STATUSES = ("queued", "sending", "sent", "suppressed", "failed", "bounced")

m = mail_sends.c

#: How often ``claim_due`` picks again when another worker took every row it picked.
_PICKS = 5


def add_send(connection: Connection, values: Mapping[str, Any]) -> int | None:
    """Insert one ledger row unless its dedupe key is there already; its id, or None."""
    added = insert_if_new(connection, mail_sends, dict(values), ["dedupe_key"])
    if not added:
        return None
    return int(
        connection.execute(select(m.id).where(m.dedupe_key == values["dedupe_key"])).scalar_one()
    )


def requeue_stale(connection: Connection, now: datetime, timeout: timedelta) -> int:
    """Claims older than ``timeout`` go back to the queue (their worker died); how many."""
    result = connection.execute(
        update(mail_sends)
        .where(m.status == "sending", m.claimed_at <= now - timeout)
        .values(status="queued", claimed_at=None)
    )
    return int(result.rowcount)


def claim_due(connection: Connection, now: datetime, size: int) -> list[int]:
    """Mark up to ``size`` of the oldest due rows ``sending``; their ids, oldest first.

    The ids are picked first (on PostgreSQL skipping rows another worker holds)
    and updated by list: a ``LIMIT … SKIP LOCKED`` subquery inside the UPDATE
    may be run again by the planner and take more than ``size`` rows.  On
    SQLite two workers may pick the same rows; the one that updates second
    finds them taken and picks again (an empty answer means nothing is due,
    and ends the worker's pass).
    """
    due = (
        select(m.id)
        .where(m.status == "queued", m.not_before <= now)
        .order_by(m.not_before, m.id)
        .limit(size)
    )
    if connection.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    for _attempt in range(_PICKS):
        picked = [int(value) for value in connection.execute(due).scalars()]
        if not picked:
            return []
        claimed = (
            connection.execute(
                update(mail_sends)
                .where(m.id.in_(picked), m.status == "queued")
                .values(status="sending", claimed_at=now, attempts=m.attempts + 1)
                .returning(m.id)
            )
            .scalars()
            .all()
        )
        if claimed:
            return sorted(int(value) for value in claimed)
    return []


def _person_columns(owner: Any) -> list[Any]:
    return [
        contacts.c.email,
        contacts.c.first_name,
        contacts.c.last_name,
        contacts.c.title,
        contacts.c.department,
        contacts.c.seniority,
        contacts.c.decision_role,
        contacts.c.country,
        contacts.c.custom,
        accounts.c.name.label("account_name"),
        accounts.c.domain.label("account_domain"),
        accounts.c.industry.label("account_industry"),
        accounts.c.country.label("account_country"),
        accounts.c.value_tier.label("account_value_tier"),
        accounts.c.needs_segment.label("account_needs_segment"),
        owner.c.name.label("owner_name"),
        owner.c.email.label("owner_email"),
    ]


def recipients_query() -> Select[Any]:
    """Each send with what its message is made from: the contact, the account, the owner."""
    owner = aliased(users)
    return (
        select(
            m.id,
            m.dedupe_key,
            m.template_id,
            m.broadcast_id,
            m.enrolment_id,
            m.step,
            m.contact_id,
            m.to_domain,
            m.attempts,
            *_person_columns(owner),
        )
        .select_from(mail_sends)
        .outerjoin(contacts, contacts.c.id == m.contact_id)
        .outerjoin(accounts, accounts.c.id == contacts.c.account_id)
        .outerjoin(owner, owner.c.id == func.coalesce(contacts.c.owner_id, accounts.c.owner_id))
    )


def recipient_of(connection: Connection, contact_id: int) -> Row[Any] | None:
    """What a message to ``contact_id`` is made from (a preview, a test send)."""
    owner = aliased(users)
    return connection.execute(
        select(contacts.c.id.label("contact_id"), *_person_columns(owner))
        .select_from(contacts)
        .outerjoin(accounts, accounts.c.id == contacts.c.account_id)
        .outerjoin(owner, owner.c.id == func.coalesce(contacts.c.owner_id, accounts.c.owner_id))
        .where(contacts.c.id == contact_id)
    ).first()


def claimed_rows(connection: Connection, ids: Sequence[int]) -> list[Row[Any]]:
    """The rows of ``ids`` with their recipients, in id order."""
    if not ids:
        return []
    return list(
        connection.execute(recipients_query().where(m.id.in_(list(ids))).order_by(m.id)).all()
    )


def settle(connection: Connection, send_id: int, **values: Any) -> None:
    connection.execute(update(mail_sends).where(m.id == send_id).values(**values))


def settle_many(connection: Connection, rows: Sequence[Mapping[str, Any]], **same: Any) -> None:
    """Update several rows in one statement run: each mapping has ``b_id`` and the varying
    values named ``b_<column>``; ``same`` are values every row gets."""
    if not rows:
        return
    varying: dict[str, Any] = {key[2:]: bindparam(key) for key in rows[0] if key != "b_id"}
    connection.execute(
        update(mail_sends).where(m.id == bindparam("b_id")).values(**varying, **same),
        [dict(row) for row in rows],
    )


def settle_sent(
    engine: Engine,
    rows: Sequence[Mapping[str, Any]],
    *,
    sent_at: datetime,
    then: Callable[[], None],
) -> None:
    """Mark rows sent (``b_id``, ``b_message_id`` each) and call ``then`` as soon as that
    commit is done — on PostgreSQL, as soon as it is sent.

    The commit does not wait for the disk: PostgreSQL acknowledges it before
    its WAL is flushed (``synchronous_commit`` off for this transaction),
    and SQLite does not checkpoint inside it (the connection's automatic
    checkpoint is off until ``then`` has run; its other transactions
    checkpoint as usual), and on PostgreSQL ``then`` runs as soon as
    ``COMMIT`` is sent (``storage/commit_then.py``).  A worker killed while its commit
    waits has still committed, so the wait would be a window in which a
    message the ledger calls sent is never finished.  The price: a crash of
    the database server itself may forget the last sent marks of a moment,
    and those messages are sent again once their claims time out.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        every: Any = None
        if sqlite:
            every = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
            connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
        else:
            connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        try:
            settle_many(connection, rows, status="sent", sent_at=sent_at, last_error=None)
            commit_then(connection, then)
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {int(every)}")


def release(connection: Connection, ids: Sequence[int], now: datetime) -> None:
    """Give claimed rows back untried (the server went away before their turn)."""
    if ids:
        connection.execute(
            update(mail_sends)
            .where(m.id.in_(list(ids)), m.status == "sending")
            .values(status="queued", claimed_at=None, not_before=now, attempts=m.attempts - 1)
        )


def due_count(connection: Connection, now: datetime) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(mail_sends)
            .where(m.status == "queued", m.not_before <= now)
        ).scalar_one()
    )


def status_counts(connection: Connection, broadcast_id: int | None = None) -> dict[str, int]:
    """How many sends are in each status (every status, zeros included)."""
    query = select(m.status, func.count()).group_by(m.status)
    if broadcast_id is not None:
        query = query.where(m.broadcast_id == broadcast_id)
    found = {str(status): int(count) for status, count in connection.execute(query)}
    return {status: found.get(status, 0) for status in STATUSES}


def send_of(connection: Connection, send_id: int) -> Row[Any] | None:
    return connection.execute(select(mail_sends).where(m.id == send_id)).first()


def send_by_message_id(connection: Connection, message_id: str) -> Row[Any] | None:
    return connection.execute(select(mail_sends).where(m.message_id == message_id).limit(1)).first()


def latest_send_to(connection: Connection, contact_ids: Sequence[int]) -> Row[Any] | None:
    """The newest send handed over to any of ``contact_ids`` (for a bounce naming no message)."""
    if not contact_ids:
        return None
    return connection.execute(
        select(mail_sends)
        .where(m.contact_id.in_(list(contact_ids)), m.status.in_(("sent", "bounced")))
        .order_by(m.sent_at.desc(), m.id.desc())
        .limit(1)
    ).first()


def cancel_queued(connection: Connection, broadcast_id: int, reason: str) -> int:
    """Queued sends of a broadcast are failed with ``reason``; how many."""
    result = connection.execute(
        update(mail_sends)
        .where(m.broadcast_id == broadcast_id, m.status == "queued")
        .values(status="failed", last_error=literal(reason))
    )
    return int(result.rowcount)


__all__ = [
    "STATUSES",
    "add_send",
    "cancel_queued",
    "claim_due",
    "claimed_rows",
    "due_count",
    "latest_send_to",
    "recipient_of",
    "recipients_query",
    "release",
    "requeue_stale",
    "send_by_message_id",
    "send_of",
    "settle",
    "settle_many",
    "status_counts",
]
