"""Campaign "not now, later" answers whose later has come (domain §11).

A contact is listed when the last campaign answer they gave was ``later``
and later has come: the ``later_on`` date they named is today or past, or,
when they named none, ``LATER_DEFAULT_MONTHS`` months have passed since the
answer.  Not listed: a contact re-engaged since the answer — reached SQL or a
later stage (``REENGAGED_STAGES``) or got an opportunity — or one who has
answered again (the newer answer counts instead).  ``suggested_on`` is the day
later came; the oldest answers come first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from silverplatter.domain.mining import Candidate, Section
from silverplatter.domain.mining_rules import (
    LATER_DEFAULT_MONTHS,
    REENGAGED_STAGES,
    later_comes_on,
    months_before,
)
from silverplatter.services.contact_view import full_name
from silverplatter.storage.mining_later import due_later_answers

KEY = "later_answers"
TITLE = "“Not now, later” answers whose later has come"
EXPLANATION = (
    "People whose last answer to a campaign was “not now, later” and whose later has come: "
    f"the date they named, or {LATER_DEFAULT_MONTHS} months after the answer when they named "
    "none. Anyone who has since become an SQL, got an opportunity or answered again is left out."
)


def section(
    connection: Connection, *, now: datetime, limit: int, owner_id: int | None = None
) -> Section:
    """Due "later" answers, oldest answer first."""
    rows = due_later_answers(
        connection,
        today=now.date(),
        undated_before=months_before(now, LATER_DEFAULT_MONTHS),
        now=now,
        reengaged_stages=REENGAGED_STAGES,
        limit=limit,
        owner_id=owner_id,
    )
    candidates = []
    for row in rows:
        comes_on = later_comes_on(row.answered_at, row.later_on)
        campaign = row.campaign or "a campaign"
        answered_on = row.answered_at.date().isoformat()
        if row.later_on:
            when = f"they asked to hear from us on {comes_on.isoformat()}"
        else:
            when = f"named no date, and {LATER_DEFAULT_MONTHS} months have passed"
        candidates.append(
            Candidate(
                reason=f"Answered “not now, later” to {campaign} on {answered_on}; {when}",
                contact_id=row.contact_id,
                contact_name=full_name(row.first_name, row.last_name, row.email),
                contact_email=row.email,
                account_id=row.account_id,
                account_name=row.account_name,
                owner_id=row.owner_id,
                owner_name=row.owner_name,
                suggested_on=comes_on,
                figures={
                    "campaign": campaign,
                    "answered_on": answered_on,
                    "later_on": comes_on.isoformat(),
                    "date_named": "yes" if row.later_on else "no",
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
