"""Value tiers: Gold, Silver and Bronze by what an account is worth to us (domain §8).

A *policy* names a **metric** — one number per account — and a **method** that
turns the numbers into tiers:

* metric ``revenue_with_us``: the sum of the amounts of the account's won
  opportunities closed in the last ``months`` months (default 24; amounts are
  added as recorded, currencies are not converted).  An account that won
  nothing with us in that time has no value.
* metric ``annual_revenue``: the account's annual revenue (its potential).
* metric ``custom:<name>``: a number property of accounts.

* method ``thresholds``: ``bounds`` = ``{"gold": x, "silver": y, "bronze": z}``;
  gold when the value is at least x, else silver when at least y, else bronze
  when at least z, else unclassified.  A tier left out is empty; the bounds
  must fall from gold to bronze.
* method ``percentiles``: ``bounds`` are shares of the accounts that have a
  value, in per cent: the top ``gold`` %, the next ``silver`` %, the next
  ``bronze`` %; the rest, and every account without a value, unclassified.

Percentiles, exactly.  Of the ``n`` accounts with a value, the first tiers
together get ``ceil(n × share / 100)`` places, their shares added up from gold
down (so a tier's places are rounded up, and 100 % of the accounts is all of
them).  Ties: an account's place is one more than the number of accounts with
a *strictly* higher value, so accounts with equal values always share a tier,
and accounts tied across a cut all go to the higher tier (a tier may then
hold more than its share).  This is the same as a threshold at the value that
sits at the last place: the policy becomes thresholds computed from the data
(:func:`cut_offs`), and nothing depends on the order of account ids.

Pure rules, no I/O: :func:`parse_policy` validates a policy document with
errors naming the field; :func:`assign_tiers` is the reference assignment the
set-based SQL must agree with.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final, Literal, TypeVar

from silverplatter.domain.vocabulary import PROPERTY_NAME_PATTERN

#: The ranked tiers, best first; every other account is :data:`UNCLASSIFIED`.
RANKED_TIERS: Final = ("gold", "silver", "bronze")
UNCLASSIFIED: Final = "unclassified"
ALL_TIERS: Final = (*RANKED_TIERS, UNCLASSIFIED)
METHODS: Final = ("thresholds", "percentiles")
REVENUE_WITH_US: Final = "revenue_with_us"
ANNUAL_REVENUE: Final = "annual_revenue"
CUSTOM_PREFIX: Final = "custom:"
DEFAULT_MONTHS: Final = 24
MAX_MONTHS: Final = 240
#: Largest threshold accepted: beyond any amount a Numeric(18, 2) column holds.
MAX_THRESHOLD: Final = Decimal("1e18")

Method = Literal["thresholds", "percentiles"]
Number = Decimal | int | float
Key = TypeVar("Key")


@dataclass(frozen=True, slots=True)
class PolicyError:
    field: str
    message: str


class PolicyInvalid(ValueError):
    """A policy that cannot be used; ``errors`` name each field and what was expected."""

    def __init__(self, errors: Sequence[PolicyError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


@dataclass(frozen=True)
class TierPolicy:
    """How accounts are placed in tiers; ``bounds`` holds the tiers given, best first."""

    metric: str
    method: Method
    bounds: Mapping[str, Decimal] = field(default_factory=dict)
    months: int = DEFAULT_MONTHS

    @property
    def custom_property(self) -> str | None:
        """The account property a ``custom:<name>`` metric reads, else None."""
        if self.metric.startswith(CUSTOM_PREFIX):
            return self.metric[len(CUSTOM_PREFIX) :]
        return None

    def document(self) -> dict[str, Any]:
        """The ``bounds`` column: the tiers' numbers, and ``months`` for revenue with us."""
        stored: dict[str, Any] = {tier: _plain(self.bounds[tier]) for tier in self.bounds}
        if self.metric == REVENUE_WITH_US:
            stored["months"] = self.months
        return stored

    def describe(self) -> str:
        """The policy in words, for pages, audit entries and stage-move reasons."""
        metric = metric_label(self.metric, self.months)
        if self.method == "percentiles":
            parts = [
                f"{tier} the {'top' if n == 0 else 'next'} {_words(self.bounds[tier])} %"
                for n, tier in enumerate(self.bounds)
            ]
        else:
            parts = [f"{tier} from {_words(self.bounds[tier])}" for tier in self.bounds]
        return f"{metric}: " + ", ".join(parts)


def metric_label(metric: str, months: int = DEFAULT_MONTHS) -> str:
    if metric == REVENUE_WITH_US:
        return f"revenue with us (won deals, last {months} months)"
    if metric == ANNUAL_REVENUE:
        return "annual revenue"
    return f"custom property {metric[len(CUSTOM_PREFIX) :]}"


