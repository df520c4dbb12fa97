"""Repeat web visitors at accounts nobody is looking after (domain §11).

An account is listed when its people (known contacts and anonymous visitors
the account is known for) viewed pages on at least ``REPEAT_VISIT_DAYS``
distinct UTC days within the last ``REPEAT_VISIT_WINDOW_DAYS`` days, and its
owner did nothing about it in those days (``storage/owner_activity.py``) —
or it has no owner.  Competitors are never listed.  Most visit days first,
then most page views.  The account's busiest known visitor is the candidate's
contact, so the report can enrol or give a task about a person.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from silverplatter.domain.mining import Candidate, Section
from silverplatter.domain.mining_rules import REPEAT_VISIT_DAYS, REPEAT_VISIT_WINDOW_DAYS
from silverplatter.services.contact_view import full_name
from silverplatter.storage.mining_attention import busiest_visitors, repeat_visits

KEY = "repeat_visitors"
TITLE = "Repeat web visitors nobody follows up"
EXPLANATION = (
    f"Accounts whose people visited the site on {REPEAT_VISIT_DAYS} or more days in the last "
    f"{REPEAT_VISIT_WINDOW_DAYS} days while their owner did nothing about them "
    "(no meeting, deal, stage move, handover or closed task), or that nobody owns."
)


def section(
    connection: Connection, *, now: datetime, limit: int, owner_id: int | None = None
) -> Section:
    """Accounts with repeat visits and no owner attention, most visit days first."""
    since = now - timedelta(days=REPEAT_VISIT_WINDOW_DAYS)
    rows = repeat_visits(
        connection,
        since=since,
        now=now,
        min_days=REPEAT_VISIT_DAYS,
        limit=limit,
        owner_id=owner_id,
    )
    visitors = busiest_visitors(connection, [row.account_id for row in rows], since=since, now=now)
    candidates = []
    for row in rows:
        if row.owner_id is None:
            attention = "nobody owns the account"
        elif row.last_activity_at is None:
            attention = f"{row.owner_name} has done nothing about it yet"
        else:
            attention = (
                f"{row.owner_name} has done nothing about it since "
                f"{row.last_activity_at.date().isoformat()}"
            )
        people = "person" if row.people == 1 else "people"
        reason = (
            f"Visited the site on {row.visit_days} days in the last {REPEAT_VISIT_WINDOW_DAYS} "
            f"days ({row.page_views} page views, {row.people} known {people}); {attention}"
        )
        visitor = visitors.get(row.account_id)
        candidates.append(
            Candidate(
                reason=reason,
                contact_id=visitor.contact_id if visitor is not None else None,
                contact_name=full_name(visitor.first_name, visitor.last_name, visitor.email)
                if visitor is not None
                else None,
                contact_email=visitor.email if visitor is not None else None,
                account_id=row.account_id,
                account_name=row.account_name,
                owner_id=row.owner_id,
                owner_name=row.owner_name,
                figures={
                    "visit_days": int(row.visit_days),
                    "page_views": int(row.page_views),
                    "known_people": int(row.people),
                    "last_visit": row.last_visit.date().isoformat(),
                    "last_owner_activity": row.last_activity_at.date().isoformat()
                    if row.last_activity_at is not None
                    else "never",
                },
            )
        )
    return Section(
        key=KEY,
        title=TITLE,
        explanation=EXPLANATION,
        candidates=candidates,
        total=int(rows[0].total) if rows else 0,
    )
