"""Planning on a fixed history (``planning_world``), on SQLite and PostgreSQL: the
measured rates and durations, a plan's months and service level, overrides, errors
naming fields, activation, deletion, the audit trail and the service-level dashboard."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from planning_world import NOW, build_planning_world
from silverplatter.domain.planning import PlanInvalid
from silverplatter.services.audit import Actor
from silverplatter.services.planning import (
    PlanRecord,
    activate_plan,
    active_plan,
    create_plan,
    delete_plan,
    list_plans,
    plan_csv,
    update_plan,
)
from silverplatter.services.planning_history import measure
from silverplatter.services.planning_sla import sla_dashboard
from silverplatter.storage.access_schema import audit_log

ACTOR = Actor(None)
FIELDS = {
    "name": "H2 growth",
    "starts_on": "2026-06",
    "period": "month",
    "periods": "3",
    "target": "60000",
}


def test_rates_and_durations_are_measured_from_the_history(engine: Engine) -> None:
    build_planning_world(engine)
    with engine.connect() as connection:
        found = measure(connection, now=NOW)
    assert found.since.isoformat() == "2025-03-02T09:00:00+00:00"
    counted = {
        step: (m.successes, m.trials, m.median_days, m.thin) for step, m in found.steps.items()
    }
    assert counted == {
        "address_to_mql": (11, 40, 20.0, False),
        "mql_to_sql": (7, 18, 30.0, True),
        "sql_to_opportunity": (2, 7, 21.0, True),
        "opportunity_to_won": (3, 4, 61.0, True),
    }
    assert found.won_deals == 3
    assert found.average_won_amount == 30_000.0
    low, high = found.steps["opportunity_to_won"].low, found.steps["opportunity_to_won"].high
    assert (round(low, 4), round(high, 4)) == (0.4325, 0.9219)
    with engine.connect() as connection:
        short = measure(connection, now=NOW, lookback_months=1)
    assert {step: (m.successes, m.trials) for step, m in short.steps.items()} == {
        "address_to_mql": (0, 0),
        "mql_to_sql": (1, 2),
        "sql_to_opportunity": (0, 1),
        "opportunity_to_won": (0, 0),  # the last won deal closed 2026-02-01, a day before
    }


def test_a_plan_is_computed_stored_activated_and_deleted(engine: Engine) -> None:
    build_planning_world(engine)
    with engine.begin() as connection:
        made = create_plan(connection, FIELDS, actor=ACTOR, now=NOW)
    # 2 deals a month (60 000 / 30 000 measured); opportunities ÷ 0.75; SQLs ÷ 2/7;
    # MQLs ÷ 7/18 = 24 a month; addresses ÷ 0.275.  Lead times 61, 82, 112 and
    # 132 days → 2, 3, 4 and 4 months.
    assert (made.sla_sqls_per_month, made.sla_mqls_per_month) == (10, 24)
    assert made.months_count == 3
    assert made.revenue_target == 180_000
    assert made.average_deal_size == 30_000
    assert made.inputs["lead_months"] == {
        "deals": 0,
        "opportunities": 2,
        "sqls": 3,
        "mqls": 4,
        "addresses": 4,
    }
    assert made.inputs["totals"]["sqls"] == {"expected": 28, "low": 13, "high": 111}
    assert made.inputs["overridden"] == {
        "rates": {},
        "durations": {},
        "average_deal_size": False,
    }
    assert made.inputs["notes"] == [
        "MQL → SQL: measured from only 18 trials",
        "SQL → opportunity: measured from only 7 trials",
        "Opportunity → won: measured from only 4 trials",
    ]
    by_month = {m["month"]: m for m in made.months}
    assert next(iter(by_month)) == "2026-02-01"
    assert by_month["2026-02-01"]["mqls"]["expected"] == 24
    assert by_month["2026-02-01"]["addresses"]["expected"] == 88
    assert by_month["2026-03-01"]["sqls"]["expected"] == 10
    assert by_month["2026-04-01"]["opportunities"]["expected"] == 3
    assert by_month["2026-06-01"]["deals"] == {"expected": 2, "low": 2, "high": 2}
    csv_text = plan_csv(made)
    assert csv_text.splitlines()[0].startswith("month,lead_in,revenue,deals,deals_low")
    assert "2026-06,no,60000.00,2,2,2,2,2,4,0,0,0,0,0,0,0,0,0" in csv_text.splitlines()

    with engine.begin() as connection:
        assert active_plan(connection) is None
        activate_plan(connection, made.id, actor=ACTOR, now=NOW)
        other = create_plan(
            connection,
            {**FIELDS, "name": "By hand", "rates.mql_to_sql": "50", "durations.mql_to_sql": "10"},
            actor=ACTOR,
            now=NOW,
        )
        activate_plan(connection, other.id, actor=ACTOR, now=NOW)
        found = active_plan(connection)
        assert found is not None and found.id == other.id
        assert [(p.name, p.active) for p in list_plans(connection)] == [
            ("By hand", True),
            ("H2 growth", False),
        ]
    assert other.inputs["overridden"]["rates"] == {"mql_to_sql": 0.5}
    assert other.inputs["used"]["rates"]["mql_to_sql"] == 0.5
    assert other.inputs["measured"]["steps"]["mql_to_sql"]["trials"] == 18
    # MQLs = SQLs ÷ 0.5: 28 SQLs → 56 MQLs → 19 a month.
    assert (other.sla_sqls_per_month, other.sla_mqls_per_month) == (10, 19)

    with engine.begin() as connection:
        changed = update_plan(
            connection,
            made.id,
            {**FIELDS, "period": "quarter", "periods": "1", "target": "300000"},
            actor=ACTOR,
            now=NOW,
        )
        assert changed.months_count == 3
        assert [m["deals"]["expected"] for m in changed.months if not m["lead_in"]] == [4, 3, 3]
        delete_plan(connection, other.id, actor=ACTOR, now=NOW)
        assert active_plan(connection) is None
        actions = list(
            connection.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars()
        )
    assert actions == [
        "plan.created",
        "plan.activated",
        "plan.created",
        "plan.activated",
        "plan.changed",
        "plan.deleted",
    ]


def test_bad_fields_and_missing_history_are_named(engine: Engine) -> None:
    with engine.begin() as connection, pytest.raises(PlanInvalid) as caught:
        create_plan(
            connection,
            {"starts_on": "2026-13", "period": "quarter", "periods": "13", "target": "lots"},
            actor=ACTOR,
            now=NOW,
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("name", "required: what the plan is called"),
        ("starts_on", "expected a month as YYYY-MM, not '2026-13'"),
        ("periods", "expected 1 to 12 whole quarters"),
        ("target", "expected an amount of revenue, not 'lots'"),
    ]
    with engine.begin() as connection, pytest.raises(PlanInvalid) as caught:
        create_plan(
            connection,
            {**FIELDS, "target": "2e12", "average_deal_size": "0", "rates.mql_to_sql": "0.001"},
            actor=ACTOR,
            now=NOW,
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("target", "expected an amount above 0, at most 1,000,000,000,000"),
        ("average_deal_size", "expected an amount above 0, at most 1,000,000,000,000"),
        ("rates.mql_to_sql", "expected a percentage from 0.01 to 100"),
    ]
    # An empty workspace has no history: every rate, duration and the deal size are asked for.
    with engine.begin() as connection, pytest.raises(PlanInvalid) as caught:
        create_plan(connection, {**FIELDS, "durations.mql_to_sql": "12"}, actor=ACTOR, now=NOW)
    assert [e.field for e in caught.value.errors] == [
        "rates.address_to_mql",
        "durations.address_to_mql",
        "rates.mql_to_sql",
        "rates.sql_to_opportunity",
        "durations.sql_to_opportunity",
        "rates.opportunity_to_won",
        "durations.opportunity_to_won",
        "average_deal_size",
    ]
    assert caught.value.errors[0].message == (
        "New address → MQL: the history shows 0 of 0, too little to plan with; enter a rate"
    )
    everything = {
        **FIELDS,
        "average_deal_size": "10000",
        **{f"rates.{s}": "25" for s in ("address_to_mql", "mql_to_sql")},
        **{f"rates.{s}": "50" for s in ("sql_to_opportunity", "opportunity_to_won")},
        **{
            f"durations.{s}": "0"
            for s in ("address_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_won")
        },
    }
    with engine.begin() as connection:
        made = create_plan(connection, everything, actor=ACTOR, now=NOW)
    # 6 deals a month → 12 opportunities → 24 SQLs → 96 MQLs.
    assert (made.sla_sqls_per_month, made.sla_mqls_per_month) == (24, 96)
    assert made.inputs["totals"]["mqls"] == {"expected": 288, "low": 288, "high": 288}


def test_the_dashboard_sets_arrivals_against_the_service_level(engine: Engine) -> None:
    build_planning_world(engine)
    with engine.connect() as connection:
        empty = sla_dashboard(connection, now=NOW)
    assert empty.plan is None and empty.month_projection == {}
    months = {(m.month, m.mqls, m.sqls) for m in empty.months if m.mqls or m.sqls}
    assert months == {
        (date(2025, 4, 1), 5, 0),
        (date(2025, 5, 1), 0, 2),
        (date(2025, 6, 1), 10, 0),
        (date(2025, 7, 1), 1, 4),
        (date(2026, 3, 1), 2, 1),
    }
    assert len(empty.months) == 12 and empty.months[-1].current
    with engine.begin() as connection:
        made = create_plan(connection, FIELDS, actor=ACTOR, now=NOW)
        activate_plan(connection, made.id, actor=ACTOR, now=NOW)
        board = sla_dashboard(connection, now=NOW)
    # 1.375 of March's 31 days gone: 2 MQLs → 45, 1 SQL → 23 (SLA 24 and 10).
    month = board.month_projection
    assert (month["mqls"].projected, month["mqls"].target, month["mqls"].status) == (
        45,
        24,
        "ahead",
    )
    assert (month["sqls"].projected, month["sqls"].target, month["sqls"].status) == (
        23,
        10,
        "ahead",
    )
    # 60.375 of the quarter's 90 days: 2 MQLs → 3 of 72; 1 SQL → 1 of 30.
    quarter = board.quarter_projection
    assert (quarter["mqls"].projected, quarter["mqls"].target, quarter["mqls"].status) == (
        3,
        72,
        "behind",
    )
    assert (quarter["sqls"].projected, quarter["sqls"].target) == (1, 30)


def test_the_csv_keeps_negative_figures_as_numbers_and_marks_formulas() -> None:
    """The plan's CSV holds figures only; whatever reaches it still goes through the one
    writer that marks formulas, and a negative figure stays a number."""
    cell = {"expected": -3, "low": -4, "high": None}
    month = {"month": "=1+1-06-01", "lead_in": True, "revenue": -12.5}
    when = datetime(2026, 6, 1, tzinfo=UTC)
    plan = PlanRecord(
        id=1,
        name="Odd",
        starts_on=when.date(),
        months_count=1,
        revenue_target=Decimal(0),
        average_deal_size=Decimal(1),
        currency="EUR",
        inputs={},
        months=[
            month | dict.fromkeys(("deals", "opportunities", "sqls", "mqls", "addresses"), cell)
        ],
        sla_sqls_per_month=0,
        sla_mqls_per_month=0,
        active=False,
        created_at=when,
        updated_at=when,
    )
    assert plan_csv(plan).splitlines()[1] == "'=1+1-06,yes,-12.50" + ",-3,-4," * 5
