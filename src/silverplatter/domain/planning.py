"""Planning backwards from a sales target to marketing's service level (domain §11).

A revenue target per month becomes deals (``ceil(revenue / average deal size)``),
and each deal needs, further up the funnel, ``1 / rate`` opportunities, SQLs,
MQLs and new addresses::

    opportunities = deals / p(opportunity→won)
    SQLs          = opportunities / p(SQL→opportunity)
    MQLs          = SQLs / p(MQL→SQL)
    new addresses = MQLs / p(address→MQL)

Each need is placed in the month it must **arrive**: a deal closing in June whose
opportunity takes 60 days (the median) must be an opportunity by April.  The
lead time of a stage is the sum of the median durations below it, turned into
whole months by rounding ``days / 30.4375`` (mid-month to mid-month).

Whole numbers come from rounding the *cumulative* need up and taking
differences month by month, so the plan's total is never more than the
rounded-up total need (a quarter's 7.5 deals is 8, not 3 + 3 + 3).

The rates are measured (successes of trials) or set by hand.  A measured rate
carries a Wilson score interval (80 % by default); the plan's *low* figure uses
each rate's upper bound and its *high* figure the lower bound.  A lower bound of
0 (no conversion seen) makes the high figure unbounded (``None``).

Everything here is pure: time is passed in, nothing is read or written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import NormalDist
from typing import Any, Final, Literal

#: The conversion steps, top of the funnel first.
STEPS: Final = ("address_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_won")
STEP_LABELS: Final = {
    "address_to_mql": "New address → MQL",
    "mql_to_sql": "MQL → SQL",
    "sql_to_opportunity": "SQL → opportunity",
    "opportunity_to_won": "Opportunity → won",
}
#: What the plan counts, bottom of the funnel first (the order of computing).
NEEDS: Final = ("deals", "opportunities", "sqls", "mqls", "addresses")
NEED_LABELS: Final = {
    "deals": "Deals",
    "opportunities": "Opportunities",
    "sqls": "SQLs",
    "mqls": "MQLs",
    "addresses": "New addresses",
}
#: The step whose rate turns the need below into this need, and whose median
#: duration is this need's extra lead time.
_STEP_INTO: Final = {
    "opportunities": "opportunity_to_won",
    "sqls": "sql_to_opportunity",
    "mqls": "mql_to_sql",
    "addresses": "address_to_mql",
}
AVERAGE_MONTH_DAYS: Final = 365.25 / 12
DEFAULT_CONFIDENCE: Final = 0.8
#: Fewer trials than this and a measured rate is too thin to trust alone.
THIN_TRIALS: Final = 20
#: The projection is "on track" within this share of the target either way.
TOLERANCE: Final = 0.1
#: More than this many of anything in one month is a typo, not a plan.
MAX_NEED: Final = 10**9
_EPSILON: Final = 1e-9

Status = Literal["behind", "on track", "ahead"]


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class PlanInvalid(ValueError):
    """Bad planning input: ``errors`` name each bad field and what was expected."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{first.field}: {first.message}{more}")


