"""What the demo seller spent per marketing channel and month, for cost per MQL and SQL.

Every month of the demo's history (the current one up to ``now``) gets a cost
for each channel the world's marketing events come through: bought traffic
(search, social and display ads), e-mail, webinars and fairs, search engine
work and social media work.  Spend scales with the size of the world, so the
cost of a lead is about the same for a small demo as for a benchmark's
million contacts; it follows the season (little in July and at Christmas,
most in autumn), a webinar month costs more on the event channel, and March
has the trade fair whose visitors were imported into the list.

Draws come from the run's own ``costs`` stream.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import UTC, date, datetime
from decimal import Decimal
from random import Random
from typing import Final

from silverplatter.services.demo.plans import NextIds, WorldContext
from silverplatter.services.demo.rows import ChannelCostRow
from silverplatter.services.demo.timeline import DAY, day_of

#: Money per month for a world of this many contacts; spend scales linearly from it.
CONTACTS_PER_BUDGET: Final = 100_000
#: Each channel's monthly spend (EUR) for ``CONTACTS_PER_BUDGET`` contacts, and what it buys.
CHANNEL_BUDGETS: Final = {
    "paid_search": (18_000, "Search ads"),
    "paid_social": (9_000, "LinkedIn ads"),
    "display": (4_000, "Programmatic display"),
    "email": (2_500, "E-mail tool and newsletter writing"),
    "event": (5_000, "Webinar platform and production"),
    "organic_search": (3_500, "Search engine work and articles"),
    "organic_social": (2_000, "Social media work"),
}
#: Spend by month of the year (January first): low in summer and at Christmas.
SEASON: Final = (1.0, 1.05, 1.1, 1.0, 0.95, 0.8, 0.5, 0.8, 1.15, 1.2, 1.1, 0.7)
TRADE_FAIR_MONTH: Final = 3


def _month_starts(first: date, last: date) -> list[date]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def channel_costs(
    seed: int,
    ctx: WorldContext,
    contacts: int,
    ids: NextIds,
    existing: Set[tuple[str, date]] = frozenset(),
) -> list[ChannelCostRow]:
    """The costs of every month from the first of the 24 months to ``now``'s, channel by
    channel; ``existing`` (channel, month) pairs already recorded are left alone."""
    rng = Random(f"{seed}/costs")
    scale = contacts / CONTACTS_PER_BUDGET
    webinar_months = {day_of(webinar.held_at).replace(day=1) for webinar in ctx.calendar.webinars}
    rows: list[ChannelCostRow] = []
    months = _month_starts(day_of(ctx.start), day_of(ctx.now))
    for month in months:
        start = _epoch(month)
        end = _epoch(date(month.year + month.month // 12, month.month % 12 + 1, 1))
        # the first and the current month count only their days inside the history
        share = (min(end, ctx.now) - max(start, ctx.start)) / (end - start)
        booked = min(ctx.now, end + 5 * DAY)
        for channel, (budget, note) in CHANNEL_BUDGETS.items():
            amount = budget * scale * SEASON[month.month - 1] * rng.lognormvariate(0.0, 0.12)
            if channel == "event":
                if month.month == TRADE_FAIR_MONTH:
                    amount *= 4.0
                    note = "Trade fair stand, travel and webinars"
                elif month not in webinar_months:
                    amount *= 0.3  # the platform's licence only
            if (channel, month) in existing:
                continue
            rows.append(
                ChannelCostRow(
                    ids.channel_costs,
                    channel,
                    month,
                    Decimal(f"{amount * share:.2f}"),
                    "EUR",
                    note,
                    booked,
                )
            )
            ids.channel_costs += 1
    return rows
