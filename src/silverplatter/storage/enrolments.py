"""Statements that read enrolments for people: a programme's enrolments page by page,
one enrolment with its history, a contact's programmes, and the owner's tasks.

A ``notify_owner`` step's task is its history row (action ``notified``); the
task is done once a history row with action ``task_done`` and step
``task:<id>`` follows it (see :func:`task_marker`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)

from silverplatter.storage.nurture_schema import enrolment_steps, enrolments, programmes
from silverplatter.storage.schema import accounts, contacts

p = programmes.c
e = enrolments.c
h = enrolment_steps.c


def _contact_name() -> Any:
    c = contacts.c
    named = func.trim(func.coalesce(c.first_name, "") + " " + func.coalesce(c.last_name, ""))
    return case((named == "", c.email), else_=named)


def _enrolments() -> Select[Any]:
    """Enrolments with their contact's name and address."""
    return select(
        e.id,
        e.programme_id,
        e.contact_id,
        e.status,
        e.step,
        e.due_at,
        e.programme_version,
        e.entered_at,
        e.left_at,
        e.exit_reason,
        _contact_name().label("contact_name"),
        contacts.c.email,
    ).join(contacts, contacts.c.id == e.contact_id)


def enrolment_page(
    connection: Connection,
    programme_id: int,
    *,
    status: str | None,
    after: int,
    limit: int,
) -> list[Row[Any]]:
    """Enrolments of a programme by id, with the contact's name."""
    query = (
        _enrolments()
        .where(e.programme_id == programme_id, e.id > after)
        .order_by(e.id)
        .limit(limit)
    )
    if status:
        query = query.where(e.status == status)
    return list(connection.execute(query))


def enrolment_row(connection: Connection, enrolment_id: int) -> Row[Any] | None:
    query = (
        _enrolments()
        .add_columns(p.name.label("programme_name"), p.slug.label("programme_slug"))
        .join(programmes, p.id == e.programme_id)
        .where(e.id == enrolment_id)
    )
    return connection.execute(query).first()


def history_rows(connection: Connection, enrolment_id: int) -> list[Row[Any]]:
    query = (
        select(h.id, h.step, h.action, h.at, h.detail)
        .where(h.enrolment_id == enrolment_id)
        .order_by(h.at, h.id)
    )
    return list(connection.execute(query))


def contact_enrolments(connection: Connection, contact_id: int) -> list[Row[Any]]:
    query = (
        select(
            e.id,
            e.programme_id,
            e.status,
            e.step,
            e.due_at,
            e.entered_at,
            e.left_at,
            e.exit_reason,
            p.name.label("programme_name"),
            p.definition,
            p.version,
        )
        .join(programmes, p.id == e.programme_id)
        .where(e.contact_id == contact_id)
        .order_by(e.entered_at.desc(), e.id.desc())
    )
    return list(connection.execute(query))


def task_marker(task_id: int) -> str:
    """The ``step`` of the history row that marks task ``task_id`` done."""
    return f"task:{task_id}"


def _tasks() -> Select[Any]:
    done = enrolment_steps.alias("done")
    finished = exists().where(
        done.c.enrolment_id == h.enrolment_id,
        done.c.action == "task_done",
        done.c.step == literal("task:") + cast(h.id, String),
    )
    return (
        select(
            h.id,
            h.enrolment_id,
            h.step,
            h.at,
            h.detail,
            finished.label("done"),
            e.contact_id,
            _contact_name().label("contact_name"),
            p.name.label("programme_name"),
        )
        .join(enrolments, e.id == h.enrolment_id)
        .join(contacts, contacts.c.id == e.contact_id)
        .join(programmes, p.id == e.programme_id)
        .where(h.action == "notified")
    )


def contact_tasks(connection: Connection, contact_id: int, limit: int = 50) -> list[Row[Any]]:
    """The tasks programmes gave about one contact, newest first."""
    query = _tasks().where(e.contact_id == contact_id).order_by(h.at.desc(), h.id.desc())
    return list(connection.execute(query.limit(limit)))


def _theirs(user_id: int) -> Any:
    c = contacts.c
    return or_(
        c.owner_id == user_id,
        and_(
            c.owner_id.is_(None),
            c.account_id.in_(select(accounts.c.id).where(accounts.c.owner_id == user_id)),
        ),
    )


def owner_tasks(connection: Connection, user_id: int, limit: int = 200) -> list[Row[Any]]:
    """Tasks about the contacts a user owns (or, for unowned contacts, whose account they own)."""
    query = _tasks().where(_theirs(user_id)).order_by(h.at.desc(), h.id.desc())
    return list(connection.execute(query.limit(limit)))


def task_of_owner(connection: Connection, task_id: int, user_id: int) -> bool:
    query = _tasks().where(h.id == task_id, _theirs(user_id))
    return connection.execute(query).first() is not None


def task_row(connection: Connection, task_id: int) -> Row[Any] | None:
    return connection.execute(_tasks().where(h.id == task_id)).first()


__all__ = [
    "contact_enrolments",
    "contact_tasks",
    "enrolment_page",
    "enrolment_row",
    "history_rows",
    "owner_tasks",
    "task_marker",
    "task_of_owner",
    "task_row",
]
