"""When to reopen a closed-lost deal (domain §11, lost leads in closed-lost deals).

A deal lost in the last 24 months is not dead: the reason it was lost says
when the buyer may be ready again.  The lost reason is free text (CRMs write
it in many ways), so it is first read into one of five kinds by the words it
contains, in this order — the first kind whose words appear wins:

* **competitor** — "competitor", "chose", "went with", "lost to", "current
  supplier", "incumbent", "stayed with": the buyer signed with someone else.
  Reopen ``contract_lead_months`` (6, the same lead as a buying window's from
  a contract end, ``domain/buying_window.py``) before that supplier's
  contract ends — the contract of the supplier named in the lost reason,
  else the first one ending after the loss; with no known contract end,
  ``competitor_months`` (12) after the loss.
* **no decision** — "no decision", "no-decision", "stalled", "went dark",
  "status quo", "did not decide": reopen ``no_decision_months`` (6) after the
  loss.
* **budget** — "budget", "price", "cost", "expensive", "money": reopen at the
  next buying window opening after the loss, else ``budget_months`` (12)
  after it — budgets come round once a year.
* **timing** — "timing", "not now", "later", "too early", "not a priority",
  "next year": reopen at the next buying window opening after the loss, else
  ``timing_months`` (6) after it.
* **other** — anything else (requirements did not match, no reason given):
  reopen at the next buying window opening after the loss, else
  ``other_months`` (9) after it.

A reopen date already past is due today: the figures keep the date the rule
gave, the suggestion is never in the past.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from silverplatter.domain.buying_window import add_months

LostKind = Literal["competitor", "no_decision", "budget", "timing", "other"]

#: The words that read a lost reason as each kind, tried in this order.
KIND_WORDS: Final[tuple[tuple[LostKind, tuple[str, ...]], ...]] = (
    (
        "competitor",
        (
            "competitor",
            "chose",
            "went with",
            "lost to",
            "current supplier",
            "incumbent",
            "stayed with",
        ),
    ),
    (
        "no_decision",
        ("no decision", "no-decision", "stalled", "went dark", "status quo", "did not decide"),
    ),
    ("budget", ("budget", "price", "cost", "expensive", "money")),
    ("timing", ("timing", "not now", "later", "too early", "not a priority", "next year")),
)


@dataclass(frozen=True, slots=True)
class ReopenRules:
    """The delays after a loss, in months, per kind of lost reason."""

    contract_lead_months: int = 6
    competitor_months: int = 12
    no_decision_months: int = 6
    budget_months: int = 12
    timing_months: int = 6
    other_months: int = 9


@dataclass(frozen=True, slots=True)
class SupplierEnd:
    """A supplier's contract at the account and when it ends."""

    supplier: str
    end_date: date


@dataclass(frozen=True, slots=True)
class Reopen:
    """When to reopen, and why, in one sentence."""

    kind: LostKind
    #: The date the rule gives (may be past).
    rule_date: date
    #: The date to act: the rule's date, or today when that has passed.
    suggested_on: date
    basis: str


def lost_kind(reason: str | None) -> LostKind:
    """The kind of a free-text lost reason, by the first kind whose words it contains."""
    text = (reason or "").casefold()
    for kind, words in KIND_WORDS:
        if any(word in text for word in words):
            return kind
    return "other"


def _contract(
    reason: str | None, lost_on: date, contracts: Sequence[SupplierEnd]
) -> SupplierEnd | None:
    after = sorted(
        (c for c in contracts if c.end_date > lost_on), key=lambda c: (c.end_date, c.supplier)
    )
    text = (reason or "").casefold()
    named = [c for c in after if c.supplier.strip() and c.supplier.casefold() in text]
    chosen = named or after
    return chosen[0] if chosen else None


def suggest_reopen(
    reason: str | None,
    *,
    lost_on: date,
    today: date,
    window_opens_on: date | None = None,
    contracts: Sequence[SupplierEnd] = (),
    rules: ReopenRules | None = None,
) -> Reopen:
    """When to reopen a deal lost on ``lost_on`` for ``reason``.

    ``window_opens_on`` is the account's buying window opening, if known;
    ``contracts`` the account's supplier contracts with an end date.
    """
    rules = rules or ReopenRules()
    kind = lost_kind(reason)
    window = window_opens_on if window_opens_on is not None and window_opens_on > lost_on else None
    if kind == "competitor":
        contract = _contract(reason, lost_on, contracts)
        if contract is not None:
            day = add_months(contract.end_date, -rules.contract_lead_months)
            basis = (
                f"{rules.contract_lead_months} months before {contract.supplier}'s contract "
                f"ends on {contract.end_date.isoformat()}"
            )
        else:
            day = add_months(lost_on, rules.competitor_months)
            basis = f"{rules.competitor_months} months after losing to a competitor"
    elif kind == "no_decision":
        day = add_months(lost_on, rules.no_decision_months)
        basis = f"{rules.no_decision_months} months after the buyer made no decision"
    elif window is not None:
        day = window
        basis = f"when the buying window opens on {window.isoformat()}"
    else:
        months = {
            "budget": rules.budget_months,
            "timing": rules.timing_months,
            "other": rules.other_months,
        }[kind]
        words = {"budget": "a budget loss", "timing": "a timing loss", "other": "the loss"}[kind]
        day = add_months(lost_on, months)
        basis = f"{months} months after {words}"
    return Reopen(kind, day, max(day, today), basis)
