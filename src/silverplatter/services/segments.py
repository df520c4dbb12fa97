"""Segments: named rules over contacts, evaluated live (dynamic) or kept as a snapshot (static).

A **dynamic** segment's members are whoever its rule takes now; a **static**
segment's members are its member list, filled by a snapshot of its rule (one
INSERT … SELECT) or by hand (programmes add and remove contacts).

Others use ``members_query`` (a SELECT of contact ids to put in their own
statements) and ``is_member``.  Changes are audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Connection, Row, Select, exists, select

from silverplatter.domain.segment_fields import FieldSpec, field_catalogue
from silverplatter.domain.segment_rules import (
    SLUG,
    RuleError,
    RuleInvalid,
    parse_rule,
    rule_document,
    segment_slugs,
)
from silverplatter.services.audit import Actor, record
from silverplatter.services.worry_profiles import half_life
from silverplatter.storage import segments as store
from silverplatter.storage import worries as worry_store
from silverplatter.storage.properties import all_definitions
from silverplatter.storage.segment_sql import CompiledRule, SegmentRef, compile_rule

Kind = Literal["dynamic", "static"]
KINDS: Final = ("dynamic", "static")
MAX_PAGE: Final = 500


class SegmentError(ValueError):
    """A segment operation refused, naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SegmentNotFound(LookupError):
    """No segment with that id."""


