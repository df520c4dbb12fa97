"""Nurture programmes: make, edit (every save a version), activate, pause, resume, archive.

A programme starts as a **draft**; activating it checks that every e-mail
template and segment it names exists (errors at their paths) and enrols the
members of its entry segment.  **Paused**, its enrolments are paused with it
(nothing runs; resuming runs what fell due meanwhile at the next tick).
**Archived**, its live enrolments exit (``programme archived``).

**Editing a live programme** moves enrolled contacts safely: each live
enrolment points at the next step it will run.  If the new version still has
that step (by id), the contact stays there.  If not, the contact moves to the
first step that would have run after it in the old version and that the new
version still has, keeping its due time; with none left it completes
(``edited: no later step``).  Every move is written to the enrolment's
history.  A save names the version it was made from, so two people editing
at once cannot overwrite each other (:class:`StaleVersion`).

Enrolling and the tick are in ``services/programme_entry.py`` and
``services/programme_tick.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, Row

from silverplatter.domain.document_checks import (
    DocumentError,
    DocumentInvalid,
    StaleVersion,
    from_validation_error,
)
from silverplatter.domain.programme_outline import (
    definition_document,
    next_surviving,
    segments_used,
    templates_used,
)
from silverplatter.domain.programme_run import segments_read
from silverplatter.domain.programme_templates import BUILT_INS, built_in_definition
from silverplatter.domain.programmes import (
    Definition,
    RuleEntry,
    SegmentEntry,
    parse_definition,
)
from silverplatter.domain.rule_values import SLUG
from silverplatter.domain.segment_rules import RuleInvalid
from silverplatter.services import segments
from silverplatter.services.audit import Actor, record
from silverplatter.storage import programmes as store

STATUSES: Final = ("draft", "active", "paused", "archived")


class ProgrammeError(ValueError):
    """A programme operation refused, naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ProgrammeNotFound(LookupError):
    """No programme (or enrolment, or task) with that id."""


@dataclass(frozen=True)
class Programme:
    id: int
    slug: str
    name: str
    description: str | None
    status: str
    template: str | None
    definition: dict[str, Any]
    version: int
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Row[Any], counts: Mapping[str, int] | None = None) -> Programme:
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            description=row.description,
            status=row.status,
            template=row.template,
            definition=dict(row.definition),
            version=row.version,
            created_by=row.author_name,
            created_at=row.created_at,
            updated_at=row.updated_at,
            counts={status: int((counts or {}).get(status, 0)) for status in ENROLMENT_STATUSES},
        )

    @cached_property
    def parsed(self) -> Definition:
        return parse_definition(self.definition)


ENROLMENT_STATUSES: Final = ("active", "paused", "completed", "exited")


