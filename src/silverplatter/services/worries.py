"""Worries and their tags: create, change and delete worries; tag content with them.

A worry (domain §9) is what a customer fears in a situation — placed on
zipper boards by id, answered by solutions — with a description and a
**talking point** for sales.  Content is tagged with the worries it answers
(``domain/worry_profile.py`` says how each kind of tag matches events), and
every person's reading then adds up to their worry profile
(``services/worry_profiles.py``).  Every change is audited; adding or
removing a tag recomputes that worry's profiles, so what people read before
the tag existed counts too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection

from silverplatter.domain.understanding_checks import invalid
from silverplatter.domain.worry_profile import KIND_LABELS, WorryTag, tag_fields, worry_fields
from silverplatter.services.audit import Actor, record
from silverplatter.services.worry_profiles import recompute_worry_profiles
from silverplatter.storage import worries as store


@dataclass(frozen=True, slots=True)
class Tag:
    id: int
    worry_id: int
    worry_slug: str
    kind: str
    target: str
    weight: float
    created_at: datetime

    def rule(self) -> WorryTag:
        return WorryTag(self.worry_id, self.kind, self.target, self.weight)


@dataclass(frozen=True, slots=True)
class Worry:
    id: int
    slug: str
    name: str
    description: str | None
    talking_point: str | None
    tags: int
    created_at: datetime
    updated_at: datetime


def _worry(row: Any, tags: int | None = None) -> Worry:
    return Worry(
        id=row.id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        talking_point=row.talking_point,
        tags=int(row.tags if tags is None else tags),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _tag(row: Any) -> Tag:
    return Tag(
        id=row.id,
        worry_id=row.worry_id,
        worry_slug=row.worry_slug,
        kind=row.target_kind,
        target=row.target,
        weight=float(row.weight),
        created_at=row.created_at,
    )


def list_worries(connection: Connection) -> list[Worry]:
    """Every worry, by name."""
    return [_worry(row) for row in store.worry_rows(connection)]


def get_worry(connection: Connection, slug: str) -> Worry:
    """The worry with that slug; ``LookupError`` when there is none."""
    row = store.worry_by_slug(connection, slug)
    if row is None:
        raise LookupError(f"there is no worry {slug!r}")
    return _worry(row, len(store.tag_rows(connection, row.id)))


def _check_unique(connection: Connection, name: str, slug: str, besides: int | None) -> None:
    if store.name_taken(connection, name, besides):
        raise invalid("name", f"another worry is already called {name!r}")
    if store.slug_taken(connection, slug, besides):
        raise invalid("slug", f"another worry already has the slug {slug!r}")


def create_worry(
    connection: Connection, document: Mapping[str, Any], *, actor: Actor, now: datetime
) -> Worry:
    """Add a worry; :class:`UnderstandingInvalid` names a bad or taken field."""
    fields = worry_fields(document)
    _check_unique(connection, fields.name, fields.slug, None)
    store.insert_worry(
        connection,
        {
            "slug": fields.slug,
            "name": fields.name,
            "description": fields.description,
            "talking_point": fields.talking_point,
        },
        now,
    )
    record(connection, "worry.created", f"worry {fields.slug}", actor=actor, now=now)
    return get_worry(connection, fields.slug)


def change_worry(
    connection: Connection,
    slug: str,
    document: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> Worry:
    """Change a worry's name, slug, description or talking point (fields left out are kept)."""
    current = get_worry(connection, slug)
    merged = {
        "name": current.name,
        "slug": current.slug,
        "description": current.description,
        "talking_point": current.talking_point,
        **document,
    }
    fields = worry_fields(merged)
    _check_unique(connection, fields.name, fields.slug, current.id)
    values = {
        "slug": fields.slug,
        "name": fields.name,
        "description": fields.description,
        "talking_point": fields.talking_point,
    }
    changed = sorted(key for key, value in values.items() if getattr(current, key) != value)
    if changed:
        store.update_worry(connection, current.id, values, now)
        record(
            connection,
            "worry.changed",
            f"worry {fields.slug}",
            actor=actor,
            now=now,
            details={"changed": changed},
        )
    return get_worry(connection, fields.slug)


def delete_worry(connection: Connection, slug: str, *, actor: Actor, now: datetime) -> None:
    """Delete a worry with its tags and every profile's value of it, and take it off
    every zipper board that names it (a new version of each)."""
    # Imported here: the board service creates worries through this module.
    from silverplatter.services.zipper_boards import forget_worry_on_boards

    current = get_worry(connection, slug)
    forget_worry_on_boards(connection, current.id, now=now, actor=actor)
    store.delete_worry(connection, current.id)
    record(connection, "worry.deleted", f"worry {slug}", actor=actor, now=now)


