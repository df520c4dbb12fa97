"""Contacts' stored probabilities: written in bulk, replaced in place, read back exactly."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

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


@pytest.mark.storage
def test_many_probabilities_are_staged_and_read_back_exactly(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch path (PostgreSQL: COPY into a temporary table, one upsert) from two rows on."""
    monkeypatch.setattr(store, "STAGE_FROM", 2)
    awkward = [['said "yes"\ttab\\slash\nline', -0.5], ["Päätöksentekijä ✓", 1e-300]]
    with engine.begin() as connection:
        ids = build_world(connection)
        first, second = _version(connection), _version(connection)
        ceo, ops, cfo = ids["ceo@acme.fi"], ids["ops@acme.fi"], ids["cfo@unknown.co.uk"]
        store.write_predictions(connection, first, [(cfo, 0.75, [])], now=NOW)  # one row: kept
        assert (
            store.write_predictions(
                connection, first, [(ceo, 0.1 + 0.2, awkward), (ops, 0.5, [])], now=NOW
            )
            == 2
        )
        later = NOW + timedelta(hours=1)
        # twice in one transaction: the temporary table is made again
        store.write_predictions(connection, second, [(ops, 1 / 3, []), (ceo, 0.0, [])], now=later)
        store.write_predictions(
            connection, second, [(ops, 2 / 3, []), (ceo, 1.0, awkward)], now=later
        )
    with engine.connect() as connection:
        found = store.predictions_for(connection, [ceo, ops, cfo])
        assert store.prediction_count(connection, second) == 2
    assert (found[ceo].model_id, found[ceo].probability, found[ceo].scored_at) == (
        second,
        1.0,
        later,
    )
    assert found[ceo].contributions == awkward
    assert (found[ops].probability, found[ops].contributions) == (2 / 3, [])
    assert (found[cfo].model_id, found[cfo].probability, found[cfo].scored_at) == (first, 0.75, NOW)


@pytest.mark.storage
@pytest.mark.parametrize("stage_from", [2, 1_000])
def test_a_probability_that_is_not_a_number_is_refused_and_nothing_is_written(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, stage_from: int
) -> None:
    monkeypatch.setattr(store, "STAGE_FROM", stage_from)
    with engine.connect() as connection:
        ids = build_world(connection)
        version = _version(connection)
        connection.commit()
        rows = [(ids["ceo@acme.fi"], 0.5, []), (ids["ops@acme.fi"], math.nan, [])]
        with pytest.raises((ValueError, DBAPIError)) as refused, connection.begin():
            store.write_predictions(connection, version, rows, now=NOW)
        if engine.dialect.name == "postgresql" and stage_from == 2:  # the staged rows
            assert (
                str(refused.value)
                == f"contact {ids['ops@acme.fi']}: probability nan is not a number"
            )
        assert store.prediction_count(connection, version) == 0
