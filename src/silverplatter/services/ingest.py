"""Ingesting events: the one door through which behaviour enters the workspace.

A batch is validated item by item (each bad item gets an error naming its
field, the good ones go in), made idempotent by key (re-sending a batch adds
nothing), tied to its contact and account, and appended in one statement.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection

from silverplatter.domain.records import ContactFields, EventInput, describe_errors
from silverplatter.domain.vocabulary import CONTACT_CREATING_EVENTS
from silverplatter.services.champion_moves import detect_moves
from silverplatter.services.records import upsert_contacts
from silverplatter.services.scoring import score_events
from silverplatter.storage import events as event_store
from silverplatter.storage import first_touches
from silverplatter.storage.events import key_hash
from silverplatter.storage.rows import rows_by
from silverplatter.storage.schema import accounts, contacts
from silverplatter.storage.scoring_backlog import queue_ids, queue_keys, try_scorer_lock

_CONTACT_COLUMNS = (contacts.c.id, contacts.c.account_id)


@dataclass(frozen=True)
class ItemError:
    """Why item ``index`` of a batch was not accepted."""

    index: int
    field: str | None
    message: str


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    contacts_created: int = 0
    stage_changes: int = 0
    #: Accepted events left in the scoring backlog, for the scorer to fold in moments later.
    queued: int = 0
    errors: list[ItemError] = field(default_factory=list)


def idempotency_key(event: EventInput) -> str:
    """The event's own key, or one derived from everything that makes it this event."""
    if event.idempotency_key:
        return event.idempotency_key
    content = [
        event.type,
        event.occurred_at.astimezone(UTC).isoformat(),
        event.email.lower() if event.email else None,
        event.contact_id,
        event.visitor_id,
        event.account_domain,
        event.account_id,
        event.properties,
    ]
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:40]


_BATCH = TypeAdapter(list[EventInput])


def _validate(
    items: Sequence[Mapping[str, Any] | EventInput], result: IngestResult
) -> list[tuple[int, EventInput]]:
    try:  # the common case, a clean batch, in one pass
        return list(enumerate(_BATCH.validate_python(items)))
    except ValidationError:
        pass
    valid: list[tuple[int, EventInput]] = []
    for index, raw in enumerate(items):
        if isinstance(raw, EventInput):
            valid.append((index, raw))
            continue
        try:
            valid.append((index, EventInput.model_validate(raw)))
        except ValidationError as error:
            first = error.errors()[0]["loc"]
            name = ".".join(str(part) for part in first) if first else None
            result.errors.append(ItemError(index, name, describe_errors(error)))
    return valid


def _distinct(
    valid: list[tuple[int, EventInput]], result: IngestResult
) -> list[tuple[int, EventInput, str]]:
    """The batch without items repeating an earlier item's key (counted as duplicates)."""
    seen: set[str] = set()
    fresh: list[tuple[int, EventInput, str]] = []
    for index, event in valid:
        key = idempotency_key(event)
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        fresh.append((index, event, key))
    return fresh


def _contact_fields(event: EventInput) -> ContactFields:
    assert event.email is not None
    return ContactFields.model_validate({**(event.contact or {}), "email": event.email})


def _people(
    connection: Connection,
    fresh: list[tuple[int, EventInput, str]],
    result: IngestResult,
    now: datetime,
) -> tuple[dict[str, tuple[int, int | None]], set[int]]:
    """Contacts by email key as ``(id, account_id)``, creating form submitters; failed items."""
    emails = {event.email.lower() for _i, event, _k in fresh if event.email}
    found = {
        key: (row.id, row.account_id)
        for key, row in rows_by(
            connection, contacts, contacts.c.email_key, emails, _CONTACT_COLUMNS
        ).items()
    }
    failed: set[int] = set()
    submitters: dict[str, tuple[int, ContactFields]] = {}
    for index, event, _key in fresh:
        if not event.email:
            continue
        email_key = event.email.lower()
        if event.type in CONTACT_CREATING_EVENTS and (event.contact or email_key not in found):
            try:
                submitters.setdefault(email_key, (index, _contact_fields(event)))
            except ValidationError as error:
                result.errors.append(ItemError(index, "contact", describe_errors(error)))
                failed.add(index)
        elif email_key not in found:
            result.errors.append(
                ItemError(
                    index,
                    "email",
                    f"no contact with email {event.email}; only "
                    f"{', '.join(sorted(CONTACT_CREATING_EVENTS))} events create contacts",
                )
            )
            failed.add(index)
    if submitters:
        ordered = list(submitters.values())
        upserted = upsert_contacts(connection, [fields for _i, fields in ordered], now=now)
        result.contacts_created += upserted.created
        for position, (index, _fields) in enumerate(ordered):
            if position in upserted.errors:
                result.errors.append(ItemError(index, "contact", upserted.errors[position]))
                failed.add(index)
        # A submitter may be someone known at another account: a champion's move.
        detect_moves(connection, [i for i in upserted.ids if i is not None], now=now)
        changed = {fields.email_key for _i, fields in ordered}
        for key, row in rows_by(
            connection, contacts, contacts.c.email_key, changed, _CONTACT_COLUMNS
        ).items():
            found[key] = (row.id, row.account_id)
    return found, failed


