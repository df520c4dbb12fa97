"""Customer-satisfaction (NPS) respondents: promoters to ask for a reference or offer more,
detractors at risk (domain §11).

Respondents of imported ``nps_survey`` lists matched at import to a contact
or an account (``services/people_lists.py``).  Promoters score 9–10,
detractors 0–6 (``domain/mining_rules.py``); passives (7–8) are not listed.
Answers older than ``NPS_RECENT_MONTHS`` months (by the answer's date, else
the list's import) are left out, and of a contact's answers only the most
recently imported counts.  Detractors come first, lowest score first, then
promoters, highest first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from silverplatter.domain.mining import Candidate, Section
from silverplatter.domain.mining_rules import (
    DETRACTOR_UP_TO,
    NPS_RECENT_MONTHS,
    PROMOTER_FROM,
    months_before,
    nps_category,
)
from silverplatter.services.contact_view import full_name
from silverplatter.storage.mining_lists import nps_respondents

KEY = "nps"
TITLE = "NPS respondents: promoters and detractors"
EXPLANATION = (
    f"Survey respondents matched to contacts or accounts from the last {NPS_RECENT_MONTHS} "
    f"months: detractors ({DETRACTOR_UP_TO} or less) are at risk, promoters "
    f"({PROMOTER_FROM}–10) are reference and cross-sell candidates."
)
SAYS = {
    "detractor": "Detractor, at risk",
    "promoter": "Promoter, a reference and cross-sell candidate",
}


def section(
    connection: Connection, *, now: datetime, limit: int, owner_id: int | None = None
) -> Section:
    """Detractors (lowest score first), then promoters (highest first)."""
    rows = nps_respondents(
        connection,
        since=months_before(now, NPS_RECENT_MONTHS),
        promoter_from=PROMOTER_FROM,
        detractor_up_to=DETRACTOR_UP_TO,
        limit=limit,
        owner_id=owner_id,
    )
    candidates = []
    for row in rows:
        category = nps_category(int(row.score))
        answered_on = row.answered_at.date().isoformat()
        comment = f": “{row.comment}”" if row.comment else ""
        figures: dict[str, int | float | str] = {
            "score": int(row.score),
            "category": category,
            "list": row.list_name,
            "answered_on": answered_on,
            "respondent": row.full_name or row.entry_email or "unnamed",
        }
        if row.comment:
            figures["comment"] = row.comment
        candidates.append(
            Candidate(
                reason=(
                    f"{SAYS[category]}: scored {row.score}/10 in {row.list_name} "
                    f"on {answered_on}{comment}"
                ),
                contact_id=row.contact_id,
                contact_name=full_name(row.first_name, row.last_name, row.email)
                if row.contact_id is not None
                else None,
                contact_email=row.email,
                account_id=row.account_id,
                account_name=row.account_name,
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
    )
