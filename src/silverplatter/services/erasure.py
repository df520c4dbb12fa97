"""Erasing a person (GDPR Art. 17): personal data out of every table, in one transaction.

The contact row stays as an anonymous tombstone (``erased-<id>@erased.invalid``)
so that counts, stages and scores still add up; events stay without personal
properties; consent records stay as proof, tied to an ``erasures`` record
instead of the person; form submissions keep their multiple-choice answers;
mail is blanked and unsent mail stopped; mentions of the person in free text
become ``[erased]``; the address stays on the suppression list as a digest.
What each row becomes is decided by ``domain/privacy.py``; this module finds
the rows (``storage/privacy.py``, ``storage/privacy_nurture.py``) and rewrites
them (``storage/erasure.py``).  Running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection

from silverplatter.domain.privacy import (
    REDACTED,
    Mentions,
    erased_address,
    is_erased_address,
    question_keys,
    redact_document,
    scrub_answers,
    scrub_document,
)
from silverplatter.services.audit import Actor, record
from silverplatter.services.suppression import suppress
from silverplatter.storage import erasure as eraser
from silverplatter.storage import privacy as store
from silverplatter.storage import privacy_nurture as nurture
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.capture_schema import form_submissions, outbound_mail
from silverplatter.storage.lifecycle_schema import qualifications, stage_transitions
from silverplatter.storage.nurture_schema import bounce_reports, enrolment_steps, mail_sends
from silverplatter.storage.schema import events, meeting_attendees, meetings, opportunities
from silverplatter.storage.understanding_schema import grid_raters, kano_answers

#: Mail not yet handed to the SMTP server is stopped when its addressee is erased.
_UNSENT: Final = ("queued", "sending")


@dataclass(frozen=True)
class ErasureSummary:
    """What an erasure did: rows changed per table, and the ``erasures`` record."""

    contact_id: int
    erasure_id: int | None
    erased_at: datetime | None
    already_erased: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _events(
    connection: Connection, contact_id: int, visitors: list[str], mentions: Mentions
) -> int:
    """Scrub the person's events; unlink every event of their visitors."""
    eraser.adopt_visitor_events(connection, contact_id, visitors)
    changes: list[eraser.Change] = []
    for row in store.person_events(connection, contact_id, visitors):
        values: dict[str, Any] = {}
        if row["visitor_id"] is not None:
            values["visitor_id"] = None
        if row["contact_id"] == contact_id:
            properties = row["properties"] if isinstance(row["properties"], dict) else {}
            scrubbed = scrub_document(properties, mentions)
            if scrubbed != properties:
                values["properties"] = scrubbed
            if mentions.found_in(row["idempotency_key"]):
                values["idempotency_key"] = f"erased:{row['id']}"
        changes.append((row["id"], values))
    return eraser.rewrite(connection, events, changes)


def _submissions(connection: Connection, contact_id: int, mentions: Mentions, needle: str) -> int:
    rows = store.submissions(connection, contact_id)
    rows += store.unlinked_submissions_mentioning(connection, needle)
    changes: list[eraser.Change] = []
    for row in rows:
        answers = scrub_answers(row["answers"], question_keys(row["form_questions"]), mentions)
        values: dict[str, Any] = {}
        if answers != row["answers"]:
            values["answers"] = answers
        if row.get("ip_address") is not None:
            values["ip_address"] = None
        if row.get("visitor_id") is not None:
            values["visitor_id"] = None
        changes.append((row["id"], values))
    return eraser.rewrite(connection, form_submissions, changes)


def _mail(connection: Connection, contact_id: int, email_key: str, mentions: Mentions) -> int:
    changes: list[eraser.Change] = []
    for row in store.mail_to(connection, contact_id, email_key):
        values: dict[str, Any] = {
            "to_address": None,
            "subject": REDACTED,
            "text_body": REDACTED,
            "html_body": None,
            "last_error": None,
        }
        values = {key: value for key, value in values.items() if row[key] != value}
        if row["status"] in _UNSENT:
            values["status"] = "suppressed"
        if mentions.found_in(row["dedupe_key"]):
            values["dedupe_key"] = f"erased:{row['id']}"
        changes.append((row["id"], values))
    return eraser.rewrite(connection, outbound_mail, changes)


