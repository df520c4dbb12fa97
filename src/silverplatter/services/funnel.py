"""Funnel and journey analytics (issue 8): conversion and time in stage by group,
and the paths contacts take.

One call per report; the database counts (``storage/funnel.py``) and the
domain (``domain/funnel.py``, ``domain/journeys.py``) turns the counts into
steps, rates, medians and paths.  The period selects contacts by when they
were created; a salesperson (``OWN_RECORDS_ONLY``) sees only their own
records, as on every other page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.domain.funnel import (
    FunnelError,
    FunnelRow,
    check_grouping,
    funnel_row,
    funnel_rows,
    order_rows,
    total_tally,
)
from silverplatter.domain.journeys import TOP_PATHS, Journeys, journeys, merge_paths
from silverplatter.storage import funnel as store
from silverplatter.storage.funnel import Scope

__all__ = [
    "FunnelReport",
    "JourneyReport",
    "Period",
    "funnel_report",
    "journey_report",
    "period_of",
    "scope_of",
]


@dataclass(frozen=True, slots=True)
class Period:
    """Days ``start`` to ``end``, both included; either may be open."""

    start: date | None = None
    end: date | None = None

    @property
    def label(self) -> str:
        if self.start is None and self.end is None:
            return "all time"
        return f"{self.start or '…'} to {self.end or '…'}"


def period_of(start: date | None, end: date | None) -> Period:
    if start is not None and end is not None and end < start:
        raise FunnelError("to", f"the period ends ({end}) before it starts ({start})")
    return Period(start, end)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def scope_of(period: Period, *, role: str, user_id: int | None) -> Scope:
    """The contacts a report covers: created in the period, the user's own for sales."""
    own = user_id if role in OWN_RECORDS_ONLY else None
    if role in OWN_RECORDS_ONLY and user_id is None:
        raise FunnelError("user", "a salesperson's report needs their user id")
    return Scope(
        start=_instant(period.start) if period.start else None,
        end=_instant(period.end) + timedelta(days=1) if period.end else None,
        owner_id=own,
    )


@dataclass(frozen=True, slots=True)
class FunnelReport:
    grouping: str
    period: Period
    rows: tuple[FunnelRow, ...]
    total: FunnelRow


@dataclass(frozen=True, slots=True)
class JourneyReport:
    period: Period
    journeys: Journeys


def funnel_report(
    connection: Connection,
    grouping: str,
    *,
    period: Period = Period(),
    role: str = "admin",
    user_id: int | None = None,
) -> FunnelReport:
    """Reach, conversion, exits and time in stage per group, and for everyone in scope."""
    check_grouping(grouping)
    scope = scope_of(period, role=role, user_id=user_id)
    tallies = store.reach(connection, grouping, scope)
    store.stays(connection, grouping, scope, tallies)
    rows = order_rows(grouping, funnel_rows(tallies))
    return FunnelReport(grouping, period, rows, funnel_row("All", total_tally(tallies.values())))


def journey_report(
    connection: Connection,
    *,
    period: Period = Period(),
    role: str = "admin",
    user_id: int | None = None,
    top: int = TOP_PATHS,
) -> JourneyReport:
    """The most common paths through the stages, their edges and flows."""
    if not 1 <= top <= 100:
        raise FunnelError("top", f"expected 1 to 100 paths, got {top}")
    scope = scope_of(period, role=role, user_id=user_id)
    raw, never_moved = store.paths(connection, scope)
    return JourneyReport(period, journeys(merge_paths(raw), never_moved=never_moved, top=top))
