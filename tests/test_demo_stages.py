"""The demo world's stage history: moves at the time of their causes, enough to plan from."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, select

from silverplatter.domain.planning import THIN_TRIALS
from silverplatter.services.demo import generate_demo
from silverplatter.services.planning_history import measure
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.marketing_plans import MQL_OR_ABOVE
from silverplatter.storage.schema import contacts

NOW = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def _moves(connection: Connection) -> list[tuple[int, str, str, str, str, datetime]]:
    t = stage_transitions.c
    query = select(
        t.contact_id, t.from_stage, t.to_stage, t.transition, t.actor, t.occurred_at
    ).order_by(t.contact_id, t.occurred_at, t.id)
    return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]


@pytest.fixture
def demo(engine: Engine) -> Engine:
    generate_demo(engine, contacts=2000, seed=1, now=NOW)
    return engine


def test_moves_carry_the_times_of_their_causes_and_chain_up_to_the_stage(demo: Engine) -> None:
    with demo.connect() as connection:
        moves = _moves(connection)
        stages = {
            row.id: (row.lifecycle_stage, row.created_at)
            for row in connection.execute(
                select(contacts.c.id, contacts.c.lifecycle_stage, contacts.c.created_at)
            )
        }
    at_now = [move for move in moves if move[5] == NOW]
    # only the recompute at the end moves anyone at ``now``, and hardly anyone
    assert len(at_now) == 2
    assert len(moves) == 2_369
    last: dict[int, str] = {}
    for contact_id, origin, target, _, _, occurred_at in moves:
        assert origin == last.get(contact_id, "subscriber"), contact_id
        assert stages[contact_id][1] <= occurred_at <= NOW
        last[contact_id] = target
    for contact_id, (stage, _) in stages.items():
        assert last.get(contact_id, "subscriber") == stage, contact_id
    assert Counter(move[4] for move in moves) == {"rule": 1_981, "user": 388}
    assert Counter(stage for stage, _ in stages.values()) == {
        "lead": 1_706,
        "subscriber": 185,
        "recycled": 43,
        "customer": 32,
        "disqualified": 15,
        "opportunity": 11,
        "mql": 3,
        "sal": 3,
        "sql": 2,
    }


def test_the_history_spreads_over_the_months_before_now(demo: Engine) -> None:
    with demo.connect() as connection:
        moves = _moves(connection)
    first_mql: dict[int, datetime] = {}
    for contact_id, _, target, _, _, occurred_at in moves:
        if target in MQL_OR_ABOVE:
            first_mql.setdefault(contact_id, occurred_at)
    cohorts = Counter(f"{moment:%Y-%m}" for moment in first_mql.values())
    last_24 = {month for month in cohorts if month >= "2024-11"}
    assert len(last_24) == 24
    assert len(cohorts) == 38
    assert min(cohorts.values()) >= 1
    assert sum(cohorts.values()) == 137


def test_planning_measures_every_step_from_the_demo(demo: Engine) -> None:
    with demo.connect() as connection:
        measured = measure(connection, now=NOW)
    found = {
        step: (value.successes, value.trials, value.median_days)
        for step, value in measured.steps.items()
    }
    assert all(trials >= THIN_TRIALS for _, trials, _ in found.values())
    assert {step: counts[:2] for step, counts in found.items()} == {
        "address_to_mql": (37, 851),
        "mql_to_sql": (65, 80),
        "sql_to_opportunity": (34, 68),
        "opportunity_to_won": (10, 30),
    }
    assert found["sql_to_opportunity"][2] == pytest.approx(5.6, abs=0.1)
    assert found["opportunity_to_won"][2] == pytest.approx(70.2, abs=0.1)
