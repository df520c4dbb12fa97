"""The needs and competitor grid (domain §10): what matters to customers, and how we compare.

Each **rater** allocates 100 points across the needs (brand, product,
quality, price, service …) and scores us and each competitor from 0 to 10 on
each need.  Raters are internal (with a department) or customers (their
survey answers); the same figures are computed for each group and set side
by side.

Definitions (all pure, on fixed data; ``tests/test_need_grid.py`` holds them):

* **Weighted total** of a competitor for one rater:
  ``Σ_need points/100 × score``, over the needs the rater gave points to;
  a rater who left a scored cell of such a need blank does not count for
  that competitor.  The grid's total of a competitor is the **mean over the
  raters** of their own totals (each rater's view of who wins, averaged) —
  not the total of the averaged weights and scores, which would mix one
  rater's weights with another's scores.
* **Spread** of a cell (a need's points, or a competitor's score on a need)
  among the raters who filled it: the *population* standard deviation
  (divided by n, so one rater gives 0) and the range (highest − lowest).
* **By department**: the mean per department of every cell; "who rates what
  higher" is, per cell, the department with the highest mean against the one
  with the lowest, and the gap between them.  Raters without a department
  form the group "No department".
* **Internal against customers**: per need, the internal mean points minus
  the customers' mean points; per cell, the internal mean score minus the
  customers'; per competitor, the internal total minus the customers'.
  Ranked by the size of the difference, largest first: where internal
  belief differs most from what customers say.

Gaps and differences are ranked **within their scale**: the needs' points
(0–100) first, then the scores and totals (0–10).  Ranked together, a
points gap of 5 (a twentieth of its scale) would come before a score gap of
4 (two fifths of its), and a list cut at its top would show only points.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from silverplatter.domain.understanding_checks import (
    FieldError,
    UnderstandingInvalid,
    invalid,
    name,
    number,
)

POINTS: Final = 100.0
MAX_SCORE: Final = 10.0
#: Points that add up to 100 within this count as 100 (decimal points typed in a form).
TOLERANCE: Final = 1e-6
NO_DEPARTMENT: Final = "No department"
MAX_NEEDS: Final = 20
MAX_COMPETITORS: Final = 12
SOURCES: Final = ("internal", "customer")

Cell = tuple[str, str]  # (need, competitor)


@dataclass(frozen=True, slots=True)
class Rating:
    """One rater's points per need and scores per (need, competitor)."""

    rater: str
    source: str
    department: str | None
    weights: Mapping[str, float]
    scores: Mapping[Cell, float]

    def total(self, competitor: str, needs: Sequence[str]) -> float | None:
        """Σ points/100 × score over the weighted needs; None when a needed score is blank."""
        total = 0.0
        for need in needs:
            points = self.weights.get(need, 0.0)
            if points <= 0:
                continue
            score = self.scores.get((need, competitor))
            if score is None:
                return None
            total += points / POINTS * score
        return total


@dataclass(frozen=True, slots=True)
class Spread:
    """Figures of one cell among the raters who filled it."""

    n: int
    mean: float
    sd: float
    low: float
    high: float

    @property
    def range(self) -> float:
        return self.high - self.low


def spread(values: Iterable[float]) -> Spread | None:
    """Mean, population standard deviation and range; None for no values."""
    items = list(values)
    if not items:
        return None
    mean = math.fsum(items) / len(items)
    variance = math.fsum((value - mean) ** 2 for value in items) / len(items)
    return Spread(len(items), mean, math.sqrt(variance), min(items), max(items))


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """The grid's figures over one group of raters."""

    raters: int
    weights: dict[str, Spread]
    scores: dict[Cell, Spread]
    totals: dict[str, Spread]


