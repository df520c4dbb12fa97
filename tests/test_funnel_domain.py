"""The funnel, journeys and cost-per-lead arithmetic on fixed histories, no database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from silverplatter.domain.channel_costs import (
    CostError,
    cost_per_lead,
    parse_amount,
    parse_month,
)
from silverplatter.domain.funnel import (
    ContactHistory,
    FunnelError,
    Move,
    check_grouping,
    completed_stays,
    funnel_row,
    furthest_stage,
    nearest_rank,
    summarise,
    tally_of,
)
from silverplatter.domain.journeys import collapse, journeys, merge_paths, parse_path

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def history(contact_id: int, current: str, *steps: tuple[str, float]) -> ContactHistory:
    moves, stage = [], "subscriber"
    for target, days in steps:
        moves.append(Move(stage, target, at(days)))
        stage = target
    return ContactHistory(contact_id, current, tuple(moves))


HISTORIES = (
    history(
        1, "customer", ("lead", 0), ("mql", 2.5), ("sql", 9), ("opportunity", 20), ("customer", 50)
    ),
    history(2, "recycled", ("lead", 1), ("mql", 3), ("recycled", 10)),
    history(3, "sql", ("lead", 0), ("sql", 0.5)),
    history(4, "subscriber"),
    history(5, "mql"),
    history(6, "disqualified", ("lead", 0), ("disqualified", 30)),
)  # fmt: skip


def test_furthest_stage_counts_skips_and_the_current_stage() -> None:
    assert [furthest_stage(h) for h in HISTORIES] == ["customer", "mql", "sql", None, "mql", "lead"]


def test_completed_stays_in_whole_days() -> None:
    assert completed_stays(HISTORIES[0]) == [
        ("lead", 2),
        ("mql", 6),
        ("sql", 11),
        ("opportunity", 30),
    ]
    assert completed_stays(HISTORIES[2]) == [("lead", 0)]


def test_nearest_rank() -> None:
    assert nearest_rank({}, 0.5) is None
    assert nearest_rank({4: 1}, 0.75) == 4
    lengths = Counter({2: 2, 4: 1, 5: 2, 10: 1})  # 2 2 4 5 5 10
    assert nearest_rank(lengths, 0.5) == 4
    assert nearest_rank(lengths, 0.75) == 5
    assert nearest_rank(lengths, 1.0) == 10


def test_funnel_row_reach_rates_exits_and_times() -> None:
    row = funnel_row("all", tally_of(HISTORIES))
    assert row.contacts == 6
    assert [s.reached for s in row.steps] == [5, 4, 2, 1, 1, 1]
    assert [s.advanced for s in row.steps] == [4, 2, 1, 1, 1, 0]
    assert [s.rate for s in row.steps] == [0.8, 0.5, 0.5, 1.0, 1.0, None]
    assert row.step("mql").recycled == 1
    assert row.step("lead").disqualified == 1
    # lead stays: 2 (1), 2 (2), 0 (3), 30 (6) → 0 2 2 30
    assert (row.step("lead").stays, row.step("lead").median_days, row.step("lead").p75_days) == (
        4,
        2,
        2,
    )
    assert (row.step("mql").median_days, row.step("mql").p75_days) == (6, 7)
    assert row.step("sal").median_days is None
    assert row.overall_rate == 1 / 5


def test_summarise_groups() -> None:
    groups = summarise(HISTORIES, lambda h: "odd" if h.contact_id % 2 else "even")
    assert {key: tally.contacts for key, tally in groups.items()} == {"odd": 3, "even": 3}
    assert funnel_row("odd", groups["odd"]).steps[0].reached == 3


def test_check_grouping() -> None:
    assert check_grouping("tier") == "tier"
    with pytest.raises(FunnelError, match="group"):
        check_grouping("size")


def test_paths_collapse_repeats() -> None:
    assert collapse(["lead", "lead", "mql", "mql", "lead"]) == ("lead", "mql", "lead")
    assert parse_path("subscriber>lead>lead>mql") == ("subscriber", "lead", "mql")
    merged = merge_paths([("subscriber>lead", 3), ("subscriber>lead>lead", 2), ("lead", 9)])
    assert merged == Counter({("subscriber", "lead"): 5})


def test_journeys_top_edges_and_flows() -> None:
    paths = {
        ("subscriber", "lead", "mql"): 6,
        ("subscriber", "lead"): 3,
        ("subscriber", "lead", "mql", "lead", "mql"): 1,
    }
    found = journeys(paths, never_moved=4, top=2, flow_steps=3)
    assert (found.contacts, found.never_moved, found.distinct_paths) == (10, 4, 3)
    assert [(p.stages, p.contacts, p.share) for p in found.top] == [
        (("subscriber", "lead", "mql"), 6, 0.6),
        (("subscriber", "lead"), 3, 0.3),
    ]
    assert [(e.from_stage, e.to_stage, e.moves, e.contacts) for e in found.edges] == [
        ("subscriber", "lead", 10, 10),
        ("lead", "mql", 8, 7),
        ("mql", "lead", 1, 1),
    ]
    assert [(f.step, f.from_stage, f.to_stage, f.contacts) for f in found.flows] == [
        (0, "subscriber", "lead", 10),
        (1, "lead", "mql", 7),
        (2, "mql", "lead", 1),
    ]


def test_cost_per_lead() -> None:
    months, channels = cost_per_lead(
        {("email", "2026-01"): Decimal("100.00"), ("email", "2026-02"): Decimal("50.00")},
        {("email", "2026-01"): 3, ("web", "2026-01"): 2, ("email", "2026-03"): 4},
        {("email", "2026-01"): 1},
    )
    assert [(r.channel, r.month, r.cost, r.per_mql, r.per_sql) for r in months] == [
        ("email", "2026-01", Decimal("100.00"), Decimal("33.33"), Decimal("100.00")),
        ("web", "2026-01", None, None, None),
        ("email", "2026-02", Decimal("50.00"), None, None),
        ("email", "2026-03", None, None, None),
    ]
    assert [(r.channel, r.cost, r.mqls, r.per_mql) for r in channels] == [
        ("email", Decimal("150.00"), 7, Decimal("50.00")),
        ("web", None, 2, None),
    ]


def test_money_and_months_are_checked() -> None:
    assert parse_amount("1200,5") == Decimal("1200.50")
    assert parse_month("2026-02").isoformat() == "2026-02-01"
    for bad in ("abc", "-3", "1.001", "NaN"):
        with pytest.raises(CostError, match="amount"):
            parse_amount(bad)
    for bad_month in ("2026-2", "2026-00", "Feb"):
        with pytest.raises(CostError, match="month"):
            parse_month(bad_month)
