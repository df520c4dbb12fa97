"""Ghost accounts: the owner has left, or has done nothing about the account for months
(domain §11) — reassign them in bulk.

An owned account (competitors aside) is listed when its owner is deactivated
(``users.active`` false), whatever their last deed, or when the owner has done
nothing about it (``storage/owner_activity.py``) for ``GHOST_LISTED_MONTHS``
calendar months or more — counted from the last deed, or from the account's
creation when there was none, so a new account is not a ghost.  From
``GHOST_COLD_MONTHS`` months the reason says "cold for 12+ months".
Deactivated owners come first, then the longest quiet.  Accounts without an
owner are not ghosts: nobody is failing them, they are simply unassigned.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from silverplatter.domain.mining import Candidate, Section
from silverplatter.domain.mining_rules import (
    GHOST_COLD_MONTHS,
    GHOST_LISTED_MONTHS,
    months_before,
    whole_months_between,
)
from silverplatter.services.owner_activity import last_owner_activity
from silverplatter.storage.mining_attention import ghost_accounts

KEY = "ghost_accounts"
TITLE = "Ghost accounts to reassign"
EXPLANATION = (
    "Accounts whose owner has left (is deactivated) or has done nothing about them for "
    f"{GHOST_LISTED_MONTHS} months or more (no meeting, deal, stage move, handover or closed "
    "task); select them and reassign them together."
)


def section(
    connection: Connection, *, now: datetime, limit: int, owner_id: int | None = None
) -> Section:
    """Ghost accounts, deactivated owners first, then the longest quiet."""
    rows = ghost_accounts(
        connection,
        quiet_since=months_before(now, GHOST_LISTED_MONTHS),
        now=now,
        limit=limit,
        owner_id=owner_id,
    )
    latest = last_owner_activity(connection, [row.account_id for row in rows], now=now)
    candidates = []
    for row in rows:
        deed = latest.get(row.account_id)
        quiet_from = deed.at if deed is not None else row.created_at
        months = whole_months_between(quiet_from, now)
        since = (
            f"last: {deed.words}"
            if deed is not None
            else f"nothing on record since the account was created on {row.created_at.date()}"
        )
        if not row.owner_active:
            left = row.deactivated_at.date().isoformat() if row.deactivated_at else "unknown"
            reason = f"Owner {row.owner_name} has left (deactivated on {left}); {since}"
        else:
            cold = f" — cold for {GHOST_COLD_MONTHS}+ months" if months >= GHOST_COLD_MONTHS else ""
            reason = (
                f"{row.owner_name} has done nothing about it for {months} months{cold} ({since})"
            )
        candidates.append(
            Candidate(
                reason=reason,
                account_id=row.account_id,
                account_name=row.account_name,
                owner_id=row.owner_id,
                owner_name=row.owner_name,
                figures={
                    "months_quiet": months,
                    "last_owner_activity": deed.at.date().isoformat()
                    if deed is not None
                    else "never",
                    "last_activity_kind": deed.kind if deed is not None else "none",
                    "owner_active": "yes" if row.owner_active else "no",
                },
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