def figures(
    ratings: Sequence[Rating], needs: Sequence[str], competitors: Sequence[str]
) -> GroupFigures:
    weights = {
        need: found
        for need in needs
        if (found := spread(r.weights[need] for r in ratings if need in r.weights)) is not None
    }
    scores = {
        (need, competitor): found
        for need in needs
        for competitor in competitors
        if (
            found := spread(
                r.scores[(need, competitor)] for r in ratings if (need, competitor) in r.scores
            )
        )
        is not None
    }
    totals: dict[str, Spread] = {}
    for competitor in competitors:
        found = spread(total for r in ratings if (total := r.total(competitor, needs)) is not None)
        if found is not None:
            totals[competitor] = found
    return GroupFigures(len(ratings), weights, scores, totals)


@dataclass(frozen=True, slots=True)
class DepartmentGap:
    """Who rates a cell higher: the highest and lowest department means, and the gap."""

    need: str
    competitor: str | None  # None: the need's points
    means: dict[str, float]
    highest: str
    lowest: str

    @property
    def gap(self) -> float:
        return self.means[self.highest] - self.means[self.lowest]


@dataclass(frozen=True, slots=True)
class Difference:
    """Internal mean minus customers' mean for one need's points, one cell or one total."""

    need: str | None  # None: a competitor's weighted total
    competitor: str | None  # None: the need's points
    internal: float
    customer: float

    @property
    def difference(self) -> float:
        return self.internal - self.customer


@dataclass(frozen=True)
class GridResult:
    needs: tuple[str, ...]
    competitors: tuple[str, ...]
    internal: GroupFigures
    customer: GroupFigures
    departments: dict[str, GroupFigures]
    department_gaps: list[DepartmentGap] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)


def _department(rating: Rating) -> str:
    return rating.department or NO_DEPARTMENT


def department_gaps(
    departments: Mapping[str, GroupFigures], needs: Sequence[str], competitors: Sequence[str]
) -> list[DepartmentGap]:
    """Per cell the departments' means, highest against lowest: the points largest gap
    first, then the scores largest gap first."""
    if len(departments) < 2:
        return []
    found: list[DepartmentGap] = []
    cells: list[tuple[str, str | None]] = [(need, None) for need in needs]
    cells += [(need, competitor) for need in needs for competitor in competitors]
    for need, competitor in cells:
        means: dict[str, float] = {}
        for department, group in sorted(departments.items()):
            cell = (
                group.weights.get(need)
                if competitor is None
                else group.scores.get((need, competitor))
            )
            if cell is not None:
                means[department] = cell.mean
        if len(means) < 2:
            continue
        highest = min(means, key=lambda d: (-means[d], d))
        lowest = min((d for d in means if d != highest), key=lambda d: (means[d], d))
        found.append(DepartmentGap(need, competitor, means, highest, lowest))
    found.sort(
        key=lambda gap: (gap.competitor is not None, -gap.gap, gap.need, gap.competitor or "")
    )
    return found


def differences(
    internal: GroupFigures, customer: GroupFigures, needs: Sequence[str], competitors: Sequence[str]
) -> list[Difference]:
    """Internal against customers for every need, cell and total both have: the points
    largest first, then the scores and totals largest first."""
    found: list[Difference] = []
    for need in needs:
        if need in internal.weights and need in customer.weights:
            found.append(
                Difference(need, None, internal.weights[need].mean, customer.weights[need].mean)
            )
    for need in needs:
        for competitor in competitors:
            cell = (need, competitor)
            if cell in internal.scores and cell in customer.scores:
                found.append(
                    Difference(
                        need, competitor, internal.scores[cell].mean, customer.scores[cell].mean
                    )
                )
    for competitor in competitors:
        if competitor in internal.totals and competitor in customer.totals:
            found.append(
                Difference(
                    None,
                    competitor,
                    internal.totals[competitor].mean,
                    customer.totals[competitor].mean,
                )
            )
    found.sort(
        key=lambda d: (
            d.competitor is not None,
            -abs(d.difference),
            d.need or "",
            d.competitor or "",
        )
    )
    return found