class ProgrammeDraft(BaseModel):
    """What a person writes to make a programme."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: Annotated[str, Field(min_length=1, max_length=100, pattern=SLUG.pattern)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2000)] | None = None
    definition: dict[str, Any]


@dataclass(frozen=True)
class Saved:
    programme: Programme
    #: Live enrolments moved to another step, and those that completed, by the edit.
    moved: int = 0
    completed: int = 0


def draft_of(document: Mapping[str, Any]) -> ProgrammeDraft:
    """A draft from plain values; :class:`ProgrammeError` names the first bad field."""
    try:
        return ProgrammeDraft.model_validate(dict(document))
    except ValidationError as error:
        first = from_validation_error(error).errors[0]
        message = first.message
        if first.field == "slug" and "expected form" in message:
            message = "use lower-case letters, digits and hyphens, e.g. welcome-series"
        raise ProgrammeError(first.field, message) from None


def _canonical(document: Any) -> tuple[Definition, dict[str, Any]]:
    try:
        definition = parse_definition(document)
    except DocumentInvalid as bad:
        raise DocumentInvalid(
            [DocumentError(f"definition.{e.field}", e.message) for e in bad.errors]
        ) from None
    return definition, definition_document(definition)


def check_references(connection: Connection, definition: Definition, *, now: datetime) -> None:
    """Every template and segment the definition names exists (and is static where changed)."""
    errors: list[DocumentError] = []
    templates = store.template_ids(connection, (slug for _path, slug in templates_used(definition)))
    for path, slug in templates_used(definition):
        if slug not in templates:
            errors.append(
                DocumentError(f"definition.{path}", f"there is no e-mail template {slug!r}")
            )
    for path, slug in segments_used(definition):
        found = segments.segment_by_slug(connection, slug)
        if found is None:
            errors.append(DocumentError(f"definition.{path}", f"there is no segment {slug!r}"))
        elif found.kind != "static":
            errors.append(
                DocumentError(
                    f"definition.{path}",
                    f"{slug!r} is a dynamic segment; steps add to and remove from static ones",
                )
            )
    for slug in sorted(segments_read(definition)):
        if segments.segment_by_slug(connection, slug) is None:
            errors.append(
                DocumentError(
                    "definition.steps",
                    f"a branch asks about segment {slug!r}, which does not exist",
                )
            )
    entry = definition.entry
    if (
        isinstance(entry, SegmentEntry)
        and segments.segment_by_slug(connection, entry.segment) is None
    ):
        errors.append(
            DocumentError("definition.entry.segment", f"there is no segment {entry.segment!r}")
        )
    if isinstance(entry, RuleEntry):
        try:
            segments.check_rule(connection, entry.rule, now=now)
        except RuleInvalid as invalid:
            errors.extend(
                DocumentError(f"definition.entry.{e.path}", e.message) for e in invalid.errors
            )
    if errors:
        raise DocumentInvalid(errors)


# ---------------------------------------------------------------- reading


def list_programmes(connection: Connection) -> list[Programme]:
    counts = store.enrolment_counts(connection)
    return [Programme.of(row, counts.get(row.id)) for row in store.programme_rows(connection)]


def get_programme(connection: Connection, programme_id: int) -> Programme:
    row = store.programme_row(connection, programme_id)
    if row is None:
        raise ProgrammeNotFound(f"there is no programme {programme_id}")
    return Programme.of(row, store.enrolment_counts(connection).get(programme_id))


def programme_by_slug(connection: Connection, slug: str) -> Programme | None:
    row = store.programme_by_slug(connection, slug)
    return None if row is None else get_programme(connection, row.id)


def versions(connection: Connection, programme_id: int) -> list[Row[Any]]:
    get_programme(connection, programme_id)
    return store.version_rows(connection, programme_id)


def step_counts(connection: Connection, programme_id: int) -> dict[str, int]:
    """How many live enrolments wait to run each step next."""
    return store.step_counts(connection, programme_id)


# ---------------------------------------------------------------- making and editing


def create_programme(
    connection: Connection,
    draft: ProgrammeDraft,
    *,
    actor: Actor,
    now: datetime,
    template: str | None = None,
) -> Programme:
    """A new draft programme (version 1)."""
    if store.slug_taken(connection, draft.slug):
        raise ProgrammeError("slug", f"a programme {draft.slug!r} exists already")
    _definition, document = _canonical(draft.definition)
    programme_id = store.insert_programme(
        connection,
        {
            "slug": draft.slug,
            "name": draft.name,
            "description": draft.description or None,
            "status": "draft",
            "template": template,
            "definition": document,
            "version": 1,
            "created_by": actor.user_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    store.insert_version(connection, programme_id, 1, document, user_id=actor.user_id, now=now)
    record(
        connection,
        "programme.created",
        f"programme:{draft.slug}",
        actor=actor,
        now=now,
        details={"template": template, "version": 1},
    )
    return get_programme(connection, programme_id)


def create_from_built_in(
    connection: Connection,
    key: str,
    *,
    slug: str,
    name: str | None,
    parameters: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    description: str | None = None,
) -> Programme:
    """A draft programme made from a built-in template and its parameters."""
    document = built_in_definition(key, parameters)
    built_in = BUILT_INS[key]
    draft = draft_of(
        {
            "slug": slug,
            "name": name or built_in.name,
            "description": description or built_in.description,
            "definition": document,
        }
    )
    return create_programme(connection, draft, actor=actor, now=now, template=key)


def update_programme(
    connection: Connection,
    programme_id: int,
    *,
    name: str,
    description: str | None,
    definition: Any,
    seen_version: int,
    actor: Actor,
    now: datetime,
) -> Saved:
    """Save a new version; live enrolments at removed steps move on (see the module)."""
    store.lock(connection)
    current = get_programme(connection, programme_id)
    if current.status == "archived":
        raise ProgrammeError("status", "an archived programme cannot change")
    if seen_version != current.version:
        raise StaleVersion(f"programme {current.slug!r}", seen_version, current.version)
    draft = draft_of(
        {"slug": current.slug, "name": name, "description": description, "definition": definition}
    )
    new, document = _canonical(draft.definition)
    if current.status in ("active", "paused"):
        check_references(connection, new, now=now)
    version = current.version + 1
    store.update_programme(
        connection,
        programme_id,
        {
            "name": draft.name,
            "description": draft.description or None,
            "definition": document,
            "version": version,
            "updated_at": now,
        },
    )
    store.insert_version(
        connection, programme_id, version, document, user_id=actor.user_id, now=now
    )
    old = current.parsed
    moves = {
        step: next_surviving(old, new, step)
        for step in store.live_steps(connection, programme_id)
        if step not in new.index
    }
    outcome = store.restep(connection, programme_id, moves, version=version, now=now)
    record(
        connection,
        "programme.changed",
        f"programme:{current.slug}",
        actor=actor,
        now=now,
        details={"version": version, **outcome},
    )
    return Saved(get_programme(connection, programme_id), outcome["moved"], outcome["completed"])


# ---------------------------------------------------------------- status


def _status_change(
    connection: Connection, programme_id: int, allowed: tuple[str, ...], verb: str
) -> Programme:
    store.lock(connection)
    current = get_programme(connection, programme_id)
    if current.status not in allowed:
        raise ProgrammeError(
            "status",
            f"a {current.status} programme cannot be {verb}; it must be {' or '.join(allowed)}",
        )
    return current


def activate(connection: Connection, programme_id: int, *, actor: Actor, now: datetime) -> int:
    """Start a draft programme; returns how many entry-segment members it enrolled."""
    from silverplatter.services.programme_entry import enrol_entry_members

    current = _status_change(connection, programme_id, ("draft",), "activated")
    check_references(connection, current.parsed, now=now)
    store.update_programme(connection, programme_id, {"status": "active", "updated_at": now})
    enrolled = enrol_entry_members(connection, get_programme(connection, programme_id), now=now)
    record(
        connection,
        "programme.activated",
        f"programme:{current.slug}",
        actor=actor,
        now=now,
        details={"version": current.version, "enrolled": enrolled},
    )
    return enrolled


def _move_live(
    connection: Connection,
    programme_id: int,
    *,
    from_status: str,
    to_status: str,
    verb: str,
    actor: Actor,
    now: datetime,
) -> int:
    """The programme and its enrolments of ``from_status`` to ``to_status``; how many moved."""
    current = _status_change(connection, programme_id, (from_status,), verb)
    store.update_programme(connection, programme_id, {"status": to_status, "updated_at": now})
    moved = store.set_status(
        connection, programme_id, from_statuses=(from_status,), to=to_status, now=now
    )
    record(
        connection,
        f"programme.{verb}",
        f"programme:{current.slug}",
        actor=actor,
        now=now,
        details={"enrolments": moved},
    )
    return moved


def pause(connection: Connection, programme_id: int, *, actor: Actor, now: datetime) -> int:
    """Pause an active programme and its active enrolments; how many were paused."""
    return _move_live(
        connection,
        programme_id,
        from_status="active",
        to_status="paused",
        verb="paused",
        actor=actor,
        now=now,
    )


def resume(connection: Connection, programme_id: int, *, actor: Actor, now: datetime) -> int:
    """Resume a paused programme; steps that fell due meanwhile run at the next tick."""
    return _move_live(
        connection,
        programme_id,
        from_status="paused",
        to_status="active",
        verb="resumed",
        actor=actor,
        now=now,
    )


def archive(connection: Connection, programme_id: int, *, actor: Actor, now: datetime) -> int:
    """Archive a programme; its live enrolments exit (``programme archived``)."""
    current = _status_change(connection, programme_id, ("draft", "active", "paused"), "archived")
    store.update_programme(connection, programme_id, {"status": "archived", "updated_at": now})
    ended = store.set_status(
        connection,
        programme_id,
        from_statuses=store.LIVE,
        to="exited",
        now=now,
        reason="programme archived",
    )
    record(
        connection,
        "programme.archived",
        f"programme:{current.slug}",
        actor=actor,
        now=now,
        details={"enrolments": ended},
    )
    return ended


#: The status actions by their verb, as the pages and the API name them.
STATUS_ACTIONS: Final = {
    "activate": activate,
    "pause": pause,
    "resume": resume,
    "archive": archive,
}

__all__ = [
    "ENROLMENT_STATUSES",
    "STATUSES",
    "STATUS_ACTIONS",
    "Programme",
    "ProgrammeDraft",
    "ProgrammeError",
    "ProgrammeNotFound",
    "Saved",
    "StaleVersion",
    "activate",
    "archive",
    "check_references",
    "create_from_built_in",
    "create_programme",
    "draft_of",
    "get_programme",
    "list_programmes",
    "pause",
    "programme_by_slug",
    "resume",
    "step_counts",
    "update_programme",
    "versions",
]
