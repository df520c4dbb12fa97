"""Channel costs: money spent per channel and month, and cost per MQL and SQL.

Marketing enters what each channel (``domain/vocabulary.CHANNELS``) cost in a
month; entering the same channel and month again replaces the figure.  Every
change is audited.  All costs are kept in one currency, the first one
entered, so sums over months mean something.

Cost per MQL/SQL attributes each MQL and SQL to the channel of the contact's
first touch, in the month it first reached the stage (``domain/channel_costs.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.channel_costs import (
    ChannelCost,
    CostError,
    CostPerLead,
    check_channel,
    cost_per_lead,
    month_label,
    parse_amount,
    parse_month,
)
from silverplatter.services.audit import Actor, record
from silverplatter.services.funnel import Period, scope_of
from silverplatter.storage import channel_costs as store
from silverplatter.storage import funnel as funnel_store

__all__ = [
    "CostReport",
    "cost_report",
    "delete_channel_cost",
    "list_channel_costs",
    "save_channel_cost",
]

CURRENCY = re.compile(r"^[A-Z]{3}$")
DEFAULT_CURRENCY = "EUR"


def _cost(row: Row[Any]) -> ChannelCost:
    return ChannelCost(
        id=int(row.id),
        channel=row.channel,
        month=row.month,
        amount=Decimal(row.amount).quantize(Decimal("0.01")),
        currency=row.currency,
        note=row.note,
    )


def list_channel_costs(
    connection: Connection, *, start: date | None = None, end: date | None = None
) -> list[ChannelCost]:
    """Entered costs of the months touching ``start``..``end``, by month then channel."""
    first = start.replace(day=1) if start else None
    return [_cost(row) for row in store.costs_between(connection, first, end)]


def save_channel_cost(
    connection: Connection,
    *,
    channel: str,
    month: str | date,
    amount: str | Decimal | int | float,
    currency: str = DEFAULT_CURRENCY,
    note: str | None = None,
    actor: Actor,
    now: datetime,
) -> ChannelCost:
    """Enter (or replace) what ``channel`` cost in ``month``."""
    channel = check_channel(channel)
    first_day = parse_month(month)
    money = parse_amount(amount)
    currency = currency.strip().upper()
    if not CURRENCY.match(currency):
        raise CostError("currency", f"expected a three-letter currency code, got {currency!r}")
    note = (note or "").strip() or None
    if note is not None and len(note) > 300:
        raise CostError("note", "expected at most 300 characters")
    kept = {row.currency for row in store.costs_between(connection)}
    if kept and currency not in kept:
        raise CostError(
            "currency", f"costs are kept in {', '.join(sorted(kept))}; enter this one in it too"
        )
    cost_id, _new = store.save_cost(
        connection,
        channel=channel,
        month=first_day,
        amount=money,
        currency=currency,
        note=note,
        now=now,
    )
    record(
        connection,
        "channel_cost.saved",
        f"{channel} {month_label(first_day)}",
        actor=actor,
        now=now,
        details={"amount": str(money), "currency": currency},
    )
    return ChannelCost(cost_id, channel, first_day, money, currency, note)


def delete_channel_cost(
    connection: Connection, cost_id: int, *, actor: Actor, now: datetime
) -> ChannelCost:
    """Delete an entered cost; refused naming ``id`` when there is none."""
    found = store.delete_cost(connection, cost_id)
    if found is None:
        raise CostError("id", f"no channel cost {cost_id}")
    cost = _cost(found)
    record(
        connection,
        "channel_cost.deleted",
        f"{cost.channel} {cost.month_label}",
        actor=actor,
        now=now,
        details={"amount": str(cost.amount), "currency": cost.currency},
    )
    return cost


@dataclass(frozen=True, slots=True)
class CostReport:
    period: Period
    currency: str
    months: tuple[CostPerLead, ...]
    channels: tuple[CostPerLead, ...]
    costs: tuple[ChannelCost, ...]


def cost_report(
    connection: Connection,
    *,
    period: Period = Period(),
    role: str = "admin",
    user_id: int | None = None,
) -> CostReport:
    """Cost per MQL and per SQL by first-touch channel and month, and per channel.

    The period selects months by when the contacts first reached MQL or SQL
    (and the costs of the same months).
    """
    scope = scope_of(period, role=role, user_id=user_id)
    qualified = funnel_store.qualified_by_channel_month(connection, scope)
    costs = tuple(list_channel_costs(connection, start=period.start, end=period.end))
    money: dict[tuple[str, str], Decimal] = {
        (cost.channel, cost.month_label): cost.amount for cost in costs
    }
    months, channels = cost_per_lead(money, qualified["mql"], qualified["sql"])
    currency = costs[0].currency if costs else DEFAULT_CURRENCY
    return CostReport(period, currency, months, channels, costs)