def evaluate(
    ratings: Sequence[Rating], needs: Sequence[str], competitors: Sequence[str]
) -> GridResult:
    """Every figure of the grid from its ratings."""
    internal = [r for r in ratings if r.source == "internal"]
    customers = [r for r in ratings if r.source == "customer"]
    grouped: dict[str, list[Rating]] = defaultdict(list)
    for rating in internal:
        grouped[_department(rating)].append(rating)
    departments = {
        name: figures(group, needs, competitors) for name, group in sorted(grouped.items())
    }
    inside = figures(internal, needs, competitors)
    outside = figures(customers, needs, competitors)
    return GridResult(
        needs=tuple(needs),
        competitors=tuple(competitors),
        internal=inside,
        customer=outside,
        departments=departments,
        department_gaps=department_gaps(departments, needs, competitors),
        differences=differences(inside, outside, needs, competitors),
    )


# ---------------------------------------------------------------- checking input


def check_weights(
    raw: Mapping[str, object], needs: Sequence[str], *, field: str = "weights"
) -> dict[str, float]:
    """Points per need from 0 to 100 adding up to 100; a blank need is 0.

    Errors name ``weights.<need>``; a total other than 100 says by how much it is off.
    """
    errors: list[FieldError] = []
    found: dict[str, float] = {}
    known = set(needs)
    for need, value in raw.items():
        if need not in known:
            errors.append(FieldError(f"{field}.{need}", "not a need of this grid"))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            found[need] = number(value, f"{field}.{need}", low=0, high=POINTS)
        except UnderstandingInvalid as bad:
            errors.extend(bad.errors)
    if errors:
        raise UnderstandingInvalid(errors)
    total = math.fsum(found.values())
    if abs(total - POINTS) > TOLERANCE:
        off = abs(total - POINTS)
        side = "short of" if total < POINTS else "over"
        raise invalid(
            field,
            f"the points must add up to 100; they add up to {_plain(total)}, "
            f"{_plain(off)} {side} 100",
        )
    return {need: found.get(need, 0.0) for need in needs}


def check_scores(
    raw: Mapping[Cell, object],
    needs: Sequence[str],
    competitors: Sequence[str],
    *,
    field: str = "scores",
) -> dict[Cell, float]:
    """Scores from 0 to 10 per (need, competitor); blanks are left out (not scored)."""
    errors: list[FieldError] = []
    found: dict[Cell, float] = {}
    for (need, competitor), value in raw.items():
        where = f"{field}.{competitor}.{need}"
        if need not in needs or competitor not in competitors:
            errors.append(FieldError(where, "not a need and competitor of this grid"))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            found[(need, competitor)] = number(value, where, low=0, high=MAX_SCORE)
        except UnderstandingInvalid as bad:
            errors.extend(bad.errors)
    if errors:
        raise UnderstandingInvalid(errors)
    return found


def check_names(raw: Iterable[object], field: str, most: int) -> list[str]:
    """A list of distinct names (needs or competitors), in order."""
    found: list[str] = []
    errors: list[FieldError] = []
    for index, value in enumerate(raw):
        try:
            cleaned = name(value, f"{field}[{index}]")
        except UnderstandingInvalid as bad:
            errors.extend(bad.errors)
            continue
        if cleaned.casefold() in {item.casefold() for item in found}:
            errors.append(FieldError(f"{field}[{index}]", f"{cleaned!r} is named twice"))
            continue
        found.append(cleaned)
    if errors:
        raise UnderstandingInvalid(errors)
    if not found:
        raise invalid(field, "name at least one")
    if len(found) > most:
        raise invalid(field, f"at most {most}, got {len(found)}")
    return found


def _plain(value: float) -> str:
    return f"{round(value, 6):g}"


__all__ = [
    "MAX_COMPETITORS",
    "MAX_NEEDS",
    "NO_DEPARTMENT",
    "SOURCES",
    "Cell",
    "DepartmentGap",
    "Difference",
    "GridResult",
    "GroupFigures",
    "Rating",
    "Spread",
    "check_names",
    "check_scores",
    "check_weights",
    "department_gaps",
    "differences",
    "evaluate",
    "figures",
    "spread",
]
