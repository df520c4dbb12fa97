"""Rows of numbers read as one matrix: the binary array decoding and both backends."""

from __future__ import annotations

import math
import struct
from datetime import datetime
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, case, func, literal, null, select, union_all
from sqlalchemy.exc import DBAPIError, StatementError

from lead_world import NOW, build_world, event
from silverplatter.services.ingest import ingest_events
from silverplatter.storage import bulk_columns
from silverplatter.storage.bulk_columns import (
    ArrayFormatError,
    ascending_by_first,
    decode_float8_array,
    number_matrix,
    read_columns,
)
from silverplatter.storage.predictive_behaviour import contact_event_types
from silverplatter.storage.schema import contacts


def _array(items: list[float | None]) -> bytes:
    """``float8[]`` in PostgreSQL's binary format."""
    head = struct.pack(">iiiii", 1, int(None in items), 701, len(items), 1)
    body = b"".join(
        struct.pack(">i", -1) if item is None else struct.pack(">id", 8, item) for item in items
    )
    return head + body


def _counting(first: int, last: int) -> Any:
    """The numbers ``first`` to ``last`` as a column of a recursive CTE (either backend)."""
    counting = select(literal(first).label("n")).cte("counting", recursive=True)
    counting = counting.union_all(select(counting.c.n + 1).where(counting.c.n < last))
    return counting.c.n


def test_an_array_without_nulls_decodes_in_one_view() -> None:
    decoded = decode_float8_array(_array([1.5, -2.0, 1e300, 0.0]))
    assert decoded.tolist() == [1.5, -2.0, 1e300, 0.0]
    assert decoded.dtype == np.float64


def test_nulls_decode_as_nan() -> None:
    decoded = decode_float8_array(_array([3.0, None, 4.25]))
    assert decoded[0] == 3.0 and math.isnan(decoded[1]) and decoded[2] == 4.25


def test_an_empty_array_decodes_empty() -> None:
    assert decode_float8_array(struct.pack(">iii", 0, 0, 701)).shape == (0,)


def test_other_arrays_are_refused() -> None:
    with pytest.raises(ArrayFormatError, match="float8"):
        decode_float8_array(struct.pack(">iiiii", 1, 0, 23, 1, 1) + struct.pack(">ii", 4, 7))
    with pytest.raises(ArrayFormatError, match="header"):
        decode_float8_array(b"\x00\x00")


def _rows() -> Any:
    return union_all(
        select(literal(1), literal(0.5)),
        select(literal(2), null()),
        select(literal(3), literal(-7.25)),
    )


@pytest.mark.storage
def test_rows_with_a_null_come_back_as_a_matrix(engine: Engine) -> None:
    with engine.connect() as connection:
        matrix = number_matrix(connection, select(*_rows().subquery().c), 2)
    matrix = matrix[np.argsort(matrix[:, 0])]
    assert matrix.shape == (3, 2)
    assert matrix[:, 0].tolist() == [1.0, 2.0, 3.0]
    assert matrix[0, 1] == 0.5 and math.isnan(matrix[1, 1]) and matrix[2, 1] == -7.25


@pytest.mark.storage
def test_no_rows_give_an_empty_matrix_of_the_width(engine: Engine) -> None:
    statement = select(literal(1), literal(2), literal(3)).where(literal(1) == literal(0))
    with engine.connect() as connection:
        assert number_matrix(connection, statement, 3).shape == (0, 3)


@pytest.mark.storage
def test_many_rows_keep_each_row_together(engine: Engine) -> None:
    n = _counting(0, 4999)
    statement = select(n, n * 2, n - 0.5)
    with engine.connect() as connection:
        matrix = number_matrix(connection, statement, 3)
    matrix = matrix[np.argsort(matrix[:, 0])]
    assert matrix[:, 0].tolist() == [float(n) for n in range(5000)]
    assert np.array_equal(matrix[:, 1], matrix[:, 0] * 2)
    assert np.array_equal(matrix[:, 2], matrix[:, 0] - 0.5)


