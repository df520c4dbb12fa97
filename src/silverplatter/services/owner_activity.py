"""The last time an account's owner did something about it (domain §11).

What counts — meetings held, opportunities owned, stage moves made,
handovers acted on, tasks closed, all by the account's current owner — is
written once in ``storage/owner_activity.py``.  This is the question asked of
a few accounts at a time (a section's listed candidates, an account page).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from silverplatter.storage import owner_activity as store

#: How each kind of deed reads in a reason.
KIND_WORDS = {
    "meeting": "a meeting",
    "opportunity": "an opportunity update",
    "stage_move": "a stage move",
    "handover": "a handover acted on",
    "task": "a task closed",
}


@dataclass(frozen=True, slots=True)
class OwnerActivity:
    """The owner's latest deed about one account."""

    account_id: int
    kind: str
    at: datetime

    @property
    def words(self) -> str:
        """The deed in words with its date: "a meeting on 2026-01-05"."""
        return f"{KIND_WORDS[self.kind]} on {self.at.date().isoformat()}"


def last_owner_activity(
    connection: Connection, account_ids: Iterable[int], *, now: datetime
) -> dict[int, OwnerActivity]:
    """For each given account whose owner did anything about it by ``now``, the latest deed."""
    found = store.last_activities(connection, account_ids, now=now)
    return {
        account_id: OwnerActivity(account_id, kind, at) for account_id, (kind, at) in found.items()
    }


__all__ = ["KIND_WORDS", "OwnerActivity", "last_owner_activity"]