def wilson_interval(
    successes: int, trials: int, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[float, float]:
    """The Wilson score interval of ``successes / trials``: sound at 0 %, 100 % and small n."""
    if trials <= 0:
        return (0.0, 1.0)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials)) / (1 + z2n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class Rate:
    """A conversion rate: measured (``successes`` of ``trials``) or set by hand."""

    value: float
    successes: int | None = None
    trials: int | None = None

    @classmethod
    def measured(cls, successes: int, trials: int) -> Rate:
        return cls(successes / trials if trials else 0.0, successes, trials)

    @property
    def is_measured(self) -> bool:
        return self.trials is not None

    @property
    def thin(self) -> bool:
        """Measured from fewer than :data:`THIN_TRIALS` trials."""
        return self.trials is not None and self.trials < THIN_TRIALS

    def interval(self, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
        """(low, high); a rate set by hand has no spread."""
        if self.successes is None or self.trials is None:
            return (self.value, self.value)
        return wilson_interval(self.successes, self.trials, confidence)


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What a plan is computed from; ``revenue_targets[i]`` closes in month ``i``."""

    starts_on: date
    revenue_targets: tuple[float, ...]
    average_deal_size: float
    rates: Mapping[str, Rate]
    #: Median days of each step (``STEPS``).
    durations: Mapping[str, float]
    confidence: float = DEFAULT_CONFIDENCE


@dataclass(frozen=True, slots=True)
class Need:
    """How many must arrive: expected, and the range the rates' uncertainty gives."""

    expected: int
    low: int
    high: int | None  # None: unbounded, a rate's lower bound is 0

    def as_record(self) -> dict[str, int | None]:
        return {"expected": self.expected, "low": self.low, "high": self.high}


@dataclass(frozen=True, slots=True)
class PlanMonth:
    """One month: the revenue meant to close in it and what must arrive in it."""

    month: date
    revenue: float
    needs: Mapping[str, Need]
    #: Before the plan's first month: arrivals the first months' deals need early.
    lead_in: bool


@dataclass(frozen=True, slots=True)
class Plan:
    months: tuple[PlanMonth, ...]
    #: Whole months each need arrives before the deals it feeds close.
    lead_months: Mapping[str, int]
    totals: Mapping[str, Need]
    sla_sqls_per_month: int
    sla_mqls_per_month: int
    months_count: int
    notes: tuple[str, ...] = field(default=())

    def month(self, month: date) -> PlanMonth | None:
        return next((m for m in self.months if m.month == month), None)


# --- months -----------------------------------------------------------------------


def month_start(moment: date | datetime) -> date:
    return date(moment.year, moment.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, later: date) -> int:
    """How many months ``later`` is after ``first`` (both first days of a month)."""
    return (later.year - first.year) * 12 + later.month - first.month


def lead_months(durations: Mapping[str, float]) -> dict[str, int]:
    """Whole months each need arrives before its deal closes (cumulative days, rounded)."""
    result = {"deals": 0}
    days = 0.0
    for need in NEEDS[1:]:
        days += durations[_STEP_INTO[need]]
        result[need] = math.floor(days / AVERAGE_MONTH_DAYS + 0.5)
    return result


# --- checks -----------------------------------------------------------------------


def _check(inputs: PlanInputs) -> None:
    errors: list[FieldError] = []
    if inputs.starts_on.day != 1:
        errors.append(FieldError("starts_on", "expected the first day of a month"))
    if not 1 <= len(inputs.revenue_targets) <= 36:
        errors.append(FieldError("revenue_targets", "expected 1 to 36 months of targets"))
    for index, target in enumerate(inputs.revenue_targets):
        if not math.isfinite(target) or target < 0:
            errors.append(
                FieldError(f"revenue_targets[{index}]", "expected an amount of 0 or more")
            )
    if inputs.revenue_targets and sum(inputs.revenue_targets) <= 0:
        errors.append(FieldError("revenue_targets", "expected a target above 0 in some month"))
    if not math.isfinite(inputs.average_deal_size) or inputs.average_deal_size <= 0:
        errors.append(FieldError("average_deal_size", "expected an amount above 0"))
    for step in STEPS:
        rate = inputs.rates.get(step)
        if rate is None:
            errors.append(FieldError(f"rates.{step}", "required"))
        elif not (math.isfinite(rate.value) and 0 < rate.value <= 1):
            errors.append(
                FieldError(
                    f"rates.{step}",
                    "expected a rate above 0 % and at most 100 % "
                    "(with no conversions, no number of leads is enough)",
                )
            )
        duration = inputs.durations.get(step)
        if duration is None:
            errors.append(FieldError(f"durations.{step}", "required"))
        elif not (math.isfinite(duration) and 0 <= duration <= 3650):
            errors.append(FieldError(f"durations.{step}", "expected 0 to 3650 days"))
    if not 0 < inputs.confidence < 1:
        errors.append(FieldError("confidence", "expected a share between 0 and 1"))
    if errors:
        raise PlanInvalid(errors)


# --- the plan ---------------------------------------------------------------------


def _whole_steps(exact: Sequence[float]) -> list[int]:
    """Whole numbers per month whose running total is the running exact total rounded up."""
    result: list[int] = []
    running, placed = 0.0, 0
    for value in exact:
        running += value
        total = math.ceil(running - _EPSILON)
        result.append(total - placed)
        placed = total
    return result


def _per_month(deals: Sequence[int], rates: Mapping[str, float]) -> dict[str, list[int]]:
    """Each need per target month for one set of rates (no placement yet)."""
    result = {"deals": list(deals)}
    divisor = 1.0
    for need in NEEDS[1:]:
        divisor *= rates[_STEP_INTO[need]]
        result[need] = _whole_steps([d / divisor for d in deals])
    return result


def compute_plan(inputs: PlanInputs) -> Plan:
    """The plan: per month, the need of each stage placed in the month it must arrive."""
    _check(inputs)
    count = len(inputs.revenue_targets)
    deals = _whole_steps([t / inputs.average_deal_size for t in inputs.revenue_targets])
    bounds = {step: inputs.rates[step].interval(inputs.confidence) for step in STEPS}
    expected = _per_month(deals, {step: inputs.rates[step].value for step in STEPS})
    low = _per_month(deals, {step: bounds[step][1] for step in STEPS})
    unbounded = {need for need in NEEDS[1:] if _depends_on_zero(need, bounds)}
    safe_low = {step: bounds[step][0] or 1.0 for step in STEPS}
    high = _per_month(deals, safe_low)
    largest = max(max(expected[need], default=0) for need in NEEDS)
    if largest > MAX_NEED:
        raise PlanInvalid(
            [
                FieldError(
                    "revenue_targets",
                    f"the plan would need more than {MAX_NEED:,} of a stage in a month; "
                    "check the target, the deal size and the rates",
                )
            ]
        )
    leads = lead_months(inputs.durations)
    first = -max(leads.values())
    months: list[PlanMonth] = []
    for index in range(first, count):
        needs: dict[str, Need] = {}
        for need in NEEDS:
            source = index + leads[need]
            if 0 <= source < count:
                needs[need] = Need(
                    expected[need][source],
                    low[need][source],
                    None if need in unbounded else high[need][source],
                )
            else:
                needs[need] = Need(0, 0, 0)
        revenue = inputs.revenue_targets[index] if index >= 0 else 0.0
        months.append(
            PlanMonth(add_months(inputs.starts_on, index), float(revenue), needs, index < 0)
        )
    totals = {
        need: Need(
            sum(expected[need]),
            sum(low[need]),
            None if need in unbounded else sum(high[need]),
        )
        for need in NEEDS
    }
    notes = tuple(
        f"{STEP_LABELS[step]}: measured from only {inputs.rates[step].trials} trials"
        for step in STEPS
        if inputs.rates[step].thin
    )
    return Plan(
        months=tuple(months),
        lead_months=leads,
        totals=totals,
        sla_sqls_per_month=math.ceil(totals["sqls"].expected / count - _EPSILON),
        sla_mqls_per_month=math.ceil(totals["mqls"].expected / count - _EPSILON),
        months_count=count,
        notes=notes,
    )


def _depends_on_zero(need: str, bounds: Mapping[str, tuple[float, float]]) -> bool:
    index = NEEDS.index(need)
    return any(bounds[_STEP_INTO[n]][0] <= 0 for n in NEEDS[1 : index + 1])


def plan_months_record(plan: Plan) -> list[dict[str, Any]]:
    """The plan's months as JSON-ready records (``marketing_plans.months``)."""
    return [
        {
            "month": m.month.isoformat(),
            "lead_in": m.lead_in,
            "revenue": m.revenue,
            **{need: m.needs[need].as_record() for need in NEEDS},
        }
        for m in plan.months
    ]


def quarter_to_months(quarter_targets: Sequence[float]) -> tuple[float, ...]:
    """Each quarter's target spread evenly over its three months."""
    return tuple(t / 3 for t in quarter_targets for _ in range(3))


# --- measuring --------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def days_between(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(days=1)


# --- the service level against actuals --------------------------------------------


@dataclass(frozen=True, slots=True)
class Projection:
    """The period so far, where its run rate ends, and how that compares to the target."""

    period_start: date
    period_end: date  # exclusive
    actual: int
    projected: int
    target: int
    status: Status


def project(
    actual: int, target: int, *, period_start: date, period_end: date, now: datetime
) -> Projection:
    """Run rate: ``actual`` so far, scaled from the elapsed share of the period to all of it.

    Status: ``behind`` below ``(1 - TOLERANCE) × target``, ``ahead`` at or above
    ``(1 + TOLERANCE) × target``, ``on track`` in between.
    """
    start = datetime.combine(period_start, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(period_end, datetime.min.time(), tzinfo=UTC)
    total = days_between(start, end)
    elapsed = min(max(days_between(start, now), 0.0), total)
    projected = actual if elapsed <= 0 else math.floor(actual * total / elapsed + 0.5)
    return Projection(
        period_start, period_end, actual, projected, target, status_of(projected, target)
    )


def status_of(projected: float, target: float) -> Status:
    if projected < target * (1 - TOLERANCE):
        return "behind"
    if projected >= target * (1 + TOLERANCE) and target > 0:
        return "ahead"
    return "on track"


def quarter_start(month: date) -> date:
    return date(month.year, (month.month - 1) // 3 * 3 + 1, 1)


__all__ = [
    "NEEDS",
    "NEED_LABELS",
    "STEPS",
    "STEP_LABELS",
    "THIN_TRIALS",
    "FieldError",
    "Need",
    "Plan",
    "PlanInputs",
    "PlanInvalid",
    "PlanMonth",
    "Projection",
    "Rate",
    "add_months",
    "compute_plan",
    "days_between",
    "lead_months",
    "median",
    "month_start",
    "months_between",
    "plan_months_record",
    "project",
    "quarter_start",
    "quarter_to_months",
    "status_of",
    "wilson_interval",
]
