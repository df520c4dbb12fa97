"""Importing accounts, contacts, events and opportunities from CSV files.

The file is read as a stream and written in batches, each batch in its own
transaction: one lookup of the batch's keys, one insert of the new records,
one update per set of changed columns.  Every batch is an idempotent upsert,
so importing the same file again changes nothing, and an interrupted import
is finished by running it again.  Rows that cannot be imported are written
to a rejects file with their row number and the reason; whole-file problems
raise :class:`ImportFileError` before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine

from silverplatter.importing import ImportFileError
from silverplatter.importing.mapping import (
    FIELDS,
    OBJECT_TYPES,
    Mapping,
    ObjectType,
    describe_required,
    load_mapping_file,
    load_preset,
    native_mapping,
)
from silverplatter.importing.reader import CsvTable, open_table
from silverplatter.importing.rejects import RejectsWriter, default_rejects_path
from silverplatter.importing.rows import (
    ColumnPlan,
    RowConverter,
    infer_property_type,
    plan_columns,
)
from silverplatter.importing.values import DATE_ORDERS, DateOrder, sniff_date_order
from silverplatter.services.import_run import ImportRun
from silverplatter.storage import properties as property_store

Progress = Callable[[int, int], None]

#: Records read up front to sniff the date order and type new properties.
SAMPLE_ROWS = 1000
_PROPERTY_OBJECT = {"accounts": "account", "contacts": "contact"}

__all__ = ["ImportFileError", "ImportSummary", "ObjectType", "import_csv"]


@dataclass(frozen=True)
class ImportSummary:
    """What one import run did.  ``rows_read = created + updated + unchanged + rejected``."""

    run_id: int
    object_type: str
    rows_read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    rejects_path: Path | None
    #: Columns of the file that were not imported (unmapped, or left out by the preset).
    ignored_columns: tuple[str, ...] = ()


def _mapping(object_type: ObjectType, preset: str | None, mapping_file: Path | None) -> Mapping:
    if object_type not in OBJECT_TYPES:
        raise ImportFileError(
            f"cannot import {object_type!r}: choose one of {', '.join(OBJECT_TYPES)}"
        )
    if preset and mapping_file:
        raise ImportFileError("give either a preset or a mapping file, not both")
    if preset:
        return load_preset(preset, object_type)
    if mapping_file is not None:
        return load_mapping_file(mapping_file, object_type)
    return native_mapping(object_type)


def _zone(mapping: Mapping) -> tzinfo:
    if not mapping.timezone:
        return UTC
    try:
        return ZoneInfo(mapping.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFileError(
            f"{mapping.name}: unknown time zone {mapping.timezone!r} (e.g. Europe/Helsinki)"
        ) from None


def _check_required(plan: ColumnPlan, object_type: ObjectType, header: Sequence[str]) -> None:
    missing = plan.missing(object_type)
    if missing:
        wanted = "; ".join(describe_required(group) for group in missing)
        raise ImportFileError(
            f"no column of the file maps to {wanted}. The file's columns are: "
            f"{', '.join(repr(label) for label in header)}. Choose a preset "
            "(hubspot, salesforce, mautic) or a mapping file that names these columns."
        )


def _sample(table: CsvTable, wanted: dict[str, list[int]]) -> dict[str, list[str]]:
    """Values of the wanted columns in the first records of the file."""
    samples: dict[str, list[str]] = {name: [] for name in wanted}
    with CsvTable(table.path, table.format) as probe:
        for count, (_line, values) in enumerate(probe.records()):
            if count >= SAMPLE_ROWS:
                break
            for name, columns in wanted.items():
                samples[name].extend(values[i] for i in columns if i < len(values))
    return samples


def import_csv(
    engine: Engine,
    source: Path,
    object_type: ObjectType,
    *,
    now: datetime,
    preset: str | None = None,
    mapping_file: Path | None = None,
    rejects_path: Path | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    date_order: Literal["dmy", "mdy", "ymd"] | None = None,
    create_properties: bool = False,
    batch_size: int = 2000,
    progress: Progress | None = None,
    detect_champion_moves: bool = True,
) -> ImportSummary:
    """Import ``source`` as ``object_type`` records and report what happened.

    ``progress(bytes_done, bytes_total)`` is called after every batch.  The
    rejects file (by default ``<stem>.rejects.csv`` beside the source) is
    written only when rows were rejected.  A contacts import looks for people
    who moved to another account after every batch unless
    ``detect_champion_moves`` is false.
    """
    source = Path(source)
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ImportFileError(f"date order must be one of {', '.join(DATE_ORDERS)}")
    mapping = _mapping(object_type, preset, mapping_file)
    zone = _zone(mapping)
    property_object = _PROPERTY_OBJECT.get(object_type)
    with open_table(source, encoding=encoding, delimiter=delimiter) as table:
        known: dict[str, str] = {}
        if property_object is not None:
            with engine.connect() as connection:
                definitions = property_store.definitions_for(connection, property_object)
            known = {name: definition.type for name, definition in definitions.items()}
        plan = plan_columns(
            table.header, mapping, create_properties=create_properties, known_properties=known
        )
        _check_required(plan, object_type, table.header)
        dated = [t for t in plan.fields if FIELDS[object_type].get(t) == "datetime"]
        new_columns = {name: plan.fields[f"custom.{name}"] for name in plan.new_properties}
        samples = _sample(table, {**{t: plan.fields[t] for t in dated}, **new_columns})
        order: DateOrder = (
            date_order
            or mapping.date_order
            or sniff_date_order(value for values in samples.values() for value in values)
            or "dmy"
        )
        new_types = {
            name: infer_property_type(name, samples[name], order) for name in plan.new_properties
        }
        converter = RowConverter(
            plan, mapping, date_order=order, zone=zone, property_types={**known, **new_types}
        )
        run = ImportRun(
            engine,
            table,
            object_type,
            converter,
            now=now,
            create_properties=create_properties,
            rejects=RejectsWriter(
                rejects_path or default_rejects_path(source),
                table.header,
                table.format.delimiter,
            ),
            batch_size=max(1, batch_size),
            progress=progress,
            detect_champion_moves=detect_champion_moves,
        )
        run_id = run.start(mapping, plan, new_types, property_object)
        run.execute(run_id)
    return ImportSummary(
        run_id=run_id,
        object_type=object_type,
        rows_read=run.rows_read,
        created=run.created,
        updated=run.updated,
        unchanged=run.unchanged,
        rejected=run.rejects.count,
        rejects_path=run.rejects.path if run.rejects.written else None,
        ignored_columns=tuple(plan.ignored),
    )