@dataclass(frozen=True, slots=True)
class Segment:
    id: int
    slug: str
    name: str
    description: str | None
    kind: str
    rule: dict[str, Any]
    member_count: int | None
    counted_at: datetime | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Row[Any]) -> Segment:
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            description=row.description,
            kind=row.kind,
            rule=dict(row.rule),
            member_count=row.member_count,
            counted_at=row.counted_at,
            created_by=row.author_name,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class SegmentDraft(BaseModel):
    """What a person writes to make or change a segment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: Annotated[str, Field(min_length=1, max_length=100, pattern=SLUG.pattern)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2000)] | None = None
    kind: Kind = "dynamic"
    rule: dict[str, Any] = Field(default_factory=lambda: {"all": []})

    @field_validator("name", "description")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("NUL characters are not allowed")
        return value


@dataclass(frozen=True, slots=True)
class MemberPage:
    rows: list[Row[Any]]
    #: The last id of this page when there are more (pass as ``after``), else None.
    next: int | None


# ---------------------------------------------------------------- rules


def catalogue(connection: Connection) -> dict[str, FieldSpec]:
    """The fields a rule may test in this workspace (custom properties included)."""
    worries = [(row.slug, row.name) for row in worry_store.worry_rows(connection)]
    return field_catalogue(all_definitions(connection), worries)


def _lookup(connection: Connection, fields: Mapping[str, FieldSpec]) -> Any:
    def find(slug: str) -> SegmentRef | None:
        row = store.segment_by_slug(connection, slug)
        if row is None:
            return None
        if row.kind == "static":
            return SegmentRef(row.id, row.slug, row.kind, None)
        try:
            rule = parse_rule(row.rule, fields)
        except RuleInvalid as invalid:
            errors = [RuleError(f"segment {slug!r}: {e.path}", e.message) for e in invalid.errors]
            raise RuleInvalid(errors) from None
        return SegmentRef(row.id, row.slug, row.kind, rule)

    return find


def compiled(
    connection: Connection,
    document: Any,
    *,
    now: datetime,
    slug: str | None = None,
    each: bool = False,
) -> CompiledRule:
    """A rule document checked and compiled; :class:`RuleInvalid` names each bad part.

    ``each``: compiled to read a few members (a page, one contact), not all.
    """
    fields = catalogue(connection)
    rule = parse_rule(document, fields)
    return compile_rule(
        rule,
        dialect=connection.dialect.name,
        now=now,
        lookup=_lookup(connection, fields),
        fields=fields,
        slug=slug,
        each=each,
        worry_half_life_days=half_life(),
    )


def check_rule(
    connection: Connection, document: Any, *, now: datetime, slug: str | None = None
) -> dict[str, Any]:
    """The canonical form of a rule document, checked against this workspace."""
    compiled(connection, document, now=now, slug=slug)
    canonical: dict[str, Any] = rule_document(parse_rule(document, catalogue(connection)))
    return canonical


def preview_count(
    connection: Connection, document: Any, *, now: datetime, slug: str | None = None
) -> int:
    """How many contacts a rule takes now (while it is being edited; nothing stored)."""
    rule = compiled(connection, document, now=now, slug=slug)
    store.without_jit(connection)
    return int(connection.execute(rule.count()).scalar_one())


# ---------------------------------------------------------------- segments


def list_segments(connection: Connection) -> list[Segment]:
    return [Segment.of(row) for row in store.segment_rows(connection)]


def get_segment(connection: Connection, segment_id: int) -> Segment:
    row = store.segment_row(connection, segment_id)
    if row is None:
        raise SegmentNotFound(f"there is no segment {segment_id}")
    return Segment.of(row)


def segment_by_slug(connection: Connection, slug: str) -> Segment | None:
    row = store.segment_by_slug(connection, slug)
    return None if row is None else Segment.of(row)


def draft_of(document: Mapping[str, Any]) -> SegmentDraft:
    """A draft from plain values; :class:`SegmentError` names the first bad field."""
    try:
        return SegmentDraft.model_validate(dict(document))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "segment"
        message = first["msg"]
        if where == "slug" and first["type"] == "string_pattern_mismatch":
            message = "use lower-case letters, digits and hyphens, e.g. finnish-leads"
        raise SegmentError(where, message) from None


def create_segment(
    connection: Connection, draft: SegmentDraft, *, actor: Actor, now: datetime
) -> Segment:
    if store.slug_taken(connection, draft.slug):
        raise SegmentError("slug", f"a segment {draft.slug!r} exists already")
    rule = check_rule(connection, draft.rule, now=now, slug=draft.slug)
    segment_id = store.insert_segment(
        connection,
        {
            "slug": draft.slug,
            "name": draft.name,
            "description": draft.description or None,
            "kind": draft.kind,
            "rule": rule,
            "created_by": actor.user_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    record(
        connection,
        "segment.created",
        f"segment:{draft.slug}",
        actor=actor,
        now=now,
        details={"kind": draft.kind, "rule": rule},
    )
    return get_segment(connection, segment_id)


def update_segment(
    connection: Connection, segment_id: int, draft: SegmentDraft, *, actor: Actor, now: datetime
) -> Segment:
    """Change a segment's name, description and rule; its slug and kind stay."""
    current = get_segment(connection, segment_id)
    if draft.slug != current.slug:
        raise SegmentError("slug", "a segment's slug cannot change (rules refer to it)")
    if draft.kind != current.kind:
        raise SegmentError("kind", f"a {current.kind} segment stays {current.kind}")
    rule = check_rule(connection, draft.rule, now=now, slug=current.slug)
    values = {"name": draft.name, "description": draft.description or None, "rule": rule}
    if rule != current.rule and current.kind == "dynamic":
        values.update(member_count=None, counted_at=None)
    store.update_segment(connection, segment_id, {**values, "updated_at": now})
    changed = sorted(
        key for key in ("name", "description", "rule") if values[key] != getattr(current, key)
    )
    record(
        connection,
        "segment.changed",
        f"segment:{current.slug}",
        actor=actor,
        now=now,
        details={"changed": changed, "rule": rule},
    )
    return get_segment(connection, segment_id)


def referrers(connection: Connection, slug: str) -> list[str]:
    """Names of the segments whose rules ask about ``slug`` and the needs segments it defines."""
    fields = catalogue(connection)
    found = []
    for other in list_segments(connection):
        try:
            rule = parse_rule(other.rule, fields)
        except RuleInvalid:
            continue
        if other.slug != slug and slug in segment_slugs(rule):
            found.append(f"segment {other.name!r}")
    return found


