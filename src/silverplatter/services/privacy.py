"""Privacy requests: export everything held about a person, or erase them (GDPR Art. 15, 17).

``export_person`` gathers every row that reaches the person into one JSON
document; ``erase_person`` (``services/erasure.py``, re-exported here)
removes the personal data from every table in one transaction and keeps what
statistics need.  Both are audited by the contact's id, without the address.
``find_person`` and ``person`` name the contact a request is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Connection

from silverplatter.domain.identity import InvalidValue, normalise_email
from silverplatter.domain.privacy import is_erased_address
from silverplatter.services.audit import Actor, record
from silverplatter.services.erasure import ErasureSummary, erase_person
from silverplatter.services.suppression import address_hash
from silverplatter.storage import privacy as store
from silverplatter.storage import privacy_nurture as nurture

#: Names the export's layout; a change to it gets a new number.
EXPORT_FORMAT: Final = "silverplatter-person-export/1"


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: times and dates in ISO 8601, amounts as strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def find_person(connection: Connection, email_or_id: str) -> int:
    """The contact id for an id or an e-mail address; ``LookupError`` naming what was given."""
    given = email_or_id.strip()
    if given.isdigit():
        contact_id = int(given)
        if contact_id < 2**31 and store.contact_row(connection, contact_id) is not None:
            return contact_id
        raise LookupError(f"no contact with id {given}")
    try:
        _shown, key = normalise_email(given)
    except InvalidValue:
        raise LookupError(f"{given!r} is neither a contact id nor an e-mail address") from None
    found = store.contact_id_by_email(connection, key)
    if found is None:
        raise LookupError(f"no contact with e-mail address {given}")
    return found


@dataclass(frozen=True)
class Person:
    """Who a privacy request is about, as the confirmation shows them."""

    contact_id: int
    email: str
    name: str
    erased: bool


def person(connection: Connection, contact_id: int) -> Person:
    """The contact a request names; ``LookupError`` when there is no such contact."""
    row = store.contact_row(connection, contact_id)
    if row is None:
        raise LookupError(f"no contact with id {contact_id}")
    name = " ".join(part for part in (row["first_name"], row["last_name"]) if part)
    return Person(contact_id, row["email"], name or row["email"], is_erased_address(row["email"]))


# ------------------------------------------------------------------ export


def _programmes(connection: Connection, contact_id: int) -> list[dict[str, Any]]:
    """The contact's programme enrolments, each with what happened at its steps."""
    enrolled = nurture.programme_enrolments(connection, contact_id)
    steps = nurture.steps_of(connection, [row["id"] for row in enrolled])
    return [
        {**row, "steps": [step for step in steps if step["enrolment_id"] == row["id"]]}
        for row in enrolled
    ]


def export_person(
    connection: Connection,
    contact_id: int,
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Everything held about the contact as a JSON-ready document.

    With an ``actor`` (and ``now``) the export is written to the audit log, by
    the contact's id only.  ``LookupError`` when there is no such contact.
    """
    contact = store.contact_row(connection, contact_id)
    if contact is None:
        raise LookupError(f"no contact with id {contact_id}")
    visitors = store.visitor_ids(connection, contact_id)
    their_events = store.person_events(connection, contact_id, visitors)
    sends = nurture.sends_to(connection, contact_id)
    consent = store.consent(connection, contact_id)
    submissions = [
        {key: value for key, value in row.items() if key != "form_questions"}
        for row in store.submissions(connection, contact_id)
    ]
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": now,
        "contact": contact,
        "account": store.account_reference(connection, contact["account_id"]),
        "consent": consent,
        "form_submissions": submissions,
        "events": their_events,
        "score": store.score(connection, contact_id),
        "prediction": store.prediction(connection, contact_id),
        "segments": store.segment_memberships(connection, contact_id),
        "lifecycle": {
            "stage": contact["lifecycle_stage"],
            "history": store.stage_moves(connection, contact_id),
        },
        "qualifications": store.qualification_records(connection, contact_id),
        "handovers": store.handover_records(connection, contact_id),
        "meetings": store.attended_meetings(connection, contact_id),
        "opportunities": store.opportunity_records(connection, contact_id),
        "mail": store.mail_to(connection, contact_id, contact["email_key"]),
        "suppression": store.suppression(connection, address_hash(contact["email_key"])),
        "visitors": store.visitor_rows(connection, contact_id),
        "programmes": _programmes(connection, contact_id),
        "nurture_mail": sends,
        "bounces": nurture.bounces_of(connection, contact["email_key"], [s["id"] for s in sends]),
        "worries": nurture.worry_profile(connection, contact_id),
        "erasure": store.erasure_of(connection, contact_id),
    }
    if actor is not None:
        if now is None:
            raise ValueError("now: an audited export needs the time")
        counts = {"events": len(their_events), "consent": len(consent)}
        record(
            connection,
            "contact.exported",
            f"contact {contact_id}",
            actor=actor,
            now=now,
            details=counts,
        )
    exported: dict[str, Any] = plain(document)
    return exported


__all__ = [
    "EXPORT_FORMAT",
    "ErasureSummary",
    "Person",
    "erase_person",
    "export_person",
    "find_person",
    "person",
    "plain",
]
