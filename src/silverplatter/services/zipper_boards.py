"""Zipper boards: several per workspace (one per needs segment, say), each versioned.

* :func:`create_board` starts a board (empty, or from a document) at version 1.
* :func:`save_board` stores a whole document; :func:`change_board` applies one
  change (``domain/zipper_edits.py``) — both **optimistically**: the caller
  sends the version it edited, and when somebody saved since, the save is
  refused with :class:`StaleVersion` (HTTP 409) saying which version is
  current; nothing is half-written.
* Every save is a new row of ``zipper_board_versions`` with who and when;
  :func:`board_history` lists them and :func:`restore_board` saves an old
  version again as the newest.
* Worries are rows of their own: a board names them by id, every id must
  exist, and a change may name a worry by ``worry_name`` instead — an unknown
  name creates the worry through the worries service (audited like one made on
  the worries page).  When a worry is deleted,
  :func:`forget_worry_on_boards` takes it off every board; a board still
  naming a deleted worry draws it as ``worry <id>``.

Creating, renaming, restoring and deleting a board are audited; each save is
recorded in the board's history.
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
from silverplatter.domain.tier_matrix import SLUG, slug_from
from silverplatter.domain.zipper import EMPTY, Board, Name, parse_board
from silverplatter.domain.zipper_changes import Applied, apply_change, parse_change
from silverplatter.domain.zipper_edits import forget_worry
from silverplatter.services.audit import Actor, record
from silverplatter.services.worries import create_worry
from silverplatter.storage import zipper_boards as store

#: A change may name a worry by this field instead of ``worry`` (its id).
WORRY_NAME: Final = "worry_name"


@dataclass(frozen=True)
class ZipperBoard:
    id: int
    slug: str
    name: str
    needs_segment_slug: str | None
    needs_segment_name: str | None
    version: int
    board: Board
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class BoardVersion:
    version: int
    saved_at: datetime
    saved_by: str | None


def _of(row: Any) -> ZipperBoard:
    return ZipperBoard(
        id=row.id,
        slug=row.slug,
        name=row.name,
        needs_segment_slug=row.needs_slug,
        needs_segment_name=row.needs_name,
        version=row.version,
        board=Board.model_validate(row.document),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def list_boards(connection: Connection) -> list[ZipperBoard]:
    return [_of(row) for row in store.board_rows(connection)]


def get_board(connection: Connection, slug: str) -> ZipperBoard:
    """The board with that slug; ``LookupError`` when there is none."""
    row = store.board_row(connection, slug)
    if row is None:
        raise LookupError(f"there is no zipper board {slug!r}")
    return _of(row)


# --- name, slug and needs segment ------------------------------------------------------


class _Details(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    slug: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    needs_segment: Annotated[str, StringConstraints(strip_whitespace=True)] | None = None


def _details(connection: Connection, fields: Mapping[str, Any]) -> tuple[str, str, int | None]:
    try:
        details = _Details.model_validate(dict(fields))
    except ValidationError as error:
        raise from_validation_error(error) from None
    slug = details.slug or slug_from(details.name)
    if not slug:
        raise invalid("slug", "the name has no letters or digits to make a slug of; give a slug")
    if not SLUG.match(slug):
        raise invalid("slug", "use lower-case letters, digits and hyphens, e.g. new-customers")
    needs_id = None
    if details.needs_segment:
        needs_id = store.needs_segment_id(connection, details.needs_segment)
        if needs_id is None:
            raise invalid("needs_segment", f"there is no needs segment {details.needs_segment!r}")
    return details.name, slug, needs_id


def create_board(
    connection: Connection, fields: Mapping[str, Any], *, now: datetime, actor: Actor
) -> ZipperBoard:
    """A new board from ``name``, ``slug`` (made from the name when left out),
    ``needs_segment`` (a needs segment's slug) and ``document`` (empty when left out)."""
    document = fields.get("document")
    details = {key: value for key, value in fields.items() if key != "document"}
    name, slug, needs_id = _details(connection, details)
    if store.slug_taken(connection, slug):
        raise invalid("slug", f"another board already has the slug {slug!r}")
    board = EMPTY if document is None else _prefixed(lambda: parse_board(document), "document")
    _check_worries(connection, board, prefix="document.")
    board_id = store.insert_board(
        connection,
        {
            "slug": slug,
            "name": name,
            "needs_segment_id": needs_id,
            "document": board.document(),
            "version": 1,
            "created_at": now,
            "updated_at": now,
        },
    )
    store.insert_version(connection, board_id, 1, board.document(), user_id=actor.user_id, now=now)
    record(connection, "zipper_board.created", slug, actor=actor, now=now, details={"name": name})
    return get_board(connection, slug)


def update_board_details(
    connection: Connection, slug: str, fields: Mapping[str, Any], *, now: datetime, actor: Actor
) -> ZipperBoard:
    """Rename a board, give it another slug or needs segment (fields left out stay)."""
    current = get_board(connection, slug)
    merged = {
        "name": current.name,
        "slug": current.slug,
        "needs_segment": current.needs_segment_slug,
        **fields,
    }
    name, new_slug, needs_id = _details(connection, merged)
    if store.slug_taken(connection, new_slug, besides=current.id):
        raise invalid("slug", f"another board already has the slug {new_slug!r}")
    store.update_details(
        connection,
        current.id,
        {"name": name, "slug": new_slug, "needs_segment_id": needs_id, "updated_at": now},
    )
    record(
        connection,
        "zipper_board.changed",
        new_slug,
        actor=actor,
        now=now,
        details={"name": name, "slug": new_slug, "was": slug},
    )
    return get_board(connection, new_slug)


def delete_board(connection: Connection, slug: str, *, now: datetime, actor: Actor) -> None:
    current = get_board(connection, slug)
    store.delete_board(connection, current.id)
    record(
        connection,
        "zipper_board.deleted",
        slug,
        actor=actor,
        now=now,
        details={"name": current.name, "version": current.version},
    )


# --- saving ----------------------------------------------------------------------------


def _prefixed(parse: Any, prefix: str) -> Board:
    try:
        found: Board = parse()
    except DocumentInvalid as error:
        raise DocumentInvalid(
            [DocumentError(f"{prefix}.{e.field}", e.message) for e in error.errors]
        ) from None
    return found


def _check_worries(connection: Connection, board: Board, *, prefix: str = "") -> None:
    """Every worry id on the board names a worry that exists."""
    known = store.worry_names(connection, board.worry_ids())
    problems = []
    for index, situation in enumerate(board.situations):
        for place, worry in enumerate(situation.worries):
            if worry not in known:
                field = f"{prefix}situations[{index}].worries[{place}]"
                problems.append(DocumentError(field, f"there is no worry {worry}"))
    for index, solution in enumerate(board.solutions):
        for place, worry in enumerate(solution.answers):
            if worry not in known:
                field = f"{prefix}solutions[{index}].answers[{place}]"
                problems.append(DocumentError(field, f"there is no worry {worry}"))
    if problems:
        raise DocumentInvalid(problems)


def _store(
    connection: Connection,
    current: ZipperBoard,
    board: Board,
    *,
    version: int,
    now: datetime,
    actor: Actor,
) -> ZipperBoard:
    if version != current.version or not store.save_document(
        connection, current.id, version, board.document(), now=now
    ):
        latest = get_board(connection, current.slug).version
        raise StaleVersion(f"board {current.slug!r}", version, latest)
    store.insert_version(
        connection, current.id, version + 1, board.document(), user_id=actor.user_id, now=now
    )
    return get_board(connection, current.slug)


def save_board(
    connection: Connection,
    slug: str,
    document: Any,
    *,
    version: int,
    now: datetime,
    actor: Actor,
) -> ZipperBoard:
    """Store a whole document as the next version of the board edited at ``version``."""
    current = get_board(connection, slug)
    board = _prefixed(lambda: parse_board(document), "document")
    _check_worries(connection, board, prefix="document.")
    return _store(connection, current, board, version=version, now=now, actor=actor)


def change_board(
    connection: Connection,
    slug: str,
    change: Mapping[str, Any],
    *,
    version: int,
    now: datetime,
    actor: Actor,
) -> tuple[ZipperBoard, Applied]:
    """Apply one change to the board edited at ``version`` and store the result."""
    current = get_board(connection, slug)
    if current.version != version:
        raise StaleVersion(f"board {slug!r}", version, current.version)
    try:
        parsed = parse_change(_named_worry(connection, change, now=now, actor=actor))
        worry = getattr(parsed, "worry", None)
        if worry is not None and not store.worry_names(connection, [worry]):
            raise invalid("worry", f"there is no worry {worry}")
        applied = apply_change(
            current.board, parsed, worry_name=lambda w: store.worry_names(connection, [w])[w]
        )
    except DocumentInvalid as error:
        raise DocumentInvalid(
            [DocumentError(f"change.{e.field}", e.message) for e in error.errors]
        ) from None
    saved = _store(connection, current, applied.board, version=version, now=now, actor=actor)
    return saved, applied


def forget_worry_on_boards(
    connection: Connection, worry: int, *, now: datetime, actor: Actor
) -> list[str]:
    """Take a deleted worry off every board that names it (a new version of each);
    returns the slugs of the boards changed."""
    changed = []
    for found in list_boards(connection):
        if worry in found.board.worry_ids():
            board = forget_worry(found.board, worry)
            _store(connection, found, board, version=found.version, now=now, actor=actor)
            changed.append(found.slug)
    return changed


def worry_id_named(connection: Connection, name: str, *, now: datetime, actor: Actor) -> int:
    """The id of the worry called ``name`` (case ignored), created when there is none."""
    found = store.worry_named(connection, name)
    if found is not None:
        return found
    document = {"name": name, "slug": store.free_worry_slug(connection, name)}
    return create_worry(connection, document, actor=actor, now=now).id


def _named_worry(
    connection: Connection, change: Mapping[str, Any], *, now: datetime, actor: Actor
) -> Mapping[str, Any]:
    """A change naming a worry by ``worry_name``: its id, the worry created when new."""
    if not isinstance(change, Mapping) or WORRY_NAME not in change:
        return change
    if change.get("worry") not in (None, ""):
        raise invalid(WORRY_NAME, "give either worry (an id) or worry_name, not both")
    raw = change[WORRY_NAME]
    try:
        name = _WorryName.model_validate({"worry_name": raw}).worry_name
    except ValidationError as error:
        raise from_validation_error(error) from None
    worry = worry_id_named(connection, name, now=now, actor=actor)
    rest = {key: value for key, value in change.items() if key != WORRY_NAME}
    return {**rest, "worry": worry}


class _WorryName(BaseModel):
    worry_name: Name


# --- history ---------------------------------------------------------------------------


def board_history(connection: Connection, slug: str) -> list[BoardVersion]:
    """The saved versions of a board, newest first."""
    current = get_board(connection, slug)
    return [
        BoardVersion(row.version, row.created_at, row.saved_by)
        for row in store.version_rows(connection, current.id)
    ]


def board_at(connection: Connection, slug: str, version: int) -> Board:
    """The board as it was saved at ``version``; ``LookupError`` when never saved."""
    current = get_board(connection, slug)
    row = (
        None if not 0 < version < 2**31 else store.version_document(connection, current.id, version)
    )
    if row is None:
        raise LookupError(f"board {slug!r} has no version {version}")
    return Board.model_validate(row.document)


def restore_board(
    connection: Connection,
    slug: str,
    restored: int,
    *,
    version: int,
    now: datetime,
    actor: Actor,
) -> ZipperBoard:
    """Save version ``restored`` again as the newest (the board was seen at ``version``).
    Worries deleted since are left out; new ids go on from the newest version's numbers."""
    current = get_board(connection, slug)
    board = board_at(connection, slug, restored)
    # ids are never given twice: numbering goes on from the newest version's serial
    board = board.model_copy(update={"serial": max(board.serial, current.board.serial)})
    known = store.worry_names(connection, board.worry_ids())
    for worry in board.worry_ids():
        if worry not in known:
            board = forget_worry(board, worry)
    saved = _store(connection, current, board, version=version, now=now, actor=actor)
    record(
        connection,
        "zipper_board.restored",
        slug,
        actor=actor,
        now=now,
        details={"restored": restored, "version": saved.version},
    )
    return saved


def worry_names(connection: Connection, ids: Any = None) -> dict[int, str]:
    """Worry id → name, of ``ids`` or of every worry (for the editor's list)."""
    return store.worry_names(connection, ids)


__all__ = [
    "WORRY_NAME",
    "BoardVersion",
    "StaleVersion",
    "ZipperBoard",
    "board_at",
    "board_history",
    "change_board",
    "create_board",
    "delete_board",
    "forget_worry_on_boards",
    "get_board",
    "list_boards",
    "restore_board",
    "save_board",
    "update_board_details",
    "worry_id_named",
    "worry_names",
]
