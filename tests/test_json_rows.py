"""The engine's upserts: rows sent as one JSON document on PostgreSQL, as rows on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DBAPIError

from silverplatter.domain.records import ContactFields
from silverplatter.services.records import upsert_contacts
from silverplatter.storage import engagement, json_rows
from silverplatter.storage.engagement_schema import contact_scores, score_buckets
from silverplatter.storage.engine import make_engine

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
#: Doubles whose shortest text is long, tiny, huge, or negative zero: each must come back as sent.
AWKWARD = [0.1 + 0.2, 5e-324, 1.7976931348623157e308, -0.0, 1790000000.123456, 1 / 3]


def _buckets(engine: Engine) -> list[tuple[str, int, int, float, float]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(score_buckets).order_by(score_buckets.c.subject_id, score_buckets.c.rule)
            )
        ]


def test_rows_are_inserted_then_updated_with_every_double_exact(engine: Engine) -> None:
    first = {(7, rule, 86_400.0 * rule): points for rule, points in enumerate(AWKWARD)}
    with engine.begin() as connection:
        engagement.save_buckets(connection, "c", first)
    assert _buckets(engine) == [
        ("c", 7, rule, 86_400.0 * rule, points) for rule, points in enumerate(AWKWARD)
    ]
    with engine.begin() as connection:
        engagement.save_buckets(connection, "c", {(7, 1, 86_400.0): 2.5, (8, 0, 0.0): -4.0})
    stored = {(row[1], row[2]): row[4] for row in _buckets(engine)}
    assert stored[(7, 1)] == 2.5
    assert stored[(8, 0)] == -4.0
    assert stored[(7, 0)] == AWKWARD[0]
    assert len(stored) == len(AWKWARD) + 1


def _contact(connection: Connection) -> int:
    made = upsert_contacts(connection, [ContactFields(email="ada@example.com")], now=NOW)
    assert made.ids[0] is not None
    return made.ids[0]


def _score_row(contact_id: int, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "contact_id": contact_id,
        "model_version": 3,
        "grade_level": 9,
        "grade": "A+",
        "score": AWKWARD[0],
        # an aware time in another zone is stored as the same instant
        "evaluated_at": NOW.astimezone(timezone(timedelta(hours=2))),
        "sums": {"45": [12.5, 1_790_000_000_123_456], "7": [0.25, 1_790_000_000_000_000]},
        "flags": {"pricing_interest": 1_790_000_000_000_000},
        "engaged": True,
        "last_engaged_ts": None,
        "touches": 29,
        "recent_touches": [[1_790_000_000_000_000, 2]],
        "silent": False,
        "qualification": "mql",
        "needs_qualification": True,
    }
    row.update(changes)
    return row


def test_a_contact_score_row_comes_back_as_it_was_saved(engine: Engine) -> None:
    with engine.begin() as connection:
        contact_id = _contact(connection)
        engagement.save_contact_scores(connection, [_score_row(contact_id)])
        engagement.save_contact_scores(
            connection,
            [_score_row(contact_id, score=-1.5, silent=True, last_engaged_ts=1_790_000_000.5)],
        )
    with engine.connect() as connection:
        row = connection.execute(select(contact_scores)).one()
    assert row.score == -1.5 and row.silent is True and row.last_engaged_ts == 1_790_000_000.5
    assert row.evaluated_at == NOW and row.evaluated_at.tzinfo is not None
    assert row.sums == {"45": [12.5, 1_790_000_000_123_456], "7": [0.25, 1_790_000_000_000_000]}
    assert row.flags == {"pricing_interest": 1_790_000_000_000_000}
    assert row.recent_touches == [[1_790_000_000_000_000, 2]]
    assert (row.grade, row.grade_level, row.touches, row.engaged) == ("A+", 9, 29, True)
    assert (row.qualification, row.needs_qualification) == ("mql", True)


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """PostgreSQL alone (the JSON document is its path); each test rolls back what it wrote."""
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def test_a_key_sent_twice_keeps_its_last_row(pg_engine: Engine) -> None:
    rows = [
        {"subject": "a", "subject_id": 1, "rule": 1, "bucket_ts": 0.0, "points": 1.0},
        {"subject": "a", "subject_id": 1, "rule": 1, "bucket_ts": 0.0, "points": 3.0},
    ]
    keys = ["subject", "subject_id", "rule", "bucket_ts"]
    with pg_engine.connect() as connection, connection.begin() as transaction:
        json_rows.upsert(connection, score_buckets, rows, keys)
        stored = connection.execute(select(score_buckets.c.points)).scalars().all()
        transaction.rollback()
    assert stored == [3.0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"grade": "A++"}, "value too long"),  # the column's own length, not a silent cut
        ({"touches": 2**40}, "out of range"),
        ({"score": float("nan")}, "Out of range float values are not JSON compliant"),
        ({"evaluated_at": datetime(2026, 11, 30, 12, 0)}, "naive datetime"),
    ],
)
def test_values_the_columns_refuse_are_refused(
    pg_engine: Engine, change: dict[str, object], expected: str
) -> None:
    with pg_engine.connect() as connection, connection.begin() as transaction:
        contact_id = _contact(connection)
        with pytest.raises((DBAPIError, ValueError), match=expected):
            json_rows.upsert(
                connection, contact_scores, [_score_row(contact_id, **change)], ["contact_id"]
            )
        transaction.rollback()
    with pg_engine.connect() as connection:
        assert connection.execute(select(contact_scores)).first() is None
