"""Activating and rolling back scoring model versions from the web, audited; their history.

Activation is ``change_model`` (validate, store, recompute) plus an audit
entry naming the user; a rollback activates a stored version and recomputes.
The history lists every version with who saved it and who last activated it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection

from silverplatter.services.audit import Actor, record
from silverplatter.services.model_preview import require_valid
from silverplatter.services.recompute import RecomputeResult, change_model, recompute
from silverplatter.services.scoring_models import activate_version
from silverplatter.storage import model_preview as store
from silverplatter.storage.scoring_backlog import keep_scorers_out


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    version: int
    name: str
    active: bool
    created_at: datetime
    created_by: str | None
    activated_at: datetime | None
    activated_by: str | None
    recomputed_at: datetime | None


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: Literal["same", "removed", "added", "gap"]
    old_line: int | None
    new_line: int | None
    text: str


def _audit(
    connection: Connection,
    result: RecomputeResult,
    *,
    actor: Actor,
    now: datetime,
    rollback: bool,
) -> None:
    record(
        connection,
        "model.activated",
        f"scoring model version {result.model_version}",
        actor=actor,
        now=now,
        details={
            "version": result.model_version,
            "rollback": rollback,
            "contacts": result.contacts,
            "stage_changes": result.stage_changes,
        },
    )


def activate_source(
    connection: Connection, source: str, *, now: datetime, actor: Actor
) -> RecomputeResult:
    """Store ``source`` as the next version, activate it, recompute; ``SourceInvalid`` first."""
    require_valid(source)
    result = change_model(connection, source, now=now, user_id=actor.user_id)
    _audit(connection, result, actor=actor, now=now, rollback=False)
    return result


def roll_back(
    connection: Connection, version: int, *, now: datetime, actor: Actor
) -> RecomputeResult:
    """Make a stored version active again and recompute; ``LookupError`` if there is none."""
    keep_scorers_out(connection)  # before the model rows are locked (no cycle of waits)
    activate_version(connection, version, now=now)
    result = recompute(connection, now=now)
    _audit(connection, result, actor=actor, now=now, rollback=True)
    return result


def version_history(
    connection: Connection, *, before: int | None = None, limit: int | None = None
) -> list[HistoryEntry]:
    """Versions newest first (older than ``before``), who saved and who last activated each."""
    last_activation: dict[int, str | None] = {}
    for row in store.activations(connection):
        details = row.details if isinstance(row.details, dict) else {}
        version = details.get("version")
        if isinstance(version, int) and version not in last_activation:
            last_activation[version] = row.user_name
    return [
        HistoryEntry(
            version=row.version,
            name=row.name,
            active=bool(row.active),
            created_at=row.created_at,
            created_by=row.created_by,
            activated_at=row.activated_at,
            activated_by=last_activation.get(row.version),
            recomputed_at=row.recomputed_at,
        )
        for row in store.versions_with_authors(connection, before=before, limit=limit)
    ]


def source_diff(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """The changed lines of two model files with ``context`` lines around each change."""
    before, after = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    lines: list[DiffLine] = []
    for number, group in enumerate(matcher.get_grouped_opcodes(context)):
        if number:
            lines.append(DiffLine("gap", None, None, "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(
                    DiffLine("same", i + 1, j + 1, before[i])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                )
                continue
            lines.extend(DiffLine("removed", i + 1, None, before[i]) for i in range(i1, i2))
            lines.extend(DiffLine("added", None, j + 1, after[j]) for j in range(j1, j2))
    return lines


__all__ = [
    "DiffLine",
    "HistoryEntry",
    "activate_source",
    "roll_back",
    "source_diff",
    "version_history",
]
