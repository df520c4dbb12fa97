"""The backward plan on fixed inputs: exact deals, needs, lead months, ranges and the
service level; the Wilson interval; the run-rate projection and its status."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from silverplatter.domain.planning import (
    STEPS,
    Need,
    PlanInputs,
    PlanInvalid,
    Rate,
    compute_plan,
    lead_months,
    median,
    plan_months_record,
    project,
    quarter_to_months,
    status_of,
    wilson_interval,
)

RATES = {
    "address_to_mql": Rate.measured(50, 1000),
    "mql_to_sql": Rate.measured(30, 100),
    "sql_to_opportunity": Rate.measured(20, 40),
    "opportunity_to_won": Rate.measured(10, 40),
}
DURATIONS = {
    "address_to_mql": 45.0,
    "mql_to_sql": 30.0,
    "sql_to_opportunity": 14.0,
    "opportunity_to_won": 60.0,
}


def _inputs(**changes: object) -> PlanInputs:
    values: dict[str, object] = {
        "starts_on": date(2026, 6, 1),
        "revenue_targets": (100_000.0, 100_000.0, 100_000.0),
        "average_deal_size": 25_000.0,
        "rates": RATES,
        "durations": DURATIONS,
    }
    values.update(changes)
    return PlanInputs(**values)  # type: ignore[arg-type]


def _row(plan: object, month: date) -> dict[str, tuple[int, int, int | None]]:
    found = plan.month(month)  # type: ignore[attr-defined]
    assert found is not None
    return {k: (v.expected, v.low, v.high) for k, v in found.needs.items()}


def test_wilson_interval_at_80_percent() -> None:
    low, high = wilson_interval(10, 40)
    assert (round(low, 5), round(high, 5)) == (0.1733, 0.34642)
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert Rate(0.2).interval() == (0.2, 0.2)


def test_lead_months_round_cumulative_days_to_whole_months() -> None:
    # 60 days → 2 months; 74 → 2.43 → 2; 104 → 3.42 → 3; 149 → 4.90 → 5.
    assert lead_months(DURATIONS) == {
        "deals": 0,
        "opportunities": 2,
        "sqls": 2,
        "mqls": 3,
        "addresses": 5,
    }


def test_the_plan_places_each_need_in_the_month_it_must_arrive() -> None:
    plan = compute_plan(_inputs())
    # 4 deals a month (100 000 / 25 000); 16 opportunities (÷ 0.25); 32 SQLs (÷ 0.5);
    # 106.67 MQLs (÷ 0.3) rounded on the running total: 107, 107, 106;
    # 2133.33 addresses (÷ 0.05): 2134, 2133, 2133.
    assert [m.month.isoformat() for m in plan.months] == [
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
        "2026-04-01",
        "2026-05-01",
        "2026-06-01",
        "2026-07-01",
        "2026-08-01",
    ]
    assert [m.lead_in for m in plan.months] == [True] * 5 + [False] * 3
    assert _row(plan, date(2026, 1, 1))["addresses"] == (2134, 895, 5617)
    assert _row(plan, date(2026, 3, 1)) == {
        "deals": (0, 0, 0),
        "opportunities": (0, 0, 0),
        "sqls": (0, 0, 0),
        "mqls": (107, 54, 236),
        "addresses": (2133, 894, 5616),
    }
    # June's deals need their opportunities and SQLs by April.
    assert _row(plan, date(2026, 4, 1)) == {
        "deals": (0, 0, 0),
        "opportunities": (16, 12, 24),
        "sqls": (32, 20, 58),
        "mqls": (107, 53, 235),
        "addresses": (0, 0, 0),
    }
    assert _row(plan, date(2026, 6, 1)) == {
        "deals": (4, 4, 4),
        "opportunities": (16, 11, 23),
        "sqls": (32, 19, 57),
        "mqls": (0, 0, 0),
        "addresses": (0, 0, 0),
    }
    assert plan.totals == {
        "deals": Need(12, 12, 12),
        "opportunities": Need(48, 35, 70),
        "sqls": Need(96, 58, 173),
        "mqls": Need(320, 160, 706),
        "addresses": Need(6400, 2683, 16849),
    }
    assert (plan.sla_sqls_per_month, plan.sla_mqls_per_month) == (32, 107)
    assert plan.notes == ()
    record = plan_months_record(plan)
    assert record[5] == {
        "month": "2026-06-01",
        "lead_in": False,
        "revenue": 100_000.0,
        "deals": {"expected": 4, "low": 4, "high": 4},
        "opportunities": {"expected": 16, "low": 11, "high": 23},
        "sqls": {"expected": 32, "low": 19, "high": 57},
        "mqls": {"expected": 0, "low": 0, "high": 0},
        "addresses": {"expected": 0, "low": 0, "high": 0},
    }


def test_a_quarter_target_is_spread_and_deals_round_on_the_running_total() -> None:
    # 300 000 a quarter at 40 000 a deal is 7.5 deals → 8, not 3 + 3 + 3.
    months = quarter_to_months([300_000.0])
    assert months == (100_000.0, 100_000.0, 100_000.0)
    plan = compute_plan(_inputs(revenue_targets=months, average_deal_size=40_000.0))
    assert [m.needs["deals"].expected for m in plan.months if not m.lead_in] == [3, 2, 3]
    assert plan.totals["deals"] == Need(8, 8, 8)


def test_rates_set_by_hand_have_no_range_and_no_conversion_seen_is_unbounded() -> None:
    hand = {step: Rate(0.5) for step in STEPS}
    plan = compute_plan(_inputs(rates=hand, durations=dict.fromkeys(STEPS, 0.0)))
    assert [m.month for m in plan.months] == [date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1)]
    assert _row(plan, date(2026, 6, 1)) == {
        "deals": (4, 4, 4),
        "opportunities": (8, 8, 8),
        "sqls": (16, 16, 16),
        "mqls": (32, 32, 32),
        "addresses": (64, 64, 64),
    }
    thin = {**hand, "mql_to_sql": Rate(0.5, 0, 3)}  # a hand value over a thin, zero history
    plan = compute_plan(_inputs(rates=thin, durations=dict.fromkeys(STEPS, 0.0)))
    assert plan.totals["sqls"].high == 48
    assert plan.totals["mqls"].high is None
    assert plan.totals["addresses"].high is None
    assert plan.notes == ("MQL → SQL: measured from only 3 trials",)


def test_bad_inputs_are_named_field_by_field() -> None:
    with pytest.raises(PlanInvalid) as caught:
        compute_plan(
            _inputs(
                starts_on=date(2026, 6, 2),
                revenue_targets=(100.0, -1.0),
                average_deal_size=0.0,
                rates={**RATES, "mql_to_sql": Rate(0.0)},
                durations={k: v for k, v in DURATIONS.items() if k != "address_to_mql"},
            )
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("starts_on", "expected the first day of a month"),
        ("revenue_targets[1]", "expected an amount of 0 or more"),
        ("average_deal_size", "expected an amount above 0"),
        ("durations.address_to_mql", "required"),
        (
            "rates.mql_to_sql",
            "expected a rate above 0 % and at most 100 % "
            "(with no conversions, no number of leads is enough)",
        ),
    ]
    with pytest.raises(PlanInvalid, match="revenue_targets: expected a target above 0"):
        compute_plan(_inputs(revenue_targets=(0.0,)))


def test_median() -> None:
    assert median([]) is None
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 2.0, 3.0]) == 2.5


def test_projection_by_run_rate_and_status() -> None:
    # 10 SQLs in the first 10 days of a 30-day month → 30 by its end.
    now = datetime(2026, 6, 11, tzinfo=UTC)
    found = project(10, 32, period_start=date(2026, 6, 1), period_end=date(2026, 7, 1), now=now)
    assert (found.actual, found.projected, found.target, found.status) == (10, 30, 32, "on track")
    behind = project(5, 32, period_start=date(2026, 6, 1), period_end=date(2026, 7, 1), now=now)
    assert (behind.projected, behind.status) == (15, "behind")
    quarter = project(
        40, 96, period_start=date(2026, 4, 1), period_end=date(2026, 7, 1), now=now
    )  # 71 of 91 days
    assert (quarter.projected, quarter.status) == (51, "behind")
    start = project(3, 0, period_start=date(2026, 6, 1), period_end=date(2026, 7, 1), now=now)
    assert start.status == "on track"
    assert [status_of(28.8, 32), status_of(28.7, 32), status_of(35.2, 32)] == [
        "on track",
        "behind",
        "ahead",
    ]


def test_a_plan_needing_billions_a_month_is_refused() -> None:
    tiny = {step: Rate(0.0001) for step in STEPS}
    with pytest.raises(PlanInvalid, match="revenue_targets: the plan would need more than"):
        compute_plan(_inputs(rates=tiny))
