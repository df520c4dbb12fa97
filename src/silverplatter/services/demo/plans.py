"""What the generator knows while it builds the world, including what the data never shows.

An account's hidden fit and buying window and a person's hidden interest drive
their behaviour; only the behaviour is stored, so scoring and prediction have
something real to find.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from silverplatter.services.demo.catalogue import Country, Industry, SizeClass
from silverplatter.services.demo.content import Calendar
from silverplatter.services.demo.rows import EventValues
from silverplatter.services.demo.timeline import day_of


@dataclass(frozen=True)
class WorldContext:
    """Fixed for one generation run."""

    now: int
    start: int  # now minus the 24-month window
    calendar: Calendar
    owner_ids: tuple[int, ...]  # sales people who own accounts
    owner_weights: tuple[float, ...]  # cumulative
    left_at: dict[int, int]  # sales people who left, and when
    staff_names: dict[int, str]
    team_seller_id: int  # picks up leads at accounts nobody owns

    def active(self, user_id: int | None, moment: int) -> bool:
        """Whether ``user_id`` still worked for the seller at ``moment``."""
        if user_id is None:
            return False
        left = self.left_at.get(user_id)
        return left is None or moment < left


@dataclass
class NextIds:
    """The next free id of every table the generator fills."""

    users: int = 1
    property_definitions: int = 1
    accounts: int = 1
    installed_solutions: int = 1
    supplier_contracts: int = 1
    contacts: int = 1
    consent_records: int = 1
    events: int = 1
    opportunities: int = 1
    meetings: int = 1
    meeting_attendees: int = 1
    channel_costs: int = 1
    people_lists: int = 1
    people_list_entries: int = 1
    employment_history: int = 1
    stage_transitions: int = 1
    event_ordinal: int = 0  # numbers idempotency keys: demo:<seed>:<ordinal>


@dataclass
class AccountPlan:
    id: int
    name: str
    domain: str
    industry: Industry
    size: SizeClass
    country: Country
    employees: int
    annual_revenue: int
    value_tier: str
    fit: float  # hidden: profile fit plus what the profile does not show
    status: str
    owner_id: int | None
    window_opens: int  # hidden: when the account will want to buy (domain §6)
    erp_vendor: str | None
    erp_go_live_year: int | None
    erp_lifetime: int | None
    customer_since: int | None
    #: The order in which the account buys our offer modules (``offers.py``), and
    #: the modules it has bought so far.
    offer_path: tuple[str, ...] = ()
    modules: list[str] = field(default_factory=list)


@dataclass
class Person:
    id: int
    account: AccountPlan
    first_name: str
    last_name: str
    decision_role: str
    worry: str  # hidden: what they care about; their reading shows it
    interest: float  # hidden: how much they engage, 0–1
    created_at: int
    source: str  # "form", "import" or "sales"
    visitor_id: str
    engagement: float = 0.0
    hard_requests: list[int] = field(default_factory=list)
    #: The form the person joined the list through, if they did (``behaviour.live``).
    signed_up_with: str | None = None

    @property
    def acquisition(self) -> str:
        """How the address was acquired, as ``contacts.source`` records it."""
        if self.source == "form":
            return f"form:{self.signed_up_with}"
        if self.source == "import":
            return f"import:trade-fair-{day_of(self.created_at).year}"
        return "sales:business-card"


class Touch(NamedTuple):
    """Who an event is about and how it reached the seller."""

    contact_id: int | None
    visitor_id: str | None
    account_id: int | None
    channel: str | None
    traffic: str | None  # "owned" or "bought" (domain §2)


class EventLog:
    """Collects events, numbering their ids and idempotency keys in order."""

    __slots__ = ("_next_id", "_ordinal", "_prefix", "now", "rows")

    def __init__(self, seed: int, next_id: int, ordinal: int, now: int) -> None:
        self.rows: list[EventValues] = []
        self._next_id = next_id
        self._ordinal = ordinal
        self._prefix = f"demo:{seed}:"
        self.now = now

    @property
    def next_id(self) -> int:
        return self._next_id

    @property
    def ordinal(self) -> int:
        return self._ordinal

    def add(self, type_: str, at: int, touch: Touch, properties: str, delay: int) -> None:
        """Log an event that happened ``at`` and reached the seller ``delay`` seconds later."""
        contact_id, visitor_id, account_id, channel, traffic = touch
        received = at + delay
        if received > self.now:
            received = self.now
        self.rows.append(
            (
                self._next_id,
                f"{self._prefix}{self._ordinal:09d}",
                type_,
                at,
                contact_id,
                visitor_id,
                account_id,
                channel,
                traffic,
                properties,
                received,
            )
        )
        self._next_id += 1
        self._ordinal += 1
