"""The list KPIs on a small fixed list: exact numbers per month."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from list_world import NOW, build_list_world
from silverplatter.domain.list_kpis import Leavers, TrafficConversion, top_with_other
from silverplatter.services.list_kpis import (
    list_kpis,
    list_state,
    list_summary,
    reactions_scored,
)
from silverplatter.services.recompute import recompute
from silverplatter.services.scoring_models import active_model, save_model


def test_new_addresses_by_source_form_and_lead_magnet(engine: Engine) -> None:
    build_list_world(engine)
    with engine.connect() as connection:
        kpis = list_kpis(connection, now=NOW, months=3)
    assert [month.month.label for month in kpis.months] == ["2026-01", "2026-02", "2026-03"]
    assert [month.new_addresses for month in kpis.months] == [2, 3, 1]
    assert [month.by_source for month in kpis.months] == [
        {"form:newsletter": 1, "import:fair-2026": 1},
        {"form:newsletter": 1, "form:erp-guide": 1, "api": 1},
        {"unknown": 1},
    ]
    assert kpis.sources == (
        "form:newsletter",
        "api",
        "form:erp-guide",
        "import:fair-2026",
        "unknown",
    )
    assert [month.by_form for month in kpis.months] == [
        {"newsletter": 1},
        {"newsletter": 1, "erp-guide": 1},
        {"erp-guide": 1},
    ]
    assert [month.by_lead_magnet for month in kpis.months] == [{}, {"erp-pdf": 1}, {"erp-pdf": 1}]
    assert (kpis.forms, kpis.lead_magnets) == (("erp-guide", "newsletter"), ("erp-pdf",))


def test_leavers_per_month_by_reason(engine: Engine) -> None:
    build_list_world(engine)
    with engine.connect() as connection:
        kpis = list_kpis(connection, now=NOW, months=3)
    assert [month.leavers for month in kpis.months] == [
        Leavers(complaint=1),
        Leavers(unsubscribed=1, hard_bounce=1, manual=1),
        Leavers(unsubscribed=1, erased=1),
    ]
    assert [month.leavers.total for month in kpis.months] == [1, 3, 2]
    assert [month.net_growth for month in kpis.months] == [1, 0, -1]


@pytest.mark.parametrize("scored", [True, False])
def test_list_size_and_quality(engine: Engine, scored: bool) -> None:
    build_list_world(engine, score=scored)
    with engine.connect() as connection:
        assert reactions_scored(connection, now=NOW) is scored
        state = list_state(connection, now=NOW)
    assert (state.contacts, state.size, state.engaged) == (8, 3, 2)
    assert state.share_of_contacts == pytest.approx(3 / 8)
    assert state.quality == pytest.approx(2 / 3)


def test_owned_and_bought_traffic_and_its_conversion(engine: Engine) -> None:
    build_list_world(engine)
    with engine.connect() as connection:
        kpis = list_kpis(connection, now=NOW, months=3)
    assert [(month.owned, month.bought, month.untracked) for month in kpis.months] == [
        (TrafficConversion(2, 1, 1), TrafficConversion(0, 0, 0), 1),
        (TrafficConversion(0, 0, 0), TrafficConversion(3, 2, 1), 2),
        (TrafficConversion(1, 1, 0), TrafficConversion(0, 0, 0), 1),
    ]
    assert kpis.months[0].owned.rate == 1.0
    assert kpis.months[1].bought.rate == 0.5
    assert kpis.months[1].owned.rate is None


def test_a_later_moment_moves_the_months(engine: Engine) -> None:
    build_list_world(engine)
    with engine.connect() as connection:
        kpis = list_kpis(connection, now=datetime(2026, 4, 1, tzinfo=UTC), months=2)
    assert [(m.month.label, m.new_addresses, m.leavers.total) for m in kpis.months] == [
        ("2026-03", 1, 2),
        ("2026-04", 0, 0),
    ]
    assert kpis.this_month.month.label == "2026-04"


def test_an_empty_workspace_has_zeros(engine: Engine) -> None:
    with engine.connect() as connection:
        kpis = list_kpis(connection, now=NOW, months=1)
        assert (kpis.list.contacts, kpis.list.size, kpis.list.quality) == (0, 0, None)
    assert kpis.this_month.new_addresses == 0
    assert kpis.sources == ()


@pytest.mark.parametrize("months", [0, 37, -1])
def test_months_out_of_range_are_refused(months: int) -> None:
    with pytest.raises(ValueError, match=f"months: expected 1 to 36, got {months}"):
        list_kpis(None, now=NOW, months=months)  # type: ignore[arg-type]


def test_top_sources_with_the_rest_as_other() -> None:
    counts = {"form:a": 5, "api": 2, "import:x": 1, "unknown": 1}
    keys = ("form:a", "api", "import:x", "unknown")
    assert top_with_other(counts, keys, 2) == {"form:a": 5, "api": 2, "other": 2}
    assert top_with_other(counts, keys, 4) == counts
    with pytest.raises(ValueError, match="unknown leaver reasons: moved"):
        Leavers.of({"moved": 1})


def test_the_dashboard_summary_of_this_month(engine: Engine) -> None:
    build_list_world(engine)
    with engine.connect() as connection:
        february = list_summary(connection, now=datetime(2026, 2, 27, tzinfo=UTC))
        march = list_summary(connection, now=NOW)
    assert (february.month.label, february.new_addresses, february.leavers.total) == (
        "2026-02",
        3,
        3,
    )
    assert (february.from_owned, february.from_bought, february.untracked) == (0, 1, 2)
    assert (march.new_addresses, march.leavers, march.untracked) == (
        1,
        Leavers(unsubscribed=1, erased=1),
        1,
    )
    assert (march.list.size, march.list.engaged) == (3, 2)


def test_quality_follows_the_models_reactions(engine: Engine) -> None:
    """Opening an e-mail is no reaction to a model whose silence rule counts visits only."""
    build_list_world(engine)
    with engine.begin() as connection:
        source = active_model(connection, now=NOW).source
        visits_only = source.replace(
            'without = ["email_open", "email_click", "page_view", "form_submit"]',
            'without = ["page_view"]',
        )
        assert visits_only != source
        save_model(connection, visits_only, now=NOW, activate=True)
        recompute(connection, now=NOW)
    with engine.connect() as connection:
        state = list_state(connection, now=NOW)
    assert (state.size, state.engaged) == (3, 1)
