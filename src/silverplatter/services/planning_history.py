"""Measuring the funnel from the workspace's history, for planning backwards (domain §11).

Over a lookback window ``[since, until)`` (by default the 12 months before now),
each rate is a cohort: the contacts (or deals) that *entered* a step in the
window, and how many of them went on to the next stage by ``until``:

- **new address → MQL**: trials are the contacts created in the window
  (``contacts.created_at``); successes are those of them that reached MQL or
  above (``stage_transitions.to_stage`` in mql/sql/sal/opportunity/customer).
  Duration: days from creation to the first such move.
- **MQL → SQL**: trials are the contacts whose first move to MQL or above falls
  in the window; successes those that also reached SQL or above.  Duration:
  first MQL reach to first SQL reach (0 for a lead handed over straight as SQL).
- **SQL → opportunity**: trials are the contacts whose first SQL reach falls in
  the window; successes those that reached opportunity or customer.
- **opportunity → won**: from ``opportunities``: trials are the deals closed
  (won or lost) in the window, successes the won ones; duration created → closed
  of the won ones.  The average won amount is offered as the deal size.

Durations are medians over the successes.  A cohort that entered late in the
window has had less time to convert, so the rates lean low; the longer the
lookback, the less that matters.  Fewer than 20 trials is called thin: the
figure is shown, but the form asks for a value of the user's own.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from sqlalchemy import Connection

from silverplatter.domain.planning import (
    DEFAULT_CONFIDENCE,
    STEPS,
    THIN_TRIALS,
    Rate,
    add_months,
    days_between,
    median,
    month_start,
)
from silverplatter.storage import marketing_plans as store

DEFAULT_LOOKBACK_MONTHS: Final = 12


@dataclass(frozen=True, slots=True)
class MeasuredStep:
    """One conversion step as the history shows it."""

    step: str
    successes: int
    trials: int
    median_days: float | None
    low: float
    high: float

    @property
    def rate(self) -> float | None:
        return self.successes / self.trials if self.trials else None

    @property
    def thin(self) -> bool:
        return self.trials < THIN_TRIALS

    def as_rate(self) -> Rate:
        return Rate.measured(self.successes, self.trials)

    def as_record(self) -> dict[str, float | int | None]:
        return {
            "successes": self.successes,
            "trials": self.trials,
            "rate": self.rate,
            "low": self.low,
            "high": self.high,
            "median_days": self.median_days,
        }


@dataclass(frozen=True, slots=True)
class Measurement:
    since: datetime
    until: datetime
    steps: dict[str, MeasuredStep]
    won_deals: int
    average_won_amount: float | None
    confidence: float = DEFAULT_CONFIDENCE

    def as_record(self) -> dict[str, object]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "confidence": self.confidence,
            "won_deals": self.won_deals,
            "average_won_amount": self.average_won_amount,
            "steps": {step: found.as_record() for step, found in self.steps.items()},
        }


def lookback_start(now: datetime, months: int) -> datetime:
    """``months`` calendar months before ``now``, at the same time of day."""
    first = add_months(month_start(now), -months)
    day = min(now.day, monthrange(first.year, first.month)[1])
    return now.replace(year=first.year, month=first.month, day=day)


def _step(
    step: str, successes: int, trials: int, durations: list[float], confidence: float
) -> MeasuredStep:
    low, high = Rate.measured(successes, trials).interval(confidence)
    return MeasuredStep(step, successes, trials, median(durations), low, high)


def measure(
    connection: Connection,
    *,
    now: datetime,
    lookback_months: int = DEFAULT_LOOKBACK_MONTHS,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Measurement:
    """The four conversion rates and median durations over the lookback before ``now``."""
    if not 1 <= lookback_months <= 60:
        raise ValueError("lookback_months: expected 1 to 60 months")
    since, until = lookback_start(now, lookback_months), now

    day = 86_400.0
    addresses = store.contacts_created(connection, since, until)
    address_mql: list[float] = []
    mql_trials, sql_trials = 0, 0
    mql_sql: list[float] = []
    sql_opp: list[float] = []
    for row in store.stage_reaches(connection, since, until):
        if row.new and row.mql_s is not None:
            address_mql.append(max((row.mql_s - row.created_s) / day, 0.0))
        if row.mql:
            mql_trials += 1
            if row.sql_s is not None:
                mql_sql.append((row.sql_s - row.mql_s) / day)
        if row.sql:
            sql_trials += 1
            if row.opportunity_s is not None:
                sql_opp.append((row.opportunity_s - row.sql_s) / day)
    closed = store.closed_opportunities(connection, since, until)
    won = [row for row in closed if row.status == "won"]
    amounts = [Decimal(row.amount) for row in won if row.amount is not None]
    won_days = [max(days_between(row.created_at, row.closed_at), 0.0) for row in won]
    steps = {
        "address_to_mql": _step(
            "address_to_mql", len(address_mql), addresses, address_mql, confidence
        ),
        "mql_to_sql": _step("mql_to_sql", len(mql_sql), mql_trials, mql_sql, confidence),
        "sql_to_opportunity": _step(
            "sql_to_opportunity", len(sql_opp), sql_trials, sql_opp, confidence
        ),
        "opportunity_to_won": _step(
            "opportunity_to_won", len(won), len(closed), won_days, confidence
        ),
    }
    assert tuple(steps) == STEPS
    return Measurement(
        since=since,
        until=until,
        steps=steps,
        won_deals=len(won),
        average_won_amount=float(sum(amounts) / len(amounts)) if amounts else None,
        confidence=confidence,
    )
