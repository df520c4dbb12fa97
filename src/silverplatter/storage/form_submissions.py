"""Statements for form submissions and the mail and contacts they touch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from silverplatter.storage.capture_schema import form_submissions, forms, outbound_mail
from silverplatter.storage.schema import contacts


def insert_submission(connection: Connection, values: dict[str, Any]) -> int:
    result = connection.execute(
        form_submissions.insert().values(**values).returning(form_submissions.c.id)
    )
    return int(result.scalar_one())


def update_submission(connection: Connection, submission_id: int, values: dict[str, Any]) -> None:
    connection.execute(
        update(form_submissions).where(form_submissions.c.id == submission_id).values(**values)
    )


def submission_with_form(connection: Connection, submission_id: int) -> Row[Any] | None:
    """A submission with its form's slug, name and lead magnet."""
    s = form_submissions.c
    return connection.execute(
        select(
            form_submissions,
            forms.c.slug.label("form_slug"),
            forms.c.name.label("form_name"),
            forms.c.lead_magnet_id,
        )
        .join(forms, forms.c.id == s.form_id)
        .where(s.id == submission_id)
    ).first()


def claim_confirmation(connection: Connection, submission_id: int, now: datetime) -> bool:
    """Mark one unconfirmed submission confirmed; False when someone else already did."""
    s = form_submissions.c
    result = connection.execute(
        update(form_submissions)
        .where(s.id == submission_id, s.opt_in == "unconfirmed")
        .values(opt_in="confirmed", confirmed_at=now)
    )
    return result.rowcount == 1


def confirm_unconfirmed(connection: Connection, contact_id: int, now: datetime) -> int:
    """Mark every submission of the contact that awaited its opt-in as confirmed."""
    s = form_submissions.c
    result = connection.execute(
        update(form_submissions)
        .where(s.contact_id == contact_id, s.opt_in == "unconfirmed")
        .values(opt_in="confirmed", confirmed_at=now)
    )
    return result.rowcount


def submissions_page(
    connection: Connection, form_id: int, *, before_id: int | None, limit: int
) -> list[Row[Any]]:
    """The form's submissions newest first, keyset-paginated, with each contact's address."""
    s = form_submissions.c
    query = (
        select(
            form_submissions,
            contacts.c.email,
            contacts.c.first_name,
            contacts.c.last_name,
        )
        .select_from(form_submissions.outerjoin(contacts, contacts.c.id == s.contact_id))
        .where(s.form_id == form_id)
        .order_by(s.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(s.id < before_id)
    return list(connection.execute(query))


def set_source_if_empty(connection: Connection, contact_id: int, source: str) -> bool:
    """Record how the contact's address was acquired, unless that is already known."""
    result = connection.execute(
        update(contacts)
        .where(contacts.c.id == contact_id, contacts.c.source.is_(None))
        .values(source=source[:200])
    )
    return result.rowcount == 1


def mail_queued_since(connection: Connection, kind: str, contact_id: int, since: datetime) -> bool:
    """Whether a message of this kind was queued for the contact at or after ``since``."""
    m = outbound_mail.c
    found = connection.execute(
        select(m.id)
        .where(m.kind == kind, m.contact_id == contact_id, m.created_at >= since)
        .limit(1)
    ).first()
    return found is not None
