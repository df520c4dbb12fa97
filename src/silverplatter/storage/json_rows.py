"""Many rows to PostgreSQL in one parameter: a JSON array that the server unpacks.

psycopg adapts each value of an ``executemany`` (and each element of a list
parameter) in Python; for the lead engine's upserts of a few thousand rows
that adapting cost more than the statement itself.  Here the rows travel as
one ``json.dumps``-ed array of arrays and one ``INSERT … SELECT`` reads them
back with ``jsonb_array_elements``.  Each value is cast to its column's family
(whole numbers through ``numeric``, so that, as with a bound parameter, the
column's own type checks range on assignment; text stays text and is checked
for length by the column).  Every value is inside the one bound parameter.

Limits: NaN and infinities are refused before anything is sent (JSON has no
words for them); a column type without a reading here raises ``TypeError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Double,
    Float,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB, insert


def _read(element: Any, kind: Any, index: int, *, exact: bool = False) -> Any:
    """Item ``index`` of the row array ``element``, as a value of the column type ``kind``.

    Whole numbers are read as ``numeric`` for an insert, which leaves the range
    check to the column; ``exact`` reads them as the column's own type, which
    a comparison with the column needs to use its index.
    """
    position: Any = literal_column(str(int(index)))
    if isinstance(kind, JSON):  # a JSON null stays a JSON null, as SQLAlchemy stores None
        return type_coerce(element.op("->")(position), JSONB)
    text = element.op("->>", return_type=Text)(position)
    if isinstance(kind, Boolean):
        return cast(text, Boolean)
    if isinstance(kind, Integer):
        return cast(text, kind if exact else Numeric)
    if isinstance(kind, Float):
        return cast(text, Double)
    if isinstance(kind, DateTime):
        return cast(text, DateTime(timezone=kind.timezone))
    if isinstance(kind, String | Text):
        return text
    raise TypeError(f"no JSON reading for a column of type {kind!r}")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: times must be timezone-aware")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be sent as JSON")


def upsert(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Insert the rows, updating the other columns of those whose ``keys`` exist (PostgreSQL).

    Every row names the same columns.  A key given twice keeps its last row,
    as a row-by-row upsert would; rows are written in key order.
    """
    if not rows:
        return
    names = list(rows[0])
    by_key = {tuple(row[key] for key in keys): row for row in rows}
    dialect = connection.dialect
    elements = (
        func.jsonb_array_elements(cast(bindparam("rows", type_=Text), JSONB))
        .table_valued(column("value", JSONB))
        .alias("batch")
    )
    kinds = [table.c[name].type.dialect_impl(dialect) for name in names]
    # A decorated type (e.g. UTC times) prepares its values as it would for a parameter.
    prepare = {
        index: kind.process_bind_param
        for index, kind in enumerate(kinds)
        if isinstance(kind, TypeDecorator)
    }
    kinds = [kind.impl_instance if isinstance(kind, TypeDecorator) else kind for kind in kinds]
    chosen = select(*(_read(elements.c.value, kind, i) for i, kind in enumerate(kinds)))
    statement = insert(table).from_select(names, chosen)
    updated = {name: statement.excluded[name] for name in names if name not in keys}
    statement = (
        statement.on_conflict_do_update(index_elements=list(keys), set_=updated)
        if updated
        else statement.on_conflict_do_nothing(index_elements=list(keys))
    )
    document = json.dumps(
        [
            [
                prepare[index](row[name], dialect) if index in prepare else row[name]
                for index, name in enumerate(names)
            ]
            # In key order: rows are locked as they are written, so two writers
            # of overlapping rows queue behind each other rather than deadlock.
            for _key, row in sorted(by_key.items())
        ],
        separators=(",", ":"),
        default=_plain,
        allow_nan=False,
    )
    connection.execute(statement, {"rows": document})


def matching(
    connection: Connection,
    table: Table,
    fixed: Mapping[str, Any],
    columns: Sequence[Any],
    keys: Sequence[Sequence[Any]],
    value: str,
) -> dict[tuple[Any, ...], Any]:
    """``value`` of the rows whose ``columns`` equal one of ``keys`` (and ``fixed`` columns).

    The keys travel as one JSON array and are joined to the table, so a
    composite primary key is probed once per key whatever their number,
    where a tuple ``IN`` list is re-planned for each chunk of a few hundred.
    """
    if not keys:
        return {}
    elements = (
        func.jsonb_array_elements(cast(bindparam("keys", type_=Text), JSONB))
        .table_valued(column("value", JSONB))
        .alias("wanted")
    )
    kinds = [column_.type.dialect_impl(connection.dialect) for column_ in columns]
    matched = [
        column_ == _read(elements.c.value, kind, index, exact=True)
        for index, (column_, kind) in enumerate(zip(columns, kinds, strict=True))
    ]
    statement = (
        select(*columns, table.c[value])
        .select_from(elements)
        .join(table, and_(*matched))
        .where(*(table.c[name] == given for name, given in fixed.items()))
    )
    document = json.dumps([list(key) for key in keys], separators=(",", ":"), allow_nan=False)
    width = len(columns)
    return {
        tuple(row[:width]): row[width] for row in connection.execute(statement, {"keys": document})
    }


__all__ = ["matching", "upsert"]