def _plain(value: Decimal) -> int | float:
    """A JSON number: whole numbers as integers."""
    return int(value) if value == value.to_integral_value() else float(value)


def _words(value: Decimal) -> str:
    plain = _plain(value)
    return f"{plain:,}" if isinstance(plain, int) else f"{plain:,.6f}".rstrip("0").rstrip(".")


# --- validation ----------------------------------------------------------------------


def _number(value: object, where: str, errors: list[PolicyError]) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        errors.append(PolicyError(where, f"expected a number, got {value!r}"))
        return None
    try:
        number = Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation:
        errors.append(PolicyError(where, f"expected a number, got {value!r}"))
        return None
    if not number.is_finite():
        errors.append(PolicyError(where, f"expected a finite number, got {value!r}"))
        return None
    return number


def _metric(document: Mapping[str, Any], errors: list[PolicyError]) -> str | None:
    metric = document.get("metric")
    if not isinstance(metric, str) or not metric.strip():
        errors.append(
            PolicyError(
                "metric",
                f"expected {REVENUE_WITH_US}, {ANNUAL_REVENUE} or {CUSTOM_PREFIX}<property>",
            )
        )
        return None
    metric = metric.strip()
    if metric in (REVENUE_WITH_US, ANNUAL_REVENUE):
        return metric
    if metric.startswith(CUSTOM_PREFIX):
        name = metric[len(CUSTOM_PREFIX) :]
        if PROPERTY_NAME_PATTERN.match(name):
            return metric
        errors.append(
            PolicyError(
                "metric",
                f"{name!r} is not a property name (lower-case letters, digits and _, "
                "starting with a letter)",
            )
        )
        return None
    errors.append(
        PolicyError(
            "metric",
            f"unknown metric {metric!r}; expected {REVENUE_WITH_US}, {ANNUAL_REVENUE} "
            f"or {CUSTOM_PREFIX}<property>",
        )
    )
    return None


def _months(document: Mapping[str, Any], metric: str | None, errors: list[PolicyError]) -> int:
    months = document.get("months")
    if months is None:
        return DEFAULT_MONTHS
    if metric is not None and metric != REVENUE_WITH_US:
        errors.append(PolicyError("months", f"only {REVENUE_WITH_US} looks back over months"))
        return DEFAULT_MONTHS
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        errors.append(
            PolicyError("months", f"expected a whole number from 1 to {MAX_MONTHS}, got {months!r}")
        )
        return DEFAULT_MONTHS
    return months


def _bounds(
    document: Mapping[str, Any], method: str | None, errors: list[PolicyError]
) -> dict[str, Decimal]:
    raw = document.get("bounds")
    if not isinstance(raw, Mapping) or not raw:
        errors.append(PolicyError("bounds", "expected at least one of gold, silver, bronze"))
        return {}
    found: dict[str, Decimal] = {}
    for key in raw:
        if key not in RANKED_TIERS:
            errors.append(
                PolicyError(f"bounds.{key}", "unknown tier; expected gold, silver, bronze")
            )
    for tier in RANKED_TIERS:
        if tier in raw and raw[tier] is not None:
            number = _number(raw[tier], f"bounds.{tier}", errors)
            if number is not None:
                found[tier] = number
    if not found and not any(e.field.startswith("bounds") for e in errors):
        errors.append(PolicyError("bounds", "expected at least one of gold, silver, bronze"))
    if method == "percentiles":
        _check_shares(found, errors)
    elif method == "thresholds":
        _check_thresholds(found, errors)
    return found


def _check_shares(found: Mapping[str, Decimal], errors: list[PolicyError]) -> None:
    for tier, share in found.items():
        if not 0 <= share <= 100:
            errors.append(PolicyError(f"bounds.{tier}", f"a share from 0 to 100 %, got {share}"))
    total = sum(found.values(), Decimal(0))
    if total > 100 and all(0 <= share <= 100 for share in found.values()):
        errors.append(PolicyError("bounds", f"the shares add up to {total} %; at most 100"))


def _check_thresholds(found: Mapping[str, Decimal], errors: list[PolicyError]) -> None:
    above: tuple[str, Decimal] | None = None
    for tier in RANKED_TIERS:
        if tier not in found:
            continue
        value = found[tier]
        if abs(value) > MAX_THRESHOLD:
            errors.append(PolicyError(f"bounds.{tier}", f"at most {MAX_THRESHOLD:,.0f} either way"))
        elif above is not None and value >= above[1]:
            errors.append(
                PolicyError(
                    f"bounds.{tier}",
                    f"must be below {above[0]}'s {_words(above[1])}, got {_words(value)}",
                )
            )
        above = (tier, value)


