"""Lost-lead mining (domain §11): the ten places lost leads hide, and what a
section of the report holds.

Each section is found by its own module, ``services/mining/<key>.py``, which
exposes ``section(connection, *, now, limit) -> Section``.  A section lists
candidates — a contact, an account, or both — each with the reason it is
listed in words a marketer can act on, the figures behind the reason, and,
where it makes sense, a suggested date to act.  The report offers three
one-click actions on candidates: assign to an owner, enrol in a programme,
create a task; ``actions`` says which make sense for the section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

Action = Literal["assign", "enrol", "task"]

#: The ten places, in the order of domain §11 and the report.
SECTION_KEYS: Final = (
    "cross_sell",
    "closed_lost",
    "barren_programmes",
    "met_decision_makers",
    "repeat_visitors",
    "social_followers",
    "later_answers",
    "ghost_accounts",
    "nps",
    "quasi_leads",
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One lost lead: who or which account, why, and since when or until when."""

    reason: str
    contact_id: int | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    account_id: int | None = None
    account_name: str | None = None
    owner_id: int | None = None
    owner_name: str | None = None
    #: A date to act on (a reopen date, "later" has come, ...), when there is one.
    suggested_on: date | None = None
    #: The numbers behind the reason, for the table and the CSV: {"visits": 7}.
    figures: dict[str, int | float | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Section:
    """One of the ten places: its candidates (at most the limit) and how many there are."""

    key: str
    title: str
    explanation: str
    candidates: list[Candidate]
    total: int
    actions: tuple[Action, ...] = ("assign", "enrol", "task")
