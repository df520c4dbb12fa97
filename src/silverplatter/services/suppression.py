"""The suppression list: addresses no send path may mail.

Unsubscribed, hard-bounced, complained, erased and manually blocked addresses
are kept as a SHA-256 digest of the normalised address (and, except for an
erased person, the address itself, so the list can be shown).  The outbox
(``services/outbox.py``) is the only way mail leaves the product and it asks
``suppressed_reasons`` both when a message is queued and again just before it
is handed to the SMTP server.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, delete, func, select, update

from silverplatter.domain.identity import InvalidValue, normalise_email
from silverplatter.storage.capture_schema import suppressions
from silverplatter.storage.rows import IN_CHUNK, insert_if_new

REASONS: Final = ("unsubscribed", "hard_bounce", "complaint", "erased", "manual")


def address_hash(email: str) -> str:
    """The digest the list is keyed by: SHA-256 of the normalised address."""
    try:
        _shown, key = normalise_email(email)
    except InvalidValue:
        key = email.strip().lower()
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Suppression:
    email: str | None
    reason: str
    source: str
    created_at: datetime


def suppress(
    connection: Connection, email: str, *, reason: str, source: str, now: datetime
) -> bool:
    """Put an address on the list; True when it was not there already.

    An address already listed keeps its first reason, except that erasure
    replaces it and forgets the address itself.
    """
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {', '.join(REASONS)}, not {reason!r}")
    digest = address_hash(email)
    try:
        _shown, key = normalise_email(email)
    except InvalidValue:
        key = email.strip().lower()
    stored_key = None if reason == "erased" else key
    added = insert_if_new(
        connection,
        suppressions,
        {
            "address_hash": digest,
            "email_key": stored_key,
            "reason": reason,
            "source": source[:200],
            "created_at": now,
        },
        ["address_hash"],
    )
    if not added and reason == "erased":
        connection.execute(
            update(suppressions)
            .where(suppressions.c.address_hash == digest)
            .values(email_key=None, reason="erased", source=source[:200])
        )
    return added


def lift(connection: Connection, email: str) -> bool:
    """Take an address off the list (an admin's correction); erased ones stay."""
    result = connection.execute(
        delete(suppressions).where(
            suppressions.c.address_hash == address_hash(email), suppressions.c.reason != "erased"
        )
    )
    return result.rowcount > 0


def suppressed_reasons(connection: Connection, emails: Iterable[str]) -> dict[str, str]:
    """For each given address that is suppressed, the reason (keyed as given)."""
    by_hash: dict[str, list[str]] = {}
    for email in emails:
        by_hash.setdefault(address_hash(email), []).append(email)
    found: dict[str, str] = {}
    digests = list(by_hash)
    for start in range(0, len(digests), IN_CHUNK):
        chunk = digests[start : start + IN_CHUNK]
        for digest, reason in connection.execute(
            select(suppressions.c.address_hash, suppressions.c.reason).where(
                suppressions.c.address_hash.in_(chunk)
            )
        ):
            for email in by_hash[digest]:
                found[email] = reason
    return found


def is_suppressed(connection: Connection, email: str) -> str | None:
    """The reason an address may not be mailed, or None."""
    return suppressed_reasons(connection, [email]).get(email)


def list_suppressions(
    connection: Connection, *, reason: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[int, list[Suppression]]:
    """The list, newest first, with its total size."""
    condition = suppressions.c.reason == reason if reason else None
    total_query = select(func.count()).select_from(suppressions)
    rows_query = (
        select(
            suppressions.c.email_key,
            suppressions.c.reason,
            suppressions.c.source,
            suppressions.c.created_at,
        )
        .order_by(suppressions.c.created_at.desc(), suppressions.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if condition is not None:
        total_query = total_query.where(condition)
        rows_query = rows_query.where(condition)
    total = int(connection.execute(total_query).scalar_one())
    return total, [
        Suppression(row.email_key, row.reason, row.source, row.created_at)
        for row in connection.execute(rows_query)
    ]
