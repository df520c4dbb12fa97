"""Recording a meeting with an account and who attended it.

A meeting belongs to an account (or to none, for a first call with someone
not yet placed) and is owned by the salesperson who held it.  Attendees are
the account's contacts, our own people (users), or just a name.  Every id is
checked before anything is written; a bad one is refused naming its field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Connection

from silverplatter.storage.records_activity import ids_by_key, insert_meeting
from silverplatter.storage.schema import accounts, contacts, users

MAX_ID = 2**31 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class MeetingError(ValueError):
    """A meeting that cannot be recorded: ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Attendee(BaseModel):
    """One person at the meeting: a contact, one of our users, or a name."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    contact_id: RecordId | None = None
    user_id: RecordId | None = None
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None

    @model_validator(mode="after")
    def _someone(self) -> Attendee:
        if self.contact_id is None and self.user_id is None and self.name is None:
            raise ValueError("an attendee needs a contact_id, a user_id or a name")
        return self


class MeetingFields(BaseModel):
    """A meeting as the API or a form records it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    occurred_at: AwareDatetime
    account_id: RecordId | None = None
    subject: Annotated[str, Field(max_length=300)] | None = None
    notes: Annotated[str, Field(max_length=20_000)] | None = None
    owner_id: RecordId | None = Field(None, description="Who held it; by default the recorder")
    attendees: Annotated[list[Attendee], Field(max_length=100)] = Field(default_factory=list)


def record_meeting(
    connection: Connection, meeting: MeetingFields, *, recorded_by: int, now: datetime
) -> int:
    """Store ``meeting`` and its attendees; the new meeting's id."""
    if meeting.account_id is not None and not ids_by_key(
        connection, accounts, "id", [meeting.account_id]
    ):
        raise MeetingError("account_id", f"no account {meeting.account_id}")
    owner_id = meeting.owner_id or recorded_by
    if not ids_by_key(connection, users, "id", [owner_id]):
        raise MeetingError("owner_id", f"no user {owner_id}")
    known_contacts = ids_by_key(
        connection, contacts, "id", (person.contact_id for person in meeting.attendees)
    )
    known_users = ids_by_key(
        connection, users, "id", (person.user_id for person in meeting.attendees)
    )
    for position, person in enumerate(meeting.attendees):
        if person.contact_id is not None and person.contact_id not in known_contacts:
            raise MeetingError(
                f"attendees[{position}].contact_id", f"no contact {person.contact_id}"
            )
        if person.user_id is not None and person.user_id not in known_users:
            raise MeetingError(f"attendees[{position}].user_id", f"no user {person.user_id}")
    return insert_meeting(
        connection,
        account_id=meeting.account_id,
        owner_id=owner_id,
        occurred_at=meeting.occurred_at,
        subject=meeting.subject,
        notes=meeting.notes,
        attendees=[person.model_dump() for person in meeting.attendees],
        now=now,
    )


__all__ = ["Attendee", "MeetingError", "MeetingFields", "record_meeting"]
