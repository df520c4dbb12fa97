"""Rows as each database stores them: pure conversion, done before the writer sees them.

The generator keeps times as epoch seconds and dates as ``date`` objects; the
databases get exactly what SQLAlchemy's column types would store, without
per-value type processing:

* timestamps (``UtcDateTime``): UTC wall time as text, with ``.000000`` on
  SQLite (SQLAlchemy's ``DateTime`` storage format) and ``+00`` on PostgreSQL;
* dates: ISO text; amounts (``Numeric``): float on SQLite, text on PostgreSQL;
* events gain ``key_hash``, the digest their idempotency key is unique under.

Being pure, it can run in the helper process that generates the world.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Final

from sqlalchemy import Date, Numeric, Table
from sqlalchemy.sql.sqltypes import Float

from silverplatter.services.demo.rows import ROW_FIELDS, Tables
from silverplatter.services.demo.timeline import DAY, day_of
from silverplatter.storage import schema
from silverplatter.storage.events import key_hash
from silverplatter.storage.types import UtcDateTime

BACKENDS: Final = ("sqlite", "postgresql")

Values = tuple[Any, ...]
Convert = Callable[[Sequence[Values]], list[Values]]


def insert_fields(name: str) -> tuple[str, ...]:
    """The columns written for a table: the row's fields, plus ``key_hash`` for events."""
    fields = ROW_FIELDS[name]
    return (fields[0], "key_hash", *fields[1:]) if name == "events" else fields


class _DayText(dict[int, str]):
    """``YYYY-MM-DD `` by day number since the epoch, formatted on first use."""

    def __missing__(self, day: int) -> str:
        text = self[day] = f"{day_of(day * DAY).isoformat()} "
        return text


class TimeText:
    """Whole epoch seconds as timestamp text: a day part and a time-of-day part, each
    formatted once.  ``days`` and ``clock`` are public so that hot loops can inline
    ``days[moment // DAY] + clock[moment % DAY]``."""

    def __init__(self, suffix: str) -> None:
        self.days = _DayText()
        self.clock = [
            f"{hour:02d}:{minute:02d}:{second:02d}{suffix}"
            for hour in range(24)
            for minute in range(60)
            for second in range(60)
        ]

    def __call__(self, moment: int) -> str:
        return self.days[moment // DAY] + self.clock[moment % DAY]


def _column_converter(table: Table, backend: str, stamp: TimeText) -> Convert:
    """Rows of ``table`` with times, dates and amounts in stored form."""
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for position, name in enumerate(ROW_FIELDS[table.name]):
        kind = table.c[name].type
        if isinstance(kind, UtcDateTime):
            converters.append((position, stamp))
        elif isinstance(kind, Date):
            converters.append((position, date.isoformat))
        elif isinstance(kind, Numeric) and not isinstance(kind, Float):
            converters.append((position, float if backend == "sqlite" else str))

    def convert(rows: Sequence[Values]) -> list[Values]:
        converted: list[Values] = []
        for row in rows:
            values = list(row)
            for position, to_stored in converters:
                if values[position] is not None:
                    values[position] = to_stored(values[position])
            converted.append(tuple(values))
        return converted

    return convert


def _event_converter(stamp: TimeText) -> Convert:
    """Events, the bulk of the world: add the key digest and stamp both times."""
    days, clock = stamp.days, stamp.clock

    def convert(rows: Sequence[Values]) -> list[Values]:
        return [
            (id_, key_hash(key), key, kind, days[at // DAY] + clock[at % DAY], contact, visitor,
             account, channel, traffic, properties, days[received // DAY] + clock[received % DAY])
            for id_, key, kind, at, contact, visitor, account, channel, traffic, properties,
            received in rows
        ]  # fmt: skip

    return convert


class StoredValues:
    """Converts whole batches for one backend ("sqlite" or "postgresql")."""

    def __init__(self, backend: str) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"the demo world can be written to {' or '.join(BACKENDS)}")
        stamp = TimeText(".000000" if backend == "sqlite" else "+00")
        self._converters = {
            name: _event_converter(stamp)
            if name == "events"
            else _column_converter(schema.metadata.tables[name], backend, stamp)
            for name in ROW_FIELDS
        }

    def __call__(self, tables: Tables) -> Tables:
        return tuple((name, self._converters[name](rows)) for name, rows in tables)
