"""Social followers who are not contacts yet (domain §11).

People on imported ``social_followers`` lists (``services/people_lists.py``)
who match no contact — checked when the report is made, so a follower who has
become a contact since the import drops out.  A follower matches a contact
with the same e-mail (case aside), the same LinkedIn URL (normalised at
import as contacts' are), or the same full name at the account the entry was
matched to (the company's name or the e-mail's domain).  One candidate per
list entry: a person on two lists appears twice.  Followers at a known account
come first — the account's owner can act — then in import order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from silverplatter.domain.mining import Candidate, Section
from silverplatter.storage.mining_lists import followers_not_contacts

KEY = "social_followers"
TITLE = "Social followers who are not contacts yet"
EXPLANATION = (
    "People on imported social-follower lists who match no contact by e-mail, LinkedIn URL, "
    "or name at their company's account; those at a known account first."
)


def section(
    connection: Connection, *, now: datetime, limit: int, owner_id: int | None = None
) -> Section:
    """Followers matching no contact; ``now`` is unused (lists are as imported)."""
    rows = followers_not_contacts(connection, limit=limit, owner_id=owner_id)
    candidates = []
    for row in rows:
        who = row.full_name or row.handle or row.email or row.linkedin_url
        if row.account_id is not None:
            owned = f", owned by {row.owner_name}" if row.owner_name else ", which nobody owns"
            works = f"; works at {row.account_name}{owned}"
        elif row.company:
            works = f"; works at {row.company} (not an account yet)"
        else:
            works = ""
        figures: dict[str, int | float | str] = {"list": row.list_name}
        for name in ("company", "handle", "linkedin_url"):
            value = getattr(row, name)
            if value:
                figures[name] = value
        candidates.append(
            Candidate(
                reason=f"Follows us ({row.list_name}) but is not a contact yet{works}",
                contact_name=who,
                contact_email=row.email,
                account_id=row.account_id,
                account_name=row.account_name if row.account_id is not None else row.company,
                owner_id=row.owner_id,
                owner_name=row.owner_name,
                figures=figures,
            )
        )
    return Section(
        key=KEY,
        title=TITLE,
        explanation=EXPLANATION,
        candidates=candidates,
        total=int(rows[0].total) if rows else 0,
        actions=("assign", "task"),
    )
