"""Keyset pages: a list sorted by a tuple of expressions, paged after the last row's tuple.

Every list is keyset-paginated on (sort key, id), never OFFSET.  Each sort is
a tuple of expressions whose last member is the row's id; the next page starts
strictly after the previous page's last tuple, compared as a row value, so an
index on exactly that tuple serves every page without sorting.

A sort on a score table (``scored``) puts the scored rows first in score
order, then the rows without a score (never computed yet) in id order, as a
second keyset over the primary key — never a sort of the whole table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, literal, tuple_

from silverplatter.domain.record_filters import Cursor, CursorError


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row[Any]]
    next: str | None


@dataclass(frozen=True, slots=True)
class SortKey:
    """The expressions a sort orders by (the last is the id) and how to read a cursor's values.

    ``scored`` marks a sort on a score table: rows without a score follow in id order.
    """

    columns: tuple[ColumnElement[Any], ...]
    kinds: tuple[type, ...]
    scored: bool = False


def _plain_value(kind: type, value: Any) -> bool:
    if kind is int:
        return type(value) is int and abs(value) < 2**62
    return kind is str and type(value) is str


def read_key(cursor: Cursor, sort: SortKey) -> tuple[Any, ...]:
    """The cursor's values typed as the sort's columns; a tampered cursor is refused."""
    if len(cursor.key) != len(sort.kinds):
        raise CursorError("this cursor does not belong to this list")
    values: list[Any] = []
    for position, (value, kind) in enumerate(zip(cursor.key, sort.kinds, strict=True)):
        if value is None and sort.scored and position == 0:
            values.append(None)
        elif kind is datetime and isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise CursorError("this cursor does not belong to this list") from None
            if moment.tzinfo is None:
                raise CursorError("this cursor does not belong to this list")
            values.append(moment)
        elif kind is float and type(value) in (int, float) and math.isfinite(value):
            values.append(float(value))
        elif _plain_value(kind, value):
            values.append(value)
        else:
            raise CursorError("this cursor does not belong to this list")
    return tuple(values)


def beyond(
    columns: Sequence[ColumnElement[Any]], values: Sequence[Any], descending: bool
) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``columns``, as one row-value comparison."""
    left = tuple_(*columns)
    right = tuple_(*(literal(v, type_=col.type) for col, v in zip(columns, values, strict=True)))
    return left < right if descending else left > right


def _ordered(query: Select[Any], columns: Sequence[ColumnElement[Any]], descending: bool) -> Any:
    return query.order_by(*(col.desc() if descending else col.asc() for col in columns))


def keyset_page(
    base: Select[Any], sort: SortKey, *, cursor: Cursor | None, descending: bool, limit: int
) -> list[Select[Any]]:
    """The statements that make one page, in turn (scored rows, then unscored ones)."""
    key = read_key(cursor, sort) if cursor is not None else None
    labelled = [col.label(f"sort_{n}") for n, col in enumerate(sort.columns)]
    base = base.add_columns(*labelled)
    statements: list[Select[Any]] = []
    if not sort.scored:
        query = base if key is None else base.where(beyond(sort.columns, key, descending))
        statements.append(_ordered(query, sort.columns, descending))
        return statements
    score, row_id = sort.columns
    if key is None or key[0] is not None:
        query = base.where(score.is_not(None))
        if key is not None:
            query = query.where(beyond(sort.columns, key, descending))
        statements.append(_ordered(query, sort.columns, descending))
    tail = base.where(score.is_(None))
    if key is not None and key[0] is None:
        tail = tail.where(beyond((row_id,), key[1:], descending))
    statements.append(_ordered(tail, (row_id,), descending))
    return statements


def run_page(
    connection: Connection,
    base: Select[Any],
    sort: SortKey,
    *,
    sort_name: str,
    cursor: Cursor | None,
    descending: bool,
    limit: int,
) -> Page:
    """Run the page's statements until ``limit + 1`` rows are found; the extra one means "more"."""
    statements = keyset_page(base, sort, cursor=cursor, descending=descending, limit=limit)
    rows: list[Row[Any]] = []
    for statement in statements:
        wanted = limit + 1 - len(rows)
        if wanted <= 0:
            break
        rows.extend(connection.execute(statement.limit(wanted)))
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]._mapping
        key = tuple(last[f"sort_{n}"] for n in range(len(sort.columns)))
        direction = "desc" if descending else "asc"
        following = Cursor(sort_name, direction, tuple(_plain(v) for v in key)).encode()
    return Page(rows, following)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


__all__ = ["Page", "SortKey", "beyond", "keyset_page", "read_key", "run_page"]
