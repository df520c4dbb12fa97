"""The suppression list: addresses no send path may mail.

Unsubscribed, hard-bounced, complained, erased and manually blocked addresses
are kept as a SHA-256 digest of the normalised address (and, except for an
erased person, the address itself, so the list can be shown).  Both ways
mail leaves the product — the outbox (``services/outbox.py``) and the send
ledger of nurture mail (``services/sending.py``) — ask ``suppressed_reasons``
when a message is queued and again when it is claimed for sending, moments
before it is handed to the SMTP server, and decide with the one policy,
``blocking``.

A person adds or lifts an address by hand with ``add_address`` and
``lift_address``; both are audited by the address's digest, never the
address itself, so an erasure leaves nothing of it in the audit log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, delete, func, select, update

from silverplatter.domain.identity import InvalidValue, normalise_email
from silverplatter.services.audit import Actor, record
from silverplatter.storage.capture_schema import suppressions
from silverplatter.storage.rows import IN_CHUNK, insert_if_new

REASONS: Final = ("unsubscribed", "hard_bounce", "complaint", "erased", "manual")

#: Each reason in words, for pages and the command line.
REASON_LABELS: Final[dict[str, str]] = {
    "unsubscribed": "Unsubscribed",
    "hard_bounce": "Hard bounce",
    "complaint": "Complaint",
    "erased": "Erased",
    "manual": "Added by hand",
}
#: Reasons a person may give when adding an address by hand.
MANUAL_REASONS: Final = ("manual", "hard_bounce", "complaint", "unsubscribed")


class SuppressionError(ValueError):
    """A request about the list that cannot be honoured; ``field`` names the culprit."""

    def __init__(self, field: str, message: str, *, status: int = 422) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.status = status


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
    address_hash: str = ""


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


def lift(connection: Connection, email: str, *, only: str | None = None) -> bool:
    """Take an address off the list (an admin's correction); erased ones stay.

    ``only`` lifts it only when it was listed for that reason (a confirmed new
    opt-in lifts ``unsubscribed`` and nothing else).
    """
    condition = [suppressions.c.address_hash == address_hash(email)]
    condition.append(suppressions.c.reason != "erased")
    if only is not None:
        condition.append(suppressions.c.reason == only)
    result = connection.execute(delete(suppressions).where(*condition))
    return result.rowcount > 0


#: Mail a person who unsubscribed may still get: the confirmation they asked
#: for by filling in a form again (confirming it takes them off the list).
#: Bounced, complained and erased addresses get nothing, ever.
RESUBSCRIBING_KINDS: Final = frozenset({"opt_in_confirmation"})


def blocking(reason: str | None, kind: str) -> str | None:
    """The suppression that stops a message of ``kind``, or None when it may go.

    The one policy every send path follows (the outbox, broadcasts and
    programmes alike): any listed reason stops a message, except that an
    unsubscribed person may still get a confirmation they asked for.
    """
    if reason == "unsubscribed" and kind in RESUBSCRIBING_KINDS:
        return None
    return reason


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
    connection: Connection,
    *,
    reason: str | None = None,
    address: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[Suppression]]:
    """The list, newest first, with its total size; ``address`` finds one address."""
    conditions = []
    if reason:
        conditions.append(suppressions.c.reason == reason)
    if address:
        conditions.append(suppressions.c.address_hash == address_hash(address))
    total_query = select(func.count()).select_from(suppressions).where(*conditions)
    rows_query = (
        select(
            suppressions.c.email_key,
            suppressions.c.reason,
            suppressions.c.source,
            suppressions.c.created_at,
            suppressions.c.address_hash,
        )
        .where(*conditions)
        .order_by(suppressions.c.created_at.desc(), suppressions.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    total = int(connection.execute(total_query).scalar_one())
    return total, [
        Suppression(row.email_key, row.reason, row.source, row.created_at, row.address_hash)
        for row in connection.execute(rows_query)
    ]


def suppression_counts(connection: Connection) -> dict[str, int]:
    """How many addresses the list holds for each reason (every reason, zeros included)."""
    found = {
        str(reason): int(count)
        for reason, count in connection.execute(
            select(suppressions.c.reason, func.count()).group_by(suppressions.c.reason)
        )
    }
    return {reason: int(found.get(reason, 0)) for reason in REASONS}


def _audit_subject(digest: str) -> str:
    return f"suppressed address {digest[:16]}"


def add_address(
    connection: Connection,
    email: str,
    *,
    reason: str = "manual",
    note: str = "",
    actor: Actor,
    now: datetime,
) -> bool:
    """A person puts an address on the list (audited); True when it was not listed yet."""
    try:
        _shown, key = normalise_email(email)
    except InvalidValue as error:
        raise SuppressionError("email", str(error)) from None
    if reason not in MANUAL_REASONS:
        raise SuppressionError("reason", f"must be one of {', '.join(MANUAL_REASONS)}")
    note = " ".join(note.split())
    if len(note) > 150:
        raise SuppressionError("note", "must be at most 150 characters long")
    source = f"added by hand: {note}" if note else "added by hand"
    added = suppress(connection, key, reason=reason, source=source, now=now)
    if added:
        digest = address_hash(key)
        details = {"reason": reason, "note": note} if note else {"reason": reason}
        record(
            connection,
            "suppression.added",
            _audit_subject(digest),
            actor=actor,
            now=now,
            details=details,
        )
    return added


def lift_address(connection: Connection, email: str, *, actor: Actor, now: datetime) -> str:
    """A person takes an address off the list (audited); returns the reason it had.

    An erased address stays: it is how the product keeps its promise never to
    mail that person again.
    """
    digest = address_hash(email)
    reason = connection.execute(
        select(suppressions.c.reason).where(suppressions.c.address_hash == digest)
    ).scalar()
    if reason is None:
        raise SuppressionError("email", "the address is not on the suppression list", status=404)
    if reason == "erased":
        raise SuppressionError(
            "email", "the person was erased; their address stays on the list", status=409
        )
    lift(connection, email)
    record(
        connection,
        "suppression.lifted",
        _audit_subject(digest),
        actor=actor,
        now=now,
        details={"reason": reason},
    )
    return str(reason)
