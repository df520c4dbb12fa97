"""What a channel cost, and what each MQL and SQL it brought cost (domain §4, §11).

Money is entered per channel and calendar month.  An MQL (SQL) belongs to the
month the contact first reached MQL (SQL) or a later stage, and to the
channel of the contact's **first touch** (its earliest event with a channel):
first-touch attribution, so a contact found by a paid search ad and converted
by e-mail counts for paid search.  Cost per MQL is the month's money over the
month's MQLs of that channel; with none it is not a number ("—"), never zero.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from silverplatter.domain.vocabulary import CHANNELS

MONTH_PATTERN: Final = re.compile(r"^(\d{4})-(\d{2})$")
MAX_AMOUNT: Final = Decimal("9999999999999999.99")
CENT: Final = Decimal("0.01")


class CostError(ValueError):
    """A channel cost that cannot be saved: ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_channel(channel: str) -> str:
    value = channel.strip()
    if value not in CHANNELS:
        raise CostError("channel", f"expected one of {', '.join(CHANNELS)}, got {channel!r}")
    return value


def parse_month(text: str | date, field: str = "month") -> date:
    """``YYYY-MM`` (or a date) as the first day of that month."""
    if isinstance(text, date):
        return text.replace(day=1)
    found = MONTH_PATTERN.match(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        raise CostError(field, f"expected a month as YYYY-MM, got {text!r}")
    return date(int(found.group(1)), int(found.group(2)), 1)


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def parse_amount(text: str | Decimal | int | float) -> Decimal:
    """A non-negative amount of money with at most two decimals."""
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise CostError("amount", f"expected an amount such as 1200.50, got {text!r}") from None
    if not value.is_finite() or value < 0:
        raise CostError("amount", f"expected an amount of 0 or more, got {text!r}")
    if value > MAX_AMOUNT:
        raise CostError("amount", "the amount is too large")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise CostError("amount", f"expected at most two decimals, got {text!r}")
    return value.quantize(CENT)


@dataclass(frozen=True, slots=True)
class ChannelCost:
    """Money spent on a channel in a month."""

    id: int
    channel: str
    month: date
    amount: Decimal
    currency: str
    note: str | None

    @property
    def month_label(self) -> str:
        return month_label(self.month)


@dataclass(frozen=True, slots=True)
class CostPerLead:
    """One channel's month (or, with ``month`` None, the whole period)."""

    channel: str
    month: str | None
    cost: Decimal | None
    mqls: int
    sqls: int
    #: Of ``mqls``/``sqls``, those in months with a cost entered (the per-channel
    #: totals divide by these, so a month nobody priced does not look free).
    priced_mqls: int | None = None
    priced_sqls: int | None = None

    @property
    def per_mql(self) -> Decimal | None:
        return _per(self.cost, self.mqls if self.priced_mqls is None else self.priced_mqls)

    @property
    def per_sql(self) -> Decimal | None:
        return _per(self.cost, self.sqls if self.priced_sqls is None else self.priced_sqls)


def _per(cost: Decimal | None, count: int) -> Decimal | None:
    if cost is None or count == 0:
        return None
    return (cost / count).quantize(CENT, rounding=ROUND_HALF_UP)


def cost_per_lead(
    costs: Mapping[tuple[str, str], Decimal],
    mqls: Mapping[tuple[str, str], int],
    sqls: Mapping[tuple[str, str], int],
) -> tuple[tuple[CostPerLead, ...], tuple[CostPerLead, ...]]:
    """Per (channel, month) with money or qualified leads, and per channel over all months.

    Keys are ``(channel, "YYYY-MM")``.  A channel without any cost entered has
    no cost (``None``), so its cost per MQL is unknown, not free.  A channel's
    total divides its cost by the MQLs (SQLs) of the months it has a cost for.
    """
    keys = sorted(set(costs) | set(mqls) | set(sqls), key=lambda key: (key[1], key[0]))
    months = tuple(
        CostPerLead(
            channel,
            month,
            costs.get((channel, month)),
            mqls.get((channel, month), 0),
            sqls.get((channel, month), 0),
        )
        for channel, month in keys
    )
    channels = []
    for channel in sorted({channel for channel, _month in keys}):
        mine = [row for row in months if row.channel == channel]
        priced = [row for row in mine if row.cost is not None]
        channels.append(
            CostPerLead(
                channel,
                None,
                sum((row.cost or Decimal("0.00") for row in priced), Decimal("0.00"))
                if priced
                else None,
                sum(row.mqls for row in mine),
                sum(row.sqls for row in mine),
                priced_mqls=sum(row.mqls for row in priced),
                priced_sqls=sum(row.sqls for row in priced),
            )
        )
    return months, tuple(channels)


__all__ = [
    "ChannelCost",
    "CostError",
    "CostPerLead",
    "check_channel",
    "cost_per_lead",
    "month_label",
    "parse_amount",
    "parse_month",
]
