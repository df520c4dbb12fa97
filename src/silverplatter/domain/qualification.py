"""BANT qualification: budget, authority, need and timeline, plus the supplier facts.

Captured in a dialogue with the contact (domain §5).  The current supplier,
the contract's end and the satisfaction with it feed the buying window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


@dataclass(frozen=True, slots=True)
class Bant:
    """One qualification record; blank texts count as not given."""

    budget: str | None = None
    budget_amount: Decimal | None = None
    #: Who decides, and whether this contact is the decision maker.
    authority: str | None = None
    need: str | None = None
    #: When they intend to buy.
    timeline: date | None = None
    current_supplier: str | None = None
    contract_end: date | None = None
    #: Satisfaction with the current supplier, 0 (none) to 10.
    satisfaction: int | None = None

    def __post_init__(self) -> None:
        for name in ("budget", "authority", "need", "current_supplier"):
            object.__setattr__(self, name, _text(getattr(self, name)))
        if self.satisfaction is not None and not 0 <= self.satisfaction <= 10:
            raise ValueError(f"satisfaction: expected 0 to 10, got {self.satisfaction}")
        if self.budget_amount is not None and self.budget_amount < 0:
            raise ValueError(f"budget_amount: expected 0 or more, got {self.budget_amount}")

    def missing(self) -> list[str]:
        """What is still unknown before the qualification is complete, in words."""
        gaps: list[str] = []
        if self.budget is None and self.budget_amount is None:
            gaps.append("budget")
        if self.authority is None:
            gaps.append("authority (who decides)")
        if self.need is None:
            gaps.append("need")
        if self.timeline is None:
            gaps.append("timeline (when they intend to buy)")
        return gaps

    @property
    def is_complete(self) -> bool:
        """Budget (as text or amount), authority, need and timeline are all given."""
        return not self.missing()