def ingest_events(
    connection: Connection,
    items: Sequence[Mapping[str, Any] | EventInput],
    *,
    now: datetime,
    score: bool = True,
    defer: bool = False,
) -> IngestResult:
    """Validate and append a batch of events inside the caller's transaction.

    With ``score`` (the default) the lead engine folds the appended events into
    the scores at once and moves lifecycle stages; bulk loads that recompute
    afterwards pass ``score=False``.  With ``defer`` the appended events are
    queued in the scoring backlog instead, for ``score_backlog`` moments later
    (the HTTP ingest: it answers as soon as the batch is stored); so are they
    while the backlog scorer or a recompute holds the scorer's lock
    (``result.queued`` says how many).
    """
    result = IngestResult()
    fresh = _distinct(_validate(items, result), result)
    people, failed = _people(connection, fresh, result, now)
    contact_rows = rows_by(
        connection,
        contacts,
        contacts.c.id,
        (e.contact_id for _i, e, _k in fresh),
        [contacts.c.account_id],
    )
    domains = rows_by(
        connection,
        accounts,
        accounts.c.domain,
        (e.account_domain for _i, e, _k in fresh),
        [accounts.c.id],
    )
    account_rows = rows_by(
        connection, accounts, accounts.c.id, (e.account_id for _i, e, _k in fresh), []
    )
    rows: list[event_store.NewEvent] = []
    for index, event, key in fresh:
        if index in failed:
            continue
        contact_id: int | None = None
        account_id: int | None = None
        if event.email:
            if event.email.lower() not in people:
                result.errors.append(
                    ItemError(index, "email", f"the contact {event.email} could not be created")
                )
                continue
            contact_id, account_id = people[event.email.lower()]
        elif event.contact_id is not None:
            if event.contact_id not in contact_rows:
                result.errors.append(
                    ItemError(index, "contact_id", f"no contact {event.contact_id}")
                )
                continue
            contact_id = event.contact_id
            account_id = contact_rows[event.contact_id].account_id
        if event.account_domain:
            if event.account_domain not in domains:
                result.errors.append(
                    ItemError(
                        index, "account_domain", f"no account with domain {event.account_domain}"
                    )
                )
                continue
            account_id = domains[event.account_domain].id
        elif event.account_id is not None:
            if event.account_id not in account_rows:
                result.errors.append(
                    ItemError(index, "account_id", f"no account {event.account_id}")
                )
                continue
            account_id = event.account_id
        rows.append(
            event_store.NewEvent(
                idempotency_key=key,
                type=event.type,
                occurred_at=event.occurred_at,
                contact_id=contact_id,
                visitor_id=event.visitor_id,
                account_id=account_id,
                channel=event.channel,
                traffic=event.traffic,
                properties=event.properties,
                received_at=now,
            )
        )
    stored = event_store.append(connection, rows)
    appended = stored.rows
    first_touches.note(
        connection,
        first_touches.earliest((row.contact_id, row.occurred_at, row.channel) for row in appended),
    )
    result.accepted = len(appended)
    result.duplicates += len(rows) - result.accepted
    if score and appended:
        # In line unless asked to defer, or unless another folder (the backlog scorer,
        # a recompute) is at work: folding beside it, one would overwrite the other.
        if not defer and try_scorer_lock(connection):
            scored = score_events(connection, appended, now=now)
            result.stage_changes = len(scored.stage_changes)
        else:
            if stored.ids is not None:
                queue_ids(connection, stored.ids, now)
            else:
                queue_keys(connection, [key_hash(row.idempotency_key) for row in appended], now)
            result.queued = len(appended)
    result.errors.sort(key=lambda error: error.index)
    return result