def delete_segment(connection: Connection, segment_id: int, *, actor: Actor, now: datetime) -> None:
    """Delete a segment nobody refers to."""
    current = get_segment(connection, segment_id)
    users = referrers(connection, current.slug) + [
        f"needs segment {name!r}" for name in store.needs_segments_using(connection, segment_id)
    ]
    if users:
        raise SegmentError("segment", f"still used by {', '.join(users)}")
    store.delete_segment(connection, segment_id)
    record(
        connection,
        "segment.deleted",
        f"segment:{current.slug}",
        actor=actor,
        now=now,
        details={"name": current.name},
    )


# ---------------------------------------------------------------- members


def members_query(
    connection: Connection, segment: Segment, *, now: datetime, each: bool = False
) -> Select[Any]:
    """``SELECT id`` of the segment's members now, for use inside other statements.

    ``each`` when the statement reads only a few of them (a page, one contact).
    """
    if segment.kind == "static":
        return store.listed_ids(segment.id)
    rule = compiled(connection, segment.rule, now=now, slug=segment.slug, each=each)
    return rule.contact_ids()


def count_members(
    connection: Connection, segment: Segment, *, now: datetime, store_it: bool = True
) -> int:
    """How many members the segment has now; kept as its ``member_count`` unless told not to."""
    if segment.kind == "static":
        count = store.count_of(connection, store.listed_ids(segment.id))
    else:
        rule = compiled(connection, segment.rule, now=now, slug=segment.slug)
        store.without_jit(connection)
        count = int(connection.execute(rule.count()).scalar_one())
    if store_it:
        store.store_count(connection, segment.id, count, now)
    return count


def member_page(
    connection: Connection, segment: Segment, *, now: datetime, after: int = 0, limit: int = 50
) -> MemberPage:
    """One page of members in id order; pass the page's ``next`` as ``after`` for the next."""
    limit = max(1, min(limit, MAX_PAGE))
    members = members_query(connection, segment, now=now, each=True)
    ids = store.id_page(connection, members, after=after, limit=limit + 1)
    following = ids[limit - 1] if len(ids) > limit else None
    return MemberPage(store.member_rows(connection, ids[:limit]), following)


def is_member(connection: Connection, segment: Segment, contact_id: int, *, now: datetime) -> bool:
    ids = members_query(connection, segment, now=now, each=True)
    column = ids.selected_columns[0]
    return bool(connection.execute(select(exists(ids.where(column == contact_id)))).scalar())


def snapshot(connection: Connection, segment: Segment, *, actor: Actor, now: datetime) -> int:
    """A static segment's member list becomes whoever its rule takes now; how many."""
    if segment.kind != "static":
        raise SegmentError("kind", "only a static segment keeps a snapshot; a dynamic one is live")
    rule = compiled(connection, segment.rule, now=now, slug=segment.slug)
    store.without_jit(connection)
    count = store.replace_members(connection, segment.id, rule.contact_ids(), now)
    store.store_count(connection, segment.id, count, now)
    record(
        connection,
        "segment.snapshot",
        f"segment:{segment.slug}",
        actor=actor,
        now=now,
        details={"members": count},
    )
    return count


def add_members(
    connection: Connection, segment: Segment, contact_ids: Sequence[int], *, now: datetime
) -> int:
    """Add contacts to a static segment by hand (a programme step); how many were new."""
    if segment.kind != "static":
        raise SegmentError("kind", "contacts are added by hand to static segments only")
    return store.add_members(connection, segment.id, contact_ids, now)


def remove_members(connection: Connection, segment: Segment, contact_ids: Sequence[int]) -> int:
    if segment.kind != "static":
        raise SegmentError("kind", "contacts are removed by hand from static segments only")
    return store.remove_members(connection, segment.id, contact_ids)


__all__ = [
    "KINDS",
    "MemberPage",
    "Segment",
    "SegmentDraft",
    "SegmentError",
    "SegmentNotFound",
    "add_members",
    "catalogue",
    "check_rule",
    "compiled",
    "count_members",
    "create_segment",
    "delete_segment",
    "draft_of",
    "get_segment",
    "is_member",
    "list_segments",
    "member_page",
    "members_query",
    "preview_count",
    "remove_members",
    "segment_by_slug",
    "snapshot",
    "update_segment",
]
