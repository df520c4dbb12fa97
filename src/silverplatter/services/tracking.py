"""Recording page views from the tracking snippet.

A view is checked and classified as it arrives (``prepare``: no database),
then written with everything else pending in one transaction
(``record_page_views``, called by the web process's group commit): the
visitor's first and last sighting, the ``page_view`` event through the one
door for behaviour (``ingest_events``), and — when the visitor is already
known or brings a signed mail-link token — the view joins the contact's
history, the visitor is stitched and the view is queued for scoring.

Re-sending a view adds nothing: its idempotency key is made from the visitor
and the snippet's own id for the view (or the page and the client's time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Connection

from silverplatter.domain.records import EventInput
from silverplatter.domain.traffic import (
    MAIL_TOKEN_PARAMETER,
    TrafficKind,
    attribution_of,
    classify,
    host_of,
)
from silverplatter.services.ingest import ingest_events
from silverplatter.services.signing import InvalidLink, signer_for
from silverplatter.services.stitching import stitch_visitor
from silverplatter.settings import Settings
from silverplatter.storage import visitors as visitor_store
from silverplatter.storage.rows import rows_by
from silverplatter.storage.schema import contacts

#: The most views one request may carry (the snippet sends one at a time).
MAX_BATCH: Final = 50
#: A client's clock is believed this far back; older or future times become "now".
CLIENT_CLOCK_WINDOW: Final = timedelta(hours=24)
VISITOR_ID_PATTERN: Final = r"^[A-Za-z0-9_-]{8,64}$"

Address = Annotated[str, Field(max_length=2048)]


def _web_address(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an absolute http(s) address")
    return value


class Landing(BaseModel):
    """The first page of the visit, whose tags and referrer every later view inherits."""

    model_config = ConfigDict(extra="ignore")

    url: Address
    referrer: Address | None = None

    _check_url = field_validator("url")(_web_address)


class PageViewInput(BaseModel):
    """One page view as the snippet sends it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    visitor_id: Annotated[
        str,
        Field(
            pattern=VISITOR_ID_PATTERN,
            description="the anonymous id from the sp_vid cookie: 8–64 letters, digits, - or _",
        ),
    ]
    url: Annotated[Address, Field(description="the page's address, location.href")]
    title: Annotated[str, Field(max_length=1000)] | None = None
    referrer: Address | None = None
    id: (
        Annotated[
            str,
            Field(
                pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the snippet's own id for this view"
            ),
        ]
        | None
    ) = None
    ts: (
        Annotated[int, Field(ge=0, description="the client's time, milliseconds since 1970")] | None
    ) = None
    landing: Landing | None = None
    token: (
        Annotated[
            str, Field(max_length=1000, description="the sp_c parameter of a tracked mail link")
        ]
        | None
    ) = None

    _check_url = field_validator("url")(_web_address)


class PageViewBatch(BaseModel):
    model_config = ConfigDict(extra="ignore")

    views: Annotated[list[PageViewInput], Field(min_length=1, max_length=MAX_BATCH)]


@dataclass(frozen=True, slots=True)
class PageView:
    """A checked, classified view ready to be written."""

    visitor_id: str
    key: str
    occurred_at: datetime
    channel: str
    traffic: TrafficKind
    properties: dict[str, Any]
    token: str | None = None


@dataclass
class Recorded:
    accepted: int = 0
    duplicates: int = 0
    identified: int = 0  # views attached to a contact
    stitched: int = 0  # earlier anonymous events joined to a contact


