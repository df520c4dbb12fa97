"""What sales does from a queue card: accept, recycle, disqualify, record BANT.

The moves themselves are ``services.handover`` and ``services.qualification``;
this module adds the one rule the queue page needs on top: a user whose role
sees only its own records (sales) may act only on cards that are theirs.  A
card that is not theirs answers as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection

from silverplatter.domain.lifecycle import STAGES_BY_NAME, StageChange
from silverplatter.domain.qualification import Bant
from silverplatter.services import handover
from silverplatter.services.qualification import record_qualification
from silverplatter.storage.queue_access import card_subject

Move = Callable[..., StageChange]

#: The actions on a card and the handover service each one calls.
ACTIONS: Final[dict[str, Move]] = {
    "accept": handover.accept,
    "recycle": handover.recycle,
    "disqualify": handover.disqualify,
}


class CardNotFound(LookupError):
    """No such contact, or not one the user may act on."""


@dataclass(frozen=True, slots=True)
class CardSubject:
    contact_id: int
    name: str
    stage: str
    owner_id: int | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action did to the contact, in words a card can show."""

    subject: CardSubject
    action: str
    to_stage: str
    reason: str

    @property
    def stage_label(self) -> str:
        return STAGES_BY_NAME[self.to_stage].label


def find_card(connection: Connection, contact_id: int, *, only_owner: int | None) -> CardSubject:
    """The contact behind a card; ``only_owner`` limits it to that user's cards."""
    row = card_subject(connection, contact_id)
    if row is None or (only_owner is not None and row.owner_id != only_owner):
        raise CardNotFound(f"contact_id: no card for contact {contact_id} in your queue")
    name = " ".join(part for part in (row.first_name, row.last_name) if part) or row.email
    return CardSubject(row.id, name, row.lifecycle_stage, row.owner_id)


def act_on_card(
    connection: Connection,
    contact_id: int,
    action: str,
    *,
    reason: str,
    user_id: int,
    only_owner: int | None,
    now: datetime,
) -> Outcome:
    """Accept, recycle or disqualify the card's contact, closing its handover.

    Raises :class:`CardNotFound`, or ``LifecycleError`` when the move is not
    allowed from the contact's stage (or needs a reason that is missing).
    """
    move = ACTIONS.get(action)
    if move is None:
        raise ValueError(f"action: expected one of {', '.join(ACTIONS)}, not {action!r}")
    subject = find_card(connection, contact_id, only_owner=only_owner)
    change = move(connection, contact_id, user_id=user_id, now=now, reason=reason)
    return Outcome(subject, action, change.to_stage, change.reason)


def qualify_card(
    connection: Connection,
    contact_id: int,
    bant: Bant,
    *,
    user_id: int,
    only_owner: int | None,
    now: datetime,
) -> CardSubject:
    """Record a BANT qualification for the card's contact."""
    subject = find_card(connection, contact_id, only_owner=only_owner)
    record_qualification(connection, contact_id, bant, user_id=user_id, now=now)
    return subject


__all__ = [
    "ACTIONS",
    "CardNotFound",
    "CardSubject",
    "Outcome",
    "act_on_card",
    "find_card",
    "qualify_card",
]
