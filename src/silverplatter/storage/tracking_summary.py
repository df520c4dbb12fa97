"""Statements behind the tracking summary: page views by day, traffic, channels, visitors.

Days are ``[start, end)`` ranges computed by the caller and counted with one
``COUNT(CASE ...)`` column each, in one statement, as the dashboard does, so
the same SQL runs on SQLite and PostgreSQL without their date functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, case, func, select

from silverplatter.domain.dashboard import ChannelCount
from silverplatter.storage.dashboard import Range, _count_if, _within
from silverplatter.storage.schema import events

PAGE_VIEW = "page_view"
#: How a view without a channel (sent through the events API) is listed.
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PageViewCounts:
    by_day: tuple[int, ...]
    owned: int
    bought: int
    untagged: int
    identified: int  # views that belong to a contact
    visitors: int  # distinct visitor ids among the views
    identified_visitors: int  # of them, those whose views belong to a contact


def page_view_counts(connection: Connection, *, days: Sequence[Range]) -> PageViewCounts:
    """Page views per day; over all the days by traffic, known or not, and their visitors."""
    e = events.c
    start = days[0][0]
    daily = [
        _count_if(_within(e.occurred_at, *day)).label(f"day_{n}") for n, day in enumerate(days)
    ]
    query = select(
        *daily,
        _count_if(e.traffic == "owned").label("owned"),
        _count_if(e.traffic == "bought").label("bought"),
        _count_if(e.traffic.is_(None)).label("untagged"),
        _count_if(e.contact_id.is_not(None)).label("identified"),
        func.count(e.visitor_id.distinct()).label("visitors"),
        func.count(case((e.contact_id.is_not(None), e.visitor_id)).distinct()).label("known"),
    ).where(e.type == PAGE_VIEW, _within(e.occurred_at, start, days[-1][1]))
    values = [int(value) for value in connection.execute(query).one()]
    return PageViewCounts(tuple(values[: len(days)]), *values[len(days) :])


def page_view_channels(
    connection: Connection, *, since: datetime, until: datetime, limit: int
) -> list[ChannelCount]:
    """The channels with the most page views in ``[since, until)``, most first, then by name."""
    e = events.c
    total = func.count()
    query = (
        select(
            e.channel,
            total.label("views"),
            _count_if(e.traffic == "owned").label("owned"),
            _count_if(e.traffic == "bought").label("bought"),
        )
        .where(e.type == PAGE_VIEW, _within(e.occurred_at, since, until))
        .group_by(e.channel)
        .order_by(total.desc(), e.channel.is_(None), e.channel)
        .limit(limit)
    )
    return [
        ChannelCount(row.channel or UNKNOWN, int(row.views), int(row.owned), int(row.bought))
        for row in connection.execute(query)
    ]