def list_tags(connection: Connection, slug: str | None = None) -> list[Tag]:
    """The tags of one worry, or every tag."""
    worry_id = None if slug is None else get_worry(connection, slug).id
    return [_tag(row) for row in store.tag_rows(connection, worry_id)]


def add_tag(
    connection: Connection,
    slug: str,
    document: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
    half_life_days: float | None = None,
    recompute: bool = True,
) -> Tag:
    """Tag content with a worry and recompute the worry's profiles from the event log.

    With ``recompute=False`` the caller recomputes later (the web app does it
    in the background: ``web/worry_recompute.py``).
    """
    current = get_worry(connection, slug)
    fields = tag_fields(document)
    if store.tag_exists(connection, current.id, fields.kind, fields.target):
        raise invalid("target", f"this worry already has a {fields.kind} tag {fields.target!r}")
    tag_id = store.insert_tag(
        connection, current.id, fields.kind, fields.target, fields.weight, now
    )
    record(
        connection,
        "worry.tagged",
        f"worry {slug}",
        actor=actor,
        now=now,
        details={"kind": fields.kind, "target": fields.target, "weight": fields.weight},
    )
    if recompute:
        recompute_worry_profiles(
            connection, now=now, worry_ids=[current.id], half_life_days=half_life_days
        )
    return next(tag for tag in list_tags(connection, slug) if tag.id == tag_id)


def remove_tag(
    connection: Connection,
    slug: str,
    tag_id: int,
    *,
    actor: Actor,
    now: datetime,
    half_life_days: float | None = None,
    recompute: bool = True,
) -> int:
    """Remove a tag of the worry and recompute its profiles; the worry's id.

    ``LookupError`` when the worry has no such tag.
    """
    current = get_worry(connection, slug)
    row = store.tag_row(connection, tag_id)
    if row is None or row.worry_id != current.id:
        raise LookupError(f"worry {slug!r} has no tag {tag_id}")
    store.delete_tag(connection, tag_id)
    record(
        connection,
        "worry.untagged",
        f"worry {slug}",
        actor=actor,
        now=now,
        details={"kind": row.target_kind, "target": row.target},
    )
    if recompute:
        recompute_worry_profiles(
            connection, now=now, worry_ids=[current.id], half_life_days=half_life_days
        )
    return current.id


# --- the content a tag names --------------------------------------------------------

#: Kinds of tag whose targets name the workspace's own content: a target naming none of it
#: is flagged (a typo matches nothing).  Pages and content ids may be anyone's.
OWN_CONTENT: Final = ("lead_magnet", "form", "email")
_NOT_OURS: Final = {
    "lead_magnet": "no lead magnet has this slug",
    "form": "no form has this slug",
    "email": (
        "no e-mail template or broadcast has this key; only imported events "
        "with this campaign id match"
    ),
}


@dataclass(frozen=True, slots=True)
class KnownContent:
    """The workspace's lead magnets, forms, e-mail templates and broadcasts by tag key."""

    names: dict[tuple[str, str], str]

    def name_of(self, kind: str, target: str) -> str | None:
        """The name of the content a tag of ``kind`` with ``target`` names, if ours."""
        return self.names.get((kind, target))

    def warning(self, kind: str, target: str) -> str | None:
        """Why a tag naming our own kind of content names none of it; None when it does."""
        if kind in OWN_CONTENT and (kind, target) not in self.names:
            return _NOT_OURS[kind]
        return None

    def choices(self) -> list[tuple[str, str]]:
        """(key, "Kind: name") of everything a tag may name, by kind and then name."""
        order = {kind: place for place, kind in enumerate(KIND_LABELS)}
        ranked = sorted(self.names.items(), key=lambda item: (order[item[0][0]], item[1].lower()))
        return [(key, f"{KIND_LABELS[kind]}: {name}") for (kind, key), name in ranked]


def known_content(connection: Connection) -> KnownContent:
    return KnownContent({(kind, key): name for kind, key, name in store.content_keys(connection)})


__all__ = [
    "OWN_CONTENT",
    "KnownContent",
    "Tag",
    "Worry",
    "add_tag",
    "change_worry",
    "create_worry",
    "delete_worry",
    "get_worry",
    "known_content",
    "list_tags",
    "list_worries",
    "remove_tag",
]
