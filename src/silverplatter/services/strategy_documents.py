"""Strategy documents with history: core questions, SWOT, PEST, the target customer.

Each document has a kind (``domain/strategy.py``), a slug, a title and a body
checked for its kind.  Saving is optimistic — the caller sends the version it
edited and a stale one is refused with :class:`StaleVersion` — and every save
is a row of ``strategy_document_versions`` with who and when;
:func:`restore_document` saves an old body again as the newest version.
The strategic core questions live in the document :data:`CORE_QUESTIONS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from sqlalchemy import Connection

from silverplatter.domain.document_checks import (
    DocumentError,
    DocumentInvalid,
    StaleVersion,
    from_validation_error,
    invalid,
)
from silverplatter.domain.strategy import KIND_TITLES, KINDS, Body, Title, parse_body
from silverplatter.domain.tier_matrix import SLUG, slug_from
from silverplatter.services.audit import Actor, record
from silverplatter.storage import strategy_documents as store

#: The slug of the workspace's strategic core questions.
CORE_QUESTIONS: Final = "core-questions"


@dataclass(frozen=True)
class StrategyDocument:
    id: int
    kind: str
    slug: str
    title: str
    body: Body
    version: int
    created_at: datetime
    updated_at: datetime

    @property
    def kind_title(self) -> str:
        return KIND_TITLES[self.kind]


@dataclass(frozen=True)
class DocumentVersion:
    version: int
    saved_at: datetime
    saved_by: str | None


def _of(row: Any) -> StrategyDocument:
    return StrategyDocument(
        id=row.id,
        kind=row.kind,
        slug=row.slug,
        title=row.title,
        body=parse_body(row.kind, row.body),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def list_documents(connection: Connection, kind: str | None = None) -> list[StrategyDocument]:
    return [_of(row) for row in store.document_rows(connection, kind)]


def get_document(connection: Connection, slug: str) -> StrategyDocument:
    """The document with that slug; ``LookupError`` when there is none."""
    row = store.document_row(connection, slug)
    if row is None:
        raise LookupError(f"there is no strategy document {slug!r}")
    return _of(row)


def find_document(connection: Connection, slug: str) -> StrategyDocument | None:
    row = store.document_row(connection, slug)
    return None if row is None else _of(row)


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    title: Title | None = None
    slug: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    body: Any = None


def _body(kind: str, body: Any) -> Body:
    try:
        return parse_body(kind, body)
    except DocumentInvalid as error:
        if len(error.errors) == 1 and error.errors[0].field == "kind":
            raise
        raise DocumentInvalid(
            [DocumentError(f"body.{e.field}", e.message) for e in error.errors]
        ) from None


def create_document(
    connection: Connection, fields: Mapping[str, Any], *, now: datetime, actor: Actor
) -> StrategyDocument:
    """A new document from ``kind``, ``body``, ``title`` (the kind's name when left out)
    and ``slug`` (made from the title when left out)."""
    try:
        parsed = _Fields.model_validate(dict(fields))
    except ValidationError as error:
        raise from_validation_error(error) from None
    if parsed.kind not in KINDS:
        raise invalid("kind", f"must be one of {', '.join(KINDS)}")
    title = parsed.title or KIND_TITLES[parsed.kind]
    slug = parsed.slug or slug_from(title)
    if not slug or not SLUG.match(slug):
        raise invalid("slug", "use lower-case letters, digits and hyphens, e.g. swot-2026")
    if store.slug_taken(connection, slug):
        raise invalid("slug", f"another strategy document already has the slug {slug!r}")
    body = _body(parsed.kind, parsed.body)
    document_id = store.insert_document(
        connection,
        {
            "kind": parsed.kind,
            "slug": slug,
            "title": title,
            "body": body.document(),
            "version": 1,
            "created_at": now,
            "updated_at": now,
        },
    )
    store.insert_version(
        connection, document_id, 1, body.document(), user_id=actor.user_id, now=now
    )
    record(
        connection,
        "strategy_document.created",
        slug,
        actor=actor,
        now=now,
        details={"kind": parsed.kind, "title": title},
    )
    return get_document(connection, slug)


def _store(
    connection: Connection,
    current: StrategyDocument,
    body: Body,
    *,
    version: int,
    title: str | None,
    now: datetime,
    actor: Actor,
) -> StrategyDocument:
    values: dict[str, Any] = {"body": body.document()}
    if title is not None:
        values["title"] = title
    if version != current.version or not store.save_body(
        connection, current.id, version, values, now=now
    ):
        latest = get_document(connection, current.slug).version
        raise StaleVersion(current.title, version, latest)
    store.insert_version(
        connection, current.id, version + 1, body.document(), user_id=actor.user_id, now=now
    )
    return get_document(connection, current.slug)


class _Title(BaseModel):
    title: Title


def save_document(
    connection: Connection,
    slug: str,
    body: Any,
    *,
    version: int,
    now: datetime,
    actor: Actor,
    title: str | None = None,
) -> StrategyDocument:
    """Store ``body`` (and a new ``title``) as the next version of the document edited at
    ``version``."""
    current = get_document(connection, slug)
    checked = _body(current.kind, body)
    if title is not None:
        try:
            title = _Title(title=title).title
        except ValidationError as error:
            raise from_validation_error(error) from None
    return _store(connection, current, checked, version=version, title=title, now=now, actor=actor)


def save_core_questions(
    connection: Connection,
    body: Any,
    *,
    version: int | None,
    now: datetime,
    actor: Actor,
) -> StrategyDocument:
    """Save the strategic core questions; the first save (``version`` None) creates them,
    and ``version`` None when they exist already is stale (somebody wrote them since)."""
    if find_document(connection, CORE_QUESTIONS) is None:
        if version not in (None, 0):
            raise StaleVersion("the core questions", version, 0)
        fields = {"kind": "core_questions", "slug": CORE_QUESTIONS, "body": body}
        return create_document(connection, fields, now=now, actor=actor)
    if version is None:  # written by somebody else since the caller saw none
        raise StaleVersion(
            "the core questions", 0, get_document(connection, CORE_QUESTIONS).version
        )
    return save_document(connection, CORE_QUESTIONS, body, version=version, now=now, actor=actor)


def document_history(connection: Connection, slug: str) -> list[DocumentVersion]:
    current = get_document(connection, slug)
    return [
        DocumentVersion(row.version, row.created_at, row.saved_by)
        for row in store.version_rows(connection, current.id)
    ]


def document_at(connection: Connection, slug: str, version: int) -> Body:
    """The body as saved at ``version``; ``LookupError`` when never saved."""
    current = get_document(connection, slug)
    row = None if not 0 < version < 2**31 else store.version_body(connection, current.id, version)
    if row is None:
        raise LookupError(f"{current.title!r} has no version {version}")
    return parse_body(current.kind, row.body)


def restore_document(
    connection: Connection,
    slug: str,
    restored: int,
    *,
    version: int,
    now: datetime,
    actor: Actor,
) -> StrategyDocument:
    """Save the body of version ``restored`` again as the newest."""
    current = get_document(connection, slug)
    body = document_at(connection, slug, restored)
    saved = _store(connection, current, body, version=version, title=None, now=now, actor=actor)
    record(
        connection,
        "strategy_document.restored",
        slug,
        actor=actor,
        now=now,
        details={"restored": restored, "version": saved.version},
    )
    return saved


def delete_document(connection: Connection, slug: str, *, now: datetime, actor: Actor) -> None:
    current = get_document(connection, slug)
    store.delete_document(connection, current.id)
    record(
        connection,
        "strategy_document.deleted",
        slug,
        actor=actor,
        now=now,
        details={"kind": current.kind, "title": current.title, "version": current.version},
    )


__all__ = [
    "CORE_QUESTIONS",
    "DocumentVersion",
    "StaleVersion",
    "StrategyDocument",
    "create_document",
    "delete_document",
    "document_at",
    "document_history",
    "find_document",
    "get_document",
    "list_documents",
    "restore_document",
    "save_core_questions",
    "save_document",
]
