"""Read statements for a privacy request: every row held about one contact.

Each function returns plain mappings (column → value) in a stable order, so
the export and the erasure see the same rows.  Rows reach the person by
``contact_id`` wherever a table has one; the mail outbox also by address,
and events also by the visitors stitched to the person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, Text, cast, func, or_, select

from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.capture_schema import (
    consent_wordings,
    erasures,
    form_submissions,
    forms,
    lead_magnets,
    outbound_mail,
    suppressions,
    visitors,
)
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.lifecycle_schema import qualifications, stage_transitions
from silverplatter.storage.predictive_schema import contact_predictions
from silverplatter.storage.schema import (
    accounts,
    consent_records,
    contacts,
    events,
    meeting_attendees,
    meetings,
    opportunities,
)
from silverplatter.storage.segment_schema import segment_members, segments

Record = dict[str, Any]


def _records(connection: Connection, statement: Any) -> list[Record]:
    return [dict(row._mapping) for row in connection.execute(statement)]


def contact_row(connection: Connection, contact_id: int, *, lock: bool = False) -> Record | None:
    """The contact's own row; ``lock`` holds it against concurrent writers (PostgreSQL)."""
    statement = select(contacts).where(contacts.c.id == contact_id)
    if lock:
        statement = statement.with_for_update()
    row = connection.execute(statement).first()
    return None if row is None else dict(row._mapping)


def contact_id_by_email(connection: Connection, email_key: str) -> int | None:
    found: int | None = connection.execute(
        select(contacts.c.id).where(contacts.c.email_key == email_key)
    ).scalar_one_or_none()
    return found


def account_reference(connection: Connection, account_id: int | None) -> Record | None:
    if account_id is None:
        return None
    row = connection.execute(
        select(accounts.c.id, accounts.c.name, accounts.c.domain).where(accounts.c.id == account_id)
    ).first()
    return None if row is None else dict(row._mapping)


def _by_contact(
    connection: Connection, table: Table, contact_id: int, order: Sequence[str]
) -> list[Record]:
    statement = (
        select(table)
        .where(table.c.contact_id == contact_id)
        .order_by(*(table.c[name] for name in order))
    )
    return _records(connection, statement)


def consent(connection: Connection, contact_id: int) -> list[Record]:
    return _by_contact(connection, consent_records, contact_id, ("occurred_at", "id"))


def visitor_ids(connection: Connection, contact_id: int) -> list[str]:
    """The anonymous visitors identified as this contact."""
    return list(
        connection.execute(
            select(visitors.c.id).where(visitors.c.contact_id == contact_id).order_by(visitors.c.id)
        ).scalars()
    )


def visitor_rows(connection: Connection, contact_id: int) -> list[Record]:
    return _by_contact(connection, visitors, contact_id, ("first_seen_at", "id"))


def _events_of(contact_id: int, visitors_of: Sequence[str]) -> ColumnElement[bool]:
    mine = events.c.contact_id == contact_id
    if not visitors_of:
        return mine
    return or_(mine, events.c.visitor_id.in_(list(visitors_of)))


def person_events(
    connection: Connection, contact_id: int, visitors_of: Sequence[str]
) -> list[Record]:
    """Every event of the contact or of their visitors, oldest first (``key_hash`` left out)."""
    columns = [column for column in events.c if column.name != "key_hash"]
    statement = (
        select(*columns)
        .where(_events_of(contact_id, visitors_of))
        .order_by(events.c.occurred_at, events.c.id)
    )
    return _records(connection, statement)


def submissions(connection: Connection, contact_id: int) -> list[Record]:
    """The contact's form submissions with the form's slug, name and questions."""
    s = form_submissions.c
    statement = (
        select(
            *s,
            forms.c.slug.label("form_slug"),
            forms.c.name.label("form_name"),
            forms.c.questions.label("form_questions"),
            lead_magnets.c.slug.label("lead_magnet_slug"),
            consent_wordings.c.version.label("consent_wording_version"),
        )
        .select_from(
            form_submissions.join(forms, forms.c.id == s.form_id)
            .outerjoin(lead_magnets, lead_magnets.c.id == forms.c.lead_magnet_id)
            .outerjoin(consent_wordings, consent_wordings.c.id == s.consent_wording_id)
        )
        .where(s.contact_id == contact_id)
        .order_by(s.submitted_at, s.id)
    )
    return _records(connection, statement)


def unlinked_submissions_mentioning(connection: Connection, needle: str) -> list[Record]:
    """Submissions tied to nobody whose answers contain ``needle`` (lower-case)."""
    s = form_submissions.c
    statement = (
        select(s.id, s.answers, forms.c.questions.label("form_questions"))
        .select_from(form_submissions.join(forms, forms.c.id == s.form_id))
        .where(
            s.contact_id.is_(None),
            func.lower(cast(s.answers, Text)).contains(needle, autoescape=True),
        )
    )
    return _records(connection, statement)


def score(connection: Connection, contact_id: int) -> Record | None:
    row = connection.execute(
        select(contact_scores).where(contact_scores.c.contact_id == contact_id)
    ).first()
    return None if row is None else dict(row._mapping)


