"""Set-based statements shared by every aggregate: look up many keys at once,
insert many rows returning their ids, update many rows grouped by what changed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Integer,
    Row,
    String,
    Table,
    and_,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy import column as named_column
from sqlalchemy import values as listed_values

#: Stay well below SQLite's limit of bound parameters per statement.
IN_CHUNK = 900


def one_of(connection: Connection, key: Column[Any], name: str = "keys") -> ColumnElement[bool]:
    """``key`` is one of the list bound later as ``name``, with ONE parameter.

    ``= ANY(array)`` on PostgreSQL, ``IN (SELECT value FROM json_each(json))``
    on SQLite: the statement text is the same for any number of keys, so it
    is compiled once and cached, where an expanding ``IN`` of 500 keys is
    re-rendered on every call.
    """
    if connection.dialect.name == "postgresql":
        kind = Integer if isinstance(key.type, Integer) else String
        if isinstance(key.type, BigInteger):
            kind = BigInteger
        return key == func.any(bindparam(name, type_=ARRAY(kind)))
    each = func.json_each(bindparam(name, type_=JSON)).table_valued("value")
    return key.in_(select(each.c.value).scalar_subquery())


def rows_by(
    connection: Connection,
    table: Table,
    key: Column[Any],
    keys: Iterable[Any],
    columns: Sequence[Column[Any]] | None = None,
) -> dict[Any, Row[Any]]:
    """Rows of ``table`` (or just ``columns`` of them) whose ``key`` is one of ``keys``."""
    wanted = sorted({value for value in keys if value is not None}, key=str)
    if not wanted:
        return {}
    chosen = select(table) if columns is None else select(key, *columns)
    statement = chosen.where(one_of(connection, key))
    rows = connection.execute(statement, {"keys": wanted})
    return {row._mapping[key.name]: row for row in rows}


def rows_keyed_by(
    connection: Connection,
    table: Table,
    columns: Sequence[Column[Any]],
    keys: Sequence[tuple[Any, ...]],
    *,
    where: ColumnElement[bool] | None = None,
    selected: Sequence[Column[Any]] | None = None,
) -> list[Row[Any]]:
    """Rows of ``table`` (or ``selected`` of it) whose ``columns`` equal one of ``keys``.

    The keys are joined to the table as a list of rows (a ``VALUES`` CTE), so
    each is looked up on its own in an index that starts with the columns.
    For a row-value ``(a, b) IN (VALUES …)`` SQLite uses an index for the
    columns compared on their own at most, and otherwise reads the whole
    table: 0.45 s for 300 score-bucket keys at a million contacts against
    0.013 s joined, and an opportunities import read every opportunity per
    batch.  A key given twice gives its rows twice.
    """
    found: list[Row[Any]] = []
    step = max(1, IN_CHUNK // len(columns))
    for start in range(0, len(keys), step):
        listed = (
            listed_values(
                *(named_column(f"k{n}", key.type) for n, key in enumerate(columns)),
                name="wanted",
            )
            .data(list(keys[start : start + step]))
            .cte("wanted")
        )
        matched = and_(*(key == listed.c[f"k{n}"] for n, key in enumerate(columns)))
        chosen = select(table) if selected is None else select(*selected)
        joined = listed.join(table, matched if where is None else and_(where, matched))
        found.extend(connection.execute(chosen.select_from(joined)))
    return found


def insert_returning_ids(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: str | None = None,
) -> list[int]:
    """Insert ``rows`` (all with the same keys) and return their new ids in order.

    With a ``key`` column whose values are distinct in ``rows``, the rows go
    in as multi-row INSERT … RETURNING batches and ids are matched back by
    key; asking the database for ids in parameter order instead makes
    SQLite insert one row per statement.
    """
    if not rows:
        return []
    values = [row.get(key) for row in rows] if key else []
    if key and None not in values and len(set(values)) == len(values):
        result = connection.execute(table.insert().returning(table.c.id, table.c[key]), list(rows))
        by_key = {row[1]: int(row[0]) for row in result}
        return [by_key[value] for value in values]
    ordered = connection.execute(
        table.insert().returning(table.c.id, sort_by_parameter_order=True), list(rows)
    )
    return [int(row.id) for row in ordered]


def update_many(
    connection: Connection, table: Table, changes: Iterable[tuple[int, dict[str, Any]]]
) -> None:
    """Apply ``(id, {column: value})`` changes with one executemany per set of columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row_id, values in changes:
        columns = tuple(sorted(values))
        groups[columns].append({"row_id": row_id, **{f"v_{c}": values[c] for c in columns}})
    for columns, parameters in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({column: bindparam(f"v_{column}") for column in columns})
        )
        connection.execute(statement, parameters)


def changed_values(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The wanted values that are set and differ from what is stored.

    ``None`` means "not given": it never blanks a stored value.  The ``custom``
    document is merged key by key rather than replaced.
    """
    changes: dict[str, Any] = {}
    for column, value in wanted.items():
        if value is None:
            continue
        if column == "custom":
            stored = dict(current.get("custom") or {})
            merged = {**stored, **{k: v for k, v in value.items() if v is not None}}
            if merged != stored:
                changes["custom"] = merged
        elif current.get(column) != value:
            changes[column] = value
    return changes


def insert_if_new(
    connection: Connection, table: Table, values: Mapping[str, Any], unique: Sequence[str]
) -> bool:
    """Insert one row unless a row with the same ``unique`` columns exists; True when inserted.

    One statement (``ON CONFLICT DO NOTHING``), so two writers racing on the
    same key leave exactly one row and neither fails.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement: Any = pg_insert(table).on_conflict_do_nothing(index_elements=list(unique))
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table).on_conflict_do_nothing(index_elements=list(unique))
    # Ask for the key back rather than trusting rowcount: with the RETURNING
    # SQLAlchemy adds on PostgreSQL, psycopg reports a rowcount of -1.
    returning = statement.returning(*table.primary_key.columns)
    return connection.execute(returning, dict(values)).first() is not None
