"""One import run: the file's records going into the workspace batch by batch.

Each batch is one transaction on the run's own connection: validate the
records, set aside those an earlier row already described, upsert the rest,
note the run's counts.  Rejected rows go to the rejects file in row order.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Engine, update
from sqlalchemy.exc import SQLAlchemyError

from silverplatter.domain.identity import InvalidValue
from silverplatter.domain.records import (
    AccountFields,
    ContactFields,
    EventInput,
    OpportunityFields,
)
from silverplatter.importing.mapping import Mapping, ObjectType, preset_names
from silverplatter.importing.reader import CsvTable, any_bad_bytes, bad_bytes_column
from silverplatter.importing.rejects import RejectsWriter
from silverplatter.importing.rows import ColumnPlan, RowConverter, explain, relabel
from silverplatter.services.champion_moves import detect_moves
from silverplatter.services.import_keys import (
    RecordKey,
    SeenKeys,
    duplicate_reason,
    record_keys,
)
from silverplatter.services.ingest import ingest_events
from silverplatter.services.opportunities import upsert_opportunities
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage import properties as property_store
from silverplatter.storage.schema import import_runs

Progress = Callable[[int, int], None]


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Hold Python's cycle collector back while a batch is built and written.

    A batch allocates tens of thousands of short-lived objects, which trigger
    collections of the whole heap (~15 % of an import's time) that find
    nothing: these objects hold no reference cycles and are freed by
    reference counting anyway.  Collection resumes after every batch.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


MODELS: dict[str, type[BaseModel]] = {
    "accounts": AccountFields,
    "contacts": ContactFields,
    "events": EventInput,
    "opportunities": OpportunityFields,
}


#: The tables an import of each object type grows (or whose lookups it leans on).
GROWING: dict[str, tuple[str, ...]] = {
    "accounts": ("accounts",),
    "contacts": ("contacts", "accounts"),
    "events": ("events", "contacts"),
    "opportunities": ("opportunities",),
}


class ImportRun:
    """The state of one import while its batches go in."""

    def __init__(
        self,
        engine: Engine,
        table: CsvTable,
        object_type: ObjectType,
        converter: RowConverter,
        *,
        now: datetime,
        create_properties: bool,
        rejects: RejectsWriter,
        batch_size: int,
        progress: Progress | None,
        detect_champion_moves: bool = True,
    ) -> None:
        self.engine = engine
        self.table = table
        self.object_type = object_type
        self.converter = converter
        self.model = MODELS[object_type]
        self.now = now
        self.create_properties = create_properties
        self.rejects = rejects
        self.batch_size = batch_size
        self.progress = progress
        #: Whether each contacts batch looks for people who moved (services/champion_moves.py).
        self.detect_champion_moves = detect_champion_moves
        self.champion_moves = 0
        self.width = len(table.header)
        self.rows_read = self.created = self.updated = self.unchanged = 0
        self.turned_down: list[tuple[int, list[str], str]] = []
        self._keys: dict[int, list[RecordKey]] = {}
        self.batches = 0
        #: How the contacts this run creates were acquired: ``import:<preset or file>``.
        self.source = f"import:{table.path.name}"

    def start(
        self,
        mapping: Mapping,
        plan: ColumnPlan,
        new_types: dict[str, str],
        property_object: str | None,
    ) -> int:
        """Record the run and define the new custom properties, in one transaction."""
        if mapping.name in preset_names():
            self.source = f"import:{mapping.name}"
        with self.engine.begin() as connection:
            run_id = connection.execute(
                import_runs.insert()
                .values(
                    object_type=self.object_type,
                    source_name=self.table.path.name[:500],
                    preset=mapping.name[:50] if mapping.name != "native" else None,
                    status="running",
                    started_at=self.now,
                    rows_read=0,
                    created=0,
                    updated=0,
                    unchanged=0,
                    rejected=0,
                )
                .returning(import_runs.c.id)
            ).scalar_one()
            for name, label in plan.new_properties.items():
                assert property_object is not None
                property_store.create_definition(
                    connection,
                    object_type=property_object,
                    name=name,
                    label=label[:200],
                    type=new_types[name],
                    options=None,
                    now=self.now,
                )
        return int(run_id)

    def execute(self, run_id: int) -> None:
        self.run_id = run_id
        if self.rejects.path.exists():
            self.rejects.path.unlink()
        try:
            with self.engine.connect() as connection:
                seen = SeenKeys(connection, run_id) if self.object_type != "events" else None
                try:
                    batch: list[tuple[int, list[str]]] = []
                    for record in self.table.records():
                        batch.append(record)
                        if len(batch) >= self.batch_size:
                            self._commit(connection, seen, batch)
                            batch = []
                    if batch:
                        self._commit(connection, seen, batch)
                finally:
                    if seen is not None:
                        with suppress(SQLAlchemyError):
                            seen.drop()
        except BaseException:
            self.rejects.close()
            with self.engine.begin() as connection:
                connection.execute(self._run_update(status="failed", finished_at=self.now))
            raise
        self.rejects.close()
        with self.engine.begin() as connection:
            connection.execute(
                self._run_update(
                    status="finished",
                    finished_at=self.now,
                    rejects_path=str(self.rejects.path) if self.rejects.written else None,
                )
            )
        if self.progress is not None:
            self.progress(self.table.size, self.table.size)

    def _run_update(self, **values: Any) -> Any:
        return (
            update(import_runs)
            .where(import_runs.c.id == self.run_id)
            .values(
                rows_read=self.rows_read,
                created=self.created,
                updated=self.updated,
                unchanged=self.unchanged,
                rejected=self.rejects.count,
                **values,
            )
        )

    def _commit(
        self, connection: Connection, seen: SeenKeys | None, batch: list[tuple[int, list[str]]]
    ) -> None:
        with _cycle_collection_paused(), connection.begin():
            candidates = self._validated(batch)
            if seen is not None:
                candidates = self._first_occurrences(seen, candidates)
            accepted = self._store(connection, candidates)
            if seen is not None:
                seen.remember(
                    [
                        (key.key, candidate[0], key.written)
                        for candidate in accepted
                        for key in self._keys[id(candidate[2])]
                    ]
                )
                self._keys.clear()
            for line, values, reason in sorted(self.turned_down, key=lambda reject: reject[0]):
                self.rejects.add(line, values, reason)
            self.turned_down.clear()
            self.rows_read += len(batch)
            connection.execute(self._run_update())
        self.batches += 1
        if self.batches & (self.batches - 1) == 0:
            self._refresh_statistics(connection, seen)
        if self.progress is not None:
            self.progress(self.table.bytes_read, self.table.size)

    def _refresh_statistics(self, connection: Connection, seen: SeenKeys | None) -> None:
        """On PostgreSQL, re-``ANALYZE`` the tables this import grows after batch 1, 2, 4, 8 …

        Autovacuum never sees the run's temporary table and can lag far behind a
        bulk load; a planner that still believes a table is empty scans it for
        every batch's lookup, and the import slows down as the table grows.
        """
        if connection.dialect.name != "postgresql":
            return
        tables = [*GROWING[self.object_type], *([seen.table.name] if seen else [])]
        with connection.begin():
            for name in tables:
                connection.exec_driver_sql(f"ANALYZE {name}")

    def _reject(self, line: int, values: list[str], reason: str) -> None:
        self.turned_down.append((line, values, reason))

    def _validated(self, batch: list[tuple[int, list[str]]]) -> list[tuple[int, list[str], Any]]:
        """The batch's records as validated models; the others go to the rejects file."""
        labels = self.converter.labels
        header = self.table.header
        encoding = self.table.format.encoding_label
        suspicious = any_bad_bytes(batch)
        candidates: list[tuple[int, list[str], Any]] = []
        for line, values in batch:
            if suspicious and (column := bad_bytes_column(values)) is not None:
                where = header[column] if column < self.width else f"column {column + 1}"
                self._reject(line, values, f"{where}: invalid {encoding} bytes")
                continue
            if len(values) > self.width and any(value.strip() for value in values[self.width :]):
                self._reject(
                    line,
                    values,
                    f"the row has {len(values)} values but the header has {self.width} "
                    "columns (check quotes and delimiters)",
                )
                continue
            try:
                data = self.converter.convert(values)
                item = self.model.model_validate(data)
            except InvalidValue as error:
                self._reject(line, values, str(error))
                continue
            except ValidationError as error:
                self._reject(line, values, explain(error, labels))
                continue
            candidates.append((line, values, item))
        return candidates

    def _first_occurrences(
        self, seen: SeenKeys, candidates: list[tuple[int, list[str], Any]]
    ) -> list[tuple[int, list[str], Any]]:
        """Reject rows whose record an earlier row of the file already described."""
        keyed = [(candidate, record_keys(candidate[2])) for candidate in candidates]
        earlier = seen.lookup([key.key for _candidate, keys in keyed for key in keys])
        first: list[tuple[int, list[str], Any]] = []
        for candidate, keys in keyed:
            line, values, _item = candidate
            clash = [key for key in keys if key.key in earlier]
            if clash:
                row_number, written = earlier[clash[0].key]
                self._reject(line, values, duplicate_reason(clash[0], row_number, written))
                continue
            for key in keys:
                earlier[key.key] = (line, key.written)
            self._keys[id(candidate[2])] = keys
            first.append(candidate)
        return first

    def _store(
        self, connection: Connection, candidates: list[tuple[int, list[str], Any]]
    ) -> list[tuple[int, list[str], Any]]:
        """Upsert the batch; returns the rows that went in."""
        items = [item for _line, _values, item in candidates]
        labels = self.converter.labels
        errors: dict[int, str]
        if self.object_type == "events":
            ingested = ingest_events(connection, items, now=self.now)
            self.created += ingested.accepted
            self.unchanged += ingested.duplicates
            errors = {
                error.index: (
                    f"{labels.get(error.field, error.field)}: {error.message}"
                    if error.field and not error.message.startswith(f"{error.field}:")
                    else relabel(error.message, labels)
                )
                for error in ingested.errors
            }
        else:
            if self.object_type == "accounts":
                result = upsert_accounts(
                    connection, items, now=self.now, create_properties=self.create_properties
                )
            elif self.object_type == "contacts":
                result = upsert_contacts(
                    connection,
                    items,
                    now=self.now,
                    create_properties=self.create_properties,
                    source=self.source,
                )
                if self.detect_champion_moves:
                    written = [i for i in result.ids if i is not None]
                    self.champion_moves += len(detect_moves(connection, written, now=self.now))
            else:
                result = upsert_opportunities(connection, items, now=self.now)
            self.created += result.created
            self.updated += result.updated
            self.unchanged += result.unchanged
            errors = {
                position: relabel(reason, labels) for position, reason in result.errors.items()
            }
        accepted = []
        for position, (line, values, item) in enumerate(candidates):
            if position in errors:
                self._reject(line, values, errors[position])
            else:
                accepted.append((line, values, item))
        return accepted