def prediction(connection: Connection, contact_id: int) -> Record | None:
    """The predictive model's probability for the contact, with its top contributions."""
    row = connection.execute(
        select(contact_predictions).where(contact_predictions.c.contact_id == contact_id)
    ).first()
    return None if row is None else dict(row._mapping)


def segment_memberships(connection: Connection, contact_id: int) -> list[Record]:
    """The segments the contact was added to (snapshots and by hand)."""
    statement = (
        select(segments.c.slug, segments.c.name, segment_members.c.added_at)
        .select_from(segment_members.join(segments, segments.c.id == segment_members.c.segment_id))
        .where(segment_members.c.contact_id == contact_id)
        .order_by(segment_members.c.added_at, segments.c.slug)
    )
    return _records(connection, statement)


def stage_moves(connection: Connection, contact_id: int) -> list[Record]:
    return _by_contact(connection, stage_transitions, contact_id, ("occurred_at", "id"))


def qualification_records(connection: Connection, contact_id: int) -> list[Record]:
    return _by_contact(connection, qualifications, contact_id, ("recorded_at", "id"))


def handover_records(connection: Connection, contact_id: int) -> list[Record]:
    return _by_contact(connection, handovers, contact_id, ("handed_over_at", "id"))


def opportunity_records(connection: Connection, contact_id: int) -> list[Record]:
    return _by_contact(connection, opportunities, contact_id, ("created_at", "id"))


def account_opportunities(connection: Connection, account_id: int) -> list[Record]:
    statement = select(opportunities.c.id, opportunities.c.name, opportunities.c.lost_reason).where(
        opportunities.c.account_id == account_id
    )
    return _records(connection, statement)


def attended_meetings(connection: Connection, contact_id: int) -> list[Record]:
    """Meetings the contact attended, with the name they were recorded under."""
    m, a = meetings.c, meeting_attendees.c
    statement = (
        select(
            m.id,
            m.account_id,
            m.owner_id,
            m.occurred_at,
            m.subject,
            m.notes,
            m.bant,
            m.created_at,
            a.id.label("attendee_id"),
            a.name.label("attendee_name"),
        )
        .select_from(meetings.join(meeting_attendees, a.meeting_id == m.id))
        .where(a.contact_id == contact_id)
        .order_by(m.occurred_at, m.id, a.id)
    )
    return _records(connection, statement)


def meetings_of(connection: Connection, contact_id: int, account_id: int | None) -> list[Record]:
    """Meetings that may mention the contact: attended, or held with their account."""
    m, a = meetings.c, meeting_attendees.c
    attended = select(a.meeting_id).where(a.contact_id == contact_id)
    condition: ColumnElement[bool] = m.id.in_(attended)
    if account_id is not None:
        condition = or_(condition, m.account_id == account_id)
    statement = select(m.id, m.subject, m.notes, m.bant).where(condition).order_by(m.id)
    return _records(connection, statement)


def attendees_of(connection: Connection, meeting_ids: Sequence[int]) -> list[Record]:
    if not meeting_ids:
        return []
    a = meeting_attendees.c
    statement = (
        select(a.id, a.contact_id, a.name).where(a.meeting_id.in_(list(meeting_ids))).order_by(a.id)
    )
    return _records(connection, statement)


def mail_to(connection: Connection, contact_id: int, email_key: str) -> list[Record]:
    """Mail queued or sent to the contact, by contact or by address, oldest first."""
    o = outbound_mail.c
    statement = (
        select(outbound_mail)
        .where(or_(o.contact_id == contact_id, func.lower(o.to_address) == email_key))
        .order_by(o.created_at, o.id)
    )
    return _records(connection, statement)


def suppression(connection: Connection, address_hash: str) -> Record | None:
    s = suppressions.c
    row = connection.execute(
        select(s.reason, s.source, s.created_at).where(s.address_hash == address_hash)
    ).first()
    return None if row is None else dict(row._mapping)


def audit_mentioning(connection: Connection, needles: Sequence[str]) -> list[Record]:
    """Audit entries whose subject or details contain one of ``needles`` (lower-case)."""
    wanted = [needle for needle in needles if needle]
    if not wanted:
        return []
    a = audit_log.c
    text = func.lower(a.subject + " " + cast(a.details, Text))
    statement = (
        select(a.id, a.subject, a.details)
        .where(or_(*(text.contains(needle, autoescape=True) for needle in wanted)))
        .order_by(a.id)
    )
    return _records(connection, statement)


def erasure_of(connection: Connection, contact_id: int) -> Record | None:
    """The record of the contact's erasure, if they were erased."""
    row = connection.execute(
        select(erasures).where(erasures.c.contact_id == contact_id).order_by(erasures.c.id)
    ).first()
    return None if row is None else dict(row._mapping)


__all__ = [
    "Record",
    "account_opportunities",
    "account_reference",
    "attended_meetings",
    "attendees_of",
    "audit_mentioning",
    "consent",
    "contact_id_by_email",
    "contact_row",
    "erasure_of",
    "handover_records",
    "mail_to",
    "meetings_of",
    "opportunity_records",
    "person_events",
    "prediction",
    "qualification_records",
    "score",
    "segment_memberships",
    "stage_moves",
    "submissions",
    "suppression",
    "unlinked_submissions_mentioning",
    "visitor_ids",
    "visitor_rows",
]
