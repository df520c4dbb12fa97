"""What a sales-queue card says in words: why now, and the next best action.

A card must let a salesperson act without digging: at most three short
phrases say why this person is worth a call now (a hard call to action,
a complete BANT qualification, recent high-value behaviour), and one
sentence says what to do next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from silverplatter.domain.buying_window import BuyingWindow

#: How many "why now" phrases a card shows at most.
MAX_REASONS: Final = 3
#: How far back a card looks for behaviour.
RECENT_DAYS: Final = 14
#: The points an event must be worth to count as high-value behaviour.
HIGH_VALUE_POINTS: Final = 10.0


@dataclass(frozen=True, slots=True)
class Signal:
    """One recent high-value event, as the card names it."""

    label: str
    occurred_at: datetime


def ago(moment: datetime, now: datetime) -> str:
    """``today``, ``yesterday`` or ``N days ago``, by calendar date in ``now``'s zone."""
    days = (now.date() - moment.astimezone(now.tzinfo).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def why_now(
    *,
    hard_cta_at: datetime | None,
    bant_complete: bool,
    signals: Sequence[Signal],
    now: datetime,
) -> tuple[str, ...]:
    """At most :data:`MAX_REASONS` short phrases, strongest first.

    ``signals`` come newest first; a label is named once (its newest event).
    """
    reasons: list[str] = []
    if hard_cta_at is not None:
        reasons.append(f"asked for contact {ago(hard_cta_at, now)}")
    if bant_complete:
        reasons.append("BANT complete")
    named: set[str] = set()
    for signal in signals:
        if signal.label not in named:
            named.add(signal.label)
            reasons.append(f"{signal.label} {ago(signal.occurred_at, now)}")
    return tuple(reasons[:MAX_REASONS])


def next_best_action(
    *,
    stage: str,
    days_overdue: int,
    hard_cta: bool,
    bant_complete: bool,
    window_open: bool,
) -> str:
    """The next step for the salesperson, in words."""
    if days_overdue:
        unit = "day" if days_overdue == 1 else "days"
        return f"Overdue by {days_overdue} {unit}: call today, then accept, recycle or disqualify"
    if stage == "sal":
        return "Open an opportunity, or recycle with a reason"
    if hard_cta:
        action = "Call now: they asked for contact; then accept or recycle"
    elif bant_complete:
        action = "Accept and book a meeting: budget, authority, need and timeline are known"
    else:
        action = "Qualify in a call (BANT), then accept or recycle"
    if window_open:
        action += " (buying window open)"
    return action


def window_text(window: BuyingWindow | None) -> str:
    """``opens – closes (source, confidence %)``, or ``unknown``."""
    if window is None:
        return "unknown"
    return (
        f"{window.opens_on.isoformat()} – {window.closes_on.isoformat()} "
        f"({window.source}, {window.confidence:.0%})"
    )


__all__ = [
    "HIGH_VALUE_POINTS",
    "MAX_REASONS",
    "RECENT_DAYS",
    "Signal",
    "ago",
    "next_best_action",
    "why_now",
    "window_text",
]
