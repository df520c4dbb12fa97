"""Funnel, journeys and cost per MQL/SQL on the fixed world of ``analytics_world.py``,
on SQLite and PostgreSQL: exact counts, rates and medians."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from analytics_world import MOVES, NOW, PEOPLE, build_analytics_world
from silverplatter.domain.channel_costs import CostError
from silverplatter.domain.funnel import (
    FUNNEL,
    ContactHistory,
    FunnelError,
    FunnelRow,
    Move,
    funnel_row,
    summarise,
)
from silverplatter.services.audit import Actor
from silverplatter.services.channel_costs import (
    cost_report,
    delete_channel_cost,
    list_channel_costs,
    save_channel_cost,
)
from silverplatter.services.funnel import Period, funnel_report, journey_report


def reached(row: FunnelRow) -> list[int]:
    return [step.reached for step in row.steps]


def by_key(engine: Engine, grouping: str, **options: object) -> dict[str, FunnelRow]:
    with engine.connect() as connection:
        report = funnel_report(connection, grouping, **options)  # type: ignore[arg-type]
    return {row.key: row for row in report.rows}


def test_the_whole_funnel(engine: Engine) -> None:
    build_analytics_world(engine)
    with engine.connect() as connection:
        report = funnel_report(connection, "cohort")
    total = report.total
    assert total.contacts == 7
    assert reached(total) == [6, 6, 2, 1, 1, 1]
    assert [step.rate for step in total.steps] == [1.0, 2 / 6, 0.5, 1.0, 1.0, None]
    assert total.step("mql").recycled == 1
    assert total.step("sql").disqualified == 1
    assert sum(step.recycled + step.disqualified for step in total.steps) == 2
    times = [(step.stays, step.median_days, step.p75_days) for step in total.steps]
    assert times == [(6, 4, 5), (3, 10, 15), (2, 1, 3), (1, 10, 10), (1, 30, 30), (0, None, None)]
    assert total.overall_rate == 1 / 6


def test_by_cohort(engine: Engine) -> None:
    build_analytics_world(engine)
    rows = by_key(engine, "cohort")
    assert list(rows) == ["2026-01", "2026-02", "2026-03"]
    assert [rows[k].contacts for k in rows] == [2, 3, 2]
    assert reached(rows["2026-01"]) == [2, 2, 1, 1, 1, 1]
    assert reached(rows["2026-02"]) == [2, 2, 1, 0, 0, 0]
    assert reached(rows["2026-03"]) == [2, 2, 0, 0, 0, 0]
    january = rows["2026-01"]
    assert january.step("mql").rate == 0.5
    # lead stays 4 (c1) and 10, 5 (c2); mql stays 10 (c1), 10 and 15 (c2)
    assert (january.step("lead").median_days, january.step("lead").p75_days) == (5, 10)
    assert (january.step("mql").median_days, january.step("mql").p75_days) == (10, 15)
    assert rows["2026-02"].step("sql").median_days == 3
    assert rows["2026-03"].step("lead").median_days == 2


def test_by_source_channel_tier_segment_and_form(engine: Engine) -> None:
    build_analytics_world(engine)
    source = by_key(engine, "source")
    assert list(source) == ["form:guide", "api", "import:hubspot"]
    assert reached(source["form:guide"]) == [3, 3, 2, 1, 1, 1]
    assert reached(source["api"]) == [1, 1, 0, 0, 0, 0]
    assert reached(source["import:hubspot"]) == [2, 2, 0, 0, 0, 0]

    channel = by_key(engine, "channel")
    assert {k: r.contacts for k, r in channel.items()} == {
        "email": 2,
        "paid_search": 2,
        "(no tracked touch)": 1,
        "organic_search": 1,
        "web": 1,
    }
    assert reached(channel["paid_search"]) == [2, 2, 2, 1, 1, 1]
    assert channel["paid_search"].step("mql").rate == 1.0
    assert channel["paid_search"].step("sql").median_days == 1

    tier = by_key(engine, "tier")
    assert {k: r.contacts for k, r in tier.items()} == {
        "(no account)": 2,
        "gold": 2,
        "silver": 2,
        "unclassified": 1,
    }
    assert reached(tier["gold"]) == [2, 2, 2, 1, 1, 1]
    assert reached(tier["(no account)"]) == [1, 1, 0, 0, 0, 0]

    segment = by_key(engine, "segment")
    assert {k: r.contacts for k, r in segment.items()} == {
        "(no segment)": 3,
        "cost": 2,
        "growth": 2,
    }
    assert segment["cost"].step("mql").recycled == 1

    form = by_key(engine, "form")
    assert {k: r.contacts for k, r in form.items()} == {
        "guide": 4,
        "(no form)": 2,
        "webinar": 1,
    }
    assert reached(form["guide"]) == [4, 4, 2, 1, 1, 1]


def test_period_and_own_records(engine: Engine) -> None:
    ids = build_analytics_world(engine)
    february = by_key(engine, "cohort", period=Period(date(2026, 2, 1), date(2026, 2, 28)))
    assert list(february) == ["2026-02"]
    assert reached(february["2026-02"]) == [2, 2, 1, 0, 0, 0]
    mine = by_key(engine, "tier", role="sales", user_id=ids["seller"])
    assert {k: r.contacts for k, r in mine.items()} == {"gold": 2, "silver": 1}
    everyone = by_key(engine, "tier", role="marketing", user_id=ids["marketer"])
    assert sum(row.contacts for row in everyone.values()) == 7


def test_bad_grouping_is_refused(engine: Engine) -> None:
    build_analytics_world(engine)
    with engine.connect() as connection, pytest.raises(FunnelError) as raised:
        funnel_report(connection, "colour")
    assert raised.value.field == "group"


def test_journeys(engine: Engine) -> None:
    ids = build_analytics_world(engine)
    with engine.connect() as connection:
        report = journey_report(connection).journeys
        mine = journey_report(connection, role="sales", user_id=ids["seller"]).journeys
    assert (report.contacts, report.never_moved, report.distinct_paths) == (5, 2, 4)
    assert [(p.stages, p.contacts, p.share) for p in report.top] == [
        (("subscriber", "lead", "mql"), 2, 0.4),
        (("subscriber", "lead", "sql", "disqualified"), 1, 0.2),
        (("subscriber", "lead", "mql", "lead", "mql", "recycled"), 1, 0.2),
        (("subscriber", "lead", "mql", "sql", "sal", "opportunity", "customer"), 1, 0.2),
    ]
    edges = {(e.from_stage, e.to_stage): (e.moves, e.contacts) for e in report.edges}
    assert edges[("subscriber", "lead")] == (5, 5)
    assert edges[("lead", "mql")] == (5, 4)
    assert edges[("mql", "lead")] == (1, 1)
    assert edges[("lead", "sql")] == (1, 1)
    assert len(edges) == 10
    first = {(f.from_stage, f.to_stage): f.contacts for f in report.flows if f.step == 1}
    assert first == {("lead", "mql"): 4, ("lead", "sql"): 1}
    assert (mine.contacts, mine.never_moved) == (3, 0)


def test_cost_per_mql_and_sql(engine: Engine) -> None:
    build_analytics_world(engine)
    actor = Actor(None)
    with engine.begin() as connection:
        for channel, month, amount in (
            ("paid_search", "2026-01", "500"),
            ("paid_search", "2026-02", "300.00"),
            ("email", "2026-01", "100"),
            ("display", "2026-02", "250.5"),
        ):
            save_channel_cost(
                connection, channel=channel, month=month, amount=amount, actor=actor, now=NOW
            )
    with engine.connect() as connection:
        report = cost_report(connection)
    rows = {
        (r.channel, r.month): (r.cost, r.mqls, r.sqls, r.per_mql, r.per_sql) for r in report.months
    }
    assert rows == {
        ("email", "2026-01"): (Decimal("100.00"), 1, 0, Decimal("100.00"), None),
        ("paid_search", "2026-01"): (Decimal("500.00"), 1, 1, Decimal("500.00"), Decimal("500.00")),
        ("display", "2026-02"): (Decimal("250.50"), 0, 0, None, None),
        ("paid_search", "2026-02"): (Decimal("300.00"), 1, 1, Decimal("300.00"), Decimal("300.00")),
        ("email", "2026-03"): (None, 1, 0, None, None),
        ("organic_search", "2026-03"): (None, 1, 0, None, None),
    }
    channels = {r.channel: (r.cost, r.mqls, r.sqls, r.per_mql) for r in report.channels}
    assert channels["paid_search"] == (Decimal("800.00"), 2, 2, Decimal("400.00"))
    # email has no cost for March: its total divides January's cost by January's MQL
    assert channels["email"] == (Decimal("100.00"), 2, 0, Decimal("100.00"))
    with engine.connect() as connection:
        march = cost_report(connection, period=Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert [(r.channel, r.mqls) for r in march.months] == [("email", 1), ("organic_search", 1)]


def test_costs_are_replaced_deleted_and_checked(engine: Engine) -> None:
    build_analytics_world(engine)
    actor = Actor(None)
    with engine.begin() as connection:
        first = save_channel_cost(
            connection, channel="email", month="2026-01", amount="100", actor=actor, now=NOW
        )
        again = save_channel_cost(
            connection, channel="email", month=date(2026, 1, 17), amount="120.5",
            note="newsletter tool", actor=actor, now=NOW,
        )  # fmt: skip
        assert again.id == first.id
        assert [(c.channel, c.month, c.amount, c.note) for c in list_channel_costs(connection)] == [
            ("email", date(2026, 1, 1), Decimal("120.50"), "newsletter tool")
        ]
        for field, options in (
            ("channel", {"channel": "carrier pigeon"}),
            ("month", {"month": "2026-13"}),
            ("amount", {"amount": "-1"}),
            ("amount", {"amount": "1.234"}),
            ("currency", {"currency": "USD"}),
        ):
            values: dict[str, object] = {"channel": "email", "month": "2026-02", "amount": "1"}
            values |= options
            with pytest.raises(CostError) as raised:
                save_channel_cost(connection, **values, actor=actor, now=NOW)  # type: ignore[arg-type]
            assert raised.value.field == field
        delete_channel_cost(connection, first.id, actor=actor, now=NOW)
        assert list_channel_costs(connection) == []
        with pytest.raises(CostError) as missing:
            delete_channel_cost(connection, first.id, actor=actor, now=NOW)
        assert missing.value.field == "id"


def test_funnel_stages_are_the_domain_order() -> None:
    assert FUNNEL == ("lead", "mql", "sql", "sal", "opportunity", "customer")


def test_the_database_agrees_with_the_reference(engine: Engine) -> None:
    """``domain.funnel.summarise`` over the world's histories gives the same rows."""
    ids = build_analytics_world(engine)
    histories = []
    for name, (_created, _source, _account, stage) in PEOPLE.items():
        moves, before = [], "subscriber"
        for target, at in MOVES.get(name, []):
            moves.append(Move(before, target, at))
            before = target
        histories.append(ContactHistory(ids[name], stage, tuple(moves)))
    cohorts = {ids[name]: f"{created:%Y-%m}" for name, (created, *_rest) in PEOPLE.items()}
    reference = {
        key: funnel_row(key, tally)
        for key, tally in summarise(histories, lambda h: cohorts[h.contact_id]).items()
    }
    assert by_key(engine, "cohort") == reference
