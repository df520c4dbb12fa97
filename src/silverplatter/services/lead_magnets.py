"""Lead magnets: gated files delivered through a signed, expiring download link.

A magnet is created from an uploaded file (its kind read from the content,
its size limited, its SHA-256 kept), then its words and call-to-action kind
may change and it may be switched off; its slug never changes, since events
name it.  A form delivers it: after the submission the person gets a link
(purpose ``download``, payload ``{"m": magnet_id, "c": contact_id}``) and
following it records a ``content_download`` event — once per person, magnet
and day — whose ``cta`` property (soft unless the magnet says hard) the
scoring model's rules match, as ``content_id`` matches their ``content``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from silverplatter.domain.lead_magnets import (
    MagnetInvalid,
    check_cta_kind,
    check_description,
    check_slug,
    check_title,
    clean_file_name,
    slug_from,
    sniff,
)
from silverplatter.services.ingest import ingest_events
from silverplatter.services.signing import InvalidLink, Signer
from silverplatter.storage import lead_magnets as store

DOWNLOAD_EVENT: Final = store.DOWNLOAD_EVENT
_NOT_OURS: Final = "This link is not valid: it was altered or not made by us."


class MagnetGone(LookupError):
    """A download link to a magnet that no longer exists or is switched off."""


@dataclass(frozen=True)
class LeadMagnet:
    id: int
    slug: str
    title: str
    description: str | None
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    cta_kind: str
    active: bool
    created_at: datetime
    updated_at: datetime
    downloads: int = 0

    @classmethod
    def of(cls, row: Any, downloads: int = 0) -> LeadMagnet:
        return cls(
            id=row.id,
            slug=row.slug,
            title=row.title,
            description=row.description,
            file_name=row.file_name,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            sha256=row.sha256,
            cta_kind=row.cta_kind,
            active=bool(row.active),
            created_at=row.created_at,
            updated_at=row.updated_at,
            downloads=downloads,
        )


@dataclass(frozen=True)
class Download:
    magnet: LeadMagnet
    content: bytes
    #: Whether this download was news: a content_download event was recorded.
    recorded: bool


def _file_values(content: bytes, file_name: str) -> dict[str, Any]:
    name = clean_file_name(file_name)
    kind = sniff(content, name)
    return {
        "file_name": name,
        "content_type": kind.content_type,
        "size_bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": content,
    }


def _free_slug(connection: Connection, title: str) -> str:
    base = slug_from(title) or "lead-magnet"
    slug, number = base, 1
    while store.slug_taken(connection, slug):
        number += 1
        suffix = f"-{number}"
        slug = base[: 100 - len(suffix)].rstrip("-") + suffix
    return slug


def create_lead_magnet(
    connection: Connection,
    *,
    title: str,
    content: bytes,
    file_name: str,
    now: datetime,
    slug: str | None = None,
    description: str | None = None,
    cta_kind: str = "soft",
) -> LeadMagnet:
    """Store a new magnet; ``MagnetInvalid`` names the field that cannot be taken."""
    title = check_title(title)
    values = {
        "title": title,
        "description": check_description(description),
        "cta_kind": check_cta_kind(cta_kind),
        **_file_values(content, file_name),
    }
    if slug is not None and slug.strip():
        values["slug"] = check_slug(slug)
        if store.slug_taken(connection, values["slug"]):
            raise MagnetInvalid("slug", f"another lead magnet has the slug {values['slug']!r}")
    else:
        values["slug"] = _free_slug(connection, title)
    try:
        with connection.begin_nested():
            magnet_id = store.insert(
                connection, {**values, "active": True, "created_at": now, "updated_at": now}
            )
    except IntegrityError:  # the same slug, made a moment ago by someone else
        raise MagnetInvalid(
            "slug", f"another lead magnet has the slug {values['slug']!r}"
        ) from None
    found = get_lead_magnet(connection, magnet_id)
    assert found is not None
    return found


def update_lead_magnet(
    connection: Connection,
    magnet_id: int,
    *,
    now: datetime,
    title: str | None = None,
    description: str | None = None,
    cta_kind: str | None = None,
    active: bool | None = None,
    content: bytes | None = None,
    file_name: str | None = None,
) -> LeadMagnet:
    """Change what is given (``None`` leaves a field as it is; an empty description clears it).

    Raises ``LookupError`` for an unknown magnet, ``MagnetInvalid`` for a bad field.
    """
    current = store.facts(connection, magnet_id)
    if current is None:
        raise LookupError(f"there is no lead magnet {magnet_id}")
    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = check_title(title)
    if description is not None:
        values["description"] = check_description(description)
    if cta_kind is not None:
        values["cta_kind"] = check_cta_kind(cta_kind)
    if active is not None:
        values["active"] = active
    if content is not None:
        values.update(_file_values(content, file_name or current.file_name))
    if values:
        store.change(connection, magnet_id, values, now)
    found = get_lead_magnet(connection, magnet_id)
    assert found is not None
    return found


def get_lead_magnet(connection: Connection, magnet_id: int) -> LeadMagnet | None:
    row = store.facts(connection, magnet_id)
    if row is None:
        return None
    counts = store.download_counts(connection, [row.slug])
    return LeadMagnet.of(row, counts.get(row.slug, 0))


def list_lead_magnets(connection: Connection, *, active_only: bool = False) -> list[LeadMagnet]:
    """Every magnet with how often it was downloaded, active ones first, then by title."""
    rows = store.listing(connection, active_only=active_only)
    counts = store.download_counts(connection, [row.slug for row in rows])
    return [LeadMagnet.of(row, counts.get(row.slug, 0)) for row in rows]


def download_url(
    signer: Signer, public_url: str, magnet_id: int, contact_id: int, *, now: datetime
) -> str:
    """The signed, expiring link that hands a contact the magnet's file."""
    token = signer.sign("download", {"m": magnet_id, "c": contact_id}, now=now)
    return f"{public_url.rstrip('/')}/capture/downloads/{token}"


def _whole_number(payload: dict[str, Any], key: str) -> int:
    value = payload.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidLink(_NOT_OURS)
    return value


def take_download(connection: Connection, token: str, *, signer: Signer, now: datetime) -> Download:
    """Honour a download link in the caller's transaction: the file, and the event once a day.

    Raises ``InvalidLink`` (forged, altered, expired) or ``MagnetGone``.
    """
    payload = signer.verify("download", token, now=now)
    magnet_id, contact_id = _whole_number(payload, "m"), _whole_number(payload, "c")
    row = store.with_file(connection, magnet_id)
    if row is None or not row.active:
        raise MagnetGone("This download is no longer offered.")
    event = {
        "type": DOWNLOAD_EVENT,
        "occurred_at": now,
        "contact_id": contact_id,
        "idempotency_key": f"{DOWNLOAD_EVENT}:{magnet_id}:{contact_id}:{now:%Y-%m-%d}",
        "properties": {
            "lead_magnet": row.slug,
            "content_id": row.slug,
            "title": row.title,
            "cta": row.cta_kind,
        },
    }
    # A person erased since the link was sent still gets the file; nothing is recorded.
    outcome = ingest_events(connection, [event], now=now)
    return Download(LeadMagnet.of(row), bytes(row.content), recorded=outcome.accepted == 1)