def parse_policy(document: Mapping[str, Any]) -> TierPolicy:
    """A policy from its document (``metric``, ``method``, ``bounds``, ``months``).

    Raises :class:`PolicyInvalid` with every error found, each naming its field.
    Whether a ``custom:`` property exists is for the caller to check.
    """
    errors: list[PolicyError] = []
    for key in document:
        if key not in ("metric", "method", "bounds", "months"):
            errors.append(
                PolicyError(key, "unknown field; expected metric, method, bounds, months")
            )
    metric = _metric(document, errors)
    method = document.get("method")
    if method not in METHODS:
        errors.append(PolicyError("method", f"expected thresholds or percentiles, got {method!r}"))
        method = None
    months = _months(document, metric, errors)
    bounds = _bounds(document, method, errors)
    if errors or metric is None or method is None:
        raise PolicyInvalid(errors)
    return TierPolicy(metric=metric, method=method, bounds=bounds, months=months)


def stored_policy(metric: str, method: str, bounds: Mapping[str, Any]) -> TierPolicy:
    """A policy as stored (``bounds`` column with ``months`` inside for revenue with us)."""
    document: dict[str, Any] = {
        "metric": metric,
        "method": method,
        "bounds": {tier: bounds[tier] for tier in RANKED_TIERS if tier in bounds},
    }
    if metric == REVENUE_WITH_US and "months" in bounds:
        document["months"] = bounds["months"]
    return parse_policy(document)


def revenue_since(now: datetime, months: int) -> datetime:
    """The start of the revenue window: ``now`` moved back ``months`` calendar months
    (the day clamped to the month's end: 31 May − 3 months = 28 or 29 February)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return now.replace(year=year, month=month + 1, day=min(now.day, last))


# --- assignment ----------------------------------------------------------------------


def places(policy: TierPolicy, count: int) -> dict[str, int]:
    """For percentiles: how many places the tiers down to each one take together.

    ``ceil(count × cumulative share / 100)``, exact (no floating point).
    """
    taken: dict[str, int] = {}
    share = Fraction(0)
    for tier in RANKED_TIERS:
        if tier not in policy.bounds:
            continue
        share += Fraction(policy.bounds[tier])
        taken[tier] = min(count, math.ceil(count * share / 100))
    return taken


def cut_offs(
    policy: TierPolicy, count: int, value_at: Callable[[int], Number]
) -> dict[str, Number]:
    """The lowest value of each non-empty tier: a value at or above it is in the tier
    (unless a higher tier takes it).

    For thresholds these are the bounds.  For percentiles ``value_at(place)`` is
    the value at that 1-based place of the ``count`` values sorted from high to
    low; a tier whose places add none gets no cut-off (it stays empty).
    """
    if policy.method == "thresholds":
        return dict(policy.bounds)
    found: dict[str, Number] = {}
    before = 0
    for tier, taken in places(policy, count).items():
        if taken > before:
            found[tier] = value_at(taken)
        before = taken
    return found


def tier_of(value: Number | None, cuts: Mapping[str, Number]) -> str:
    """The tier of one value under the cut-offs; no value → unclassified."""
    if value is None:
        return UNCLASSIFIED
    for tier in RANKED_TIERS:
        cut = cuts.get(tier)
        if cut is not None and _at_least(value, cut):
            return tier
    return UNCLASSIFIED


def _at_least(value: Number, cut: Number) -> bool:
    return Fraction(value) >= Fraction(cut)


def assign_tiers(policy: TierPolicy, values: Mapping[Key, Number | None]) -> dict[Key, str]:
    """Every key's tier: the reference the SQL assignment agrees with."""
    ranked = sorted((v for v in values.values() if v is not None), key=Fraction, reverse=True)
    cuts = cut_offs(policy, len(ranked), lambda place: ranked[place - 1])
    return {key: tier_of(value, cuts) for key, value in values.items()}


__all__ = [
    "ALL_TIERS",
    "ANNUAL_REVENUE",
    "CUSTOM_PREFIX",
    "DEFAULT_MONTHS",
    "METHODS",
    "RANKED_TIERS",
    "REVENUE_WITH_US",
    "UNCLASSIFIED",
    "PolicyError",
    "PolicyInvalid",
    "TierPolicy",
    "assign_tiers",
    "cut_offs",
    "metric_label",
    "parse_policy",
    "places",
    "revenue_since",
    "stored_policy",
    "tier_of",
]
