"""An account's buying window, inferred from facts that are easy to get ("reverse BANT").

"We have no needs" + "our ERP went live 7 years ago" + a typical ERP life of
7 years = the buying window is now (domain §5, §6).  Each fact proposes a
window; all month arithmetic keeps the day, clamped to the month's end:

* **qualification** — the timeline given in a BANT qualification (when they
  intend to buy): opens ``qualification_lead_months`` (3) before it, closes
  on it; confidence 0.9.
* **contract_end** — a supplier contract's end date (from the supplier
  contracts or a qualification): opens ``contract_lead_months`` (6) before the
  end, closes on it; confidence 0.8 when satisfaction with the supplier is
  known and at most 6 of 10, else 0.6.
* **installed_base** — an installed solution's go-live date plus its typical
  lifetime in years is its end of life: the window opens
  ``end_of_life_lead_months`` (6) before and closes
  ``end_of_life_close_months`` (12) after it; confidence 0.5 with the
  solution's own lifetime, 0.35 with a default one (by category, else
  ``fallback_lifetime_years``).  Solutions without a go-live date say nothing.

A window is still relevant unless it closed more than ``stale_after_months``
(6) before today.  Among the relevant windows the best has the highest
confidence; ties go to the one that opens earliest, then to the source in
the order above.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

SOURCE_ORDER = ("qualification", "contract_end", "installed_base")


@dataclass(frozen=True, slots=True)
class SupplierContract:
    supplier: str | None
    end_date: date
    category: str | None = None
    #: Satisfaction with the supplier, 0 to 10.
    satisfaction: int | None = None


@dataclass(frozen=True, slots=True)
class InstalledSolution:
    category: str
    go_live: date
    vendor: str | None = None
    product: str | None = None
    lifetime_years: int | None = None


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What is known about one account's purchases."""

    timelines: tuple[date, ...] = ()
    contracts: tuple[SupplierContract, ...] = ()
    solutions: tuple[InstalledSolution, ...] = ()


@dataclass(frozen=True, slots=True)
class WindowRules:
    qualification_lead_months: int = 3
    contract_lead_months: int = 6
    end_of_life_lead_months: int = 6
    end_of_life_close_months: int = 12
    stale_after_months: int = 6
    #: Typical lifetime in years by lower-case category.
    default_lifetimes: Mapping[str, int] = field(default_factory=lambda: {"erp": 7})
    fallback_lifetime_years: int = 7


@dataclass(frozen=True, slots=True)
class BuyingWindow:
    opens_on: date
    closes_on: date
    source: str
    confidence: float
    #: Why, in one sentence.
    basis: str

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` (negative to go back), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _from_timeline(timeline: date, rules: WindowRules) -> BuyingWindow:
    opens = add_months(timeline, -rules.qualification_lead_months)
    return BuyingWindow(
        opens,
        timeline,
        "qualification",
        0.9,
        f"Qualification: intends to buy by {timeline} → window opens {opens}",
    )


def _from_contract(contract: SupplierContract, rules: WindowRules) -> BuyingWindow:
    opens = add_months(contract.end_date, -rules.contract_lead_months)
    unhappy = contract.satisfaction is not None and contract.satisfaction <= 6
    whom = f"with {contract.supplier}" if contract.supplier else "with the current supplier"
    what = f" ({contract.category})" if contract.category else ""
    mood = f"; satisfaction {contract.satisfaction}/10" if contract.satisfaction is not None else ""
    return BuyingWindow(
        opens,
        contract.end_date,
        "contract_end",
        0.8 if unhappy else 0.6,
        f"Contract {whom}{what} ends {contract.end_date}{mood} → window opens {opens}",
    )


def _from_solution(solution: InstalledSolution, rules: WindowRules) -> BuyingWindow:
    years = solution.lifetime_years
    default = years is None
    if years is None:
        key = solution.category.strip().lower()
        years = rules.default_lifetimes.get(key, rules.fallback_lifetime_years)
    end_of_life = add_months(solution.go_live, 12 * years)
    opens = add_months(end_of_life, -rules.end_of_life_lead_months)
    made_by = " ".join(part for part in (solution.vendor, solution.product) if part)
    name = f"{solution.category} ({made_by})" if made_by else solution.category
    return BuyingWindow(
        opens,
        add_months(end_of_life, rules.end_of_life_close_months),
        "installed_base",
        0.35 if default else 0.5,
        f"{name} went live {solution.go_live:%Y-%m}; typical lifetime {years} years"
        f"{' (default)' if default else ''} → window opens {opens:%Y-%m}",
    )


def candidate_windows(
    facts: AccountFacts, *, today: date, rules: WindowRules | None = None
) -> list[BuyingWindow]:
    """Every still-relevant window the facts propose, best first."""
    chosen = rules or WindowRules()
    windows = [
        *(_from_timeline(timeline, chosen) for timeline in facts.timelines),
        *(_from_contract(contract, chosen) for contract in facts.contracts),
        *(_from_solution(solution, chosen) for solution in facts.solutions),
    ]
    horizon = add_months(today, -chosen.stale_after_months)
    relevant = [window for window in windows if window.closes_on >= horizon]
    return sorted(
        relevant,
        key=lambda w: (-w.confidence, w.opens_on, SOURCE_ORDER.index(w.source), w.basis),
    )


def infer_buying_window(
    facts: AccountFacts, *, today: date, rules: WindowRules | None = None
) -> BuyingWindow | None:
    """The best still-relevant buying window, or ``None`` when the facts propose none."""
    windows = candidate_windows(facts, today=today, rules=rules)
    return windows[0] if windows else None
