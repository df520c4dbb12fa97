"""Lost leads in nurture programmes that produce nothing.

A programme (active or paused) is barren when it has enrolled at least
``MIN_ENROLLED`` (20) contacts who entered at least ``MATURITY_DAYS`` (30)
days ago — younger enrolments have not had the time to produce — and under
``MAX_SHARE`` (1 %) of them reached MQL, or a later stage, after entering.
Those contacts are right people kept busy with the wrong programme: change
it, or move them.  The candidates are programmes, not people, so the only
action is a task; they hold no one's records, so every user sees them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Connection

from silverplatter.domain.mining import Candidate, Section
from silverplatter.storage.mining_deals import programme_yields

TITLE = "Programmes that produce nothing"
EXPLANATION = (
    "Nurture programmes that enrolled at least 20 contacts over 30 days ago of whom under 1 % "
    "reached MQL after entering."
)
MIN_ENROLLED: Final = 20
MATURITY_DAYS: Final = 30
MAX_SHARE: Final = 0.01


def section(
    connection: Connection,
    *,
    now: datetime,
    limit: int,
    owner_id: int | None = None,
) -> Section:
    """Barren programmes, the most enrolments first."""
    rows = programme_yields(connection, entered_before=now - timedelta(days=MATURITY_DAYS))
    barren = [
        row
        for row in rows
        if row.enrolled >= MIN_ENROLLED and int(row.produced) < MAX_SHARE * row.enrolled
    ]
    barren.sort(key=lambda row: (-row.enrolled, row.name, row.id))
    found = []
    for row in barren:
        produced = int(row.produced)
        share = produced / row.enrolled
        reason = (
            f"Programme '{row.name}' enrolled {row.enrolled} contacts over {MATURITY_DAYS} days "
            f"ago; {produced} reached MQL after entering ({share * 100:.1f} %)"
        )
        found.append(
            Candidate(
                reason=reason,
                figures={
                    "programme": row.name,
                    "programme_id": int(row.id),
                    "status": row.status,
                    "enrolled": int(row.enrolled),
                    "reached_mql": produced,
                    "share_pct": round(share * 100, 1),
                },
            )
        )
    return Section(
        key="barren_programmes",
        title=TITLE,
        explanation=EXPLANATION,
        candidates=found[:limit],
        total=len(found),
        actions=("task",),
    )
