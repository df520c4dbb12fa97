"""The dashboard's figures: the list as capital, qualification, conversion, traffic.

The central KPI is new email addresses per month (domain §2); around it the
list's size and quality, MQLs and SQLs per month, how contacts move from
stage to stage, and traffic we own against traffic we buy.  This module holds
the shapes of those figures and the arithmetic on them: months in UTC,
change against the previous month, shares and conversion rates.  Counting is
done by ``storage/dashboard.py``; ``services/dashboard.py`` joins the two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Final

from silverplatter.domain.grades import level_of

#: The stages of the conversion funnel, in order; "accepted by sales" is a step
#: inside the SQL → opportunity move, not a stage of its own here.
FUNNEL: Final = ("lead", "mql", "sql", "opportunity", "customer")
#: A contact with any event in this many days counts as engaged.
ENGAGED_DAYS: Final = 90
#: The window of the owned-vs-bought traffic figures and the top channels.
TRAFFIC_DAYS: Final = 30
TOP_CHANNELS: Final = 5
#: Grade level from which a contact counts as graded A or B (B- and better).
GRADE_AB_LEVEL: Final = level_of("B-")


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month in UTC: the instants in ``[start, end)``."""

    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """``YYYY-MM``, for axes and table headers."""
        return f"{self.start.year:04d}-{self.start.month:02d}"


@dataclass(frozen=True, slots=True)
class MonthCount:
    """A month's count and its change against the month before, in %."""

    month: Month
    count: int
    change_percent: float | None


@dataclass(frozen=True, slots=True)
class NewAddresses:
    """New email addresses (contacts created): this month so far, the last, the series."""

    this_month: int
    previous_month: int
    change_percent: float | None
    by_month: tuple[MonthCount, ...]


@dataclass(frozen=True, slots=True)
class ListSize:
    """The list: every contact, those we may email, and those who confirmed by double opt-in.

    ``consent_share`` is of all contacts; ``confirmed_share`` is of those with consent.
    """

    contacts: int
    with_consent: int
    confirmed: int
    consent_share: float | None
    confirmed_share: float | None


@dataclass(frozen=True, slots=True)
class ListQuality:
    """How good the list is, as counts and as shares (0–1) of all ``contacts``."""

    contacts: int
    with_account: int
    with_role: int
    engaged: int
    graded: int
    graded_ab: int
    with_account_share: float | None
    with_role_share: float | None
    engaged_share: float | None
    graded_ab_share: float | None


@dataclass(frozen=True, slots=True)
class QualifiedMonth:
    """Contacts that moved into MQL and into SQL in a month (each counted once per month)."""

    month: Month
    mql: int
    sql: int


@dataclass(frozen=True, slots=True)
class StageConversion:
    """Of the contacts that ever reached ``stage``, how many reached ``next_stage`` afterwards."""

    stage: str
    next_stage: str
    reached: int
    advanced: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class TrafficSplit:
    """Events of traffic we own against traffic we buy; ``untagged`` events carry neither."""

    owned: int
    bought: int
    untagged: int
    owned_share: float | None


@dataclass(frozen=True, slots=True)
class TrafficMonth:
    month: Month
    owned: int
    bought: int


@dataclass(frozen=True, slots=True)
class ChannelCount:
    """A channel's events in the traffic window, and how many of them were owned or bought."""

    channel: str
    events: int
    owned: int
    bought: int


@dataclass(frozen=True, slots=True)
class Traffic:
    recent: TrafficSplit
    by_month: tuple[TrafficMonth, ...]
    top_channels: tuple[ChannelCount, ...]


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    """Everything the dashboard shows, as of ``as_of``; ``months`` oldest first, current last."""

    as_of: datetime
    months: tuple[Month, ...]
    new_addresses: NewAddresses
    list_size: ListSize
    list_quality: ListQuality
    qualified_by_month: tuple[QualifiedMonth, ...]
    conversions: tuple[StageConversion, ...]
    traffic: Traffic


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: times must be timezone-aware")
    return moment.astimezone(UTC)


def add_months(start: datetime, count: int) -> datetime:
    """The first instant of the month ``count`` months from ``start``'s month (may be negative)."""
    index = start.year * 12 + start.month - 1 + count
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def month_of(moment: datetime) -> Month:
    """The UTC calendar month that holds ``moment``."""
    at = _utc(moment)
    start = datetime(at.year, at.month, 1, tzinfo=UTC)
    return Month(start, add_months(start, 1))


def last_months(now: datetime, count: int) -> tuple[Month, ...]:
    """The ``count`` months up to and including ``now``'s, oldest first."""
    if count < 1:
        raise ValueError(f"months: expected at least 1, got {count}")
    current = month_of(now).start
    return tuple(
        Month(add_months(current, -back), add_months(current, 1 - back))
        for back in range(count - 1, -1, -1)
    )


def change_percent(current: int, previous: int) -> float | None:
    """Change from ``previous`` to ``current`` in %; None when there is nothing to compare to."""
    if previous == 0:
        return None
    return (current - previous) * 100 / previous


def share(part: int, whole: int) -> float | None:
    """``part`` as a fraction (0–1) of ``whole``; None for an empty whole."""
    if whole == 0:
        return None
    return part / whole


def days_before(now: datetime, days: int) -> datetime:
    """The start of the window of the last ``days`` days."""
    return _utc(now) - timedelta(days=days)


def month_series(months: Sequence[Month], counts: Sequence[int]) -> tuple[MonthCount, ...]:
    """Counts per month with their change; ``counts`` has one more, older, month in front."""
    if len(counts) != len(months) + 1:
        raise ValueError(f"expected {len(months) + 1} counts for {len(months)} months")
    return tuple(
        MonthCount(month, counts[i + 1], change_percent(counts[i + 1], counts[i]))
        for i, month in enumerate(months)
    )


def new_addresses(months: Sequence[Month], counts: Sequence[int]) -> NewAddresses:
    """The headline KPI and its series; ``counts`` has one extra, older, month in front."""
    series = month_series(months, counts)
    return NewAddresses(counts[-1], counts[-2], change_percent(counts[-1], counts[-2]), series)


def list_size(contacts: int, with_consent: int, confirmed: int) -> ListSize:
    return ListSize(
        contacts,
        with_consent,
        confirmed,
        share(with_consent, contacts),
        share(confirmed, with_consent),
    )


def list_quality(
    contacts: int, *, with_account: int, with_role: int, engaged: int, graded: int, graded_ab: int
) -> ListQuality:
    return ListQuality(
        contacts,
        with_account,
        with_role,
        engaged,
        graded,
        graded_ab,
        share(with_account, contacts),
        share(with_role, contacts),
        share(engaged, contacts),
        share(graded_ab, contacts),
    )


def next_stages() -> dict[str, str]:
    """Each funnel stage but the last, mapped to the one after it."""
    return dict(pairwise(FUNNEL))


def conversions(
    reached: Mapping[str, int], advanced: Mapping[str, int]
) -> tuple[StageConversion, ...]:
    """The funnel's step-by-step conversion; stages missing from the mappings count 0."""
    return tuple(
        StageConversion(
            stage,
            following,
            reached.get(stage, 0),
            advanced.get(stage, 0),
            share(advanced.get(stage, 0), reached.get(stage, 0)),
        )
        for stage, following in next_stages().items()
    )


def traffic_split(owned: int, bought: int, untagged: int) -> TrafficSplit:
    return TrafficSplit(owned, bought, untagged, share(owned, owned + bought))
