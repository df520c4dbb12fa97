"""The write half of every upsert: insert the new rows, update only what changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Table

from silverplatter.storage.rows import changed_values, insert_returning_ids, update_many


@dataclass
class UpsertResult:
    """What one batch did; ``errors`` maps a batch position to its reason."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: dict[int, str] = field(default_factory=dict)
    ids: list[int | None] = field(default_factory=list)


@dataclass
class UpsertPlan:
    """Collects a batch's new rows and changes, then writes them in a few statements."""

    table: Table
    now: datetime
    result: UpsertResult
    inserts: list[dict[str, Any]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    changes: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def create(self, position: int, row: dict[str, Any]) -> None:
        """Insert ``row`` for batch item ``position`` (``updated_at`` is set here)."""
        self.inserts.append({**row, "updated_at": self.now})
        self.positions.append(position)

    def update(self, position: int, stored: Row[Any], wanted: dict[str, Any]) -> None:
        """Change ``stored`` to ``wanted`` where they differ; count it as unchanged if not."""
        self.result.ids[position] = stored.id
        delta = changed_values(dict(stored._mapping), wanted)
        if delta:
            self.changes.append((stored.id, {**delta, "updated_at": self.now}))
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    def write(self, connection: Connection, key: str | None = None) -> UpsertResult:
        """Run the statements; ``key`` names a column that identifies new rows."""
        new_ids = insert_returning_ids(connection, self.table, self.inserts, key=key)
        for position, new_id in zip(self.positions, new_ids, strict=True):
            self.result.ids[position] = new_id
        self.result.created = len(self.inserts)
        update_many(connection, self.table, self.changes)
        return self.result
