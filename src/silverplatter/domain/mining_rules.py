"""The thresholds and small rules of the lost-lead sections 5–10 (domain §11).

Pure functions, time passed in.  Every number a section lists by is named
here, so ``docs/lost-leads.md`` and the golden tests point at one place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Final, Literal

from silverplatter.domain.buying_window import add_months

#: Repeat web visitors: page views on at least this many distinct (UTC) days …
REPEAT_VISIT_DAYS: Final = 3
#: … within this many days before now, with no owner activity in the same days.
REPEAT_VISIT_WINDOW_DAYS: Final = 30

#: A "not now, later" answer without a date comes due this many months after it was given.
LATER_DEFAULT_MONTHS: Final = 6
#: Stages that count as re-engaged when a contact reached one after its answer.
REENGAGED_STAGES: Final = ("sql", "sal", "opportunity", "customer")

#: Ghost accounts: listed when the owner has done nothing about the account for this
#: many months (or has been deactivated) …
GHOST_LISTED_MONTHS: Final = 6
#: … and called cold for good ("cold for 12+ months") from this many.
GHOST_COLD_MONTHS: Final = 12

#: NPS answers older than this many months are not listed.
NPS_RECENT_MONTHS: Final = 12
PROMOTER_FROM: Final = 9
DETRACTOR_UP_TO: Final = 6

NpsCategory = Literal["promoter", "passive", "detractor"]


def start_of_day(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def months_before(now: datetime, months: int) -> datetime:
    """The same UTC wall time ``months`` calendar months earlier (clamped to the month's end)."""
    at = now.astimezone(UTC)
    return datetime.combine(add_months(at.date(), -months), at.timetz())


def whole_months_between(start: datetime, end: datetime) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when ``end`` is not later)."""
    first, last = start.astimezone(UTC), end.astimezone(UTC)
    if last <= first:
        return 0
    months = (last.year - first.year) * 12 + last.month - first.month
    if datetime.combine(add_months(first.date(), months), first.timetz()) > last:
        months -= 1
    return months


def later_comes_on(answered_at: datetime, later_on: str | None) -> date:
    """When a "later" answer comes due: the date they gave, else six months after the answer.

    ``later_on`` is the answer's ISO date; one that is not a date counts as not given.
    """
    if later_on:
        try:
            return date.fromisoformat(later_on)
        except ValueError:
            pass
    return add_months(answered_at.astimezone(UTC).date(), LATER_DEFAULT_MONTHS)


def nps_category(score: int) -> NpsCategory:
    """Promoter (9–10), passive (7–8) or detractor (0–6), as the NPS method has it."""
    if not 0 <= score <= 10:
        raise ValueError(f"score: expected 0 to 10, not {score}")
    if score >= PROMOTER_FROM:
        return "promoter"
    if score <= DETRACTOR_UP_TO:
        return "detractor"
    return "passive"


__all__ = [
    "DETRACTOR_UP_TO",
    "GHOST_COLD_MONTHS",
    "GHOST_LISTED_MONTHS",
    "LATER_DEFAULT_MONTHS",
    "NPS_RECENT_MONTHS",
    "PROMOTER_FROM",
    "REENGAGED_STAGES",
    "REPEAT_VISIT_DAYS",
    "REPEAT_VISIT_WINDOW_DAYS",
    "NpsCategory",
    "later_comes_on",
    "months_before",
    "nps_category",
    "start_of_day",
    "whole_months_between",
]
