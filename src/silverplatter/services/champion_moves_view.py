"""Reading champion moves: the recent moves with their tasks, a person's employment
history, the people who left and joined an account, and the moves as CSV.

Whether a person is a champion is read from what is known of them now (role,
stage, score, deals, handovers: ``domain.champion_moves.champion_reasons``),
so the list shows today's picture; the tasks keep what was known when the
move was recorded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.champion_moves import (
    MATCH_WORDS,
    ChampionFacts,
    champion_reasons,
    display_name,
)
from silverplatter.domain.spreadsheet_cells import SpreadsheetWriter
from silverplatter.storage import employment as store


@dataclass(frozen=True, slots=True)
class MoveTask:
    id: int
    title: str
    owner_name: str | None
    status: str
    due_on: date | None


@dataclass(frozen=True, slots=True)
class MoveView:
    """One recorded move as the pages, the API and the CSV show it."""

    id: int
    contact_id: int
    name: str
    email: str
    new_contact_id: int | None
    new_email: str | None
    from_account_id: int | None
    from_name: str | None
    to_account_id: int | None
    to_name: str | None
    matched_by: str
    detected_at: datetime
    champion: tuple[str, ...]
    tasks: tuple[MoveTask, ...]
    #: Accounts whose side of the move had nobody to alert.
    unalerted: tuple[str, ...]

    @property
    def match_words(self) -> str:
        return MATCH_WORDS.get(self.matched_by, self.matched_by)


@dataclass(frozen=True, slots=True)
class Job:
    account_id: int | None
    account_name: str
    email: str | None
    title: str | None
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class Employment:
    """Where a person has worked, and the moves their record is part of."""

    jobs: tuple[Job, ...]
    moves: tuple[MoveView, ...]


def _views(connection: Connection, rows: Sequence[Row[Any]]) -> list[MoveView]:
    people = {int(r.contact_id) for r in rows}
    facts = store.champion_facts(connection, people)
    task_people = people | {int(r.new_contact_id) for r in rows if r.new_contact_id is not None}
    tasks = store.move_tasks(connection, task_people)
    views = []
    for row in rows:
        newcomer = int(row.new_contact_id or row.contact_id)
        old_side = [
            t
            for t in tasks
            if (t.contact_id, t.account_id) == (row.contact_id, row.from_account_id)
        ]
        new_side = [
            t for t in tasks if (t.contact_id, t.account_id) == (newcomer, row.to_account_id)
        ]
        unalerted = tuple(
            name or "a deleted account"
            for name, side in ((row.from_name, old_side), (row.to_name, new_side))
            if not side
        )
        views.append(
            MoveView(
                id=int(row.id),
                contact_id=int(row.contact_id),
                name=display_name(row.first_name, row.last_name, row.email),
                email=row.email,
                new_contact_id=row.new_contact_id,
                new_email=row.new_email,
                from_account_id=row.from_account_id,
                from_name=row.from_name,
                to_account_id=row.to_account_id,
                to_name=row.to_name,
                matched_by=row.matched_by,
                detected_at=row.detected_at,
                champion=champion_reasons(ChampionFacts(**facts.get(int(row.contact_id), {}))),
                tasks=tuple(
                    MoveTask(int(t.id), t.title, t.owner_name, t.status, t.due_on)
                    for t in (*old_side, *new_side)
                ),
                unalerted=unalerted,
            )
        )
    return views


def recent_moves(
    connection: Connection, *, owner_id: int | None = None, limit: int = 200
) -> list[MoveView]:
    """The latest moves, newest first; ``owner_id`` keeps those touching that owner's accounts."""
    return _views(connection, store.moves(connection, owner_id=owner_id, limit=limit))


def contact_employment(connection: Connection, contact_id: int) -> Employment:
    """A contact's employment history, oldest first, and the moves its record is in."""
    jobs = tuple(
        Job(r.account_id, r.account_name, r.email, r.title, r.started_at, r.ended_at)
        for r in store.history(connection, contact_id)
    )
    moves = tuple(_views(connection, store.moves(connection, contact_id=contact_id)))
    return Employment(jobs=jobs, moves=moves)


def account_moves(connection: Connection, account_id: int) -> tuple[list[MoveView], list[MoveView]]:
    """The people who left the account and those who joined it, newest first."""
    views = _views(connection, store.moves(connection, account_id=account_id))
    left = [v for v in views if v.from_account_id == account_id]
    joined = [v for v in views if v.to_account_id == account_id]
    return left, joined


CSV_HEADER = (
    "detected_at",
    "name",
    "email",
    "new_email",
    "from_account",
    "to_account",
    "matched_by",
    "champion",
    "tasks",
    "nobody_alerted_at",
)


def moves_csv(moves: Sequence[MoveView]) -> str:
    """The moves as CSV, one row each, in the order given."""
    out = io.StringIO()
    writer = SpreadsheetWriter(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for move in moves:
        cells = (
            move.detected_at.isoformat(),
            move.name,
            move.email,
            move.new_email or "",
            move.from_name or "",
            move.to_name or "",
            move.matched_by,
            "; ".join(move.champion),
            "; ".join(f"{t.title} ({t.owner_name or 'nobody'}, {t.status})" for t in move.tasks),
            "; ".join(move.unalerted),
        )
        writer.writerow(cells)
    return out.getvalue()
