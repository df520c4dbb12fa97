"""Contacts' stored probabilities: written in bulk, replaced in place, read back exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from lead_world import NOW, build_world
from silverplatter.storage import predictive as store


def _version(connection: object) -> int:
    return store.insert_version(
        connection,  # type: ignore[arg-type]
        outcome="sql",
        horizon_days=90,
        cutoff=NOW,
        algorithm="lightgbm",
        parameters={},
        features=[],
        metrics={},
        model=b"{}",
        created_at=NOW,
    )


@pytest.mark.storage
def test_probabilities_are_written_in_bulk_and_replaced_in_place(engine: Engine) -> None:
    with engine.begin() as connection:
        ids = build_world(connection)
        first, second = _version(connection), _version(connection)
        ceo, ops = ids["ceo@acme.fi"], ids["ops@acme.fi"]
        assert store.write_predictions(connection, first, [], now=NOW) == 0
        written = store.write_predictions(
            connection, first, [(ceo, 0.25, [["seniority", 0.75]]), (ops, 0.5, [])], now=NOW
        )
        later = NOW + timedelta(hours=1)
        store.write_predictions(connection, second, [(ops, 0.125, [])], now=later)
    assert written == 2
    with engine.connect() as connection:
        found = store.predictions_for(connection, [ceo, ops])
        assert store.prediction_count(connection, first) == 1
    assert (found[ceo].model_id, found[ceo].probability, found[ceo].scored_at) == (first, 0.25, NOW)
    assert found[ceo].contributions == [["seniority", 0.75]]
    assert (found[ops].model_id, found[ops].probability) == (second, 0.125)
    assert (found[ops].contributions, found[ops].scored_at) == ([], later)
