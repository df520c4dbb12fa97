"""Needs segments: create, change, order and delete them; place the accounts in them.

Each needs segment is defined by a segment (``services/segments.py``, a rule
or a snapshot of contacts).  **The assignment rule**: an account belongs to
the *first* needs segment, in the order shown (by position), that *any* of
its contacts is a member of; an account none of whose contacts is a member of
any needs segment has no needs segment (``accounts.needs_segment`` is
emptied).  ``accounts.needs_segment`` holds the needs segment's *name*, so a
rename renames it on the accounts too, and deleting a needs segment empties
it there.  Assigning is set-based (``storage/needs_segments.py``) and audited;
when the scoring model's grading reads ``account.needs_segment`` the people of
the accounts that moved are graded and qualified again.

**Kept current**: once a person has assigned the accounts (the workspace then
follows the rules), the worker assigns them again every hour
(:func:`keep_needs_segments_current`), so accounts leave and join as worry
profiles fade and grow.  Until then a needs segment imported or typed in is
left alone: the rules take over only when someone asked for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, select

from silverplatter.domain.segment_rules import RuleInvalid
from silverplatter.domain.tier_matrix import (
    MAX_NEEDS_SEGMENTS,
    MatrixInvalid,
    check_order,
    invalid,
    needs_segment_fields,
)
from silverplatter.services.audit import SYSTEM, Actor, record
from silverplatter.services.requalify import Requalified, graded_fields, requalify_accounts
from silverplatter.services.scoring_models import active_model
from silverplatter.services.segments import compiled
from silverplatter.storage import needs_segments as store
from silverplatter.storage.schema import contacts
from silverplatter.storage.tier_matrix import pyramid_counts

NEEDS_FIELD: Final = "account.needs_segment"


@dataclass(frozen=True)
class NeedsSegment:
    id: int
    slug: str
    name: str
    description: str | None
    position: int
    segment_slug: str | None
    segment_name: str | None
    updated_at: datetime


@dataclass(frozen=True)
class NeedsAssigned:
    """What an assignment did: accounts per needs segment after it, and the moves."""

    accounts: dict[str, int]
    moved: int
    requalified: Requalified


def _of(row: Any) -> NeedsSegment:
    return NeedsSegment(
        id=row.id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        position=row.position,
        segment_slug=row.segment_slug,
        segment_name=row.segment_name,
        updated_at=row.updated_at,
    )


def list_needs_segments(connection: Connection) -> list[NeedsSegment]:
    """Every needs segment in order (their columns in the pyramid)."""
    return [_of(row) for row in store.needs_rows(connection)]


def needs_segment(connection: Connection, slug: str) -> NeedsSegment:
    """The needs segment with that slug; ``LookupError`` when there is none."""
    for found in list_needs_segments(connection):
        if found.slug == slug:
            return found
    raise LookupError(f"there is no needs segment {slug!r}")


def _segment_id(connection: Connection, slug: str | None) -> int | None:
    if slug is None:
        return None
    found = store.segment_id_of(connection, slug)
    if found is None:
        raise invalid("segment", f"there is no segment {slug!r}")
    return found


def _check_unique(
    existing: Sequence[NeedsSegment], name: str, slug: str, *, besides: int | None = None
) -> None:
    others = [other for other in existing if other.id != besides]
    for other in others:
        if other.name.casefold() == name.casefold():
            raise invalid("name", f"another needs segment is already called {other.name!r}")
    if any(other.slug == slug for other in others):
        raise invalid("slug", f"another needs segment already has the slug {slug!r}")


def create_needs_segment(
    connection: Connection, document: Mapping[str, Any], *, now: datetime
) -> NeedsSegment:
    """Add a needs segment after the others; :class:`MatrixInvalid` names a bad field."""
    fields = needs_segment_fields(document)
    existing = list_needs_segments(connection)
    if len(existing) >= MAX_NEEDS_SEGMENTS:
        raise invalid(
            "name",
            f"at most {MAX_NEEDS_SEGMENTS} needs segments; two or three are usually enough",
        )
    _check_unique(existing, fields.name, fields.slug)
    store.insert_needs(
        connection,
        {
            "slug": fields.slug,
            "name": fields.name,
            "description": fields.description,
            "segment_id": _segment_id(connection, fields.segment),
            "position": max((n.position for n in existing), default=0) + 1,
            "created_at": now,
            "updated_at": now,
        },
    )
    return needs_segment(connection, fields.slug)


def update_needs_segment(
    connection: Connection, slug: str, document: Mapping[str, Any], *, now: datetime
) -> NeedsSegment:
    """Change a needs segment; fields left out keep their values.  A new name is
    carried over to the accounts in the needs segment."""
    current = needs_segment(connection, slug)
    merged = {
        "name": current.name,
        "slug": current.slug,
        "description": current.description,
        "segment": current.segment_slug,
        **document,
    }
    fields = needs_segment_fields(merged)
    _check_unique(list_needs_segments(connection), fields.name, fields.slug, besides=current.id)
    store.update_needs(
        connection,
        current.id,
        {
            "slug": fields.slug,
            "name": fields.name,
            "description": fields.description,
            "segment_id": _segment_id(connection, fields.segment),
            "updated_at": now,
        },
    )
    if fields.name != current.name:
        store.rename_on_accounts(connection, current.name, fields.name, now=now)
    return needs_segment(connection, fields.slug)


def delete_needs_segment(connection: Connection, slug: str, *, now: datetime) -> int:
    """Remove a needs segment and its offer cells; its accounts get no needs segment.
    Returns how many accounts that was."""
    current = needs_segment(connection, slug)
    store.delete_needs(connection, current.id)
    return store.rename_on_accounts(connection, current.name, None, now=now)


def order_needs_segments(
    connection: Connection, slugs: Sequence[str], *, now: datetime
) -> list[NeedsSegment]:
    """Put the needs segments in this order (every slug once)."""
    existing = {n.slug: n for n in list_needs_segments(connection)}
    ordered = check_order(list(slugs), list(existing), "order")
    store.set_positions(connection, [existing[slug].id for slug in ordered], now=now)
    return list_needs_segments(connection)


def move_needs_segment(
    connection: Connection, slug: str, step: int, *, now: datetime
) -> list[NeedsSegment]:
    """Move one needs segment ``step`` places (−1: one to the left)."""
    slugs = [n.slug for n in list_needs_segments(connection)]
    if slug not in slugs:
        raise LookupError(f"there is no needs segment {slug!r}")
    start = slugs.index(slug)
    target = min(max(start + step, 0), len(slugs) - 1)
    slugs.insert(target, slugs.pop(start))
    return order_needs_segments(connection, slugs, now=now)


# --- assignment ----------------------------------------------------------------------


def member_accounts(connection: Connection, segment_slug: str, *, now: datetime) -> Any:
    """``SELECT account_id`` of the contacts that are members of the segment now."""
    rule = compiled(
        connection, {"field": "segment", "op": "member_of", "value": segment_slug}, now=now
    )
    return (
        select(contacts.c.account_id.label("account_id"))
        .select_from(rule.source())
        .where(rule.condition, contacts.c.account_id.is_not(None))
    )


def _place(connection: Connection, *, now: datetime) -> NeedsAssigned:
    ranked = []
    for found in list_needs_segments(connection):
        if found.segment_slug is None:
            continue  # its segment was deleted: it matches nobody
        try:
            ranked.append((found.name, member_accounts(connection, found.segment_slug, now=now)))
        except RuleInvalid as error:
            raise invalid(
                "segment", f"the segment of needs segment {found.name!r} cannot be used: {error}"
            ) from None
    moved = store.assign_accounts(connection, ranked, now=now)
    # Readiness thresholds depend on the tier, not the needs segment: only a
    # grading that reads the needs segment makes the moved accounts' people change.
    requalified = Requalified(0, 0, 0)
    if NEEDS_FIELD in graded_fields(active_model(connection, now=now)):
        requalified = requalify_accounts(connection, moved, changed_field=NEEDS_FIELD, now=now)
    return NeedsAssigned(needs_counts(connection), len(moved), requalified)


def _audit(connection: Connection, done: NeedsAssigned, *, now: datetime, actor: Actor) -> None:
    record(
        connection,
        "needs_segments.assigned",
        "needs segments",
        actor=actor,
        now=now,
        details={"accounts_moved": done.moved, "accounts": done.accounts},
    )


def assign_needs_segments(connection: Connection, *, now: datetime, actor: Actor) -> NeedsAssigned:
    """Place every account in its needs segment by the assignment rule (set-based)."""
    done = _place(connection, now=now)
    _audit(connection, done, now=now, actor=actor)
    return done


def keep_needs_segments_current(connection: Connection, *, now: datetime) -> NeedsAssigned | None:
    """The worker's periodic assignment: the same as :func:`assign_needs_segments`, done by
    the system, in a workspace that has needs segments and where a person has assigned
    accounts before (asked for rule-based needs segments); None elsewhere, where a needs
    segment imported or typed in stays as it is.  Audited when accounts moved (an hourly
    entry saying nothing changed would bury the others)."""
    if not list_needs_segments(connection) or not store.assigned_before(connection):
        return None
    done = _place(connection, now=now)
    if done.moved:
        _audit(connection, done, now=now, actor=SYSTEM)
    return done


def needs_counts(connection: Connection) -> dict[str, int]:
    """Accounts per needs segment name, in order; accounts with none under ``""``."""
    names = [n.name for n in list_needs_segments(connection)]
    found = dict.fromkeys([*names, ""], 0)
    for _tier, name, accounts, _people in pyramid_counts(connection):
        key = name if name in found else ""
        found[key] += accounts
    return found


__all__ = [
    "MatrixInvalid",
    "NeedsAssigned",
    "NeedsSegment",
    "assign_needs_segments",
    "create_needs_segment",
    "delete_needs_segment",
    "keep_needs_segments_current",
    "list_needs_segments",
    "member_accounts",
    "move_needs_segment",
    "needs_counts",
    "needs_segment",
    "order_needs_segments",
    "update_needs_segment",
]