def _redacted(
    row: Mapping[str, Any], columns: tuple[str, ...], mentions: Mentions
) -> dict[str, Any]:
    """The columns of ``row`` whose text mentions the person, redacted."""
    values: dict[str, Any] = {}
    for column in columns:
        value = row[column]
        if isinstance(value, str):
            redacted = mentions.redact(value)
        elif isinstance(value, dict | list):
            redacted = redact_document(value, mentions)
        else:
            continue
        if redacted != value:
            values[column] = redacted
    return values


def _meetings(
    connection: Connection, contact_id: int, account_id: int | None, mentions: Mentions
) -> dict[str, int]:
    held = store.meetings_of(connection, contact_id, account_id)
    meeting_changes = [
        (row["id"], _redacted(row, ("subject", "notes", "bant"), mentions)) for row in held
    ]
    attendee_changes: list[eraser.Change] = []
    for row in store.attendees_of(connection, [row["id"] for row in held]):
        named = row["name"] is not None and (
            row["contact_id"] == contact_id or mentions.found_in(row["name"])
        )
        if named:
            attendee_changes.append((row["id"], {"name": None}))
    return {
        "meetings": eraser.rewrite(connection, meetings, meeting_changes),
        "meeting_attendees": eraser.rewrite(connection, meeting_attendees, attendee_changes),
    }


def _free_text(
    connection: Connection, contact_id: int, account_id: int | None, mentions: Mentions
) -> dict[str, int]:
    """Mentions of the person in deals, BANT records and stage-move reasons."""
    found = store.opportunity_records(connection, contact_id)
    if account_id is not None:
        found += store.account_opportunities(connection, account_id)
    deals = list({row["id"]: row for row in found}.values())
    bant = ("budget", "authority", "need", "current_supplier")
    return {
        "opportunities": eraser.rewrite(
            connection,
            opportunities,
            [(row["id"], _redacted(row, ("name", "lost_reason"), mentions)) for row in deals],
        ),
        "qualifications": eraser.rewrite(
            connection,
            qualifications,
            [
                (row["id"], _redacted(row, bant, mentions))
                for row in store.qualification_records(connection, contact_id)
            ],
        ),
        "stage_transitions": eraser.rewrite(
            connection,
            stage_transitions,
            [
                (row["id"], _redacted(row, ("reason",), mentions))
                for row in store.stage_moves(connection, contact_id)
            ],
        ),
    }


def _audit(connection: Connection, mentions: Mentions, needles: list[str]) -> int:
    rows = store.audit_mentioning(connection, needles)
    return eraser.rewrite(
        connection,
        audit_log,
        [(row["id"], _redacted(row, ("subject", "details"), mentions)) for row in rows],
    )


def _nurture(
    connection: Connection,
    contact_id: int,
    email_key: str,
    mentions: Mentions,
    erasure_id: int,
    names: list[str],
) -> dict[str, int]:
    """Nurture's ledger and history, and the understanding boards naming the person."""
    sends = nurture.sends_to(connection, contact_id)
    bounces = nurture.bounces_of(connection, email_key, [row["id"] for row in sends])
    enrolled = nurture.programme_enrolments(connection, contact_id)
    steps = nurture.steps_of(connection, [row["id"] for row in enrolled])
    bounce_changes: list[eraser.Change] = []
    for row in bounces:
        values = _redacted(row, ("diagnostic",), mentions)
        if row["email_key"] is not None:
            values["email_key"] = None
        bounce_changes.append((row["id"], values))
    send_changes: list[eraser.Change] = []
    for row in sends:
        values = _redacted(row, ("last_error",), mentions)
        if mentions.found_in(row["dedupe_key"]):
            values["dedupe_key"] = f"erased:{row['id']}"
        send_changes.append((row["id"], values))
    renamed = f"erased-{erasure_id}"
    return {
        "mail_sends": eraser.rewrite(connection, mail_sends, send_changes),
        "bounce_reports": eraser.rewrite(connection, bounce_reports, bounce_changes),
        "enrolment_steps": eraser.rewrite(
            connection,
            enrolment_steps,
            [(row["id"], _redacted(row, ("detail",), mentions)) for row in steps],
        ),
        "kano_answers": eraser.rewrite(
            connection,
            kano_answers,
            [
                (row["id"], {"respondent": f"{renamed}-{row['id']}"})
                for row in nurture.kano_respondents(connection, names)
            ],
        ),
        "grid_raters": eraser.rewrite(
            connection,
            grid_raters,
            [
                (row["id"], {"name": f"{renamed}-{row['id']}"})
                for row in nurture.grid_raters_named(connection, names)
            ],
        ),
    }