def _without_token(url: str) -> str:
    """The address without the mail-link token: it names a person, so it is not kept."""
    parts = urlsplit(url)
    if MAIL_TOKEN_PARAMETER not in parts.query:
        return url
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k != MAIL_TOKEN_PARAMETER
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _moment(view: PageViewInput, now: datetime) -> datetime:
    if view.ts is None:
        return now
    try:
        told = datetime.fromtimestamp(view.ts / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return now
    return told if now - CLIENT_CLOCK_WINDOW <= told <= now else now


def _key(view: PageViewInput, occurred_at: datetime) -> str:
    if view.id:
        content = f"{view.visitor_id}\x1f{view.id}"
    else:
        stamp = str(view.ts) if view.ts is not None else occurred_at.isoformat(timespec="seconds")
        content = f"{view.visitor_id}\x1f{view.url}\x1f{stamp}"
    return "pv:" + hashlib.blake2b(content.encode("utf-8"), digest_size=16).hexdigest()


def prepare(view: PageViewInput, *, now: datetime) -> PageView:
    """Classify a view and shape its event: pure, no database."""
    occurred_at = _moment(view, now)
    site_host = host_of(view.url)
    source = view.landing or view
    attribution = attribution_of(source.url, source.referrer, site_host)
    kind = classify(attribution)
    address = _without_token(view.url)
    # ``url`` is the page's path, as the scoring model's ``url_matches = "/pricing*"``
    # reads it; the whole address (tags and all, less any mail-link token) is kept too.
    properties: dict[str, Any] = {"url": urlsplit(address).path or "/", "address": address}
    if view.title:
        properties["title"] = view.title[:300]
    if view.referrer:
        properties["referrer"] = _without_token(view.referrer)
    if view.landing is not None:
        properties["landing"] = _without_token(view.landing.url)
    if attribution.utm:
        properties["utm"] = dict(attribution.utm)
    if attribution.click_ids:
        properties["click_id"] = dict(attribution.click_ids)
    return PageView(
        visitor_id=view.visitor_id,
        key=_key(view, occurred_at),
        occurred_at=occurred_at,
        channel=kind.channel,
        traffic=kind.traffic,
        properties=properties,
        token=view.token or None,
    )


def _token_contacts(
    connection: Connection, views: Sequence[PageView], settings: Settings | None, now: datetime
) -> dict[str, int]:
    """The contact each valid mail-link token names; forged, expired or stale ones are ignored."""
    tokens = {view.token for view in views if view.token}
    if not tokens:
        return {}
    signer = signer_for(connection, settings)
    named: dict[str, int] = {}
    for token in tokens:
        try:
            payload = signer.verify("tracking", token, now=now)
        except InvalidLink:
            continue
        contact_id = payload.get("c")
        if isinstance(contact_id, int) and not isinstance(contact_id, bool):
            named[token] = contact_id
    existing = rows_by(connection, contacts, contacts.c.id, named.values(), [])
    return {token: cid for token, cid in named.items() if cid in existing}


def record_page_views(
    connection: Connection,
    views: Sequence[PageView],
    *,
    now: datetime,
    settings: Settings | None = None,
) -> Recorded:
    """Write prepared views in the caller's transaction; identified ones are queued for scoring."""
    result = Recorded()
    if not views:
        return result
    by_token = _token_contacts(connection, views, settings, now)
    stitched: set[tuple[str, int]] = set()
    for view in views:
        contact_id = by_token.get(view.token or "")
        if contact_id is not None and (view.visitor_id, contact_id) not in stitched:
            stitched.add((view.visitor_id, contact_id))
            result.stitched += stitch_visitor(
                connection, visitor_id=view.visitor_id, contact_id=contact_id, now=now
            )
    known = visitor_store.contacts_of(connection, {view.visitor_id for view in views})
    visitor_store.seen(connection, ((view.visitor_id, view.occurred_at) for view in views))
    anonymous: list[EventInput] = []
    identified: list[EventInput] = []
    for view in views:
        contact_id = known.get(view.visitor_id)
        # (validating is cheaper than pydantic's model_construct, and checks our own work)
        event = EventInput.model_validate(
            {
                "type": "page_view",
                "occurred_at": view.occurred_at,
                "idempotency_key": view.key,
                "contact_id": contact_id,
                "visitor_id": view.visitor_id,
                "channel": view.channel,
                "traffic": view.traffic,
                "properties": view.properties,
            }
        )
        (anonymous if contact_id is None else identified).append(event)
    for batch, score in ((anonymous, False), (identified, True)):
        if not batch:
            continue
        outcome = ingest_events(connection, batch, now=now, score=score, defer=True)
        if outcome.errors:  # prepared views are valid; anything else is a bug
            raise ValueError(f"page views refused: {outcome.errors[0].message}")
        result.accepted += outcome.accepted
        result.duplicates += outcome.duplicates
        if score:
            result.identified += outcome.accepted
    return result
