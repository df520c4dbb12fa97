"""What web tracking has seen: page views today and over 30 days, owned vs bought, channels,
and how many visitors are known contacts.  One service for the tracking page and the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection

from silverplatter.domain.dashboard import ChannelCount
from silverplatter.storage import tracking_summary as store

WINDOW_DAYS = 30
TOP_CHANNELS = 8


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    views: int


@dataclass(frozen=True, slots=True)
class TrackingSummary:
    today: int
    #: The last ``WINDOW_DAYS`` UTC days, today included, oldest first.
    days: tuple[DayCount, ...]
    views: int
    owned: int
    bought: int
    untagged: int
    identified_views: int
    channels: tuple[ChannelCount, ...]
    visitors: int
    identified_visitors: int

    @property
    def bought_share(self) -> float | None:
        tagged = self.owned + self.bought
        return self.bought / tagged if tagged else None

    @property
    def owned_share(self) -> float | None:
        tagged = self.owned + self.bought
        return self.owned / tagged if tagged else None

    @property
    def identified_visitor_share(self) -> float | None:
        return self.identified_visitors / self.visitors if self.visitors else None


def tracking_summary(connection: Connection, *, now: datetime) -> TrackingSummary:
    """The tracking figures at ``now``: the window is the last 30 UTC days, today included."""
    moment = now.astimezone(UTC)
    today = datetime.combine(moment.date(), time(0), tzinfo=UTC)
    starts = [today - timedelta(days=WINDOW_DAYS - 1 - n) for n in range(WINDOW_DAYS)]
    days = [(start, start + timedelta(days=1)) for start in starts]
    counts = store.page_view_counts(connection, days=days)
    channels = store.page_view_channels(
        connection, since=days[0][0], until=days[-1][1], limit=TOP_CHANNELS
    )
    return TrackingSummary(
        today=counts.by_day[-1],
        days=tuple(
            DayCount(start.date(), views)
            for (start, _end), views in zip(days, counts.by_day, strict=True)
        ),
        views=sum(counts.by_day),
        owned=counts.owned,
        bought=counts.bought,
        untagged=counts.untagged,
        identified_views=counts.identified,
        channels=tuple(channels),
        visitors=counts.visitors,
        identified_visitors=counts.identified_visitors,
    )
