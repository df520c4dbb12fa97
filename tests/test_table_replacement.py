"""Replacing a derived table's rows: staged, then published in one go."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select

from silverplatter.storage import table_replacement
from silverplatter.storage.engagement_schema import score_buckets


def _rows(engine: Engine) -> list[tuple[str, int, int, float, float]]:
    with engine.connect() as connection:
        found = connection.execute(
            select(score_buckets).order_by(score_buckets.c.subject_id, score_buckets.c.rule)
        )
        return [tuple(row) for row in found]


def _bucket(subject_id: int, rule: int, points: float) -> dict[str, object]:
    return {
        "subject": "a",
        "subject_id": subject_id,
        "rule": rule,
        "bucket_ts": 1_790_000_000.5,
        "points": points,
    }


def test_the_new_rows_replace_the_old_and_readers_see_the_old_until_then(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(score_buckets), [_bucket(1, 1, 2.0), _bucket(2, 1, 3.0)])
    with engine.connect() as connection:
        transaction = connection.begin()
        replacing = table_replacement.begin(connection, score_buckets)
        connection.execute(insert(replacing.target), [_bucket(2, 1, 7.5), _bucket(3, 4, -1.25)])
        if engine.dialect.name == "postgresql":  # staged apart: others still read the old rows
            assert _rows(engine) == [
                ("a", 1, 1, 1_790_000_000.5, 2.0),
                ("a", 2, 1, 1_790_000_000.5, 3.0),
            ]
        table_replacement.publish(connection, replacing)
        table_replacement.publish(connection, replacing)  # a second publish changes nothing
        transaction.commit()
    assert _rows(engine) == [
        ("a", 2, 1, 1_790_000_000.5, 7.5),
        ("a", 3, 4, 1_790_000_000.5, -1.25),
    ]


def test_a_replacement_rolled_back_leaves_the_old_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(score_buckets), [_bucket(1, 1, 2.0)])
    with engine.connect() as connection:
        transaction = connection.begin()
        replacing = table_replacement.begin(connection, score_buckets)
        connection.execute(insert(replacing.target), [_bucket(9, 9, 9.0)])
        table_replacement.publish(connection, replacing)
        transaction.rollback()
    assert _rows(engine) == [("a", 1, 1, 1_790_000_000.5, 2.0)]
