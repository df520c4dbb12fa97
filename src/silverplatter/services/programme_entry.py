"""How contacts enter programmes and leave them early.

* **By segment** (or an inline segment rule): one INSERT … SELECT enrols the
  members not enrolled before — when the programme is activated, and again
  at each entry sweep (``enter_segments``, run by the ticker every few
  minutes and by ``silverplatter programmes tick``), so people who join the
  segment later enter too.  A contact enters a programme once: the
  enrolment stays as its record after it ends.
* **By event**: after each batch of events is scored (``score_events``),
  ``after_scoring`` enrols the contacts whose events match an active
  programme's entry event — one INSERT … SELECT per programme and batch.
  An event that happened more than a week before it is scored (history
  being imported) enrols no one.
* **Early exits**: in the same call, contacts who unsubscribed in the batch
  leave every programme (exit ``unsubscribed``), and contacts the scoring
  moved to a programme's goal stage leave it (exit ``goal: <stage>``).  A
  stage set by hand, or a suppression by other means, is noticed when the
  contact's next step falls due (``domain/programme_run.py``).

Enrolled contacts' first step is due at once; the tick runs it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection

from silverplatter.domain.lifecycle import StageChange
from silverplatter.domain.programmes import (
    Definition,
    EventEntry,
    RuleEntry,
    SegmentEntry,
    parse_definition,
)
from silverplatter.domain.segment_rules import RuleInvalid
from silverplatter.services import segments
from silverplatter.services.programmes import Programme, ProgrammeError, get_programme
from silverplatter.storage import programmes as store
from silverplatter.storage.events import NewEvent

UNSUBSCRIBE: Final = "email_unsubscribe"
#: An entry event older than this when it is scored enrols no one: it is history.
ENTRY_EVENT_MAX_AGE: Final = timedelta(days=7)
log = logging.getLogger(__name__)
_parsed: dict[tuple[int, int], tuple[Mapping[str, Any], Definition]] = {}


def definition_of(programme_id: int, version: int, document: Mapping[str, Any]) -> Definition:
    """A stored definition, parsed once per programme version in this process.

    The document is compared too: another workspace (or a test's) may have a
    programme with the same id and version.
    """
    key = (programme_id, version)
    cached = _parsed.get(key)
    if cached is not None and cached[0] == document:
        return cached[1]
    if len(_parsed) > 1000:
        _parsed.clear()
    found = parse_definition(document)
    _parsed[key] = (document, found)
    return found


def enrol_entry_members(connection: Connection, programme: Programme, *, now: datetime) -> int:
    """Enrol the members of an active programme's entry segment or rule not enrolled before."""
    if programme.status != "active":
        return 0
    definition = programme.parsed
    entry = definition.entry
    if isinstance(entry, SegmentEntry):
        segment = segments.segment_by_slug(connection, entry.segment)
        if segment is None:
            raise ProgrammeError(
                "definition.entry.segment", f"there is no segment {entry.segment!r}"
            )
        members = segments.members_query(connection, segment, now=now)
    elif isinstance(entry, RuleEntry):
        members = segments.compiled(connection, entry.rule, now=now).contact_ids()
    else:
        return 0
    first = definition.first
    assert first is not None
    return store.enrol(
        connection,
        programme_id=programme.id,
        version=programme.version,
        first_step=first,
        members=members,
        now=now,
    )


def enter_segments(connection: Connection, *, now: datetime) -> dict[str, int]:
    """The entry sweep: every active programme entered by segment takes its new members.

    A programme whose entry segment has gone (deleted since it was activated)
    takes no one, and is logged; the others carry on.
    """
    entered = {}
    for row in store.live_rows(connection):
        definition = definition_of(row.id, row.version, row.definition)
        if not isinstance(definition.entry, SegmentEntry | RuleEntry):
            continue
        try:
            with connection.begin_nested():
                entered[row.slug] = enrol_entry_members(
                    connection, get_programme(connection, row.id), now=now
                )
        except (ProgrammeError, RuleInvalid) as error:
            log.warning("programme %s takes no one: %s", row.slug, error)
            entered[row.slug] = 0
    return entered


def enrol_contacts(
    connection: Connection, programme: Programme, contact_ids: Sequence[int], *, now: datetime
) -> int:
    """Enrol the given contacts (those never in the programme) in an active programme."""
    if programme.status != "active":
        raise ProgrammeError("status", f"a {programme.status} programme takes no one; activate it")
    first = programme.parsed.first
    assert first is not None
    return _enrol_ids(connection, programme.id, programme.version, first, contact_ids, now)


def _enrol_ids(
    connection: Connection,
    programme_id: int,
    version: int,
    first: str,
    contact_ids: Sequence[int],
    now: datetime,
) -> int:
    if not contact_ids:
        return 0
    return store.enrol(
        connection,
        programme_id=programme_id,
        version=version,
        first_step=first,
        members=store.contacts_among(connection, contact_ids),
        now=now,
        parameters={"keys": sorted(set(contact_ids))},
    )


def _matches(entry: EventEntry, event: NewEvent, now: datetime) -> bool:
    if event.type != entry.event or event.contact_id is None:
        return False
    if event.occurred_at < now - ENTRY_EVENT_MAX_AGE:
        return False  # history being imported or re-scored, not someone acting now
    properties = event.properties or {}
    return all(properties.get(name) == value for name, value in entry.properties.items())


def after_scoring(
    connection: Connection,
    events: Sequence[NewEvent],
    stage_changes: Sequence[StageChange],
    *,
    now: datetime,
) -> None:
    """Enrol on entry events, exit on unsubscribing and on goals reached (one scored batch)."""
    left = sorted({e.contact_id for e in events if e.type == UNSUBSCRIBE and e.contact_id})
    if left:
        store.exit_contacts(connection, left, reason="unsubscribed", now=now)
    rows = store.live_rows(connection, statuses=store.LIVE)
    if not rows:
        return
    reached: dict[str, list[int]] = defaultdict(list)
    for change in stage_changes:
        reached[change.to_stage].append(change.contact_id)
    for row in rows:
        definition = definition_of(row.id, row.version, row.definition)
        for stage in definition.goal_stages:
            if reached.get(stage):
                store.exit_contacts(
                    connection,
                    reached[stage],
                    reason=f"goal: {stage}",
                    now=now,
                    programme_ids=[row.id],
                )
        entry, first = definition.entry, definition.first
        if row.status != "active" or not isinstance(entry, EventEntry) or first is None:
            continue
        chosen = sorted({e.contact_id for e in events if e.contact_id and _matches(entry, e, now)})
        _enrol_ids(connection, row.id, row.version, first, chosen, now)


__all__ = [
    "after_scoring",
    "definition_of",
    "enrol_contacts",
    "enrol_entry_members",
    "enter_segments",
]
