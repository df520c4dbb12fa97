"""Quasi-leads: SQLs handed over to sales and not acted on within the service level
(domain §5, §11).

The rule is the handover's own (``services/handover.py`` :func:`quasi_leads`):
an open handover past its due time whose contact is still an SQL.  This
section only presents them as lost leads, most overdue first; a salesperson
sees the handovers given to them.  Reassigning one to someone who will act is
the usual remedy; a task or a nurture programme are the others.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from silverplatter.domain.mining import Candidate, Section
from silverplatter.services.handover import QuasiLead, quasi_leads

KEY = "quasi_leads"
TITLE = "Quasi-leads: handed over, never acted on"
EXPLANATION = (
    "Sales-qualified leads handed over to sales that nobody acted on within the handover's "
    "service level, most overdue first."
)


def _candidate(lead: QuasiLead) -> Candidate:
    owner = lead.owner_name or "nobody (no salesperson was available)"
    days = "day" if lead.days_overdue == 1 else "days"
    return Candidate(
        reason=(
            f"Handed over to {owner} on {lead.handed_over_at.date().isoformat()}, due "
            f"{lead.due_at.date().isoformat()}; untouched {lead.days_overdue} {days} past "
            "the service level"
        ),
        contact_id=lead.contact_id,
        contact_name=lead.contact_name,
        contact_email=lead.contact_email,
        account_id=lead.account_id,
        account_name=lead.account_name,
        owner_id=lead.owner_id,
        owner_name=lead.owner_name,
        suggested_on=lead.due_at.date(),
        figures={
            "days_overdue": lead.days_overdue,
            "tier": lead.tier,
            "handed_over_on": lead.handed_over_at.date().isoformat(),
            "due_on": lead.due_at.date().isoformat(),
            "alerted": "yes" if lead.alerted_at is not None else "no",
        },
    )


def section(
    connection: Connection, *, now: datetime, limit: int, owner_id: int | None = None
) -> Section:
    """Overdue open handovers, most overdue first; ``owner_id``: only those handed to them."""
    leads = quasi_leads(connection, now=now)
    if owner_id is not None:
        leads = [lead for lead in leads if lead.owner_id == owner_id]
    return Section(
        key=KEY,
        title=TITLE,
        explanation=EXPLANATION,
        candidates=[_candidate(lead) for lead in leads[:limit]],
        total=len(leads),
    )
