"""Check a scoring model file and preview what activating it would change, writing nothing.

The preview runs the real activation — store the version, recompute every
grade, score and stage, hand new SQLs over to sales — inside a transaction
that is always rolled back.  Its figures are therefore exactly what an
activation at the same moment does, with no second implementation of the
engine to drift from the first.  While it runs it holds the same locks as an
activation (on SQLite: the write lock), for the time of one recompute.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, Engine

from silverplatter.domain.grades import GRADE_LETTERS
from silverplatter.domain.lifecycle import STAGE_NAMES, STAGES_BY_NAME
from silverplatter.domain.model_file import ModelError, ModelInvalid, parse_model
from silverplatter.services.recompute import recompute
from silverplatter.services.scoring_models import activate_version, active_model, save_model
from silverplatter.storage import model_preview as store
from silverplatter.storage.scoring_backlog import keep_scorers_out


@dataclass(frozen=True, slots=True)
class SourceError:
    """One problem in a model file, in words a marketer reads: line, field, what was expected."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class Move:
    """How many contacts go from one stage (or grade) to another; None = not graded yet."""

    origin: str | None
    target: str | None
    contacts: int


@dataclass(frozen=True, slots=True)
class ModelPreview:
    active_version: int
    contacts: int
    stage_moves: tuple[Move, ...]
    grade_moves: tuple[Move, ...]
    handovers: int

    @property
    def stage_changes(self) -> int:
        return sum(move.contacts for move in self.stage_moves)

    @property
    def grade_changes(self) -> int:
        return sum(move.contacts for move in self.grade_moves)


# -- validation in readable words ---------------------------------------------

_TOML_WHERE = re.compile(r"\s*\(at line \d+, column \d+\)\s*$")
_EXPECTED: Final = (
    (re.compile(r"^Input should be a valid number.*"), "expected a number"),
    (re.compile(r"^Input should be a valid integer.*"), "expected a whole number"),
    (re.compile(r"^Input should be a finite number.*"), "expected a number"),
    (re.compile(r"^Input should be a valid string.*"), 'expected text in quotes, such as "x"'),
    (re.compile(r"^Input should be a valid boolean.*"), "expected true or false"),
    (re.compile(r"^Input should be a valid (list|array|tuple).*"), "expected a list in [ ]"),
    (re.compile(r"^Input should be a valid dictionary.*"), "expected a table"),
    (re.compile(r"^Input should be (greater|less) than (.*)$"), r"expected a number \1 than \2"),
    (re.compile(r"^Input should be (.+)$"), r"expected \1"),
    (
        re.compile(r"^String should have at least (\d+) characters?$"),
        r"expected at least \1 characters",
    ),
    (re.compile(r"^List should have at least (\d+) items?.*$"), r"expected at least \1 items"),
)


def field_label(path: str) -> str:
    """``engagement.rules.2.points`` → ``engagement.rules[2].points``."""
    label = ""
    for part in path.split("."):
        if part.isdigit():
            label += f"[{part}]"
        else:
            label += f".{part}" if label else part
    return label


def readable(error: ModelError) -> SourceError:
    if error.field == "syntax":
        message = _TOML_WHERE.sub("", error.message)
        return SourceError(error.line, "TOML syntax", message[:1].lower() + message[1:])
    message = error.message
    for pattern, words in _EXPECTED:
        if pattern.match(message):
            message = pattern.sub(words, message)
            break
    return SourceError(error.line, field_label(error.field), message)


def check_source(source: str) -> list[SourceError]:
    """Every problem of a model file (none when it is valid), in line order."""
    try:
        parse_model(source)
    except ModelInvalid as invalid:
        errors = [readable(error) for error in invalid.errors]
        return sorted(errors, key=lambda error: error.line or 0)
    return []


class SourceInvalid(ValueError):
    """A model file that does not validate; ``errors`` in readable words."""

    def __init__(self, errors: list[SourceError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def require_valid(source: str) -> None:
    errors = check_source(source)
    if errors:
        raise SourceInvalid(errors)


# -- preview ------------------------------------------------------------------


def preview_source(engine: Engine, source: str, *, now: datetime) -> ModelPreview:
    """What activating ``source`` now would change; ``SourceInvalid`` when it does not validate."""
    require_valid(source)
    return _preview(engine, lambda connection: save_model(connection, source, now=now), now)


def preview_version(engine: Engine, version: int, *, now: datetime) -> ModelPreview:
    """What making a stored version active again would change; ``LookupError`` if none."""
    return _preview(engine, lambda connection: activate_version(connection, version, now=now), now)


def _preview(engine: Engine, activate: Callable[[Connection], Any], now: datetime) -> ModelPreview:
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            keep_scorers_out(connection)  # folds at work land before the snapshot
            current = active_model(connection, now=now).version
            activate(connection)
            store.take_snapshot(connection)
            handovers_before = store.handover_count(connection)
            recompute(connection, now=now)
            preview = ModelPreview(
                active_version=current,
                contacts=store.contact_count(connection),
                stage_moves=_ordered(store.stage_moves(connection), STAGE_NAMES),
                grade_moves=_ordered(store.grade_moves(connection), GRADE_LETTERS[::-1]),
                handovers=store.handover_count(connection) - handovers_before,
            )
        finally:
            transaction.rollback()
            store.drop_snapshot(connection)
    return preview


def _ordered(moves: list[tuple[Any, Any, int]], order: tuple[str, ...]) -> tuple[Move, ...]:
    def rank(value: str | None) -> int:
        return order.index(value) if value is not None and value in order else -1

    return tuple(
        Move(origin, target, count)
        for origin, target, count in sorted(moves, key=lambda m: (rank(m[0]), rank(m[1])))
    )


def stage_label(name: str | None) -> str:
    stage = STAGES_BY_NAME.get(name or "")
    return stage.label if stage else (name or "—")


__all__ = [
    "ModelPreview",
    "Move",
    "SourceError",
    "SourceInvalid",
    "check_source",
    "field_label",
    "preview_source",
    "preview_version",
    "readable",
    "require_valid",
    "stage_label",
]
