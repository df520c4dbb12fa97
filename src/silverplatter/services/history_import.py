"""Importing past leads with their outcome, to train predictive scoring on.

Companies arrive with history from other CRMs: a CSV of past leads, one per
row, with a column that says how each ended.  The file goes through the
normal contact import (``services/importing.import_csv``): recognised
columns fill contact fields, every other column becomes a custom property,
rejected rows go to the rejects file.  Rows without an email address get a
placeholder address on the reserved ``.invalid`` domain, which no mail is
ever delivered to, and an external id from the file and row number, so
that importing the same file again changes nothing.

The outcome column does not become a property (it would be the answer
itself); it becomes the lifecycle outcome instead: won leads move to
*customer* and lost ones to *disqualified*, recorded in the stage history
at ``as_of`` like any move.  The leads are dated a day before that, so a
model trained with a cut-off between the two (:attr:`HistorySummary.cutoff`)
learns from them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from silverplatter.domain.lead_history import HISTORY_LEAD_TIME_HOURS, history_change
from silverplatter.domain.spreadsheet_cells import SpreadsheetWriter
from silverplatter.importing import ImportFileError
from silverplatter.importing.mapping import (
    canonical_target,
    fold_value,
    header_key,
    native_mapping,
    snake_name,
)
from silverplatter.importing.reader import open_table
from silverplatter.services.importing import ImportSummary, import_csv
from silverplatter.storage.lifecycle import apply_stage_changes
from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import contacts

#: Outcome values that mean the lead was won (compared case-insensitively).
WON_VALUES = ("yes", "y", "true", "1", "won", "closed won", "customer", "converted")
PLACEHOLDER_DOMAIN = "history.invalid"


@dataclass(frozen=True)
class HistorySummary:
    """The import's own summary, and the outcomes recorded."""

    imported: ImportSummary
    won: int
    lost: int
    without_outcome: int
    #: A training cut-off that falls between the leads' date and their outcome.
    cutoff: datetime


def _column(header: Sequence[str], wanted: str, field: str) -> int:
    keys = [header_key(label) for label in header]
    key = header_key(wanted)
    if key not in keys:
        raise ImportFileError(
            f"{field}: the file has no column {wanted!r}; its columns are: "
            f"{', '.join(repr(label) for label in header)}"
        )
    return keys.index(key)


def import_history(
    engine: Engine,
    source: Path,
    *,
    outcome_column: str,
    now: datetime,
    won_values: Sequence[str] = WON_VALUES,
    exclude: Sequence[str] = (),
    as_of: datetime | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    user_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> HistorySummary:
    """Import past leads from ``source`` and record each one's outcome.

    ``exclude`` names columns to leave out (for example, facts known only
    after the outcome, such as a call's duration).
    """
    source = Path(source)
    decided = as_of or now
    created = decided - timedelta(days=1)
    won_keys = {fold_value(value) for value in won_values}
    with open_table(source, encoding=encoding, delimiter=delimiter) as table:
        header = list(table.header)
        outcome_at = _column(header, outcome_column, "outcome")
        dropped = {outcome_at} | {_column(header, name, "exclude") for name in exclude}
        tag = snake_name(source.stem)[:40]
        kept = [index for index in range(len(header)) if index not in dropped]
        native = native_mapping("contacts")
        # Where the file already has an address, an id or a creation time, its
        # empty cells are filled in place; otherwise a column is added.
        own = {
            target: position
            for position, index in reversed(list(enumerate(kept)))
            if (target := canonical_target(native, header[index]))
            in ("email", "external_id", "created_at")
        }
        extra = [name for name in ("email", "external_id", "created_at") if name not in own]
        outcomes: dict[str, bool | None] = {}
        folder = Path(tempfile.mkdtemp(prefix="history-"))
        staged = folder / f"{source.stem}.csv"
        with staged.open("w", encoding="utf-8", newline="") as out:
            # Written as every CSV file is, so the importer reads back exactly
            # the values read here (a quote-marked cell stays marked once).
            writer = SpreadsheetWriter(out)
            writer.writerow([header[index] for index in kept] + extra)
            for number, (_line, values) in enumerate(table.records(), start=1):
                generated = {
                    "email": f"lead-{number}@{tag.replace('_', '-')}.{PLACEHOLDER_DOMAIN}",
                    "external_id": f"history:{tag}:{number}",
                    "created_at": created.isoformat(),
                }
                cells = [values[index] if index < len(values) else "" for index in kept]
                for name, position in own.items():
                    if not cells[position].strip():
                        cells[position] = generated[name]
                cells += [generated[name] for name in extra]
                writer.writerow(cells)
                external = (
                    cells[own["external_id"]].strip()
                    if "external_id" in own
                    else generated["external_id"]
                )
                raw = values[outcome_at].strip() if outcome_at < len(values) else ""
                outcomes[external] = None if not raw else fold_value(raw) in won_keys
    try:
        imported = import_csv(
            engine,
            staged,
            "contacts",
            now=now,
            create_properties=True,
            delimiter=",",
            encoding="utf-8",
            rejects_path=source.with_name(f"{source.stem}.rejects.csv"),
            progress=progress,
        )
    finally:
        staged.unlink(missing_ok=True)
        folder.rmdir()
    won, lost = _record_outcomes(engine, outcomes, decided=decided, user_id=user_id)
    without = sum(1 for value in outcomes.values() if value is None)
    return HistorySummary(
        imported, won, lost, without, decided - timedelta(hours=HISTORY_LEAD_TIME_HOURS)
    )


def _record_outcomes(
    engine: Engine,
    outcomes: dict[str, bool | None],
    *,
    decided: datetime,
    user_id: int | None,
) -> tuple[int, int]:
    """Move each imported lead to customer (won) or disqualified (lost), in chunks."""
    won = lost = 0
    externals = [key for key, value in outcomes.items() if value is not None]
    for start in range(0, len(externals), IN_CHUNK):
        chunk = externals[start : start + IN_CHUNK]
        with engine.begin() as connection:
            rows = connection.execute(
                select(contacts.c.id, contacts.c.external_id, contacts.c.lifecycle_stage).where(
                    contacts.c.external_id.in_(chunk)
                )
            ).all()
            changes = []
            for row in rows:
                change = history_change(
                    row.id, row.lifecycle_stage, bool(outcomes[row.external_id])
                )
                if change is not None:
                    changes.append(change)
            apply_stage_changes(
                connection,
                changes,
                actor="user" if user_id is not None else "rule",
                user_id=user_id,
                now=decided,
            )
            won += sum(1 for change in changes if change.to_stage == "customer")
            lost += sum(1 for change in changes if change.to_stage == "disqualified")
    return won, lost
