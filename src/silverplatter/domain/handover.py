"""Handover to sales: the service level in working days and who gets the lead (domain §5).

An SQL is handed over to one salesperson, who must act on it within the
tier's service level, counted in working days.  Handed over and untouched
past the due time, it is a *quasi-lead* and raises an alert.

Working days are Monday to Friday in the time zone of the given instant
(the engine passes UTC).  Public holidays are not known yet: a holiday on a
weekday counts as a working day.

Assignment (``account_owner_else_round_robin``): the account's owner when
that user is active and works in sales (role ``sales`` or ``admin``);
otherwise the next active salesperson in a rotation.  Users carry no tier
yet, so every active ``sales`` user takes part in every tier's rotation; the
rotation is kept per tier, so the gold leads are spread evenly among sales
whatever happens in the other tiers.  The rotation is deterministic: the
next user id after the last one assigned in the tier, wrapping around.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final, Literal

#: What sales did with a handover.  ``withdrawn``: the contact left SQL by another
#: path before sales acted (engagement faded, or it was sent back to marketing).
OUTCOMES: Final = ("accepted", "recycled", "disqualified", "opportunity", "withdrawn")
#: How the owner was chosen.
ASSIGNMENTS: Final = ("account_owner", "round_robin", "unassigned")
#: Roles that may own a handed-over lead as the account's owner.
OWNER_ROLES: Final = ("sales", "admin")
#: The service level of a tier the model does not name.
DEFAULT_SLA_WORKING_DAYS: Final = 5

Assignment = Literal["account_owner", "round_robin", "unassigned"]
_DAY: Final = timedelta(days=1)
_SATURDAY: Final = 5


def is_working_day(moment: datetime) -> bool:
    """Monday to Friday (public holidays are not known yet)."""
    return moment.weekday() < _SATURDAY


def add_working_days(start: datetime, days: int) -> datetime:
    """The instant ``days`` working days after ``start``, at the same time of day.

    Weekends are skipped: Friday 15:00 plus one working day is Monday 15:00.
    A start on a weekend counts from the beginning (00:00) of the following
    Monday, so Saturday plus one working day is Tuesday 00:00 — a full
    working day.  Public holidays are not known yet and count as working days.
    """
    if days < 0:
        raise ValueError(f"days: expected 0 or more working days, not {days}")
    if days == 0:
        return start
    moment = start
    if not is_working_day(moment):
        monday = moment.date() + timedelta(days=7 - moment.weekday())
        moment = datetime.combine(monday, time(0), tzinfo=moment.tzinfo)
    weeks, rest = divmod(days, 5)
    moment += timedelta(weeks=weeks)
    while rest:
        moment += _DAY
        if is_working_day(moment):
            rest -= 1
    return moment


def sla_working_days(sla: Mapping[str, int], tier: str) -> int:
    """The tier's service level; a tier the model leaves out gets ``unclassified``'s."""
    return sla.get(tier, sla.get("unclassified", DEFAULT_SLA_WORKING_DAYS))


def days_overdue(due_at: datetime, now: datetime) -> int:
    """Calendar days past due, any part of a day counting as one; 0 when not overdue."""
    if now <= due_at:
        return 0
    return math.ceil((now - due_at) / _DAY)


@dataclass(frozen=True, slots=True)
class AccountOwner:
    """The owner of the contact's account, as the assignment rule sees them."""

    user_id: int
    role: str
    active: bool

    @property
    def can_take_leads(self) -> bool:
        return self.active and self.role in OWNER_ROLES


@dataclass(frozen=True, slots=True)
class Choice:
    """Who gets the handover, and how they were chosen."""

    owner_id: int | None
    assignment: Assignment


def next_in_rotation(candidates: Sequence[int], last_assigned: int | None) -> int | None:
    """The first candidate id after ``last_assigned``, wrapping around; ``None`` if none."""
    ordered = sorted(set(candidates))
    if not ordered:
        return None
    if last_assigned is not None:
        for user_id in ordered:
            if user_id > last_assigned:
                return user_id
    return ordered[0]


def account_owner_else_round_robin(
    account_owner: AccountOwner | None,
    candidates: Sequence[int],
    last_assigned: int | None,
) -> Choice:
    """The account's owner if they can take leads, else the next salesperson in the rotation.

    ``candidates`` are the active sales users' ids; ``last_assigned`` is the
    user the tier's rotation gave the previous lead to.
    """
    if account_owner is not None and account_owner.can_take_leads:
        return Choice(account_owner.user_id, "account_owner")
    return round_robin(candidates, last_assigned)


def round_robin(candidates: Sequence[int], last_assigned: int | None) -> Choice:
    """The next salesperson in the rotation, or nobody when there is no active salesperson."""
    chosen = next_in_rotation(candidates, last_assigned)
    return Choice(chosen, "round_robin" if chosen is not None else "unassigned")


def choose_owner(
    rule: str,
    account_owner: AccountOwner | None,
    candidates: Sequence[int],
    last_assigned: int | None,
) -> Choice:
    """Apply the model's assignment rule (``[handover] assign``)."""
    if rule == "account_owner_else_round_robin":
        return account_owner_else_round_robin(account_owner, candidates, last_assigned)
    if rule == "round_robin":
        return round_robin(candidates, last_assigned)
    raise ValueError(f"assign: unknown assignment rule {rule!r}")


__all__ = [
    "ASSIGNMENTS",
    "DEFAULT_SLA_WORKING_DAYS",
    "OUTCOMES",
    "AccountOwner",
    "Assignment",
    "Choice",
    "account_owner_else_round_robin",
    "add_working_days",
    "choose_owner",
    "days_overdue",
    "is_working_day",
    "next_in_rotation",
    "round_robin",
    "sla_working_days",
]