def _erased_again(connection: Connection, contact_id: int) -> ErasureSummary:
    """A second erasure: scrub what arrived for the tombstone since, record nothing new."""
    visitors = store.visitor_ids(connection, contact_id)
    scrubbed = _events(connection, contact_id, visitors, Mentions(()))
    eraser.forget_visitors(connection, contact_id)
    earlier = store.erasure_of(connection, contact_id)
    return ErasureSummary(
        contact_id=contact_id,
        erasure_id=earlier["id"] if earlier else None,
        erased_at=earlier["erased_at"] if earlier else None,
        already_erased=True,
        counts={"events": scrubbed} if scrubbed else {},
    )


def erase_person(
    connection: Connection, contact_id: int, *, actor: Actor, now: datetime
) -> ErasureSummary:
    """Erase the contact's personal data from every table, in the caller's transaction.

    ``LookupError`` when there is no such contact.  A contact already erased
    is left as it is (``already_erased``), apart from scrubbing events that
    arrived for it since.
    """
    contact = store.contact_row(connection, contact_id, lock=True)
    if contact is None:
        raise LookupError(f"no contact with id {contact_id}")
    if is_erased_address(contact["email_key"]):
        return _erased_again(connection, contact_id)
    email_key: str = contact["email_key"]
    mentions = Mentions.of(
        email=email_key,
        first_name=contact["first_name"],
        last_name=contact["last_name"],
        others=(contact["email"], contact["phone"], contact["linkedin_url"]),
    )
    full_name = " ".join(
        part for part in (contact["first_name"], contact["last_name"]) if part
    ).lower()
    account_id: int | None = contact["account_id"]
    erasure_id = eraser.start_erasure(connection, contact_id, erased_by=actor.user_id, now=now)
    visitors = store.visitor_ids(connection, contact_id)
    counts: dict[str, int] = {
        "events": _events(connection, contact_id, visitors, mentions),
        "visitors": eraser.forget_visitors(connection, contact_id),
        "form_submissions": _submissions(connection, contact_id, mentions, email_key),
        "consent_records": eraser.anonymise_consent(connection, contact_id, erasure_id),
        "outbound_mail": _mail(connection, contact_id, email_key, mentions),
        **_meetings(connection, contact_id, account_id, mentions),
        **_free_text(connection, contact_id, account_id, mentions),
        "audit_log": _audit(connection, mentions, [email_key, full_name]),
        **_nurture(connection, contact_id, email_key, mentions, erasure_id, [email_key, full_name]),
    }
    suppress(connection, email_key, reason="erased", source="erasure", now=now)
    counts["suppressions"] = 1
    eraser.tombstone(connection, contact_id, erased_address(contact_id), now)
    counts["contacts"] = 1
    eraser.finish_erasure(connection, erasure_id, counts)
    record(
        connection,
        "contact.erased",
        f"contact {contact_id}",
        actor=actor,
        now=now,
        details={"erasure_id": erasure_id, **counts},
    )
    return ErasureSummary(contact_id, erasure_id, now, False, counts)


__all__ = ["ErasureSummary", "erase_person"]
