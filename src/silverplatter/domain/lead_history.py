"""The outcome of a past lead imported with its history, as a lifecycle move.

Two transitions that only the history import makes: a won lead becomes a
customer, a lost one is disqualified — from whatever stage it stands at,
with the reason saying where the outcome came from.
"""

from __future__ import annotations

from typing import Final

from silverplatter.domain.lifecycle import STAGE_NAMES, StageChange, Transition

#: Imported leads are dated a day before their outcome; training cuts off this
#: many hours before the outcome, between the two.
HISTORY_LEAD_TIME_HOURS: Final = 12

RECORD_WON: Final = Transition(
    "record_won",
    "Imported history: this past lead was won.",
    tuple(name for name in STAGE_NAMES if name != "customer"),
    "customer",
    by_rules_only=True,
)
RECORD_LOST: Final = Transition(
    "record_lost",
    "Imported history: this past lead was lost.",
    tuple(name for name in STAGE_NAMES if name not in ("customer", "disqualified")),
    "disqualified",
    by_rules_only=True,
)


def history_change(contact_id: int, current: str, won: bool) -> StageChange | None:
    """The move that records a past lead's outcome; ``None`` when it already stands there.

    A lead recorded as won stays a customer even if a later import calls it lost.
    """
    step = RECORD_WON if won else RECORD_LOST
    if current not in step.from_stages:
        return None
    return StageChange(contact_id, current, step.to_stage, step.name, step.meaning)
