"""Lost leads among meetings: a decision maker with a need was met, and no deal followed.

A meeting of the last 24 months counts when a contact whose decision role
is ``decision_maker`` or ``economic_buyer`` attended it, a need was heard —
the meeting's BANT note names one, else the contact's latest qualification
does — and the account has had no deal alive at or after the meeting (none
created since, none still open then).  Each contact is listed once, for
their latest such meeting; the most recent meetings come first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from silverplatter.domain.buying_window import add_months
from silverplatter.domain.mining import Candidate, Section
from silverplatter.services.mining._people import candidate
from silverplatter.storage.mining_deals import decision_makers_met

TITLE = "Decision makers met, no deal since"
EXPLANATION = (
    "Meetings of the last 24 months where a decision maker with a need was met, at accounts "
    "with no opportunity since the meeting."
)
LOOKBACK_MONTHS = 24
ROLE_WORDS = {"decision_maker": "decision maker", "economic_buyer": "economic buyer"}


def section(
    connection: Connection,
    *,
    now: datetime,
    limit: int,
    owner_id: int | None = None,
) -> Section:
    """Decision makers met with a need and no deal since, latest meeting first."""
    since = datetime.combine(add_months(now.date(), -LOOKBACK_MONTHS), now.timetz())
    seen: set[int] = set()
    found: list[Candidate] = []
    for row in decision_makers_met(connection, since=since, now=now, owner_id=owner_id):
        if row.contact_id in seen:
            continue
        seen.add(row.contact_id)
        if len(found) >= limit:  # counted, not worded: only the candidates shown are built
            continue
        met_on = row.occurred_at.date().isoformat()
        subject = f" ('{row.subject}')" if row.subject else ""
        role = ROLE_WORDS.get(row.decision_role, row.decision_role)
        months = (now - row.occurred_at).days // 30
        reason = (
            f"Met as {role} on {met_on}{subject}; need: {row.need} "
            f"(from the {row.need_from}); no opportunity since"
        )
        figures: dict[str, int | float | str] = {
            "met_on": met_on,
            "meeting": row.subject or "",
            "decision_role": row.decision_role,
            "need": row.need,
            "need_from": row.need_from,
            "months_since": months,
        }
        found.append(
            candidate(
                row,
                reason=reason,
                contact_id=row.contact_id,
                account_id=row.account_id,
                figures=figures,
            )
        )
    return Section(
        key="met_decision_makers",
        title=TITLE,
        explanation=EXPLANATION,
        candidates=found,
        total=len(seen),
    )