@pytest.mark.storage
def test_contacts_event_types_are_walked_in_order(engine: Engine) -> None:
    with engine.begin() as connection:
        build_world(connection)
        ingest_events(
            connection,
            [
                event("page_view", "ceo@acme.fi", 3, url="/a"),
                event("email_open", "ceo@acme.fi", 2),
                event("page_view", "ops@acme.fi", 1, url="/b"),
                event("project_announced", "@acme.fi", 1),  # the account's: not a contact's
            ],
            now=NOW,
        )
        assert contact_event_types(connection) == ["email_open", "page_view"]


def test_rows_out_of_order_are_put_back_in_order_of_the_first_column() -> None:
    keys = np.array([3.0, 1.0, 2.0])
    ordered = ascending_by_first(
        [keys, np.array([30.0, 10.0, 20.0]), ["c", "a", "b"]], [True, True, False]
    )
    assert [column if isinstance(column, list) else column.tolist() for column in ordered] == [
        [1.0, 2.0, 3.0],
        [10.0, 20.0, 30.0],
        ["a", "b", "c"],
    ]
    already = [np.array([1.0, 2.0]), ["x", "y"]]
    assert ascending_by_first(already, [True, False]) is already


@pytest.mark.storage
def test_numbers_and_texts_are_read_as_columns_in_the_rows_order(engine: Engine) -> None:
    n = _counting(1, 300)
    word = case((n % 3 == 0, literal("three")), (n % 5 == 0, null()), else_=literal("other"))
    statement = select(n, word, case((n % 7 == 0, null()), else_=n * 0.5)).order_by(n.desc())
    with engine.connect() as connection:
        numbers, words, halves = ascending_by_first(
            read_columns(connection, statement, [True, False, True]), [True, False, True]
        )
    assert numbers.tolist() == [float(k) for k in range(1, 301)]
    assert words == [
        "three" if k % 3 == 0 else None if k % 5 == 0 else "other" for k in range(1, 301)
    ]
    assert [None if math.isnan(h) else h for h in halves.tolist()] == [
        None if k % 7 == 0 else k * 0.5 for k in range(1, 301)
    ]


@pytest.mark.storage
def test_rows_folded_in_several_parts_come_back_whole(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_columns, "PART_KEYS", 7)  # 300 keys: 43 parts on PostgreSQL
    n = _counting(1, 300)
    statement = select(n, case((n % 2 == 0, literal("even")), else_=literal("odd")), n * 3)
    with engine.connect() as connection:
        numbers, words, triples = ascending_by_first(
            read_columns(connection, statement, [True, False, True]), [True, False, True]
        )
    assert numbers.tolist() == [float(k) for k in range(1, 301)]
    assert words == ["even" if k % 2 == 0 else "odd" for k in range(1, 301)]
    assert triples.tolist() == [3.0 * k for k in range(1, 301)]


@pytest.mark.storage
def test_values_are_bound_as_sqlalchemy_binds_them_and_errors_are_its_errors(
    engine: Engine,
) -> None:
    naive = datetime(2026, 1, 1, 12, 0)  # UtcDateTime refuses a time without a zone
    with engine.connect() as connection, pytest.raises(StatementError, match=r"timezone-aware"):
        number_matrix(connection, select(contacts.c.id).where(contacts.c.created_at < naive), 1)
    with engine.connect() as connection, pytest.raises(DBAPIError):
        number_matrix(connection, select(func.no_such_function(literal(1))), 1)


@pytest.mark.storage
def test_a_sorted_statement_read_in_parts_comes_back_sorted(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_columns, "PART_KEYS", 7)  # 300 keys: 43 parts on PostgreSQL
    n = _counting(1, 300)
    statement = select(n, literal("x")).order_by(n)
    with engine.connect() as connection:
        numbers, words = read_columns(connection, statement, [True, False])
    # the parts are put in key order: nothing is left for ascending_by_first to reorder
    assert numbers.tolist() == [float(k) for k in range(1, 301)]
    assert words == ["x"] * 300
