"""Rows of the demo world, one named tuple per table, fields in the table's column order.

Times are whole seconds since the epoch (UTC), JSON columns hold their
serialised text and dates are ``date`` objects; ``writer.py`` turns them into
what each database stores.  ``tests/test_demo.py`` checks that the fields match
the schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple


class UserRow(NamedTuple):
    id: int
    email: str
    email_key: str
    name: str
    role: str
    password_hash: str | None
    active: bool
    created_at: int
    deactivated_at: int | None


class PropertyDefinitionRow(NamedTuple):
    id: int
    object_type: str
    name: str
    label: str
    type: str
    options: str | None
    created_at: int


class AccountRow(NamedTuple):
    id: int
    external_id: str | None
    name: str
    domain: str
    industry: str
    country: str
    employees: int
    annual_revenue: int
    value_tier: str
    needs_segment: str | None
    owner_id: int | None
    status: str
    custom: str
    created_at: int
    updated_at: int


class InstalledSolutionRow(NamedTuple):
    id: int
    account_id: int
    category: str
    vendor: str
    product: str
    go_live_date: date
    typical_lifetime_years: int
    created_at: int


class SupplierContractRow(NamedTuple):
    id: int
    account_id: int
    category: str
    supplier: str
    end_date: date
    satisfaction: int | None
    notes: str | None
    created_at: int


class ContactRow(NamedTuple):
    id: int
    external_id: str | None
    email: str
    email_key: str
    first_name: str
    last_name: str
    title: str
    seniority: str
    department: str
    decision_role: str
    account_id: int
    phone: str | None
    linkedin_url: str | None
    country: str
    owner_id: int | None
    custom: str
    created_at: int
    updated_at: int
    #: Where the person's stage history left them (``stages.py``).
    lifecycle_stage: str = "subscriber"
    stage_changed_at: int | None = None
    #: How the address was acquired (``form:<slug>``, ``import:<fair>``, ``sales:…``);
    #: set once the person's sign-up form is chosen (``world.py``).
    source: str | None = None


class ConsentRow(NamedTuple):
    id: int
    contact_id: int
    channel: str
    action: str
    wording: str | None
    wording_version: str | None
    source: str
    occurred_at: int
    ip_address: str | None


class EventRow(NamedTuple):
    """The shape of an event row.  Events travel as plain tuples of this shape
    (``EventValues``): they are most of the world, and plain tuples are several
    times cheaper to build and to pass between processes.  The writer adds the
    ``key_hash`` column."""

    id: int
    idempotency_key: str
    type: str
    occurred_at: int
    contact_id: int | None
    visitor_id: str | None
    account_id: int | None
    channel: str | None
    traffic: str | None
    properties: str
    received_at: int


EventValues = tuple[
    int, str, str, int, int | None, str | None, int | None, str | None, str | None, str, int
]


class OpportunityRow(NamedTuple):
    id: int
    external_id: str
    account_id: int
    contact_id: int | None
    name: str
    amount: Decimal
    currency: str
    stage: str
    status: str
    lost_reason: str | None
    offer_module: str | None
    owner_id: int | None
    created_at: int
    closed_at: int | None
    updated_at: int


class MeetingRow(NamedTuple):
    id: int
    account_id: int
    owner_id: int | None
    occurred_at: int
    subject: str
    notes: str | None
    bant: str
    created_at: int


class MeetingAttendeeRow(NamedTuple):
    id: int
    meeting_id: int
    contact_id: int | None
    user_id: int | None
    name: str


class ChannelCostRow(NamedTuple):
    id: int
    channel: str
    month: date
    amount: Decimal
    currency: str
    note: str | None
    updated_at: int


class PeopleListRow(NamedTuple):
    id: int
    name: str
    kind: str
    source: str | None
    imported_by: int | None
    imported_at: int


class PeopleListEntryRow(NamedTuple):
    id: int
    list_id: int
    email: str | None
    full_name: str | None
    company: str | None
    linkedin_url: str | None
    handle: str | None
    score: int | None
    comment: str | None
    answered_at: int | None
    contact_id: int | None
    account_id: int | None


class EmploymentRow(NamedTuple):
    id: int
    contact_id: int
    account_id: int | None
    account_name: str
    email: str | None
    title: str | None
    started_at: int | None
    ended_at: int | None


class StageTransitionRow(NamedTuple):
    id: int
    contact_id: int
    from_stage: str
    to_stage: str
    transition: str
    actor: str
    user_id: int | None
    reason: str
    occurred_at: int


#: Rows by table, in foreign-key order: what a batch is once it leaves the generator.
Tables = tuple[tuple[str, Sequence[tuple[Any, ...]]], ...]


@dataclass
class Batch:
    """Rows of a run of whole accounts, ready to be written together; tables in FK order."""

    users: list[UserRow] = field(default_factory=list)
    property_definitions: list[PropertyDefinitionRow] = field(default_factory=list)
    accounts: list[AccountRow] = field(default_factory=list)
    installed_solutions: list[InstalledSolutionRow] = field(default_factory=list)
    supplier_contracts: list[SupplierContractRow] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)
    consent_records: list[ConsentRow] = field(default_factory=list)
    opportunities: list[OpportunityRow] = field(default_factory=list)
    meetings: list[MeetingRow] = field(default_factory=list)
    meeting_attendees: list[MeetingAttendeeRow] = field(default_factory=list)
    events: list[EventValues] = field(default_factory=list)
    channel_costs: list[ChannelCostRow] = field(default_factory=list)
    people_lists: list[PeopleListRow] = field(default_factory=list)
    people_list_entries: list[PeopleListEntryRow] = field(default_factory=list)
    employment_history: list[EmploymentRow] = field(default_factory=list)
    stage_transitions: list[StageTransitionRow] = field(default_factory=list)

    def tables(self) -> Tables:
        """``(table name, rows)`` in an order that satisfies every foreign key."""
        return (
            ("users", self.users),
            ("property_definitions", self.property_definitions),
            ("accounts", self.accounts),
            ("installed_solutions", self.installed_solutions),
            ("supplier_contracts", self.supplier_contracts),
            ("contacts", self.contacts),
            ("consent_records", self.consent_records),
            ("opportunities", self.opportunities),
            ("meetings", self.meetings),
            ("meeting_attendees", self.meeting_attendees),
            ("events", self.events),
            ("channel_costs", self.channel_costs),
            ("people_lists", self.people_lists),
            ("people_list_entries", self.people_list_entries),
            ("employment_history", self.employment_history),
            ("stage_transitions", self.stage_transitions),
        )


#: The fields of every table the demo world fills, by table name, in foreign-key order.
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "users": UserRow._fields,
    "property_definitions": PropertyDefinitionRow._fields,
    "accounts": AccountRow._fields,
    "installed_solutions": InstalledSolutionRow._fields,
    "supplier_contracts": SupplierContractRow._fields,
    "contacts": ContactRow._fields,
    "consent_records": ConsentRow._fields,
    "opportunities": OpportunityRow._fields,
    "meetings": MeetingRow._fields,
    "meeting_attendees": MeetingAttendeeRow._fields,
    "events": EventRow._fields,
    "channel_costs": ChannelCostRow._fields,
    "people_lists": PeopleListRow._fields,
    "people_list_entries": PeopleListEntryRow._fields,
    "employment_history": EmploymentRow._fields,
    "stage_transitions": StageTransitionRow._fields,
}
