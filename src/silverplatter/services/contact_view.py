"""Everything the contact page shows, read in one place (domain §4–§6).

The page is a read model over services that already exist: the explanation
(grade breakdown, score rule by rule, thresholds, BANT, buying window, next
step) comes from :func:`explain_contact`; the lifecycle history from
:func:`stage_history`.  This module adds the contact's header, its timeline
(newest first, paged by an event cursor), the score over the last year
re-derived from the events with the explanation's own arithmetic, the consent
history and the open handover.

Who may look: sales (``OWN_RECORDS_ONLY``) sees only contacts it owns or whose
account it owns; to anyone else such a contact does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.domain.engagement import EventFacts, RuleBook
from silverplatter.domain.explanation import score_series
from silverplatter.domain.lifecycle import STAGES_BY_NAME
from silverplatter.domain.touches import Touches
from silverplatter.services.explain import Explanation, explain_contact
from silverplatter.services.programme_enrolments import ContactEnrolment, Task, contact_programmes
from silverplatter.services.reality_check import contact_events
from silverplatter.services.scoring_models import active_model
from silverplatter.services.touches import contact_touches
from silverplatter.storage import contact_view as store

TIMELINE_PAGE = 20
HISTORY_WEEKS = 52

#: Event types in words, as a person would say what the contact did.
EVENT_WORDS = {
    "page_view": "Visited a page",
    "email_sent": "Was sent an email",
    "email_open": "Opened an email",
    "email_click": "Clicked a link in an email",
    "email_reply": "Replied to an email",
    "email_bounce": "Email bounced",
    "email_unsubscribe": "Unsubscribed",
    "email_opt_in_confirmed": "Confirmed the subscription",
    "form_submit": "Submitted a form",
    "content_download": "Downloaded content",
    "webinar_registered": "Registered for a webinar",
    "webinar_attended": "Attended a webinar",
    "meeting_held": "Met with sales",
    "call_held": "Had a call with sales",
    "executive_appointed": "New executive appointed",
    "project_announced": "Project announced",
    "funding_announced": "Funding announced",
    "company_expanded": "Company expanded",
}


def event_words(kind: str) -> str:
    return EVENT_WORDS.get(kind, kind.replace("_", " ").capitalize())


def stage_label(stage: str | None) -> str:
    known = STAGES_BY_NAME.get(stage or "")
    return known.label if known else (stage or "unknown").replace("_", " ").capitalize()


def check_contact_visible(
    connection: Connection, contact_id: int, *, user_id: int, role: str
) -> None:
    """Raise ``LookupError`` unless the viewer may open the contact (sales: own records only)."""
    if role in OWN_RECORDS_ONLY and not store.owned_by(connection, contact_id, user_id):
        raise LookupError(f"no contact with id {contact_id}")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    words: str
    channel: str | None
    traffic: str | None
    #: The URL, content or form the event was about.
    detail: str | None
    #: A call to action ("hard" or "soft") when the event carried one.
    cta: str | None
    #: Points the active model's rules give the event before fading; ``None`` if none match.
    points: float | None
    rules: tuple[str, ...]
    #: Whether a matching rule counts only up to a cap per day or week.
    capped: bool


@dataclass(frozen=True)
class TimelinePage:
    entries: tuple[TimelineEntry, ...]
    #: The cursor of the next, older page; ``None`` on the last page.
    older: int | None


@dataclass(frozen=True)
class ScorePoint:
    on: date
    score: float


@dataclass(frozen=True)
class StageMove:
    at: datetime
    from_stage: str
    to_stage: str
    transition: str
    by: str
    reason: str


@dataclass(frozen=True)
class ContactPage:
    header: Row[Any]
    name: str
    explanation: Explanation
    stage_moves: tuple[StageMove, ...]
    consent: tuple[Row[Any], ...]
    handover: Row[Any] | None
    score_history: tuple[ScorePoint, ...]
    timeline: TimelinePage
    #: Touches in the last 12 months ("Law of 29"), programmes and their tasks.
    touches: Touches = field(default_factory=Touches)
    enrolments: tuple[ContactEnrolment, ...] = ()
    tasks: tuple[Task, ...] = ()


def full_name(first: str | None, last: str | None, email: str) -> str:
    return " ".join(part for part in (first, last) if part) or email


def _detail(properties: dict[str, Any]) -> str | None:
    for key in ("url", "content_id", "form", "subject"):
        value = properties.get(key)
        if value not in (None, ""):
            return str(value)
    return None


def _entry(book: RuleBook, row: Row[Any]) -> TimelineEntry:
    properties = row.properties if isinstance(row.properties, dict) else {}
    facts = EventFacts(row.type, row.occurred_at.timestamp(), row.channel, properties)
    matched = book.matching("contact", facts)
    cta = properties.get("cta")
    return TimelineEntry(
        at=row.occurred_at,
        kind=row.type,
        words=event_words(row.type),
        channel=row.channel,
        traffic=row.traffic,
        detail=_detail(properties),
        cta=cta if isinstance(cta, str) else None,
        points=sum(c.rule.points for c in matched) if matched else None,
        rules=tuple(book.model.rule_name(c.index) for c in matched),
        capped=any(c.rule.cap is not None for c in matched),
    )


def _timeline(
    connection: Connection, book: RuleBook, contact_id: int, before: int | None, limit: int
) -> TimelinePage:
    cursor = None
    if before is not None:
        moment = store.event_time(connection, contact_id, before)
        if moment is None:
            raise ValueError("before: not an event on this contact's timeline")
        cursor = (moment, before)
    rows = store.events_page(connection, contact_id, before=cursor, limit=limit + 1)
    shown = rows[:limit]
    older = int(shown[-1].id) if len(rows) > limit else None
    return TimelinePage(tuple(_entry(book, row) for row in shown), older)


def timeline(
    connection: Connection,
    contact_id: int,
    *,
    now: datetime,
    user_id: int,
    role: str,
    before: int | None = None,
    limit: int = TIMELINE_PAGE,
) -> TimelinePage:
    """One page of the contact's events, newest first, older than the event ``before``.

    ``LookupError`` for a contact that is missing or not the viewer's;
    ``ValueError`` naming ``before`` for a cursor that is not the contact's event.
    """
    if store.contact_header(connection, contact_id) is None:
        raise LookupError(f"no contact with id {contact_id}")
    check_contact_visible(connection, contact_id, user_id=user_id, role=role)
    book = active_model(connection, now=now).book
    return _timeline(connection, book, contact_id, before, limit)


def score_history(
    book: RuleBook, events: Sequence[EventFacts], now: datetime, weeks: int = HISTORY_WEEKS
) -> tuple[ScorePoint, ...]:
    """The score at the end of each of the last ``weeks`` weeks up to ``now``.

    Each point is the explanation's sum of contributions over the events up to
    that moment, so the last point is the score the page explains.
    """
    ends = [now - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    scores = score_series(book, events, [end.timestamp() for end in ends])
    return tuple(ScorePoint(end.date(), score) for end, score in zip(ends, scores, strict=True))


def _mover(actor: str, user_id: int | None, names: dict[int, str]) -> str:
    if actor != "user":
        return "the scoring rules"
    return names.get(user_id, "a user") if user_id is not None else "a user"


def contact_page(
    connection: Connection, contact_id: int, *, now: datetime, user_id: int, role: str
) -> ContactPage:
    """The whole contact page at ``now``; ``LookupError`` if missing or not the viewer's."""
    header = store.contact_header(connection, contact_id)
    if header is None:
        raise LookupError(f"no contact with id {contact_id}")
    check_contact_visible(connection, contact_id, user_id=user_id, role=role)
    explanation = explain_contact(connection, contact_id, now=now)
    book = active_model(connection, now=now).book
    history = explanation.stage_history
    names = store.user_names(connection, (record.user_id for record in history))
    moves = tuple(
        StageMove(
            record.occurred_at,
            record.from_stage,
            record.to_stage,
            record.transition,
            _mover(record.actor, record.user_id, names),
            record.reason,
        )
        for record in history
    )
    enrolled, tasks = contact_programmes(connection, contact_id)
    return ContactPage(
        header=header,
        name=full_name(header.first_name, header.last_name, header.email),
        explanation=explanation,
        stage_moves=moves,
        consent=tuple(store.consent_history(connection, contact_id)),
        handover=store.open_handover(connection, contact_id),
        score_history=score_history(book, contact_events(connection, contact_id, now), now),
        timeline=_timeline(connection, book, contact_id, None, TIMELINE_PAGE),
        touches=contact_touches(connection, contact_id, now=now),
        enrolments=tuple(enrolled),
        tasks=tuple(tasks),
    )


__all__ = [
    "EVENT_WORDS",
    "TIMELINE_PAGE",
    "ContactPage",
    "ScorePoint",
    "StageMove",
    "TimelineEntry",
    "TimelinePage",
    "check_contact_visible",
    "contact_page",
    "event_words",
    "full_name",
    "score_history",
    "stage_label",
    "timeline",
]
