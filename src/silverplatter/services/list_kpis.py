"""The list KPIs as of a moment: new addresses, list size, leavers, quality, traffic (domain §2).

Six set-based statements (``storage/list_kpis.py``) count everything; this
module turns their per-month counts into ``domain/list_kpis.py``'s figures.
Months are UTC calendar months ending with ``now``'s (counted so far).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import Connection

from silverplatter.domain.dashboard import days_before, last_months
from silverplatter.domain.list_kpis import (
    QUALITY_DAYS,
    KpiMonth,
    Leavers,
    ListKpis,
    ListState,
    ListSummary,
    TrafficConversion,
    ranked_keys,
)
from silverplatter.services.scoring_models import active_model
from silverplatter.storage import list_kpis as store

#: The most months one request may ask for.
MAX_MONTHS: Final = 36


def reactions_scored(connection: Connection, *, now: datetime) -> bool:
    """Whether the lead engine records each contact's last reaction: an active scoring
    model whose silence rule names the reactions (the default: opened or clicked
    an e-mail, visited, submitted a form)."""
    if not store.scoring_model_active(connection):
        return False
    return bool(active_model(connection, now=now).book.quiet_breakers)


def list_state(connection: Connection, *, now: datetime) -> ListState:
    """The list's size against all contacts, and how many on it engaged lately.

    Engaged means a reaction in the last ``QUALITY_DAYS`` days, as the lead
    engine records it when it can (``reactions_scored``), else any engaging
    event in the log.
    """
    everyone, size, engaged = store.list_state(
        connection,
        engaged_since=days_before(now, QUALITY_DAYS),
        reactions_scored=reactions_scored(connection, now=now),
    )
    return ListState(everyone, size, engaged)


def list_kpis(connection: Connection, *, now: datetime, months: int = 12) -> ListKpis:
    """Every list KPI as of ``now`` over the last ``months`` months (1 to ``MAX_MONTHS``)."""
    if isinstance(months, bool) or not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months: expected 1 to {MAX_MONTHS}, got {months}")
    calendar = last_months(now, months)
    ranges = [(month.start, month.end) for month in calendar]
    sources = store.new_by_source(connection, ranges)
    forms, magnets = store.first_submissions(connection, ranges)
    leaving = store.leavers(connection, ranges)
    traffic = store.traffic(connection, ranges)
    touches = store.first_touches(connection, ranges)
    figures: list[KpiMonth] = []
    for number, month in enumerate(calendar):
        by_source = sources.get(number, {})
        views = traffic.get(number, {})
        touched = touches.get(number, {})
        owned_views, owned_visitors = views.get("owned", (0, 0))
        bought_views, bought_visitors = views.get("bought", (0, 0))
        figures.append(
            KpiMonth(
                month=month,
                new_addresses=sum(by_source.values()),
                by_source=by_source,
                by_form=forms.get(number, {}),
                by_lead_magnet=magnets.get(number, {}),
                leavers=Leavers.of(leaving.get(number, {})),
                owned=TrafficConversion(owned_views, owned_visitors, touched.get("owned", 0)),
                bought=TrafficConversion(bought_views, bought_visitors, touched.get("bought", 0)),
                untracked=touched.get("none", 0),
            )
        )
    return ListKpis(
        as_of=now,
        months=tuple(figures),
        list=list_state(connection, now=now),
        sources=ranked_keys(month.by_source for month in figures),
        forms=ranked_keys(month.by_form for month in figures),
        lead_magnets=ranked_keys(month.by_lead_magnet for month in figures),
    )


def list_summary(connection: Connection, *, now: datetime) -> ListSummary:
    """The list this month for the dashboard: its size and quality, new addresses,
    leavers, and where the new addresses' first visits came from.

    Leaves out the month's traffic counts, which read every page view.
    """
    month = last_months(now, 1)[0]
    ranges = [(month.start, month.end)]
    touched = store.first_touches(connection, ranges).get(0, {})
    return ListSummary(
        month=month,
        list=list_state(connection, now=now),
        new_addresses=sum(store.new_by_source(connection, ranges).get(0, {}).values()),
        leavers=Leavers.of(store.leavers(connection, ranges).get(0, {})),
        from_owned=touched.get("owned", 0),
        from_bought=touched.get("bought", 0),
        untracked=touched.get("none", 0),
    )


__all__ = ["MAX_MONTHS", "list_kpis", "list_state", "list_summary", "reactions_scored"]
