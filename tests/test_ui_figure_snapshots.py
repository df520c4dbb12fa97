"""The dashboard and the list KPIs of a big workspace: a page while the first count
runs, then the snapshot with its moment, counted afresh in the background when stale."""

from __future__ import annotations

import html as entities
import re

from fastapi import FastAPI
from sqlalchemy import Engine

from silverplatter.settings import Settings
from silverplatter.storage.figure_snapshots import snapshot
from silverplatter.web.app import create_app
from silverplatter.web.figure_refresh import FigureRefresh
from test_dashboard import NOW, _world
from web_world import Clock, seed_users, signed_in

#: Below the fixed world's 7 contacts: the pages serve snapshots.
BIG = 6


def _text(html: str) -> str:
    return entities.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _runner(application: FastAPI) -> FigureRefresh:
    runner: FigureRefresh = application.state.figure_refresh
    assert runner.wait(60), "the background count finished"
    assert runner.last_error is None
    return runner


def test_a_big_workspace_shows_its_snapshot_and_counts_a_fresh_one_when_stale(
    engine: Engine, database_url: str
) -> None:
    seed_users(engine, now=NOW)
    with engine.begin() as connection:
        _world(connection)
    clock = Clock(NOW)
    settings = Settings(database_url=database_url, live_figures_up_to=BIG)
    application = create_app(settings, engine, clock=clock)
    client = signed_in(application, "marketing")
    _runner(application)

    counting = client.get("/lists?months=24")
    assert counting.status_code == 200
    assert '<meta http-equiv="refresh" content="10">' in counting.text
    assert "The list KPIs of this workspace is being counted for the first time" in _text(
        counting.text
    )
    _runner(application)
    kpis = _text(client.get("/lists?months=24").text)
    assert "List KPIs as of 2026-01-15 12:00 UTC, last 24 months" in kpis
    assert "A snapshot: this workspace is big" in kpis

    page = _text(client.get("/").text)
    assert "Dashboard as of 2026-01-15 12:00 UTC" in page
    assert "New email addresses this month 3 +50%" in page
    assert "kept up to 10 minutes." in page
    assert "A fresh count has started" not in page

    clock.advance(minutes=11)
    stale = _text(client.get("/").text)
    assert "Dashboard as of 2026-01-15 12:00 UTC" in stale
    assert "A fresh count has started; reload in a minute to see it." in stale
    _runner(application)
    with engine.connect() as connection:
        counted = snapshot(connection, "dashboard")
    assert counted is not None and counted.as_of == clock.now
    assert "Dashboard as of 2026-01-15 12:11 UTC" in _text(client.get("/").text)


def test_a_small_workspace_shows_live_figures_without_a_note(
    engine: Engine, database_url: str
) -> None:
    seed_users(engine, now=NOW)
    with engine.begin() as connection:
        _world(connection)
    application = create_app(Settings(database_url=database_url), engine, clock=Clock(NOW))
    page = _text(signed_in(application, "admin").get("/").text)
    assert "Dashboard as of 2026-01-15 12:00 UTC" in page
    assert "A snapshot" not in page
    assert getattr(application.state, "figure_refresh", None) is None
