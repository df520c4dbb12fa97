"""Grouped event rows placed on the contacts' rows (pure numpy, fixed inputs); the grouped
statement's plan."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import Connection, Engine

from query_plans import plan_of_last_statement
from silverplatter.storage.predictive_behaviour import (
    BehaviourRows,
    behaviour_columns,
    grouped_statement,
    positions_of,
)


def test_positions_of_dense_and_sparse_ids_with_ids_not_there() -> None:
    dense = np.array([1, 2, 4, 5], dtype=np.int64)
    ids = np.array([5, 3, 1, 1, 9, 4], dtype=np.int64)
    assert positions_of(dense, ids).tolist() == [3, -1, 0, 0, -1, 2]
    sparse = np.array([7, 4_000_000, 9_000_000], dtype=np.int64)  # looked up by search
    far = np.array([9_000_000, 8, 7, 4_000_000], dtype=np.int64)
    assert positions_of(sparse, far).tolist() == [2, -1, 0, 1]
    empty = np.empty(0, dtype=np.int64)
    assert positions_of(empty, ids).tolist() == [-1] * 6
    assert positions_of(dense, empty).tolist() == []


def test_rows_become_columns_per_type_and_window_and_recency() -> None:
    cutoff = datetime(2026, 9, 1, tzinfo=UTC)
    at = cutoff.timestamp()
    day = 86_400.0
    # id, last 30 / 90 / 365 days, every event, first, last (epoch seconds)
    found = np.array(
        [
            [10, 1, 2, 3, 4, at - 400 * day, at - 2 * day],  # contact 10, visits
            [10, 0, 1, 1, 1, at - 60 * day, at - 60 * day],  # contact 10, a download
            [30, 0, 0, 0, 2, at - 900 * day, at - 500 * day],  # contact 30, visits
            [99, 5, 5, 5, 5, at - 1 * day, at - 1 * day],  # not among the contacts
            [20, 2, 2, 2, 2, at - 10 * day, at - 3 * day],  # a type without columns
        ]
    )
    codes = np.array([0, 1, 0, 0, -1])
    rows = BehaviourRows(found, codes, ("visit", "download"))
    result = behaviour_columns(rows, cutoff=cutoff, contact_ids=np.array([10, 20, 30]))
    columns = {name: values.tolist() for name, values in result.columns.items()}
    assert columns["events.visit.30d"] == [1.0, 0.0, 0.0]
    assert columns["events.visit.all"] == [4.0, 0.0, 2.0]
    assert columns["events.download.90d"] == [1.0, 0.0, 0.0]
    assert columns["events.days_since_last"] == [2.0, 3.0, 500.0]
    assert columns["events.days_since_first"] == [400.0, 10.0, 900.0]
    assert columns["events.all.90d"] == [3.0, 2.0, 0.0]  # a type without columns counts
    assert result.event_types == ("visit", "download")
    assert result.labels["events.visit.365d"] == "visit events, last 365 days"
    none = behaviour_columns(rows, cutoff=cutoff, contact_ids=np.array([40]))
    assert math.isnan(none.columns["events.days_since_last"][0])


@pytest.mark.storage
def test_the_grouped_pass_reads_the_contact_time_index_alone(engine: Engine) -> None:
    """Contact, time and type are all in ``ix_events_contact_time`` (0026): no table reads."""
    statement = grouped_statement(
        engine.dialect.name,
        cutoff=datetime(2026, 9, 1, tzinfo=UTC),
        coded=("page_view", "form_submit"),
        scope=None,
    )

    def run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":  # a tiny table: bitmaps are cheaper
            connection.exec_driver_sql("SET enable_bitmapscan = off")
        connection.execute(statement).all()

    plan = plan_of_last_statement(engine, run)
    if engine.dialect.name == "sqlite":
        assert "COVERING INDEX ix_events_contact_time" in plan, plan
    else:
        assert "Index Only Scan using ix_events_contact_time" in plan, plan
