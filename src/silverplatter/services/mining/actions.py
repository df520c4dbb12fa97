"""The report's one-click actions on selected candidates: assign, enrol, give a task.

A selected candidate is a *target*: its contact, its account, or neither
(a barren programme).

* **assign** gives the records to an owner: a target with a contact gives
  the contact, one with only an account gives the account (ghost accounts
  are reassigned this way, many at once).  One audit entry per action lists
  what moved.
* **enrol** puts the targets' contacts in an active programme through the
  programmes' own enrolment (``services/programme_entry.enrol_contacts``):
  a contact already in the programme once does not enter again.
* **task** gives each target a task (``services/tasks.create_tasks``,
  source ``mining:<section>``), owned by the chosen user, else by the
  target's owner (the contact's, else the account's), else by whoever
  clicked.

Everything is checked before anything is written, and a refusal names its
field: ``targets[2].contact_id``, ``owner_id``, ``programme_id``...  A user
who sees only their own records (sales) may act only on targets whose
contact or account they own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Connection

from silverplatter.domain.mining import SECTION_KEYS
from silverplatter.services import programmes
from silverplatter.services.audit import Actor, record
from silverplatter.services.programme_entry import enrol_contacts
from silverplatter.services.tasks import TaskError, TaskFields, create_tasks
from silverplatter.storage import record_owners as store

MAX_ID: Final = 2**31 - 1
MAX_TARGETS: Final = 5_000
#: Enrolling from the report needs, besides ``tasks:write``, what enrolling on a
#: programme's own page needs.
ENROLLING: Final = "nurture:write"
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ActionError(ValueError):
    """An action that cannot be done: ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Target(BaseModel):
    """One selected candidate: its contact, its account, or neither; its reason becomes
    the notes of a task given about it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    contact_id: RecordId | None = None
    account_id: RecordId | None = None
    reason: Annotated[str, Field(max_length=1_000)] | None = None


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    section: str
    targets: Annotated[list[Target], Field(min_length=1, max_length=MAX_TARGETS)]

    @field_validator("section")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in SECTION_KEYS:
            raise ValueError(f"expected one of {', '.join(SECTION_KEYS)}")
        return value


class Assign(_Action):
    owner_id: RecordId


class Enrol(_Action):
    programme_id: RecordId


class GiveTask(_Action):
    title: Annotated[str, Field(min_length=1, max_length=300)]
    due_on: date | None = None
    notes: Annotated[str, Field(max_length=5_000)] | None = None
    owner_id: RecordId | None = Field(None, description="Who should do it; by default the owner")


class _Owners:
    """The owners of the targets' contacts and accounts, with the checks every action makes."""

    def __init__(self, connection: Connection, targets: Sequence[Target]) -> None:
        self.contacts = store.contact_owners(
            connection, [t.contact_id for t in targets if t.contact_id is not None]
        )
        self.accounts = store.account_owners(
            connection, [t.account_id for t in targets if t.account_id is not None]
        )

    def check(self, targets: Sequence[Target], own_only: int | None) -> None:
        for position, target in enumerate(targets):
            where = f"targets[{position}]"
            if target.contact_id is not None and target.contact_id not in self.contacts:
                raise ActionError(f"{where}.contact_id", f"no contact {target.contact_id}")
            if target.account_id is not None and target.account_id not in self.accounts:
                raise ActionError(f"{where}.account_id", f"no account {target.account_id}")
            nobodys = target.contact_id is None and target.account_id is None
            mine = own_only is None or nobodys
            if not mine and own_only not in self.holders(target):
                raise ActionError(where, "you may act only on contacts and accounts you own")

    def holders(self, target: Target) -> tuple[int | None, ...]:
        """Who owns the target: its contact, the contact's account, its account."""
        person: tuple[int | None, int | None] = (None, None)
        if target.contact_id is not None:
            person = self.contacts.get(target.contact_id, person)
        account = self.accounts.get(target.account_id) if target.account_id is not None else None
        return (*person, account)

    def owner_of(self, target: Target) -> int | None:
        """The contact's owner, else the account's (the target's, else the contact's)."""
        contact_owner, contacts_account_owner, account_owner = self.holders(target)
        for owner in (contact_owner, account_owner, contacts_account_owner):
            if owner is not None:
                return owner
        return None


