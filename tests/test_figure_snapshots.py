"""Snapshots of the dashboard and the list KPIs: live on a small workspace, else the
latest snapshot with its moment; stale ones are counted afresh, older never win."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from silverplatter.services.dashboard import dashboard_figures
from silverplatter.services.figure_snapshots import (
    DASHBOARD,
    DEFAULT_KINDS,
    LIST_SUMMARY,
    kind_named,
    list_kpis_kind,
    refresh,
    serve,
)
from silverplatter.services.list_kpis import list_kpis, list_summary
from silverplatter.storage.figure_snapshots import snapshot
from test_dashboard import NOW, _world

#: The fixed world has 7 contacts: at most 7 is counted live, above a snapshot is served.
SMALL, BIG = 7, 6


def test_a_small_workspace_is_counted_live(engine: Engine) -> None:
    with engine.begin() as connection:
        _world(connection)
    with engine.connect() as connection:
        served = serve(connection, DASHBOARD, now=NOW, live_up_to=SMALL)
        assert (served.live, served.stale, served.as_of) == (True, False, NOW)
        assert served.figures == dashboard_figures(connection, now=NOW, months=12)
        assert snapshot(connection, "dashboard") is None


def test_a_big_workspace_is_served_its_snapshot_until_it_is_stale(engine: Engine) -> None:
    with engine.begin() as connection:
        _world(connection)
    with engine.connect() as connection:
        first = serve(connection, DASHBOARD, now=NOW, live_up_to=BIG)
    assert (first.figures, first.as_of, first.live, first.stale) == (None, None, False, True)
    for kind in DEFAULT_KINDS:
        assert refresh(engine, kind, now=NOW) >= 0
    later = NOW + timedelta(minutes=10)
    with engine.connect() as connection:
        served = serve(connection, DASHBOARD, now=later, live_up_to=BIG)
        assert (served.as_of, served.live, served.stale) == (NOW, False, False)
        assert served.figures == dashboard_figures(connection, now=NOW, months=12)
        the_list = serve(connection, LIST_SUMMARY, now=later, live_up_to=BIG)
        assert the_list.figures == list_summary(connection, now=NOW)
        kpis = serve(connection, list_kpis_kind(12), now=later, live_up_to=BIG)
        assert kpis.figures == list_kpis(connection, now=NOW, months=12)
        stale = serve(connection, DASHBOARD, now=later + timedelta(seconds=1), live_up_to=BIG)
        assert (stale.as_of, stale.stale) == (NOW, True)
        assert stale.figures is not None
        assert stale.figures.new_addresses.this_month == 3


def test_an_older_count_never_replaces_a_newer_snapshot(engine: Engine) -> None:
    with engine.begin() as connection:
        _world(connection)
    refresh(engine, DASHBOARD, now=NOW)
    refresh(engine, DASHBOARD, now=NOW - timedelta(hours=1))
    with engine.connect() as connection:
        row = snapshot(connection, "dashboard")
        assert row is not None and row.as_of == NOW
    refresh(engine, DASHBOARD, now=NOW + timedelta(hours=1))
    with engine.connect() as connection:
        row = snapshot(connection, "dashboard")
        assert row is not None and row.as_of == NOW + timedelta(hours=1)


def test_kinds_are_named() -> None:
    assert kind_named("dashboard") is DASHBOARD
    assert kind_named("list_summary") is LIST_SUMMARY
    assert kind_named("list_kpis:24").name == "list_kpis:24"
    assert [kind.name for kind in DEFAULT_KINDS] == ["dashboard", "list_summary", "list_kpis:12"]
    for wrong in ("list_kpis:0", "list_kpis:37", "list_kpis:x", "funnel"):
        with pytest.raises(LookupError, match="no figures called"):
            kind_named(wrong)
