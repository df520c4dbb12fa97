"""Read statements of a privacy request over nurture and customer understanding.

What nurture holds about a person (programme enrolments and their steps, the
send ledger, bounce reports of their address) and their worry profile, by
contact id or address; and the rows of the understanding boards that name a
person only by text (Kano respondents, needs-grid raters), found by exact
address or full name.  ``storage/privacy.py`` covers every other table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, or_, select

from silverplatter.storage.nurture_schema import (
    bounce_reports,
    enrolment_steps,
    enrolments,
    mail_sends,
    programmes,
)
from silverplatter.storage.understanding_schema import (
    contact_worries,
    grid_raters,
    kano_answers,
    worries,
)

Record = dict[str, Any]


def _records(connection: Connection, statement: Any) -> list[Record]:
    return [dict(row._mapping) for row in connection.execute(statement)]


def programme_enrolments(connection: Connection, contact_id: int) -> list[Record]:
    """The contact's enrolments with the programme's slug and name, oldest first."""
    e = enrolments.c
    statement = (
        select(
            *e,
            programmes.c.slug.label("programme_slug"),
            programmes.c.name.label("programme_name"),
        )
        .select_from(enrolments.join(programmes, programmes.c.id == e.programme_id))
        .where(e.contact_id == contact_id)
        .order_by(e.entered_at, e.id)
    )
    return _records(connection, statement)


def steps_of(connection: Connection, enrolment_ids: Sequence[int]) -> list[Record]:
    if not enrolment_ids:
        return []
    s = enrolment_steps.c
    statement = (
        select(enrolment_steps)
        .where(s.enrolment_id.in_(list(enrolment_ids)))
        .order_by(s.enrolment_id, s.at, s.id)
    )
    return _records(connection, statement)


def sends_to(connection: Connection, contact_id: int) -> list[Record]:
    """Nurture mail to the contact (the send ledger), oldest first."""
    s = mail_sends.c
    statement = select(mail_sends).where(s.contact_id == contact_id).order_by(s.created_at, s.id)
    return _records(connection, statement)


def bounces_of(connection: Connection, email_key: str, send_ids: Sequence[int]) -> list[Record]:
    """Bounce reports of the address, or of mail sent to the contact."""
    b = bounce_reports.c
    condition = b.email_key == email_key
    if send_ids:
        condition = or_(condition, b.send_id.in_(list(send_ids)))
    statement = select(bounce_reports).where(condition).order_by(b.received_at, b.id)
    return _records(connection, statement)


def worry_profile(connection: Connection, contact_id: int) -> list[Record]:
    """The contact's decayed worry values with each worry's slug and name."""
    w = contact_worries.c
    statement = (
        select(worries.c.slug, worries.c.name, w.value, w.valid_at)
        .select_from(contact_worries.join(worries, worries.c.id == w.worry_id))
        .where(w.contact_id == contact_id)
        .order_by(worries.c.slug)
    )
    return _records(connection, statement)


def kano_respondents(connection: Connection, names: Sequence[str]) -> list[Record]:
    """Kano answers whose respondent is exactly one of ``names`` (any case)."""
    wanted = [name.lower() for name in names if name]
    if not wanted:
        return []
    k = kano_answers.c
    statement = select(k.id, k.respondent).where(func.lower(k.respondent).in_(wanted))
    return _records(connection, statement)


def grid_raters_named(connection: Connection, names: Sequence[str]) -> list[Record]:
    """Needs-grid raters named exactly one of ``names`` (any case)."""
    wanted = [name.lower() for name in names if name]
    if not wanted:
        return []
    g = grid_raters.c
    statement = select(g.id, g.name).where(func.lower(g.name).in_(wanted))
    return _records(connection, statement)


__all__ = [
    "bounces_of",
    "grid_raters_named",
    "kano_respondents",
    "programme_enrolments",
    "sends_to",
    "steps_of",
    "worry_profile",
]