def _checked(
    connection: Connection, action: _Action, own_only: int | None
) -> tuple[list[Target], _Owners]:
    targets = list(dict.fromkeys(action.targets))  # the same candidate twice counts once
    owners = _Owners(connection, targets)
    owners.check(targets, own_only)
    return targets, owners


def _active_owner(connection: Connection, owner_id: int) -> None:
    if not store.active_user(connection, owner_id):
        raise ActionError("owner_id", f"no active user {owner_id}")


def assign(
    connection: Connection,
    action: Assign,
    *,
    actor: Actor,
    now: datetime,
    own_only: int | None = None,
) -> int:
    """Give the targets' contacts (or, without one, accounts) to ``action.owner_id``;
    how many records changed hands."""
    targets, _ = _checked(connection, action, own_only)
    _active_owner(connection, action.owner_id)
    contact_ids: list[int] = []
    account_ids: list[int] = []
    for position, target in enumerate(targets):
        if target.contact_id is not None:
            contact_ids.append(target.contact_id)
        elif target.account_id is not None:
            account_ids.append(target.account_id)
        else:
            raise ActionError(f"targets[{position}]", "has no contact or account to assign")
    changed = store.give_contacts(connection, contact_ids, action.owner_id, now=now)
    changed += store.give_accounts(connection, account_ids, action.owner_id, now=now)
    record(
        connection,
        "mining.assigned",
        f"mining:{action.section}",
        actor=actor,
        now=now,
        details={
            "owner_id": action.owner_id,
            "contact_ids": sorted(set(contact_ids))[:1000],
            "account_ids": sorted(set(account_ids))[:1000],
            "changed": changed,
        },
    )
    return changed


def enrol(
    connection: Connection,
    action: Enrol,
    *,
    actor: Actor,
    now: datetime,
    own_only: int | None = None,
) -> int:
    """Enrol the targets' contacts in an active programme; how many entered it."""
    targets, _ = _checked(connection, action, own_only)
    contact_ids = []
    for position, target in enumerate(targets):
        if target.contact_id is None:
            raise ActionError(f"targets[{position}].contact_id", "only contacts can be enrolled")
        contact_ids.append(target.contact_id)
    try:
        programme = programmes.get_programme(connection, action.programme_id)
    except programmes.ProgrammeNotFound:
        raise ActionError("programme_id", f"no programme {action.programme_id}") from None
    if programme.status != "active":
        raise ActionError(
            "programme_id", f"programme {programme.name!r} is {programme.status}; activate it"
        )
    entered = enrol_contacts(connection, programme, contact_ids, now=now)
    record(
        connection,
        "mining.enrolled",
        f"programme {programme.id}",
        actor=actor,
        now=now,
        details={
            "section": action.section,
            "contact_ids": sorted(set(contact_ids))[:1000],
            "entered": entered,
        },
    )
    return entered


def give_tasks(
    connection: Connection,
    action: GiveTask,
    *,
    actor: Actor,
    now: datetime,
    own_only: int | None = None,
) -> list[int]:
    """One open task per target; their ids in order."""
    targets, owners = _checked(connection, action, own_only)
    if action.owner_id is not None:
        _active_owner(connection, action.owner_id)
    fields = [
        TaskFields(
            title=action.title,
            notes="\n\n".join(part for part in (action.notes, target.reason) if part) or None,
            contact_id=target.contact_id,
            account_id=target.account_id,
            owner_id=action.owner_id or owners.owner_of(target) or actor.user_id,
            due_on=action.due_on,
            source=f"mining:{action.section}",
        )
        for target in targets
    ]
    try:
        return create_tasks(connection, fields, actor=actor, now=now)
    except TaskError as error:
        raise ActionError(error.field, error.message) from None


Action = Assign | Enrol | GiveTask


def run(
    connection: Connection,
    action: Action,
    *,
    actor: Actor,
    now: datetime,
    own_only: int | None = None,
) -> int:
    """Do any of the three actions; how many records moved, contacts entered or tasks made."""
    if isinstance(action, Assign):
        return assign(connection, action, actor=actor, now=now, own_only=own_only)
    if isinstance(action, Enrol):
        return enrol(connection, action, actor=actor, now=now, own_only=own_only)
    return len(give_tasks(connection, action, actor=actor, now=now, own_only=own_only))
