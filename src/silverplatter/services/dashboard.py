"""The figures behind the dashboard, as of a given moment.

The central KPI is new email addresses per month (domain §2), shown against
the month before and as a series; around it the list's size and quality, MQLs
and SQLs per month, the funnel's conversion from stage to stage, and traffic
we own against traffic we buy.  Four statements compute it all: one over
contacts, one over stage moves per month, one over the funnel, one over
events (plus the top channels).

Months are UTC calendar months; the current month is counted so far.  The
figures describe the workspace as it stands: ``now`` picks the months and the
"last N days" windows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from silverplatter.domain.dashboard import (
    ENGAGED_DAYS,
    FUNNEL,
    TOP_CHANNELS,
    TRAFFIC_DAYS,
    DashboardFigures,
    QualifiedMonth,
    Traffic,
    TrafficMonth,
    conversions,
    days_before,
    last_months,
    list_quality,
    list_size,
    new_addresses,
    traffic_split,
)
from silverplatter.storage import dashboard as store


def dashboard_figures(
    connection: Connection, *, now: datetime, months: int = 12
) -> DashboardFigures:
    """Every figure of the dashboard as of ``now``, with series over the last ``months`` months.

    The series end with ``now``'s month (counted so far) and run oldest first.
    """
    if months < 1:
        raise ValueError(f"months: expected at least 1, got {months}")
    # One month more than shown, so the oldest shown month has a change too.
    calendar = last_months(now, months + 1)
    shown = calendar[1:]
    ranges = [(month.start, month.end) for month in calendar]
    people = store.contact_counts(
        connection, months=ranges, engaged_since=days_before(now, ENGAGED_DAYS)
    )
    entries = store.stage_entries_by_month(connection, ("mql", "sql"), ranges[1:])
    reached, advanced = store.stage_reach(connection, FUNNEL)
    since = days_before(now, TRAFFIC_DAYS)
    traffic = store.traffic_counts(connection, months=ranges[1:], since=since)
    channels = store.top_channels(connection, since=since, limit=TOP_CHANNELS)
    return DashboardFigures(
        as_of=now,
        months=shown,
        new_addresses=new_addresses(shown, people.created_by_month),
        list_size=list_size(people.contacts, people.with_consent, people.confirmed),
        list_quality=list_quality(
            people.contacts,
            with_account=people.with_account,
            with_role=people.with_role,
            engaged=people.engaged,
            graded=people.graded,
            graded_ab=people.graded_ab,
        ),
        qualified_by_month=tuple(
            QualifiedMonth(month, mql, sql)
            for month, mql, sql in zip(shown, entries["mql"], entries["sql"], strict=True)
        ),
        conversions=conversions(reached, advanced),
        traffic=Traffic(
            recent=traffic_split(traffic.owned, traffic.bought, traffic.untagged),
            by_month=tuple(
                TrafficMonth(month, owned, bought)
                for month, (owned, bought) in zip(shown, traffic.by_month, strict=True)
            ),
            top_channels=tuple(channels),
        ),
    )


__all__ = ["dashboard_figures"]
