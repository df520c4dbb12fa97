"""Statements counting touches (``domain/touches.py``) per contact, and on an account itself.

Each kind is one grouped statement over its own index: the send ledger by
contact, the events by contact and time (or account and time), the meeting
attendees by contact.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, distinct, func, not_, select

from silverplatter.domain.touches import TOUCH_EVENTS, WINDOW
from silverplatter.storage.nurture_schema import mail_sends
from silverplatter.storage.schema import events, meeting_attendees, meetings

v = events.c


def _counted_event() -> Any:
    """A touch event that is not the ledger's own message or a recorded meeting again."""
    return and_(
        v.type.in_(list(TOUCH_EVENTS)),
        not_(and_(v.type == "email_sent", v.properties["send_id"].as_string().is_not(None))),
        not_(and_(v.type == "meeting_held", v.properties["meeting_id"].as_string().is_not(None))),
    )


def contact_touches(
    connection: Connection, people: Select[Any], *, now: datetime
) -> dict[int, Counter[str]]:
    """Touches by kind of each contact ``people`` (a SELECT of contact ids) selects."""
    since = now - WINDOW
    found: dict[int, Counter[str]] = defaultdict(Counter)
    m = mail_sends.c
    mail = (
        select(m.contact_id, func.count())
        .where(
            m.contact_id.in_(people),
            m.status == "sent",
            m.sent_at > since,
            m.sent_at <= now,
        )
        .group_by(m.contact_id)
    )
    for contact_id, count in connection.execute(mail):
        found[int(contact_id)]["email"] += int(count)
    logged = (
        select(v.contact_id, v.type, func.count())
        .where(v.contact_id.in_(people), v.occurred_at > since, v.occurred_at <= now)
        .where(_counted_event())
        .group_by(v.contact_id, v.type)
    )
    for contact_id, kind, count in connection.execute(logged):
        found[int(contact_id)][TOUCH_EVENTS[kind]] += int(count)
    a, g = meeting_attendees.c, meetings.c
    met = (
        select(a.contact_id, func.count(distinct(g.id)))
        .join(meetings, g.id == a.meeting_id)
        .where(a.contact_id.in_(people), g.occurred_at > since, g.occurred_at <= now)
        .group_by(a.contact_id)
    )
    for contact_id, count in connection.execute(met):
        found[int(contact_id)]["meeting"] += int(count)
    return dict(found)


def account_own_touches(connection: Connection, account_id: int, *, now: datetime) -> Counter[str]:
    """Touch events recorded on the account itself, with no contact."""
    query = (
        select(v.type, func.count())
        .where(
            v.account_id == account_id,
            v.contact_id.is_(None),
            v.occurred_at > now - WINDOW,
            v.occurred_at <= now,
        )
        .where(_counted_event())
        .group_by(v.type)
    )
    counted: Counter[str] = Counter()
    for kind, count in connection.execute(query):
        counted[TOUCH_EVENTS[kind]] += int(count)
    return counted


__all__ = ["account_own_touches", "contact_touches"]
